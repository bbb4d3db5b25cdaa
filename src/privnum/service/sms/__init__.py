"""The privacy SMS relay: texts arriving from a gateway, decided by domain/sms, sent back through the
gateway, reported to the customer through the outbox (docs/contract/sms.md)."""
