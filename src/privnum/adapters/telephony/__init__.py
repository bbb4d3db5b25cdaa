"""Telephony drivers: the sandbox (simulated legs) now, the SIP B2BUA next."""
