"""Calls: hang-up causes, the routing decision per mode, the call session state machine and its records."""
