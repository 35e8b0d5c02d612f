"""Sync calls in batches, with every per-item error tied back to the input that caused it.

Procore's sync actions take at most 1000 items and always answer 200 with
``{"entities": [...], "errors": [...]}``; each error echoes the input's attributes plus an
``errors`` object of reasons (procore-erp-api.md §b.2). A 200 is therefore not a success: the
caller gets a :class:`SyncResult` naming each refused input by its position in the list it passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from integrations.procore.errors import ProcoreError, ProtocolError, SyncItemError
from integrations.procore.paths import SYNC_BATCH_SIZE
from integrations.procore.transport import ProcoreResponse

Send = Callable[[list[dict[str, Any]], bool], ProcoreResponse]


@dataclass
class SyncResult:
    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SyncItemError] = field(default_factory=list)
    calls: int = 0
    items_sent: int = 0
    request_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def failed_indexes(self) -> set[int]:
        return {e.index for e in self.errors if e.index is not None}


def chunks(
    items: Sequence[dict[str, Any]], size: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for offset in range(0, len(items), size):
        yield offset, list(items[offset : offset + size])


def is_upsert_batch(batch: Sequence[dict[str, Any]]) -> bool:
    """True when every item names its target by ``origin_id`` or ``id``, so a repeat is harmless.

    Items with neither create a new record each time they are sent and must not be retried.
    """
    return all(_has(item, "origin_id") or _has(item, "id") for item in batch)


def _has(item: dict[str, Any], key: str) -> bool:
    return item.get(key) not in (None, "")


def sync_in_batches(
    send: Send,
    items: Sequence[dict[str, Any]],
    *,
    batch_size: int = SYNC_BATCH_SIZE,
    idempotent: bool | None = None,
) -> SyncResult:
    """Send ``items`` in order, ``batch_size`` at a time; collect entities and per-item errors.

    If a whole batch fails (after the transport's own retries), its ProcoreError is raised with
    ``partial`` (the SyncResult of the batches that went through) and ``done`` (how many input
    items those batches covered), so the caller can resume from there.
    """
    batch_size = min(batch_size, SYNC_BATCH_SIZE)
    result = SyncResult()
    for offset, batch in chunks(items, batch_size):
        safe = is_upsert_batch(batch) if idempotent is None else idempotent
        try:
            response = send(batch, safe)
        except ProcoreError as exc:
            exc.partial, exc.done = result, offset
            raise
        entities, errors = parse_sync_body(response.data)
        result.entities.extend(entities)
        result.errors.extend(match_errors(errors, batch, offset))
        result.calls += 1
        result.items_sent += len(batch)
        if response.request_id:
            result.request_ids.append(response.request_id)
    return result


def parse_sync_body(data: Any) -> tuple[list[Any], list[Any]]:
    if data is None:
        return [], []
    if isinstance(data, list):  # bulk endpoints that answer with the updated records only
        return data, []
    if isinstance(data, dict) and ("entities" in data or "errors" in data):
        entities = data.get("entities") or []
        errors = data.get("errors") or []
        if isinstance(entities, list) and isinstance(errors, list):
            return entities, errors
    raise ProtocolError("a sync call answered without 'entities' and 'errors'", body=data)


def match_errors(
    errors: list[Any], batch: list[dict[str, Any]], offset: int
) -> list[SyncItemError]:
    """Tie each echoed error to one input: by origin_id, then id, then equal attributes."""
    claimed: set[int] = set()
    out: list[SyncItemError] = []
    for raw in errors:
        if isinstance(raw, dict):
            echoed = {k: v for k, v in raw.items() if k != "errors"}
            reasons = normalise_reasons(raw.get("errors"))
        else:
            echoed, reasons = {}, normalise_reasons(raw)
        position = _find(echoed, batch, claimed)
        if position is None:
            out.append(SyncItemError(index=None, item=echoed, reasons=reasons))
        else:
            claimed.add(position)
            out.append(
                SyncItemError(index=offset + position, item=batch[position], reasons=reasons)
            )
    return out


def _find(echoed: dict[str, Any], batch: list[dict[str, Any]], claimed: set[int]) -> int | None:
    if not echoed:
        return None
    for key in ("origin_id", "id"):
        if _has(echoed, key):
            for i, item in enumerate(batch):
                if i not in claimed and str(item.get(key)) == str(echoed[key]):
                    return i
    for i, item in enumerate(batch):
        shared = [k for k in echoed if k in item]
        if i not in claimed and shared and all(item[k] == echoed[k] for k in shared):
            return i
    return None


def normalise_reasons(value: Any) -> dict[str, list[str]]:
    """Procore's reasons as ``{attribute: [message, ...]}`` whatever shape they came in."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in value.items()
        }
    if isinstance(value, list):
        return {"base": [str(m) for m in value]}
    return {"base": [str(value)]}
