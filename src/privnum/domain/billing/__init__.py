"""Billing, pure: meters, prices, packages, number rent, arrears and the ledger's arithmetic (billing.md §3)."""
