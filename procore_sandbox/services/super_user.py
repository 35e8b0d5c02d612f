"""What an ERP support representative does with Super User access, at a customer's request:
reset a job or sub job, delete or unlink standard cost codes, delete standard categories (cost
types) and delete project cost codes.

Procore does the work itself, then tells the integrator with an ERP Request that has **no**
Request Detail (``erp_events_dictionary.md``: "Super User: Yes", no ``request_detail_id``); the
payload names the records as they were before (with their origin_ids).
"""

from __future__ import annotations

from django.db import transaction

from procore_sandbox.models import Company, ErpConnection, ErpRequest, ProcoreObject
from procore_sandbox.services import payloads
from procore_sandbox.services.cost_structure import sub_job_id_of
from procore_sandbox.services.erp import erp_request_create
from procore_sandbox.services.erp_actions import cost_code_delete_row
from procore_sandbox.services.errors import SandboxError

# Rows whose "synced" flag the integrator sets (instead of an origin_id).
FLAGGED_TYPES = ("cost_code_line_item_type", "erp_transaction")


def _connected(company: Company) -> ErpConnection:
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    return connection


def _notify(company: Company, name: str, data: dict) -> ErpRequest:
    return erp_request_create(
        company=company, request_name=name, request_data=data, with_detail=False
    )


def job_reset(*, project: ProcoreObject) -> ErpRequest:
    """``reset_job``: "return the project and any related records (e.g. cost codes, sub jobs,
    prime contracts, commitments, change orders, etc.) to an unsynced state"."""
    _connected(project.company)
    if project.item_type != "project" or not project.synced:
        raise SandboxError("Only a synced job can be reset.")
    with transaction.atomic():
        data = payloads.reset_job_payload(project)
        ProcoreObject.objects.filter(project=project).update(origin_id=None)
        for row in ProcoreObject.objects.filter(project=project, item_type__in=FLAGGED_TYPES):
            row.data["synced"] = False
            row.save(update_fields=["data", "updated_at"])
        project.origin_id = None
        project.save(update_fields=["origin_id", "updated_at"])
        return _notify(project.company, "reset_job", data)


def sub_job_reset(*, sub_job: ProcoreObject) -> ErpRequest:
    """``reset_sub_job``: "return the sub job to an unsynced state"."""
    _connected(sub_job.company)
    if sub_job.item_type != "sub_job" or not sub_job.synced:
        raise SandboxError("Only a synced sub job can be reset.")
    with transaction.atomic():
        data = payloads.reset_sub_job_payload(sub_job)
        sub_job.origin_id = None
        sub_job.save(update_fields=["origin_id", "updated_at"])
        return _notify(sub_job.company, "reset_sub_job", data)


def _standard_codes(company: Company, codes: list[ProcoreObject]) -> ErpConnection:
    connection = _connected(company)
    if not codes:
        raise SandboxError("Choose at least one standard cost code.")
    if any(
        row.item_type != "standard_cost_code"
        or row.parent_id != connection.standard_cost_code_list_id
        for row in codes
    ):
        raise SandboxError("Choose standard cost codes of the company's ERP list.")
    return connection


def standard_cost_codes_delete(*, company: Company, codes: list[ProcoreObject]) -> ErpRequest:
    """``delete_standard_cost_codes``. A code a project's cost code still comes from, or that
    has children, is kept: deleting it would orphan them."""
    connection = _standard_codes(company, codes)
    ids = {row.id for row in codes}
    child = ProcoreObject.objects.filter(
        item_type="standard_cost_code", data__parent_id__in=ids
    ).exclude(id__in=ids)
    used = ProcoreObject.objects.filter(
        company=company, item_type="cost_code", data__standard_cost_code_id__in=ids
    )
    if child.exists() or used.exists():
        raise SandboxError(
            "These standard cost codes still have children or project cost codes made from them."
        )
    with transaction.atomic():
        data = {
            "standard_cost_code_list_id": connection.standard_cost_code_list_id,
            "standard_cost_code_data_array": [
                payloads.standard_cost_code_ref(row) for row in codes
            ],
        }
        ProcoreObject.objects.filter(id__in=ids).delete()
        return _notify(company, "delete_standard_cost_codes", data)


def standard_cost_codes_unlink(*, company: Company, codes: list[ProcoreObject]) -> ErpRequest:
    """``unlink_standard_cost_codes``: the codes lose their origin_id (unsynced)."""
    _standard_codes(company, codes)
    if any(not row.synced for row in codes):
        raise SandboxError("Only synced standard cost codes can be unlinked.")
    with transaction.atomic():
        data = {"standard_cost_codes": [payloads.standard_cost_code_ref(row) for row in codes]}
        ProcoreObject.objects.filter(id__in=[row.id for row in codes]).update(origin_id=None)
        return _notify(company, "unlink_standard_cost_codes", data)


def standard_categories_delete(*, company: Company, cost_types: list[ProcoreObject]) -> ErpRequest:
    """``delete_standard_categories``. A cost type still assigned, budgeted or on a line is
    kept: deleting it would orphan those rows."""
    _connected(company)
    if not cost_types or any(
        row.item_type != "line_item_type" or row.company_id != company.id for row in cost_types
    ):
        raise SandboxError("Choose cost types of this company.")
    ids = {row.id for row in cost_types}
    used = ProcoreObject.objects.filter(
        company=company,
        item_type__in=("cost_code_line_item_type", "budget_line_item", "line_item", "erp_job_cost"),
        data__line_item_type_id__in=ids,
    )
    if used.exists():
        raise SandboxError("These cost types are still assigned to cost codes or used on lines.")
    with transaction.atomic():
        data = {
            "standard_category_data_array": [
                payloads.standard_category_ref(row) for row in cost_types
            ]
        }
        ProcoreObject.objects.filter(id__in=ids).delete()
        return _notify(company, "delete_standard_categories", data)


def cost_codes_delete(*, codes: list[ProcoreObject]) -> ErpRequest:
    """``delete_cost_code``: Super User deletes synced project (or sub job) cost codes, with
    their assignments and job costs; one project or sub job at a time."""
    if not codes or any(row.item_type != "cost_code" for row in codes):
        raise SandboxError("Choose at least one cost code.")
    scopes = {(row.project_id, sub_job_id_of(row)) for row in codes}
    if len(scopes) != 1:
        raise SandboxError("Choose cost codes of one project or one sub job at a time.")
    project = codes[0].project
    _connected(project.company)
    sub_job_id = sub_job_id_of(codes[0])
    sub_job = ProcoreObject.objects.filter(id=sub_job_id).first() if sub_job_id else None
    used = ProcoreObject.objects.filter(
        project=project,
        item_type__in=("budget_line_item", "line_item"),
        data__cost_code_id__in=[row.id for row in codes],
    )
    if used.exists():
        raise SandboxError("These cost codes are used by budget or commitment lines.")
    with transaction.atomic():
        data = payloads.delete_cost_code_payload(project, sub_job, codes)
        for row in codes:
            cost_code_delete_row(row)
        return _notify(project.company, "delete_cost_code", data)
