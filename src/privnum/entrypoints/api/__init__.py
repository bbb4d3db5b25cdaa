"""The Huawei-compatible HTTP API: one router per mode, AKSK authentication, result-code errors."""
