"""Prometheus metrics: the ``Meter`` of the core as counters and histograms, and the database census as gauges."""
