"""The B2BUA's configuration from privnum's settings (no sippy import: safe on any thread)."""

from __future__ import annotations

from dataclasses import dataclass

from privnum.adapters.telephony.sip.trusted_sources import TrustedSources
from privnum.adapters.telephony.sip.wire_numbers import WireNumbers
from privnum.config import Settings


@dataclass(frozen=True)
class B2buaConfig:
    listen: tuple[str, int]
    trunk: tuple[str, int] | None
    trusted: TrustedSources
    numbers: WireNumbers
    media_ip: str
    rtp_ports: tuple[int, int]
    spool_dir: str  # rtp.io's recording spool; finished recordings move to <spool_dir>/done
    user_agent: str = "privnum"


def b2bua_config(settings: Settings, spool_dir: str) -> B2buaConfig:
    listen = settings.sip_address
    trunk = settings.sip_trunk_address
    return B2buaConfig(
        listen=listen,
        trunk=trunk,
        trusted=TrustedSources.of(trunk[0] if trunk else None, settings.sip_trusted),
        numbers=WireNumbers(settings.sip_country_code, settings.sip_trunk_prefix, settings.sip_national_digits),
        media_ip=settings.media_ip or listen[0],
        rtp_ports=settings.rtp_ports,
        spool_dir=spool_dir,
        user_agent=settings.sip_user_agent,
    )
