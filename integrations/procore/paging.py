"""Lazy iteration over Procore's paged lists.

Most lists take ``page``/``per_page`` and answer with ``Link`` (first/prev/next/last) and
``Total`` headers; not every endpoint pages, so a short page also ends the walk. Webhook
deliveries page by cursor instead: ``page_size`` and ``page_start`` (the last id seen).
Items are yielded as pages arrive, so a caller that stops early does not fetch the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from integrations.procore.errors import ProtocolError
from integrations.procore.transport import ProcoreResponse

Get = Callable[[str, Mapping[str, Any] | None], ProcoreResponse]

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 2000  # Procore's recommended ceiling (procore-erp-api.md §b.3)


def iter_pages(
    get: Get,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    per_page: int = DEFAULT_PER_PAGE,
) -> Iterator[Any]:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    next_path: str | None = path
    next_params: dict[str, Any] | None = {**(params or {}), "page": 1, "per_page": per_page}
    seen = 0
    while next_path is not None:
        response = get(next_path, next_params)
        items = _items(response, next_path)
        yield from items
        seen += len(items)
        next_path, next_params = _next(response, path, next_params, seen, len(items), per_page)


def _next(
    response: ProcoreResponse,
    path: str,
    params: dict[str, Any] | None,
    seen: int,
    count: int,
    per_page: int,
) -> tuple[str | None, dict[str, Any] | None]:
    if not count:
        return None, None
    if response.links:
        nxt = response.links.get("next")
        # The link carries page and per_page itself; the transport checks it stays on our host.
        return (nxt["url"], None) if nxt and nxt.get("url") else (None, None)
    total = _total(response)
    if total is not None:
        if seen >= total:
            return None, None
    elif count < per_page:
        return None, None
    base = dict(params) if params is not None else {"per_page": per_page, "page": 1}
    base["page"] = int(base.get("page", 1)) + 1
    return path, base


def _total(response: ProcoreResponse) -> int | None:
    value = response.headers.get("Total")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def iter_cursor(
    get: Get,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    page_size: int = DEFAULT_PER_PAGE,
    id_key: str = "id",
) -> Iterator[Any]:
    page_size = max(1, page_size)
    cursor: Any = None
    while True:
        query = {**(params or {}), "page_size": page_size}
        if cursor is not None:
            query["page_start"] = cursor
        items = _items(get(path, query), path)
        yield from items
        if len(items) < page_size:
            return
        last = items[-1].get(id_key) if isinstance(items[-1], dict) else None
        if last is None or last == cursor:
            raise ProtocolError(f"cannot page {path}: the last item has no usable {id_key!r}")
        cursor = last


def _items(response: ProcoreResponse, path: str) -> list[Any]:
    data = response.data
    if data is None:
        return []
    if isinstance(data, list):
        return data
    raise ProtocolError(f"expected a list from {path}, got {type(data).__name__}")
