"""Numbers as carriers write them in SIP user parts, and privnum's E.164 form.

Inbound: ``+8617000000001``, ``8617000000001``, ``008617000000001``, the national ``017000000001`` (trunk
prefix ``0``) and the bare national ``17000000001`` (``national_digits`` long) all mean +8617000000001.
Outbound: always ``+`` and the digits.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_E164_DIGITS = 15


@dataclass(frozen=True)
class WireNumbers:
    country_code: str = "86"
    trunk_prefix: str = "0"
    national_digits: int = 11
    international_prefix: str = "00"

    def to_e164(self, user: str | None) -> str | None:
        """The E.164 number (``+…``) a SIP user part names, or None when it is no number."""
        if not user:
            return None
        digits = user.split(";", 1)[0].strip().replace("-", "").replace(".", "")
        if digits.startswith("tel:"):
            digits = digits[4:]
        if digits.startswith("+"):
            national = None
            digits = digits[1:]
        elif digits.startswith(self.international_prefix):
            national = None
            digits = digits[len(self.international_prefix):]
        elif self.trunk_prefix and digits.startswith(self.trunk_prefix):
            national = digits[len(self.trunk_prefix):]
        elif len(digits) == self.national_digits:
            national = digits
        else:
            national = None
        if not digits.isascii() or not digits.isdigit():
            return None
        if national is not None:
            digits = self.country_code + national
        if not 7 <= len(digits) <= MAX_E164_DIGITS or digits.startswith("0"):  # no country code starts with 0
            return None
        return "+" + digits

    @staticmethod
    def to_wire(e164: str) -> str:
        """privnum's number as the user part of an outgoing leg: E.164 with ``+``."""
        return e164 if e164.startswith("+") else "+" + e164
