"""Helpers for the handler tests."""

from tests.factories import ERPRequestDetailFactory, ERPRequestFactory


def sync_request(company, name, detail_id=81, **data):
    """An ERP request of ``name`` for ``company`` with one Request Detail."""
    request = ERPRequestFactory(
        company=company, request_name=name, request_data={"request_detail_id": detail_id, **data}
    )
    detail = ERPRequestDetailFactory(erp_request=request, procore_detail_id=detail_id)
    return request, detail
