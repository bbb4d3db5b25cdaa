"""Operator actions (the CLI now, the console later): enterprises, apps, the number pool, pushes."""
