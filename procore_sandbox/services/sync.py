"""Procore's sync action, once for every resource (``tutorials/using_sync_actions.md``).

- ``{"updates": [...]}`` with at most 1000 items; the answer is always 200 with ``entities`` and
  ``errors``, each error echoing the item with an ``errors`` hash.
- Matching: ``id`` only updates (unknown id is an error); ``origin_id`` only upserts; both find by
  ``id`` (the only way to change an origin_id); neither creates an object without origin_id.
- ``origin_id`` is unique per company and type, across projects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from procore_sandbox import conf
from procore_sandbox.models import Company, ProcoreObject
from procore_sandbox.services.errors import BadRequest, ItemError, SandboxError, field_error
from procore_sandbox.services.representations import object_json

# Keys that are columns or context, never copied into ``data``.
RESERVED = frozenset(
    {
        "id",
        "origin_id",
        "origin_code",
        "origin_data",
        "created_at",
        "updated_at",
        "company_id",
        "project_id",
        "errors",
    }
)


@dataclass
class SyncContext:
    company: Company
    project: ProcoreObject | None = None
    parent: ProcoreObject | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Prepare = Callable[[dict, SyncContext, ProcoreObject | None], dict]


@dataclass(frozen=True)
class SyncSpec:
    """What differs between resources: the type, required fields, scope, and a ``prepare`` hook
    that validates and translates an item's attributes (e.g. ``parent_origin_id`` to an id)."""

    item_type: str
    required: tuple[str, ...] = ("name",)
    project_scoped: bool = False
    creatable: bool = True
    natural_key: tuple[str, ...] = ()
    prepare: Prepare | None = None


def sync_items(updates: Any) -> list:
    """Check the batch itself: a list of at most ``sync_batch_limit`` items."""
    if not isinstance(updates, list):
        raise BadRequest("updates must be an array", errors={"updates": ["must be an array"]})
    limit = int(conf.get("sync_batch_limit"))
    if len(updates) > limit:
        raise SandboxError(
            f"updates may contain at most {limit} items",
            errors={"updates": [f"must contain at most {limit} items (got {len(updates)})"]},
        )
    return updates


def clean_origin_id(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def objects_sync(*, spec: SyncSpec, ctx: SyncContext, updates: Any) -> dict:
    """Run one sync call; returns ``{"entities": [...], "errors": [...]}``."""
    items = sync_items(updates)
    scope = ProcoreObject.objects.filter(company=ctx.company, item_type=spec.item_type)
    in_scope = scope.filter(project=ctx.project) if spec.project_scoped else scope
    ids = {as_int(item.get("id")) for item in items if isinstance(item, dict)} - {None}
    origins = {
        clean_origin_id(item.get("origin_id")) for item in items if isinstance(item, dict)
    } - {None}
    by_id = {obj.id: obj for obj in in_scope.filter(id__in=ids)} if ids else {}
    by_origin = {obj.origin_id: obj for obj in scope.filter(origin_id__in=origins)}
    entities: list[dict] = []
    errors: list[dict] = []
    with transaction.atomic():
        for item in items:
            if not isinstance(item, dict):
                errors.append({"item": item, "errors": {"base": ["must be an object"]}})
                continue
            try:
                with transaction.atomic():
                    obj = _sync_one(item, spec, ctx, by_id, by_origin, in_scope)
            except ItemError as exc:
                errors.append({**item, "errors": exc.errors})
                continue
            except IntegrityError:
                # Another call took the origin_id between our check and our write.
                errors.append({**item, "errors": {"origin_id": ["has already been taken"]}})
                continue
            entities.append(object_json(obj))
    return {"entities": entities, "errors": errors}


def _sync_one(
    item: dict,
    spec: SyncSpec,
    ctx: SyncContext,
    by_id: dict[int, ProcoreObject],
    by_origin: dict[str, ProcoreObject],
    in_scope,
) -> ProcoreObject:
    origin_given = "origin_id" in item
    origin_id = clean_origin_id(item.get("origin_id"))
    obj: ProcoreObject | None = None
    if item.get("id") is not None:
        obj = by_id.get(as_int(item.get("id")) or 0)
        if obj is None:
            raise field_error("id", "Entity with this ID not found")
    elif origin_id is not None:
        obj = by_origin.get(origin_id)
        if obj is not None and spec.project_scoped and obj.project_id != ctx.project.id:
            raise field_error("origin_id", "has already been taken in another project")
    if obj is None and spec.natural_key:
        key = {name: _key_value(item.get(name)) for name in spec.natural_key}
        obj = in_scope.filter(**{f"data__{k}": v for k, v in key.items()}).first()
    creating = obj is None
    if creating and not spec.creatable:
        raise field_error("id", "Entity with this ID not found")
    if origin_given and origin_id is not None and (creating or origin_id != obj.origin_id):
        holder = by_origin.get(origin_id)
        if holder is not None and holder is not obj:
            raise field_error("origin_id", "has already been taken")

    attrs = {key: value for key, value in item.items() if key not in RESERVED}
    if spec.prepare is not None:
        attrs = spec.prepare(attrs, ctx, obj)
    blank = [
        name
        for name in spec.required
        if (creating or name in attrs)
        and attrs.get(name, (obj.data if obj else {}).get(name)) in (None, "")
    ]
    if blank:
        raise ItemError({name: ["can't be blank"] for name in blank})

    if creating:
        obj = ProcoreObject(
            company=ctx.company,
            item_type=spec.item_type,
            project=ctx.project if spec.project_scoped else None,
            parent=ctx.parent,
            data={},
        )
    previous_origin = obj.origin_id
    obj.data = {**(obj.data or {}), **attrs}
    if origin_given or creating:
        obj.origin_id = origin_id
    if "origin_code" in item:
        obj.origin_code = "" if item["origin_code"] is None else str(item["origin_code"])
    if "origin_data" in item:
        obj.origin_data = item["origin_data"]
    obj.save()
    if previous_origin and previous_origin != obj.origin_id:
        by_origin.pop(previous_origin, None)
    if obj.origin_id:
        by_origin[obj.origin_id] = obj
    by_id[obj.id] = obj
    return obj


def _key_value(value: Any) -> Any:
    """Ids in a natural key are stored as integers; ``"12"`` finds the row ``12`` does."""
    number = as_int(value)
    return number if number is not None else value


def require_field(attrs: dict, name: str) -> Any:
    value = attrs.get(name)
    if value in (None, ""):
        raise field_error(name, "can't be blank")
    return value
