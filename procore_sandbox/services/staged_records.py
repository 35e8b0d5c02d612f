"""Staged Records: the ERP's objects waiting on Ready to Import, and their import
(``erp_integration/erp_staged_records.md``; paths from procore-erp-api.md §i).

Rules kept here, as the guide states them:
- item types and levels: vendor and project (company), sub_job / prime_contract / commitments
  (project, need ``data.project_origin_id`` of a staged or synced project), commitment change
  orders (also need ``data.commitment_origin_id``), and ``line_item`` children (need ``parent_id``
  or ``parent_origin_id``; parents may only be change orders, prime contracts or commitments);
- statuses staged / imported / invalid / archived; a parent going back to ``staged`` re-stages
  its non-archived children; import marks the parent and its children ``imported``;
- Ready to Import shows staged records only, project-level ones only when their project is
  synced, commitment-level ones only when the commitment is synced too; prime contracts may be
  imported again.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from procore_sandbox.models import Company, ProcoreObject, StagedRecord
from procore_sandbox.services.erp import erp_request_create
from procore_sandbox.services.errors import ItemError, NotFound, SandboxError, field_error
from procore_sandbox.services.objects import COMMITMENT_ITEM_TYPES, TYPE_LABELS
from procore_sandbox.services.representations import iso, staged_record_json
from procore_sandbox.services.sync import as_int, clean_origin_id, sync_items

LEVELS = {
    "vendor": "company",
    "project": "company",
    "sub_job": "project",
    "prime_contract": "project",
    "purchase_order_contract": "project",
    "work_order_contract": "project",
    "commitment_change_order": "commitment",
    "line_item": "child",
}
LINE_ITEM_PARENTS = frozenset(
    {"commitment_change_order", "prime_contract", "purchase_order_contract", "work_order_contract"}
)
STATUSES = tuple(StagedRecord.Status.values)
REOPENING = frozenset({"archived", "imported", "invalid"})
# The Procore object type each staged type becomes on import.
IMPORTS_AS = {
    "vendor": "vendor",
    "project": "project",
    "sub_job": "sub_job",
    "prime_contract": "prime_contract",
    "purchase_order_contract": "purchase_order_contract",
    "work_order_contract": "work_order_contract",
    "commitment_change_order": "change_order",
}
FIELDS = frozenset(
    {
        "id",
        "item_type",
        "origin_id",
        "origin_code",
        "origin_data",
        "parent_id",
        "parent_origin_id",
        "status",
        "data",
        "children",
        "company_id",
    }
)


# -- create / update / sync -------------------------------------------------------------------
class _Batch:
    """What one call already knows (records by type and origin_id, the origin_ids of projects
    and commitments), so a 1,000-item sync asks the database once, not once per item."""

    def __init__(self, company: Company, items: list) -> None:
        self.company = company
        origins = {clean_origin_id(o) for o in _origin_ids(items)} - {None}
        self.records: dict[tuple[str, str], StagedRecord | None] = {
            (r.item_type, r.origin_id): r
            for r in StagedRecord.objects.filter(company=company, origin_id__in=origins)
        }
        self._origins: dict[str, set[str]] = {}

    def find(self, item_type: Any, origin_id: str | None) -> StagedRecord | None:
        if origin_id is None or not isinstance(item_type, str):
            return None
        key = (item_type, origin_id)
        if key not in self.records:
            self.records[key] = StagedRecord.objects.filter(
                company=self.company, item_type=item_type, origin_id=origin_id
            ).first()
        return self.records[key]

    def forget(self, item_type: Any, origin_id: str | None) -> None:
        """Look this one up in the database again next time (another call may have made it)."""
        self.records.pop((item_type, origin_id), None)

    def remember(self, record: StagedRecord, previous_origin: str | None) -> None:
        if previous_origin and previous_origin != record.origin_id:
            self.records[(record.item_type, previous_origin)] = None
        self.records[(record.item_type, record.origin_id)] = record
        for kind in ("project", "commitment"):
            if record.item_type in _KINDS[kind] and kind in self._origins:
                self._origins[kind].add(record.origin_id)

    def known(self, kind: str) -> set[str]:
        """origin_ids of staged or synced records of a kind (project or commitment)."""
        if kind not in self._origins:
            types = _KINDS[kind]
            staged = StagedRecord.objects.filter(company=self.company, item_type__in=types)
            synced = ProcoreObject.objects.filter(
                company=self.company, item_type__in=types, origin_id__isnull=False
            )
            self._origins[kind] = set(staged.values_list("origin_id", flat=True)) | set(
                synced.values_list("origin_id", flat=True)
            )
        return self._origins[kind]


_KINDS = {"project": frozenset({"project"}), "commitment": COMMITMENT_ITEM_TYPES}


def _origin_ids(items: list) -> list:
    found = []
    for item in items:
        if isinstance(item, dict):
            found.append(item.get("origin_id"))
            children = item.get("children")
            if isinstance(children, list):
                found.extend(_origin_ids(children))
    return found


def staged_record_create(*, company: Company, attrs: Any) -> StagedRecord:
    """``POST …/staged_records``: one record; 422 with the reasons when it is invalid."""
    if not isinstance(attrs, dict):
        raise SandboxError("Body must be a staged record object")
    if attrs.get("children"):
        raise SandboxError(
            "Nested children are accepted only by /staged_records/sync",
            errors={"children": ["are accepted only by /staged_records/sync"]},
        )
    batch = _Batch(company, [attrs])
    if batch.find(attrs.get("item_type"), clean_origin_id(attrs.get("origin_id"))):
        raise SandboxError(
            "origin_id has already been taken", errors={"origin_id": ["has already been taken"]}
        )
    try:
        with transaction.atomic():
            return _save(batch, attrs, existing=None, batch_parent=None)
    except ItemError as exc:
        raise SandboxError("Staged record is invalid", errors=exc.errors) from None


def staged_record_update(*, company: Company, record_id: Any, attrs: Any) -> StagedRecord:
    """``PUT …/staged_records/:id``."""
    if not isinstance(attrs, dict):
        raise SandboxError("Body must be a staged record object")
    record = staged_record_get(company=company, record_id=record_id)
    try:
        with transaction.atomic():
            return _save(_Batch(company, [attrs]), attrs, existing=record, batch_parent=None)
    except ItemError as exc:
        raise SandboxError("Staged record is invalid", errors=exc.errors) from None


def staged_records_sync(*, company: Company, updates: Any) -> dict:
    """``PATCH …/staged_records/sync``: upsert by ``id`` or by (item_type, origin_id), children
    inline (``parent_origin_id``) or nested under ``children``; always 200 with per-item errors."""
    items = sync_items(updates)
    batch = _Batch(company, items)
    entities: list[dict] = []
    errors: list[dict] = []
    with transaction.atomic():
        for item in items:
            _sync_one(batch, item, None, entities, errors)
    return {"entities": entities, "errors": errors}


def _sync_one(
    batch: _Batch,
    item: Any,
    batch_parent: StagedRecord | None,
    entities: list[dict],
    errors: list[dict],
) -> None:
    if not isinstance(item, dict):
        errors.append({"item": item, "errors": {"base": ["must be an object"]}})
        return
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                existing = _match(batch, item)
                previous_origin = existing.origin_id if existing else None
                record = _save(batch, item, existing=existing, batch_parent=batch_parent)
            break
        except ItemError as exc:
            errors.append({**item, "errors": exc.errors})
            return
        except IntegrityError:
            # Another call staged the same origin_id between our look-up and our write (the
            # portal sent the same batch twice at once). Procore upserts by origin_id, so look
            # again and update the record that call made.
            if attempt == 2:
                errors.append({**item, "errors": {"origin_id": ["has already been taken"]}})
                return
            batch.forget(item.get("item_type"), clean_origin_id(item.get("origin_id")))
    batch.remember(record, previous_origin)
    entities.append(staged_record_json(record))
    children = item.get("children") or []
    if not isinstance(children, list):
        errors.append({**item, "errors": {"children": ["must be an array"]}})
        return
    for child in children:
        if isinstance(child, dict) and child.get("item_type") is None:
            child = {**child, "item_type": "line_item"}
        _sync_one(batch, child, record, entities, errors)


def _match(batch: _Batch, item: dict) -> StagedRecord | None:
    if item.get("id") is not None:
        record = StagedRecord.objects.filter(
            company=batch.company, id=as_int(item["id"]) or 0
        ).first()
        if record is None:
            raise field_error("id", "Entity with this ID not found")
        return record
    return batch.find(item.get("item_type"), clean_origin_id(item.get("origin_id")))


def _save(
    batch: _Batch,
    attrs: dict,
    *,
    existing: StagedRecord | None,
    batch_parent: StagedRecord | None,
) -> StagedRecord:
    company = batch.company
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(attrs) - FIELDS)
    if unknown:
        errors.update({name: ["is not a staged record attribute"] for name in unknown})
    item_type = attrs.get("item_type", existing.item_type if existing else None)
    if item_type not in LEVELS:
        errors["item_type"] = [f"is not included in the list ({', '.join(LEVELS)})"]
    elif existing is not None and item_type != existing.item_type:
        errors["item_type"] = ["cannot be changed"]
    origin_id = clean_origin_id(attrs.get("origin_id", existing.origin_id if existing else None))
    if origin_id is None:
        errors["origin_id"] = ["can't be blank"]
    status = attrs.get("status", existing.status if existing else StagedRecord.Status.STAGED)
    if status not in STATUSES:
        errors["status"] = [f"is not included in the list ({', '.join(STATUSES)})"]
    data = attrs.get("data", existing.data if existing else {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors["data"] = ["must be an object"]
    if errors:
        raise ItemError(errors)
    holder = batch.find(item_type, origin_id)
    if holder is not None and (existing is None or holder.id != existing.id):
        raise field_error("origin_id", "has already been taken")

    level = LEVELS[item_type]
    parent = existing.parent if existing else None
    if level in {"project", "commitment"}:
        _check_reference(batch, data, "project")
    if level == "commitment":
        _check_reference(batch, data, "commitment")
    if level == "child":
        parent = _resolve_parent(batch, attrs, batch_parent, parent)
    elif attrs.get("parent_id") is not None or attrs.get("parent_origin_id") is not None:
        raise field_error("parent_id", "must be blank: only line items have a parent")

    record = existing or StagedRecord(company=company, item_type=item_type)
    previous_status = existing.status if existing else None
    record.origin_id = origin_id
    if "origin_code" in attrs or existing is None:
        record.origin_code = str(attrs.get("origin_code") or "")
    if "origin_data" in attrs:
        record.origin_data = attrs["origin_data"]
    record.parent = parent
    record.status = status
    record.data = data
    if status == StagedRecord.Status.STAGED:
        record.import_error = ""
    record.save()
    if previous_status in REOPENING and status == StagedRecord.Status.STAGED:
        record.children.exclude(status=StagedRecord.Status.ARCHIVED).update(
            status=StagedRecord.Status.STAGED
        )
    return record


def _check_reference(batch: _Batch, data: dict, kind: str) -> None:
    """``data.<kind>_origin_id`` must name a staged or synced project / commitment."""
    field = f"data.{kind}_origin_id"
    origin = clean_origin_id(data.get(f"{kind}_origin_id"))
    if origin is None:
        raise field_error(field, "can't be blank")
    if origin not in batch.known(kind):
        raise field_error(field, f"{origin!r} is neither a staged nor a synced {kind}")


def _resolve_parent(
    batch: _Batch,
    attrs: dict,
    batch_parent: StagedRecord | None,
    current: StagedRecord | None,
) -> StagedRecord:
    parent = batch_parent
    if parent is None and attrs.get("parent_id") is not None:
        parent = StagedRecord.objects.filter(
            company=batch.company, id=as_int(attrs["parent_id"]) or 0
        ).first()
        if parent is None:
            raise field_error("parent_id", "Staged record not found")
    if parent is None and attrs.get("parent_origin_id") is not None:
        origin = clean_origin_id(attrs["parent_origin_id"])
        candidates = (batch.find(kind, origin) for kind in sorted(LINE_ITEM_PARENTS))
        parent = next((found for found in candidates if found is not None), None)
        if parent is None:
            raise field_error("parent_origin_id", f"No staged parent has origin_id {origin!r}")
    parent = parent or current
    if parent is None:
        raise field_error("parent_id", "parent_id or parent_origin_id is required for line items")
    if parent.item_type not in LINE_ITEM_PARENTS:
        raise field_error(
            "parent_id", f"line items cannot belong to a {parent.item_type} staged record"
        )
    return parent


# -- reads ------------------------------------------------------------------------------------
def staged_record_get(*, company: Company, record_id: Any) -> StagedRecord:
    record = StagedRecord.objects.filter(company=company, id=as_int(record_id) or 0).first()
    if record is None:
        raise NotFound("Staged record not found")
    return record


def staged_records_list(
    *, company: Company, item_type: str | None = None, status: str | None = None
):
    records = StagedRecord.objects.filter(company=company)
    if item_type:
        if item_type not in LEVELS:
            raise SandboxError(
                "Unknown item_type", errors={"item_type": ["is not included in the list"]}
            )
        records = records.filter(item_type=item_type)
    if status:
        records = records.filter(status=status)
    return records.order_by("id")


def import_blocker(record: StagedRecord) -> str | None:
    """Why the approver cannot import this record now, or None when it is on Ready to Import."""
    if record.item_type == "line_item":
        return "Line items are imported with their parent."
    reimport = record.item_type == "prime_contract" and record.status == "imported"
    if record.status != StagedRecord.Status.STAGED and not reimport:
        return f"Only staged records can be imported; this one is {record.status}."
    level = LEVELS[record.item_type]
    if level in {"project", "commitment"} and _synced_project(record) is None:
        return "Its project is not synced with the ERP yet."
    if level == "commitment" and _synced_commitment(record) is None:
        return "Its commitment is not synced with the ERP yet."
    return None


def ready_to_import(*, company: Company) -> list[StagedRecord]:
    synced_projects = set(
        ProcoreObject.objects.filter(
            company=company, item_type="project", origin_id__isnull=False
        ).values_list("origin_id", flat=True)
    )
    synced_commitments = set(
        ProcoreObject.objects.filter(
            company=company, item_type__in=COMMITMENT_ITEM_TYPES, origin_id__isnull=False
        ).values_list("origin_id", flat=True)
    )
    visible = []
    candidates = StagedRecord.objects.filter(company=company).exclude(item_type="line_item")
    candidates = candidates.filter(status="staged") | candidates.filter(
        item_type="prime_contract", status="imported"
    )
    for record in candidates.order_by("item_type", "id"):
        level = LEVELS[record.item_type]
        data = record.data or {}
        if level in {"project", "commitment"} and (
            clean_origin_id(data.get("project_origin_id")) not in synced_projects
        ):
            continue
        if level == "commitment" and (
            clean_origin_id(data.get("commitment_origin_id")) not in synced_commitments
        ):
            continue
        visible.append(record)
    return visible


def _synced_project(record: StagedRecord) -> ProcoreObject | None:
    data = record.data or {}
    query = ProcoreObject.objects.filter(company=record.company_id, item_type="project")
    if data.get("project_id"):
        return query.filter(id=as_int(data["project_id"]) or 0, origin_id__isnull=False).first()
    origin = clean_origin_id(data.get("project_origin_id"))
    return query.filter(origin_id=origin).first() if origin else None


def _synced_commitment(record: StagedRecord) -> ProcoreObject | None:
    data = record.data or {}
    query = ProcoreObject.objects.filter(
        company=record.company_id, item_type__in=COMMITMENT_ITEM_TYPES
    )
    if data.get("commitment_id"):
        return query.filter(id=as_int(data["commitment_id"]) or 0, origin_id__isnull=False).first()
    origin = clean_origin_id(data.get("commitment_origin_id"))
    return query.filter(origin_id=origin).first() if origin else None


# -- import -----------------------------------------------------------------------------------
class ImportFailed(SandboxError):
    """The approver pressed import but Procore cannot create the object; the record stays
    staged and shows the reason."""


def staged_record_approve(*, record: StagedRecord) -> ProcoreObject:
    """The approver imports a staged record: Procore creates the object with the same origin_id
    (so it is synced), marks the record and its children imported, and emits
    ``create_<x>_in_procore`` where the events dictionary has one."""
    blocker = import_blocker(record)
    if blocker:
        raise SandboxError(blocker)
    try:
        with transaction.atomic():
            obj = _import(record)
            children = record.children.exclude(status=StagedRecord.Status.ARCHIVED)
            children.update(status=StagedRecord.Status.IMPORTED)
            record.status = StagedRecord.Status.IMPORTED
            record.imported_object = obj
            record.import_error = ""
            record.save(update_fields=["status", "imported_object", "import_error", "updated_at"])
            _emit_import_event(record, obj)
    except ImportFailed as exc:
        StagedRecord.objects.filter(id=record.id).update(import_error=exc.message)
        raise
    return obj


def _import(record: StagedRecord) -> ProcoreObject:
    data = dict(record.data or {})
    item_type = IMPORTS_AS[record.item_type]
    label = TYPE_LABELS.get(item_type, item_type).lower()
    company = record.company
    existing = ProcoreObject.objects.filter(
        company=company, item_type=item_type, origin_id=record.origin_id
    ).first()
    if existing is not None and record.item_type != "prime_contract":
        raise ImportFailed(f"A {label} with origin_id {record.origin_id} is already in Procore.")
    project = commitment = None
    if LEVELS[record.item_type] in {"project", "commitment"}:
        project = _synced_project(record)
    if record.item_type in COMMITMENT_ITEM_TYPES:
        vendor = _translate(company, data, "vendor", "vendor")
        if vendor is None:
            raise ImportFailed("Vendor is required: stage vendor_origin_id of a synced vendor.")
        data["vendor_id"] = vendor.id
    if record.item_type == "commitment_change_order":
        commitment = _synced_commitment(record)
        data["contract_id"] = commitment.id
    if record.item_type == "vendor":
        vendor_type = _translate(company, data, "vendor_type", "vendor_type")
        data["vendor_type_id"] = vendor_type.id if vendor_type else data.get("vendor_type_id")
    required = "title" if record.item_type in LINE_ITEM_PARENTS else "name"
    if not data.get(required):
        raise ImportFailed(f"The {label} needs a {required}.")
    for key in ("project_origin_id", "vendor_origin_id", "commitment_origin_id", "project_id"):
        data.pop(key, None)
    obj = existing or ProcoreObject(company=company, item_type=item_type)
    obj.project = project
    obj.parent = commitment
    obj.origin_id = record.origin_id
    obj.origin_code = record.origin_code
    obj.origin_data = record.origin_data
    obj.data = {**(obj.data or {}), **data}
    obj.save()
    _import_lines(record, obj, project, commitment)
    return obj


def _import_lines(
    record: StagedRecord,
    holder: ProcoreObject,
    project: ProcoreObject | None,
    commitment: ProcoreObject | None,
) -> None:
    company = record.company
    children = record.children.exclude(status=StagedRecord.Status.ARCHIVED).order_by("id")
    for position, child in enumerate(children, start=1):
        data = dict(child.data or {})
        where = f"Line {child.origin_code or child.origin_id}"
        cost_code = _translate(company, data, "cost_code", "cost_code", project=project)
        if cost_code is None:
            raise ImportFailed(f"{where}: its cost code is not in this project.")
        cost_type = _translate(company, data, "line_item_type", "line_item_type")
        if cost_type is None:
            raise ImportFailed(f"{where}: its cost type is not in Procore.")
        data.update(cost_code_id=cost_code.id, line_item_type_id=cost_type.id)
        if commitment is not None:
            source = _translate(
                company, data, "commitment_line_item", "line_item", parent=commitment
            )
            if source is None:
                raise ImportFailed(f"{where}: it does not change a line of the commitment.")
            data["commitment_line_item_id"] = source.id
        for key in list(data):
            if key.endswith("_origin_id"):
                data.pop(key)
        data.setdefault("position", position)
        line = ProcoreObject.objects.filter(
            company=company, item_type="line_item", origin_id=child.origin_id
        ).first()
        if line is not None and line.parent_id != holder.id:
            raise ImportFailed(f"{where}: origin_id {child.origin_id} is used by another line.")
        line = line or ProcoreObject(company=company, item_type="line_item")
        line.project = project
        line.parent = holder
        line.origin_id = child.origin_id
        line.origin_code = child.origin_code
        line.origin_data = child.origin_data
        line.data = {**(line.data or {}), **data}
        line.save()
        StagedRecord.objects.filter(id=child.id).update(imported_object=line)


def _translate(
    company: Company,
    data: dict,
    prefix: str,
    item_type: str,
    *,
    project: ProcoreObject | None = None,
    parent: ProcoreObject | None = None,
) -> ProcoreObject | None:
    """``<prefix>_id`` or ``<prefix>_origin_id`` to the Procore object (§b.1 translation)."""
    query = ProcoreObject.objects.filter(company=company, item_type=item_type)
    if project is not None:
        query = query.filter(project=project)
    if parent is not None:
        query = query.filter(parent=parent)
    if data.get(f"{prefix}_id"):
        return query.filter(id=as_int(data[f"{prefix}_id"]) or 0).first()
    origin = clean_origin_id(data.get(f"{prefix}_origin_id"))
    return query.filter(origin_id=origin).first() if origin else None


def _emit_import_event(record: StagedRecord, obj: ProcoreObject) -> None:
    company = record.company
    project = obj.project
    project_ref = (
        {
            "id": project.id,
            "name": project.data.get("name"),
            "origin_id": project.origin_id,
            "origin_data": project.origin_data,
            "origin_code": project.origin_code or None,
        }
        if project
        else None
    )
    if record.item_type == "vendor":
        name = "create_vendor_in_procore"
        data = {"vendor": {"id": obj.id, "origin_id": obj.origin_id}, "company_id": company.id}
    elif record.item_type == "project":
        name = "create_job_in_procore"
        data = {
            "project": {
                "id": obj.id,
                "name": obj.data.get("name"),
                "origin_id": obj.origin_id,
                "origin_data": obj.origin_data,
                "origin_code": obj.origin_code or None,
            },
            "company_id": company.id,
        }
    elif record.item_type == "sub_job":
        name = "create_sub_job_in_procore"
        data = {
            "sub_job": {
                "id": obj.id,
                "code": obj.data.get("code"),
                "name": obj.data.get("name"),
                "origin_id": obj.origin_id,
                "origin_data": obj.origin_data,
                "created_at": iso(obj.created_at),
                "updated_at": iso(obj.updated_at),
                "synced": True,
                "project": project_ref,
            },
            "company_id": company.id,
        }
    elif record.item_type in COMMITMENT_ITEM_TYPES:
        name = "create_commitment_in_procore"
        data = {
            "project_origin_id": project.origin_id if project else None,
            "commitment": {
                "id": obj.id,
                "title": obj.data.get("title"),
                "description": obj.data.get("description"),
                "number": obj.data.get("number"),
                "origin_id": obj.origin_id,
                "type": "WorkOrderContract"
                if obj.item_type == "work_order_contract"
                else "PurchaseOrderContract",
                # Commitments: the lines Procore created from the staged children, as the
                # commitment's show endpoint lists them (the dictionary's example elides them).
                "line_items": [
                    {
                        "id": line.id,
                        "origin_id": line.origin_id,
                        "position": line.data.get("position"),
                    }
                    for line in ProcoreObject.objects.filter(
                        parent=obj, item_type="line_item"
                    ).order_by("id")
                ],
            },
        }
    else:
        # The events dictionary documents no *_in_procore event for change orders or prime
        # contracts; the integrator sees them through the staged record's status.
        return
    erp_request_create(
        company=company,
        request_name=name,
        request_data=data,
        with_detail=False,
    )
