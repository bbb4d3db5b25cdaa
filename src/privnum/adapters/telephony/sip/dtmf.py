"""Digits a caller presses (AXE extensions): RFC 2833 telephone-events and SIP INFO ``application/dtmf-relay``,
collected up to a count, ``#`` or a silence timeout. Pure: the timer comes from the caller of ``start``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

DIGITS = "0123456789*#ABCD"
TERMINATOR = "#"
EVENT_DIGITS = {i: d for i, d in enumerate("0123456789*#ABCD")}  # RFC 4733 event codes 0..15


class Timer(Protocol):
    def cancel(self) -> None: ...


def digit_of_info(body: Any) -> str | None:
    """The digit of a SIP INFO body (``Signal=5`` / ``Signal= 5``, dtmf-relay), or None."""
    if body is None:
        return None
    for line in str(body).replace("\r", "\n").split("\n"):
        name, sep, value = line.partition("=")
        if sep and name.strip().lower() == "signal":
            digit = value.strip().upper()[:1]
            return digit if digit and digit in DIGITS else None
    return None


def digit_of_event(payload: bytes) -> tuple[str, bool] | None:
    """An RFC 4733 telephone-event payload -> (digit, end of event), or None if it is none."""
    if len(payload) < 4 or payload[0] not in EVENT_DIGITS:
        return None
    return EVENT_DIGITS[payload[0]], bool(payload[1] & 0x80)


class DigitCollector:
    """Collects up to ``max_digits`` digits; ``#`` ends early; ``timeout_s`` without a digit ends it too.
    ``done`` gets the digits (None when none were pressed) exactly once."""

    def __init__(self, max_digits: int, timeout_s: float, done: Callable[[str | None], None],
                 timer: Callable[[Callable[[], None], float], Timer]) -> None:
        self.max_digits = max_digits
        self.timeout_s = timeout_s
        self.done = done
        self.timer = timer
        self.digits = ""
        self.finished = False
        self._pending: Timer | None = None

    def start(self) -> None:
        self._rearm()

    def press(self, digit: str) -> None:
        if self.finished:
            return
        if digit == TERMINATOR:
            self._finish()
            return
        self.digits += digit
        if len(self.digits) >= self.max_digits:
            self._finish()
        else:
            self._rearm()

    def cancel(self) -> None:
        self.finished = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _rearm(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = self.timer(self._finish, self.timeout_s)

    def _finish(self) -> None:
        if self.finished:
            return
        self.cancel()
        self.done(self.digits or None)
