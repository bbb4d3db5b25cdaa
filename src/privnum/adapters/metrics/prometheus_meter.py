"""The core's ``Meter`` as Prometheus counters and a histogram, and the text exposition of ``/metrics``.

One process: the series live in this meter's own registry. Several worker processes (``privnum serve --workers
N``): ``PROMETHEUS_MULTIPROC_DIR`` names a directory the workers share (``serve`` makes one), every worker writes
its counts there, and any worker's scrape adds them all up (prometheus_client's multiprocess mode). The database
gauges (``OperationsCensus``) are the same whichever worker answers: they are read from the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from privnum.service.metrics import OperationsCensus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DELIVERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0, 3600.0)


class PrometheusMeter:
    """Implements ``privnum.service.metrics.Meter``."""

    def __init__(self) -> None:
        self.multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        if not self.multiprocess_dir:
            ProcessCollector(registry=r)  # process_resident_memory_bytes and the like: per process, so one worker
        self.binds = Counter("privnum_binds", "Bind requests answered, by mode and Huawei resultcode (0: bound)",
                             ["mode", "resultcode"], registry=r)
        self.setups = Counter("privnum_call_setups", "Calls that arrived for a privacy number and were saved",
                              ["mode"], registry=r)
        self.calls = Counter("privnum_calls_ended", "Calls ended with their CDR saved, by outcome "
                             "(answered, unanswered, refused) and Huawei cause", ["mode", "outcome", "cause"],
                             registry=r)
        self.attempts = Counter("privnum_push_attempts", "Push delivery attempts, by kind and result "
                                "(delivered, failed)", ["kind", "result"], registry=r)
        self.dead_letters = Counter("privnum_push_dead_letters", "Pushes whose last allowed attempt failed "
                                    "(kept as dead letters)", ["kind"], registry=r)
        self.delivery = Histogram("privnum_push_delivery_seconds", "From enqueue to the attempt that delivered it",
                                  ["kind"], buckets=DELIVERY_BUCKETS, registry=r)
        self.sms = Counter("privnum_sms", "Texts that reached their Huawei sendResult (0: relayed)",
                           ["send_result"], registry=r)

    def bind_answered(self, mode: str, result_code: str) -> None:
        self.binds.labels(mode, result_code).inc()

    def call_set_up(self, mode: str) -> None:
        self.setups.labels(mode).inc()

    def call_ended(self, mode: str, outcome: str, cause: int) -> None:
        self.calls.labels(mode, outcome, str(cause)).inc()

    def push_attempted(self, kind: str, ok: bool, dead: bool, latency_s: float | None) -> None:
        self.attempts.labels(kind, "delivered" if ok else "failed").inc()
        if dead:
            self.dead_letters.labels(kind).inc()
        if latency_s is not None:
            self.delivery.labels(kind).observe(max(0.0, latency_s))

    def sms_finished(self, send_result: int) -> None:
        self.sms.labels(str(send_result)).inc()

    def exposition(self, census: OperationsCensus | None, census_seconds: float) -> bytes:
        """The text format: this process's counters (every worker's, in multiprocess mode), then the census
        (``privnum_census_up 0`` and no database gauges when it could not be read)."""
        if self.multiprocess_dir:
            counted = CollectorRegistry()
            MultiProcessCollector(counted, self.multiprocess_dir)
        else:
            counted = self.registry
        return generate_latest(counted) + generate_latest(_CensusCollector(census, census_seconds))


class _CensusCollector:
    def __init__(self, census: OperationsCensus | None, seconds: float) -> None:
        self.census = census
        self.seconds = seconds

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("privnum_census_up", "1 when the database figures below were read at this scrape")
        up.add_metric([], 0 if self.census is None else 1)
        took = GaugeMetricFamily("privnum_census_seconds", "How long reading the database figures took")
        took.add_metric([], self.seconds)
        yield up
        yield took
        census = self.census
        if census is None:
            return
        depth = GaugeMetricFamily("privnum_push_queue_depth", "Pushes waiting for delivery, per app", labels=["app"])
        oldest = GaugeMetricFamily("privnum_push_queue_oldest_age_seconds",
                                   "Age of the oldest push waiting for delivery, per app", labels=["app"])
        dead = GaugeMetricFamily("privnum_push_dead_letters_stored", "Dead letters kept for replay, per app",
                                 labels=["app"])
        for app, queue in sorted(census.queues.items()):
            depth.add_metric([app], queue.pending)
            oldest.add_metric([app], queue.oldest_pending_age_s)
            dead.add_metric([app], queue.dead)
        live = GaugeMetricFamily("privnum_live_calls", "Calls not yet released, on every node")
        live.add_metric([], census.live_calls)
        lag = GaugeMetricFamily("privnum_settlement_lag_seconds",
                                "Age of the oldest usage record not yet settled (0: none)")
        lag.add_metric([], census.settlement_lag_s)
        yield from (depth, oldest, dead, live, lag)
