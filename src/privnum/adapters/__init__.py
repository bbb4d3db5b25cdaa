"""Adapters around the domain core: storage, push delivery, telephony drivers."""
