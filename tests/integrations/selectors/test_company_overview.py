"""The figures of a company's overview: both healths, dead letters, failures by entity."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import CircuitBreaker, ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.selectors.company_overview import company_overview
from tests.factories import (
    CompanyFactory,
    ConnectionFactory,
    ERPRequestFactory,
    NotificationEventFactory,
)

pytestmark = pytest.mark.django_db


def test_a_company_without_connection_or_erp_says_so():
    overview = company_overview(company=CompanyFactory())
    assert (overview.procore.label, overview.erp.label) == ("Not connected", "No ERP adapter")
    assert overview.last_event is None and overview.dead_letters == 0 and overview.failures == []


def test_the_erp_health_is_its_breakers_last_word():
    connection = ConnectionFactory(adapter_key="demo")
    company = connection.company
    assert company_overview(company=company).erp.label == "Not called yet"
    earlier = timezone.now() - timedelta(hours=1)
    later = timezone.now() - timedelta(minutes=1)
    CircuitBreaker.objects.create(
        key=f"erp:{company.pk}",
        company=company,
        target="erp",
        consecutive_failures=2,
        last_error="timed out",
        last_success_at=earlier,
        last_failure_at=later,
    )
    erp = company_overview(company=company).erp
    assert (erp.label, erp.state, erp.message, erp.checked_at) == (
        "2 failure(s) in a row",
        "degraded",
        "timed out",
        later,
    )


def test_failures_count_recent_requests_by_name_and_state_and_link_their_list():
    company = CompanyFactory()
    NotificationEventFactory(company=company)
    last = NotificationEventFactory(company=company)
    ERPRequestFactory(company=company, state=WorkState.DEAD, request_name="create_vendor")
    ERPRequestFactory(company=company, state=WorkState.FAILED, request_name="create_vendor")
    ERPRequestFactory(company=company, state=WorkState.SUCCEEDED, request_name="create_vendor")
    old = ERPRequestFactory(company=company, state=WorkState.FAILED, request_name="sync_vendors")
    ERPRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))

    overview = company_overview(company=company)
    assert overview.last_event == last
    assert overview.dead_letters == 1
    assert [(f.entity, f.what, f.count) for f in overview.failures] == [
        ("create_vendor", "dead letters", 1),
        ("create_vendor", "failed requests", 1),
    ]
    assert overview.failures[0].filters == {
        "company__id__exact": str(company.pk),
        "state__exact": "dead",
        "request_name": "create_vendor",
    }
