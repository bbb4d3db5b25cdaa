"""Huawei's A-number registration API (A号码报备) as a test client: a privnum API token as the X-Auth-Token."""

from __future__ import annotations

from typing import Any

import httpx

from huawei_client import TEST_CLIENT_LIMITS

URI = "/v1.0/privatenumber/a-number"
FILES_URI = "/v1/privatenumber/a-number/files"
AGREED = {"agree_authorization_statement": "true"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200  # a JPEG's signature; privnum checks no more of it
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


class WireClient:
    def __init__(self, base: str, token: str | None) -> None:
        headers = {"X-Auth-Token": token} if token is not None else {}
        self.http = httpx.Client(base_url=base, timeout=30, headers=headers, limits=TEST_CLIENT_LIMITS)

    def create(self, numbers: list[dict[str, Any]], params: dict[str, str] | None = AGREED) -> httpx.Response:
        return self.http.post(URI, params=params, json={"numbers": numbers})

    def query(self, **body: Any) -> httpx.Response:
        return self.http.post(URI + "/query", json=body)

    def delete(self, numbers: list[str]) -> httpx.Response:
        return self.http.request("DELETE", URI, json={"numbers": numbers})

    def upload(self, files: list[tuple[str, bytes]], params: dict[str, str] | None = AGREED) -> httpx.Response:
        return self.http.post(FILES_URI, params=params,
                              files=[("files", (name, content, "application/octet-stream")) for name, content in files])

    def query_files(self, **body: Any) -> httpx.Response:
        return self.http.post(FILES_URI + "/query", json=body)

    def close(self) -> None:
        self.http.close()


def photo(name: str) -> tuple[str, bytes]:
    """A file of ``name`` whose content is the JPEG or PNG its name says."""
    return name, PNG if name.lower().endswith(".png") else JPEG
