"""Billing's pure rules (issue 15): money in micro-units, meters, usage from CDRs and texts, price plans, packages,
the rent calendar, arrears standing and the ledger's arithmetic."""
