"""Entry points: the HTTP API and the CLI."""
