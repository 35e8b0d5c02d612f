"""Running one job, sub job, cost code or budget request against the local Procore (the
sandbox), as the engine does, and reading how each of its Request Details would close."""

from __future__ import annotations

from typing import Any

from integrations.models import ERPRequest
from integrations.procore import ProcoreClient
from integrations.services.erp_requests import erp_request_process
from tests.factories import ERPRequestDetailFactory, ERPRequestFactory


def run(connection, name: str, data: dict[str, Any], detail_ids=(501,)) -> dict[int, tuple]:
    """Process the request; {detail id: (status, messages)} as the engine recorded them."""
    request = ERPRequestFactory(company=connection.company, request_name=name, request_data=data)
    for detail_id in detail_ids:
        ERPRequestDetailFactory(erp_request=request, procore_detail_id=detail_id)
    with ProcoreClient(connection) as client:
        erp_request_process(erp_request_id=request.pk, client=client)
    request = ERPRequest.objects.get(pk=request.pk)
    return {d.procore_detail_id: (d.status, d.messages) for d in request.details.all()}
