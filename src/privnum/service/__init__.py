"""Use cases: bind, unbind, modify and query per mode, on a storage port."""
