"""Huawei PrivateNumber's wire protocol, pure: push bodies, signing, field formats (stdlib, pydantic, domain)."""
