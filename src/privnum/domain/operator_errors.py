"""The error of an operator action (CLI now, the console later): a sentence saying why, and what to do next."""

from __future__ import annotations


class OperatorError(Exception):
    """An operator action that cannot be done, with a sentence saying why."""
