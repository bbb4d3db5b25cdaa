"""Privacy SMS: the relay's rules, pure (docs/contract/sms.md)."""
