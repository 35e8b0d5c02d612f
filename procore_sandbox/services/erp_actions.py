"""The ERP Integrations Tool's buttons besides export, import and Refresh: unlink, link and merge
vendors, sync one job or sub job, export standard cost codes, import a budget, and the project
user's deletes of synced cost codes and cost-type assignments.

Each creates its ERP Request with the events dictionary's ``request_data`` (and its Request
Details where the dictionary shows them) and emits the webhook event, like every other button.
Where Procore does the work itself before it tells the integrator (link, merge, unlink: it
copies or clears the origin_id), the work is done here first; where the integrator decides
(``delete_cost_codes``, ``delete_cost_type_assignments``), nothing is deleted until it calls the
delete endpoints.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from procore_sandbox.models import (
    Company,
    ErpConnection,
    ErpRequest,
    ExportRequest,
    ProcoreObject,
    StagedRecord,
)
from procore_sandbox.services import cost_structure, payloads
from procore_sandbox.services.erp import (
    erp_entity_config,
    erp_request_create,
    erp_request_create_itemized,
)
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import TYPE_LABELS, required


def _connected(company: Company) -> ErpConnection:
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    return connection


def _config_off(company: Company, entity: str, name: str) -> bool:
    """Only an explicit ``enabled: false`` turns a feature off (as for exports)."""
    configs = erp_entity_config(company, entity).get("configs") or {}
    return (configs.get(name) or {}).get("enabled") is False


def _label(obj: ProcoreObject) -> str:
    return TYPE_LABELS.get(obj.item_type, obj.item_type).lower()


def _notify(company: Company, name: str, data: dict) -> ErpRequest:
    """A notification: an ERP Request without a Request Detail."""
    return erp_request_create(
        company=company, request_name=name, request_data=data, with_detail=False
    )


# -- unlink -----------------------------------------------------------------------------------
UNLINKS = {"vendor": ("vendors", "unlink_vendor"), "project": ("jobs", "unlink_job")}


def unlink(*, obj: ProcoreObject) -> ErpRequest:
    """The approver unlinks a synced vendor or job. Procore clears the origin_id itself (the
    object is unsynced and unlocked), puts the staged record it was imported from back to
    ``staged`` (with its non-archived children), then notifies the integrator: ``unlink_vendor``
    ``{vendor: {id, origin_id}, company_id}``; a job the same way as ``unlink_job``
    ``{project: {id, origin_id}, company_id}`` (the dictionary names no job unlink event; this
    name and shape follow the vendor's)."""
    if obj.item_type not in UNLINKS:
        raise SandboxError("Only vendors and jobs can be unlinked here.")
    entity, request_name = UNLINKS[obj.item_type]
    company = obj.company
    _connected(company)
    if _config_off(company, entity, "unlink"):
        raise SandboxError(f"The ERP integration does not unlink {entity}.")
    with transaction.atomic():
        obj = ProcoreObject.objects.select_for_update().get(id=obj.id)
        if not obj.synced:
            raise SandboxError(f"This {_label(obj)} is not synced with the ERP.")
        previous = obj.origin_id
        obj.origin_id = None
        obj.save(update_fields=["origin_id", "updated_at"])
        _restage(company, obj, previous)
        key = "vendor" if obj.item_type == "vendor" else "project"
        return _notify(
            company,
            request_name,
            {key: {"id": obj.id, "origin_id": previous}, "company_id": company.id},
        )


def _restage(company: Company, obj: ProcoreObject, origin_id: str) -> None:
    """``erp_staged_records.md``: unlinking an imported record sets it and its children back to
    ``staged``, so it can be imported again."""
    records = StagedRecord.objects.filter(company=company, imported_object=obj) | (
        StagedRecord.objects.filter(
            company=company, item_type=obj.item_type, origin_id=origin_id, status="imported"
        )
    )
    for record in records.distinct():
        record.children.exclude(status=StagedRecord.Status.ARCHIVED).update(
            status=StagedRecord.Status.STAGED
        )
        record.status = StagedRecord.Status.STAGED
        record.imported_object = None
        record.save(update_fields=["status", "imported_object", "updated_at"])


# -- link and merge vendors -------------------------------------------------------------------
def _linkable(vendor: ProcoreObject) -> None:
    if vendor.item_type != "vendor":
        raise SandboxError("Choose a Procore vendor.")
    if vendor.synced:
        raise SandboxError(f"Vendor {vendor.label} is already synced with the ERP.")
    if ExportRequest.objects.filter(item=vendor, status=ExportRequest.Status.READY).exists():
        raise SandboxError(
            f"Vendor {vendor.label} waits on Ready to Export; reject it there first."
        )


def _link(record: StagedRecord, vendor: ProcoreObject) -> None:
    if record.item_type != "vendor" or record.status != StagedRecord.Status.STAGED:
        raise SandboxError("Choose a staged ERP vendor.")
    if record.company_id != vendor.company_id:
        raise SandboxError("The ERP vendor and the Procore vendor are in different companies.")
    _linkable(vendor)
    holder = (
        ProcoreObject.objects.filter(
            company_id=vendor.company_id, item_type="vendor", origin_id=record.origin_id
        )
        .exclude(id=vendor.id)
        .first()
    )
    if holder is not None:
        raise SandboxError(f"Vendor {holder.label} already has origin_id {record.origin_id}.")
    vendor.origin_id = record.origin_id
    if record.origin_code:
        vendor.origin_code = record.origin_code
    vendor.origin_data = record.origin_data
    vendor.save(update_fields=["origin_id", "origin_code", "origin_data", "updated_at"])
    record.status = StagedRecord.Status.IMPORTED
    record.imported_object = vendor
    record.save(update_fields=["status", "imported_object", "updated_at"])


def vendor_link(*, record: StagedRecord, vendor: ProcoreObject) -> ErpRequest:
    """The approver links an ERP vendor (a staged record) to an existing Procore vendor:
    Procore copies the origin_id onto the vendor, then sends ``link_vendor``."""
    _connected(vendor.company)
    with transaction.atomic():
        _link(record, vendor)
        return _notify(
            vendor.company,
            "link_vendor",
            {"vendor": payloads.vendor_ref(vendor), "company_id": vendor.company_id},
        )


def _name_key(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


def vendors_link_all(*, company: Company) -> ErpRequest:
    """The approver's "Link all": every staged ERP vendor whose name matches exactly one unsynced Procore vendor
    (and no other staged vendor) is linked; one ``link_all_vendors`` lists them all. (Procore
    does not say how it matches; the sandbox matches names, ignoring case and spacing.)"""
    _connected(company)
    staged: dict[str, list[StagedRecord]] = {}
    for record in StagedRecord.objects.filter(
        company=company, item_type="vendor", status=StagedRecord.Status.STAGED
    ).order_by("id"):
        staged.setdefault(_name_key((record.data or {}).get("name")), []).append(record)
    procore: dict[str, list[ProcoreObject]] = {}
    for vendor in ProcoreObject.objects.filter(
        company=company, item_type="vendor", origin_id__isnull=True
    ).order_by("id"):
        procore.setdefault(_name_key(vendor.data.get("name")), []).append(vendor)
    pairs = [
        (records[0], procore[key][0])
        for key, records in staged.items()
        if key and len(records) == 1 and len(procore.get(key, [])) == 1
    ]
    if not pairs:
        raise SandboxError("No staged ERP vendor has the name of exactly one unsynced vendor.")
    with transaction.atomic():
        for record, vendor in pairs:
            _link(record, vendor)
        return _notify(
            company,
            "link_all_vendors",
            {
                "vendors": [payloads.vendor_ref(vendor) for _, vendor in pairs],
                "company_id": company.id,
            },
        )


def vendors_merge(
    *,
    master: ProcoreObject,
    sources: list[ProcoreObject],
    origin_from: ProcoreObject | None = None,
) -> ErpRequest:
    """The Vendor Merge Tool: ``sources`` are merged into ``master`` and removed (their
    commitments now name the master). The master keeps its origin_id, or takes the one of the
    synced source chosen as the ERP vendor (``origin_from``, by default the first synced one).
    ``source_vendors`` lists the sources that were ERP vendors (so it is empty when non-ERP
    vendors are merged into an ERP vendor)."""
    company = master.company
    _connected(company)
    if master.item_type != "vendor" or not sources:
        raise SandboxError("Choose a vendor to keep and at least one vendor to merge into it.")
    if any(s.item_type != "vendor" or s.company_id != company.id for s in sources):
        raise SandboxError("Only vendors of this company can be merged.")
    if any(s.id == master.id for s in sources) or len({s.id for s in sources}) != len(sources):
        raise SandboxError("Each vendor can be merged once, and not into itself.")
    synced_sources = [s for s in sources if s.synced]
    if origin_from is not None and origin_from not in synced_sources:
        raise SandboxError("The ERP vendor to keep must be one of the synced vendors merged.")
    if master.synced:
        origin_id = master.origin_id
    elif synced_sources:
        origin_id = (origin_from or synced_sources[0]).origin_id
    else:
        raise SandboxError(
            "None of these vendors is linked to the ERP: merging them does not concern the "
            "integration."
        )
    source_refs = [payloads.vendor_ref(s) for s in synced_sources]
    with transaction.atomic():
        source_ids = [s.id for s in sources]
        for commitment in ProcoreObject.objects.filter(
            company=company, data__vendor_id__in=source_ids
        ):
            commitment.data["vendor_id"] = master.id
            commitment.save(update_fields=["data", "updated_at"])
        StagedRecord.objects.filter(imported_object_id__in=source_ids).update(
            imported_object=master
        )
        ProcoreObject.objects.filter(id__in=source_ids).delete()
        if master.origin_id != origin_id:
            master.origin_id = origin_id
            master.save(update_fields=["origin_id", "updated_at"])
        return _notify(
            company,
            "merge_vendors",
            {
                "master_vendor": payloads.vendor_ref(master),
                "source_vendors": source_refs,
                "company_id": company.id,
            },
        )


# -- one job or sub job -----------------------------------------------------------------------
def job_sync_single(*, project: ProcoreObject) -> ErpRequest:
    """``sync_single_job``: Procore sends it now and then for a synced job, asking for its
    updates (the sandbox sends it when the button is pressed)."""
    _connected(project.company)
    if project.item_type != "project" or not project.synced:
        raise SandboxError("Only a synced job can be synced on its own.")
    return _notify(project.company, "sync_single_job", payloads.sync_single_job_payload(project))


def sub_job_sync(*, sub_job: ProcoreObject) -> ErpRequest:
    """``sync_sub_job``, the sub job's counterpart of ``sync_single_job``."""
    _connected(sub_job.company)
    if sub_job.item_type != "sub_job" or not sub_job.synced:
        raise SandboxError("Only a synced sub job can be synced on its own.")
    return _notify(sub_job.company, "sync_sub_job", payloads.sync_sub_job_payload(sub_job))


# -- the project user's deletes of synced cost structure --------------------------------------
def _scope(rows: list[ProcoreObject], what: str) -> tuple[ProcoreObject, ProcoreObject | None]:
    """The one project (and sub job) the rows belong to."""
    if not rows:
        raise SandboxError(f"Choose at least one {what}.")
    scopes = {(row.project_id, cost_structure.sub_job_id_of(row)) for row in rows}
    if len(scopes) != 1:
        raise SandboxError(f"Choose {what}s of one project or one sub job at a time.")
    project = rows[0].project
    sub_job_id = cost_structure.sub_job_id_of(rows[0])
    sub_job = ProcoreObject.objects.filter(id=sub_job_id).first() if sub_job_id else None
    return project, sub_job


def _entity(sub_job: ProcoreObject | None) -> str:
    return "sub_jobs" if sub_job is not None else "jobs"


def cost_codes_delete(*, codes: list[ProcoreObject]) -> tuple[int, ErpRequest | None]:
    """A project user deletes cost codes. Unsynced ones go at once (with their assignments and
    job costs); synced ones are the ERP's, so Procore asks the integrator with one
    ``delete_cost_codes`` (one Request Detail per code) and deletes nothing itself. Returns
    how many were deleted at once and the request, if any."""
    if any(code.item_type != "cost_code" for code in codes):
        raise SandboxError("Choose cost codes.")
    project, sub_job = _scope(codes, "cost code")
    in_use = _cost_codes_in_use(codes)
    if in_use:
        raise SandboxError(f"Cost code {in_use} is used by a budget or commitment line.")
    unsynced = [code for code in codes if not code.synced]
    synced = [code for code in codes if code.synced]
    if synced and _config_off(project.company, _entity(sub_job), "cost_code_deletions"):
        raise SandboxError("The ERP integration does not delete synced cost codes.")
    if synced:
        _connected(project.company)
    with transaction.atomic():
        for code in unsynced:
            cost_code_delete_row(code)
        request = None
        if synced:
            request = erp_request_create_itemized(
                company=project.company,
                request_name="delete_cost_codes",
                items=synced,
                build=lambda ids: payloads.delete_cost_codes_payload(project, sub_job, synced, ids),
                project_id=project.id,
            )
    return len(unsynced), request


def _cost_codes_in_use(codes: list[ProcoreObject]) -> str | None:
    ids = {code.id for code in codes}
    used = ProcoreObject.objects.filter(
        project_id=codes[0].project_id,
        item_type__in=("budget_line_item", "line_item"),
        data__cost_code_id__in=ids,
    ).first()
    if used is None:
        return None
    code = next(c for c in codes if c.id == used.data.get("cost_code_id"))
    return str(code.data.get("full_code"))


def cost_code_delete_row(code: ProcoreObject) -> None:
    """Delete a cost code with its cost-type assignments and job costs."""
    ProcoreObject.objects.filter(
        project_id=code.project_id,
        item_type__in=("cost_code_line_item_type", "erp_job_cost"),
        data__cost_code_id=code.id,
    ).delete()
    code.delete()


def cost_type_assignments_delete(
    *, assignments: list[ProcoreObject]
) -> tuple[int, ErpRequest | None]:
    """A project user removes cost types from cost codes. Unsynced assignments go at once;
    synced ones are put to the integrator in one ``delete_cost_type_assignments`` (one Request
    Detail each, with the job cost that would go too)."""
    if any(row.item_type != "cost_code_line_item_type" for row in assignments):
        raise SandboxError("Choose cost type assignments.")
    project, sub_job = _scope(assignments, "cost type assignment")
    unsynced = [row for row in assignments if not row.data.get("synced")]
    synced = [row for row in assignments if row.data.get("synced")]
    if synced and _config_off(project.company, _entity(sub_job), "cost_type_assignment_deletions"):
        raise SandboxError("The ERP integration does not delete synced cost type assignments.")
    if synced:
        _connected(project.company)
    codes = {
        row.id: row
        for row in ProcoreObject.objects.filter(id__in={a.data.get("cost_code_id") for a in synced})
    }
    job_costs: dict[int, int | None] = {}
    for row in synced:
        code = codes.get(row.data.get("cost_code_id"))
        found = (
            cost_structure.job_cost_for(code, row.data.get("line_item_type_id")) if code else None
        )
        job_costs[row.id] = found.id if found else None
    with transaction.atomic():
        for row in unsynced:
            row.delete()
        request = None
        if synced:
            request = erp_request_create_itemized(
                company=project.company,
                request_name="delete_cost_type_assignments",
                items=synced,
                build=lambda ids: payloads.delete_cost_type_assignments_payload(
                    project, sub_job, synced, ids, job_costs
                ),
                project_id=project.id,
            )
    return len(unsynced), request


# -- standard cost codes ----------------------------------------------------------------------
def standard_cost_code_create(
    *, company: Company, code: str, name: str, parent: ProcoreObject | None = None
) -> ProcoreObject:
    """A standard cost code made in Procore (unsynced until exported) in the company's ERP
    Standard Cost Code List."""
    connection = _connected(company)
    code = required(code, "Code")
    if parent is not None and (
        parent.item_type != "standard_cost_code"
        or parent.parent_id != connection.standard_cost_code_list_id
    ):
        raise SandboxError("The parent must be a standard cost code of the company's list.")
    full_code = f"{parent.data.get('full_code')}-{code}" if parent else code
    if ProcoreObject.objects.filter(
        parent_id=connection.standard_cost_code_list_id,
        item_type="standard_cost_code",
        data__full_code=full_code,
    ).exists():
        raise SandboxError(f"Standard cost code {full_code} already exists.")
    return ProcoreObject.objects.create(
        company=company,
        item_type="standard_cost_code",
        parent_id=connection.standard_cost_code_list_id,
        data={
            "code": code,
            "name": required(name, "Name"),
            "full_code": full_code,
            "sortable_code": full_code,
            "parent_id": parent.id if parent else None,
            "erp_custom_fields": {},
        },
    )


def standard_cost_codes_export(
    *, company: Company, codes: list[ProcoreObject] | None = None
) -> ErpRequest:
    """The "Export" button on the Std. Cost Codes & Cost Types tab: ``create_standard_cost_codes`` is a
    list of codes, each with its own Request Detail. Without ``codes``, every unsynced code of
    the list goes (parents before children)."""
    connection = _connected(company)
    if _config_off(company, "standard_cost_codes", "export"):
        raise SandboxError("The ERP integration does not export standard cost codes.")
    if codes is None:
        codes = [
            row
            for row in ProcoreObject.objects.filter(
                parent_id=connection.standard_cost_code_list_id, item_type="standard_cost_code"
            )
            if not row.synced
        ]
    if not codes:
        raise SandboxError("Every standard cost code is synced already: nothing to export.")
    if any(row.synced or row.item_type != "standard_cost_code" for row in codes):
        raise SandboxError("Only unsynced standard cost codes can be exported.")
    codes = sorted(codes, key=lambda row: (str(row.data.get("full_code")), row.id))
    return erp_request_create_itemized(
        company=company,
        request_name="create_standard_cost_codes",
        items=codes,
        build=lambda ids: [
            payloads.standard_cost_code_export_item(row, ids[row.id]) for row in codes
        ],
    )


# -- budgets ----------------------------------------------------------------------------------
def budget_import(*, project: ProcoreObject) -> ErpRequest:
    """The approver's "Add to Procore" for a budget: Procore builds the synced job's budget from its ERP job
    costs (original estimate, and estimate as approved changes) and sends
    ``create_budget_in_procore``. An exported budget cannot be imported again (the metadata
    page's warning). The amounts came from the ERP, so their transactions are made synced."""
    company = project.company
    _connected(company)
    if project.item_type != "project" or not project.synced:
        raise SandboxError("A budget can be imported only into a synced job.")
    if _config_off(company, "budgets", "import"):
        raise SandboxError("The ERP integration does not import budgets.")
    job_costs = list(
        ProcoreObject.objects.filter(project=project, item_type="erp_job_cost").order_by("id")
    )
    if not job_costs:
        raise SandboxError("The ERP has synced no job costs for this job: nothing to import.")
    with transaction.atomic():
        budget = cost_structure.budget_of(project)
        if budget is not None and (
            budget.synced
            or any(
                not row.data.get("imported") for row in cost_structure.budget_transactions(budget)
            )
        ):
            raise SandboxError("Once a budget has been exported, it can no longer be imported.")
        budget = budget or cost_structure.budget_create(project=project)
        ProcoreObject.objects.filter(
            parent=budget, item_type__in=("budget_line_item", "erp_transaction")
        ).delete()
        for job_cost in job_costs:
            original = Decimal(str(job_cost.data.get("original_estimate") or "0"))
            estimate = job_cost.data.get("estimate")
            changes = Decimal(str(estimate)) - original if estimate not in (None, "") else 0
            line = ProcoreObject.objects.create(
                company=company,
                item_type="budget_line_item",
                project=project,
                parent=budget,
                data={
                    "cost_code_id": job_cost.data.get("cost_code_id"),
                    "line_item_type_id": job_cost.data.get("line_item_type_id"),
                    "sub_job_id": cost_structure.sub_job_id_of(job_cost),
                    "amount": f"{original.quantize(Decimal('0.01'))}",
                    "changes": f"{Decimal(changes).quantize(Decimal('0.01'))}",
                    "job_cost_id": job_cost.id,
                },
            )
            job_cost.data["budget_line_item_id"] = line.id
            job_cost.save(update_fields=["data", "updated_at"])
            cost_structure.transaction_create(
                budget, line, cost_structure.ORIGINAL_ESTIMATE, original, imported=True
            )
            if changes:
                cost_structure.transaction_create(
                    budget, line, cost_structure.REVISED_ESTIMATE, Decimal(changes), imported=True
                )
        return _notify(
            company, "create_budget_in_procore", payloads.budget_in_procore_payload(budget)
        )
