"""Billing's pure rules: money in micro-units, meters, usage from CDRs and texts, price plans (issue 15)."""
