"""Billing use cases (issue 15): usage ingestion, hourly settlement, monthly rent, top-ups and balances."""
