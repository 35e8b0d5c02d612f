"""The ERP Integrations Tool's Unlink button for a synced commitment (subcontract or purchase
order): ``unlink_commitment``.

Unlike a vendor's unlink, Procore does not clear the commitment's origin_id itself: the events
dictionary asks the integrator to check the commitment in the ERP and to unsync it (External
Data with ``origin_id: null``) only if the ERP no longer holds it, then to close the Request
Detail, with the reason when it stays linked.
"""

from __future__ import annotations

from procore_sandbox.models import ErpRequest, ProcoreObject
from procore_sandbox.services.erp import erp_request_create
from procore_sandbox.services.erp_actions import _config_off, _connected
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import COMMITMENT_ITEM_TYPES
from procore_sandbox.services.payloads import CONTRACT_TYPES


def commitment_unlink_payload(commitment: ProcoreObject) -> dict:
    """The dictionary's ``unlink_commitment`` data (its ``request_detail_id`` is added when the
    request is created). ``erp_commitment_id`` is the ERP tool's own record of the commitment,
    which in this sandbox is the commitment itself."""
    project = commitment.project
    return {
        "job_origin_id": project.origin_id if project else None,
        "erp_commitment_id": commitment.id,
        "project_id": project.id if project else None,
        "procore_commitment_id": commitment.id,
        "commitment_type": CONTRACT_TYPES[commitment.item_type],
        "commitment_origin_id": commitment.origin_id,
    }


def commitment_unlink(*, commitment: ProcoreObject) -> ErpRequest:
    """The approver presses Unlink on a synced commitment."""
    if commitment.item_type not in COMMITMENT_ITEM_TYPES:
        raise SandboxError("Only subcontracts and purchase orders can be unlinked here.")
    company = commitment.company
    _connected(company)
    if _config_off(company, "commitments", "unlink"):
        raise SandboxError("The ERP integration does not unlink commitments.")
    if not commitment.synced:
        raise SandboxError("This commitment is not synced with the ERP.")
    return erp_request_create(
        company=company,
        request_name="unlink_commitment",
        request_data=commitment_unlink_payload(commitment),
        item=commitment,
        project_id=commitment.project_id,
    )
