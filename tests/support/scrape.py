"""Reading a privnum server's ``/metrics`` in the tests: the exposition parsed by prometheus_client's own parser
into {(sample name, labels): value}."""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base: str, **client: Any) -> Samples:
    r = httpx.get(f"{base}/metrics", timeout=10, **client)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series is absent (a counter not yet touched)."""
    return samples.get((name, frozenset(labels.items())), 0.0)
