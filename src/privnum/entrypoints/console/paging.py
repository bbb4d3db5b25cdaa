"""A page of a list: which rows to fetch (``offset``, ``size``) and the pager's links (``url(n)``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

DEFAULT_SIZE = 20
MAX_SIZE = 100


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    size: int
    total: int
    path: str
    query: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, request: Request, total: int, default_size: int = DEFAULT_SIZE) -> Page:
        """The page ``?page=`` asks for (clamped to the ones that exist), ``?size=`` rows each (≤ MAX_SIZE)."""
        size = min(max(_int(request.query_params.get("size"), default_size), 1), MAX_SIZE)
        pages = max(1, -(-total // size))
        number = min(max(_int(request.query_params.get("page"), 1), 1), pages)
        query = tuple((k, v) for k, v in request.query_params.multi_items() if k != "page")
        return cls(number, size, total, request.url.path, query)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        return f"{self.path}?{urlencode([*self.query, ('page', str(number))])}"


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default
