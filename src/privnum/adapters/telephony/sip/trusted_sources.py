"""Who may send privnum INVITEs: the trunk's host and ``PRIVNUM_SIP_TRUSTED`` (IPs and CIDRs)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedSources:
    networks: tuple[Network, ...]

    @classmethod
    def of(cls, trunk_host: str | None, trusted: Iterable[str]) -> TrustedSources:
        """Raises ValueError naming an entry that is neither an IP, a CIDR nor a resolvable host."""
        networks: list[Network] = []
        for entry in ([trunk_host] if trunk_host else []) + list(trusted):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                try:
                    infos = socket.getaddrinfo(entry, None)
                except OSError:
                    raise ValueError(f"PRIVNUM_SIP_TRUSTED / PRIVNUM_SIP_TRUNK: {entry!r} is not an IP, "
                                     "a CIDR or a host name that resolves") from None
                networks.extend(ipaddress.ip_network(info[4][0]) for info in infos)
        return cls(tuple(networks))

    def allows(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.networks)
