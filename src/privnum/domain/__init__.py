"""The domain core: plain rules about numbers, apps and bindings. No web, SQL or SIP imports here."""
