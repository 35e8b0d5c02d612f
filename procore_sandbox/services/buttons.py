"""The approver's Refresh and Sync buttons: each creates ERP Requests that ask the integrator to
stage or sync what the ERP holds (``erp_events_dictionary.md``)."""

from __future__ import annotations

from dataclasses import dataclass

from procore_sandbox.models import Company, ErpConnection, ErpRequest
from procore_sandbox.services.erp import erp_request_create
from procore_sandbox.services.errors import SandboxError


@dataclass(frozen=True)
class Button:
    label: str
    request_names: tuple[str, ...]


BUTTONS: dict[str, Button] = {
    "refresh_vendors": Button("Refresh Vendors", ("sync_vendors",)),
    "refresh_jobs": Button("Refresh Jobs", ("sync_jobs",)),
    "refresh_sub_jobs": Button("Refresh Sub Jobs", ("sync_sub_jobs",)),
    "refresh_commitments": Button("Refresh Commitments", ("sync_commitments",)),
    "refresh_commitment_change_orders": Button(
        "Refresh Commitment Change Orders", ("sync_commitment_change_orders",)
    ),
    "refresh_prime_contracts": Button("Refresh Prime Contracts", ("sync_prime_contracts",)),
    # Requisitions and payments (issue 11): the Subcontractor Invoices tab's Refresh.
    "refresh_contract_payments": Button("Refresh Payments", ("sync_contract_payments",)),
    "sync_cost_codes": Button(
        "Sync Std. Cost Codes & Cost Types",
        ("sync_standard_cost_codes", "sync_standard_categories"),
    ),
}


def _request_data(name: str, company: Company, connection: ErpConnection) -> tuple[dict, bool]:
    """The dictionary's payload for each sync event, and whether it has a Request Detail."""
    if name == "sync_standard_cost_codes":
        return {"standard_cost_code_list_id": connection.standard_cost_code_list_id}, True
    if name == "sync_standard_categories":
        return {}, False
    if name in {"sync_commitment_change_orders", "sync_prime_contracts"}:
        return {}, True
    return {"company_id": company.id}, True


def button_press(*, company: Company, button: str) -> list[ErpRequest]:
    found = BUTTONS.get(button)
    if found is None:
        raise SandboxError(f"Unknown button {button!r}; one of {', '.join(BUTTONS)}.")
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    requests = []
    for name in found.request_names:
        data, with_detail = _request_data(name, company, connection)
        requests.append(
            erp_request_create(
                company=company, request_name=name, request_data=data, with_detail=with_detail
            )
        )
    return requests
