"""Whether an address falls in a list of addresses and CIDR ranges (IPv4 or IPv6)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def ip_in_ranges(ip: str, entries: Iterable[str]) -> bool:
    """True when ``ip`` is one of ``entries`` or inside one of their ranges; a malformed ``ip`` is in none, a
    malformed entry matches nothing."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
