"""ERP requests and their Request Details: unique per company and Procore id."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ERPRequestDetailFactory, ERPRequestFactory

pytestmark = pytest.mark.django_db


def test_erp_request_is_unique_per_company_and_procore_id():
    request = ERPRequestFactory(procore_request_id=777)
    with pytest.raises(IntegrityError), transaction.atomic():
        ERPRequestFactory(company=request.company, procore_request_id=777)


def test_request_detail_is_unique_per_company():
    detail = ERPRequestDetailFactory(procore_detail_id=555)
    with pytest.raises(IntegrityError), transaction.atomic():
        ERPRequestDetailFactory(erp_request=detail.erp_request, procore_detail_id=555)
