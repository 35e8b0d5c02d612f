"""What the portal knows of each ERP object in Procore (``ObjectLink`` rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.utils import timezone

from integrations.models import ObjectLink


class LinkChangeLike(Protocol):
    item_type: str
    origin_id: str
    procore_id: int | None
    origin_code: str
    kind: str
    name: str


def object_display_name(data: Any) -> str:
    """The name a person knows an object by, from its ERP or Procore data (``name``, else a
    contract's ``title``, else ``description``); blank when it has none. Stored on the link so
    support finds the object by name."""
    if not isinstance(data, dict):
        return ""
    for key in ("name", "title", "description"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:255]
    return ""


def object_link_mark_synced(
    *,
    company_pk: int,
    item_type: str,
    origin_id: str,
    procore_id: int,
    origin_code: str = "",
    name: str = "",
) -> ObjectLink:
    """The object exists in Procore with our origin id; tolerates losing a creation race. A
    blank code or name keeps the one recorded before."""
    defaults = {"procore_id": procore_id, "state": ObjectLink.State.SYNCED, "last_error": ""}
    if origin_code:
        defaults["origin_code"] = origin_code[:255]
    if name:
        defaults["name"] = name[:255]
    link, _ = ObjectLink.objects.update_or_create(
        company_id=company_pk, item_type=item_type, origin_id=origin_id, defaults=defaults
    )
    return link


def object_links_mark_synced(*, company_pk: int, links: Iterable[tuple[str, str, int, str]]) -> int:
    """``object_link_mark_synced`` for many objects at once, (item type, origin id, Procore id,
    name) each: one upsert per 1000 (a commitment's write-back names every line), with the same
    rule that a blank name keeps the one recorded before."""
    now = timezone.now()
    rows: dict[bool, dict[tuple[str, str], ObjectLink]] = {True: {}, False: {}}
    for item_type, origin_id, procore_id, name in links:
        named = bool(name)
        rows[not named].pop((item_type, origin_id), None)
        rows[named][(item_type, origin_id)] = ObjectLink(
            company_id=company_pk,
            item_type=item_type,
            origin_id=origin_id,
            procore_id=procore_id,
            state=ObjectLink.State.SYNCED,
            last_error="",
            name=name[:255],
            created_at=now,
            updated_at=now,
        )
    count = 0
    for named, upserts in rows.items():
        fields = ["procore_id", "state", "last_error", "updated_at"] + (["name"] if named else [])
        batch = list(upserts.values())
        for start in range(0, len(batch), 1000):
            ObjectLink.objects.bulk_create(
                batch[start : start + 1000],
                update_conflicts=True,
                unique_fields=["company", "item_type", "origin_id"],
                update_fields=fields,
            )
        count += len(batch)
    return count


def object_link_unlink(*, company_pk: int, item_type: str, origin_id: str) -> int:
    """Procore no longer ties its object to the ERP object: the link forgets the Procore id, so
    a later import stages the object (or leaves it) instead of updating it as if it were
    synced. A staged record Procore keeps goes back to ``staged``."""
    links = ObjectLink.objects.filter(
        company_id=company_pk, item_type=item_type, origin_id=origin_id
    )
    return links.exclude(staged_record_id__isnull=True).update(
        procore_id=None, state=ObjectLink.State.STAGED, updated_at=timezone.now()
    ) + links.filter(staged_record_id__isnull=True).update(
        procore_id=None, state=ObjectLink.State.PENDING, updated_at=timezone.now()
    )


def object_link_merged(*, company_pk: int, item_type: str, origin_id: str) -> int:
    """Procore merged its object into another: this ERP object is never sent again (the link
    that remains is the other one's)."""
    return ObjectLink.objects.filter(
        company_id=company_pk, item_type=item_type, origin_id=origin_id
    ).update(procore_id=None, state=ObjectLink.State.MERGED, updated_at=timezone.now())


def object_links_apply(*, company_pk: int, changes: Iterable[LinkChangeLike]) -> int:
    """Record what a handler reported of its objects (``handlers.registry.LinkChange``)."""
    count = 0
    for change in changes:
        if change.kind == "synced" and change.procore_id is not None:
            object_link_mark_synced(
                company_pk=company_pk,
                item_type=change.item_type,
                origin_id=change.origin_id,
                procore_id=change.procore_id,
                origin_code=change.origin_code,
                name=getattr(change, "name", ""),
            )
        elif change.kind == "unlinked":
            object_link_unlink(
                company_pk=company_pk, item_type=change.item_type, origin_id=change.origin_id
            )
        elif change.kind == "merged":
            object_link_merged(
                company_pk=company_pk, item_type=change.item_type, origin_id=change.origin_id
            )
        else:
            continue
        count += 1
    return count
