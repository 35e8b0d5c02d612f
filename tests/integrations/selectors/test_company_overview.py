"""The figures of a company's overview: both healths, dead letters, failures by entity."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import CircuitBreaker, ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.selectors.company_overview import company_overview
from integrations.selectors.health import company_health
from tests.factories import (
    CompanyFactory,
    ConnectionFactory,
    ERPRequestFactory,
    NotificationEventFactory,
)

pytestmark = pytest.mark.django_db


def test_a_company_without_connection_says_so():
    overview = company_overview(company=CompanyFactory())
    assert (overview.procore.label, overview.erp.label) == ("Not connected", "Not connected")
    assert overview.last_event is None and overview.dead_letters == 0 and overview.failures == []


def test_both_healths_are_the_ones_the_dashboard_and_the_api_show():
    connection = ConnectionFactory(adapter_key="demo")
    company = connection.company
    CircuitBreaker.objects.create(
        key=f"erp:{company.pk}",
        company=company,
        target="erp",
        consecutive_failures=2,
        last_error="timed out",
        last_failure_at=timezone.now(),
    )
    overview = company_overview(company=company)
    health = company_health(company=company)
    assert (overview.procore, overview.erp) == (health.procore, health.erp)
    assert overview.erp.state == "degraded"


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
