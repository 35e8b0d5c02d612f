"""The approver's Unlink button for a synced commitment change order (ERP Integrations, Synced).

Unlike a vendor's unlink, Procore does not clear the change order's origin_id itself: it asks
the integrator (``unlink_commitment_change_order``, with the events dictionary's payload) to
check the change order in the ERP, and the integrator unsyncs it through External Data
(``origin_id: null``) only when the ERP no longer holds it or holds it void; otherwise it
closes the Request Detail ``failed`` saying why, and the change order stays synced.
"""

from __future__ import annotations

from procore_sandbox.models import ErpRequest, ProcoreObject
from procore_sandbox.services.erp import erp_request_create
from procore_sandbox.services.erp_actions import _config_off, _connected
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.payloads import CONTRACT_TYPES


def change_order_unlink(*, change_order: ProcoreObject) -> ErpRequest:
    """Ask the integrator to unlink a synced change order (one Request Detail)."""
    if change_order.item_type != "change_order":
        raise SandboxError("Choose a commitment change order.")
    change_order = ProcoreObject.objects.select_related("company", "parent").get(pk=change_order.pk)
    company = change_order.company
    _connected(company)
    if _config_off(company, "commitment_change_orders", "unlink"):
        raise SandboxError("The ERP integration does not unlink commitment change orders.")
    if not change_order.synced:
        raise SandboxError("This commitment change order is not synced with the ERP.")
    commitment = change_order.parent
    project = change_order.project or commitment.project
    data = {
        "job_origin_id": project.origin_id if project else None,
        "erp_commitment_id": commitment.id,
        "erp_commitment_change_order_id": change_order.id,
        "commitment_origin_id": commitment.origin_id,
        "commitment_type": CONTRACT_TYPES.get(commitment.item_type, commitment.item_type),
        "commitment_change_order_origin_id": change_order.origin_id,
        "procore_commitment_change_order_id": change_order.id,
        "project_id": project.id if project else None,
    }
    return erp_request_create(
        company=company,
        request_name="unlink_commitment_change_order",
        request_data=data,
        item=change_order,
        project_id=project.id if project else None,
    )
