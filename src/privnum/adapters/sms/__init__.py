"""SMS gateways: the sandbox's carrier stand-in and Kannel (smsbox's sendsms)."""
