"""A tenant in arrears gets no recording link (1012007, billing.md R-24), and a link signed before it fell into
arrears stops working; the same app gets its link once active."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from privnum.domain.apps import App
from privnum.domain.billing.arrears import AccountStanding
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused
from privnum.service.recordings import Recordings, StoredRecording, sign

NOW_MS = 1_796_000_000_000
NAME = "1_1_abc_20261201.wav"


class OneRow:
    async def get(self, file_name: str) -> StoredRecording | None:
        return StoredRecording(NAME, 1, "s", "bucket", "rec.example:443", 10, NOW_MS) if file_name == NAME else None


def recordings() -> Recordings:
    rows: Any = OneRow()
    return Recordings(rows, files=None, base_url="https://rec.example:443")  # type: ignore[arg-type]


ACTIVE = App(1, 1, "app", Mode.AXB, "key", "secret")
IN_ARREARS = replace(ACTIVE, standing=AccountStanding.ARREARS)


def test_the_link_is_refused_in_arrears_and_given_once_active() -> None:
    with pytest.raises(Refused) as refused:
        asyncio.run(recordings().download_url(IN_ARREARS, NAME, "rec.example:443", NOW_MS))
    assert refused.value.result.value.code == "1012007"
    link = asyncio.run(recordings().download_url(ACTIVE, NAME, "rec.example:443", NOW_MS))
    assert link.startswith("https://rec.example:443/recordings/")


def test_a_link_signed_before_the_arrears_stops_working() -> None:
    expires = NOW_MS // 1000 + 60
    signature = sign("secret", NAME, expires)
    Recordings.verify(ACTIVE, NAME, expires, signature, NOW_MS)
    with pytest.raises(Refused) as refused:
        Recordings.verify(IN_ARREARS, NAME, expires, signature, NOW_MS)
    assert refused.value.result.value.code == "1012007"
