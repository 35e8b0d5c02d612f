"""The company overview in the admin: both healths with when they were last known, the last
event, dead letters and failures by entity, each a link to its list filtered; reachable from
the company's page and the companies list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import CircuitBreaker, Connection
from integrations.models.erp_requests import WorkState
from tests.factories import (
    ConnectionFactory,
    ERPRequestDetailFactory,
    ERPRequestFactory,
    NotificationEventFactory,
    ObjectLinkFactory,
    SyncRunFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def troubled():
    checked = timezone.now() - timedelta(minutes=3)
    connection = ConnectionFactory(
        company__name="Demo Construction Co.",
        health=Connection.Health.FAILING,
        health_message="Bad credentials: invalid_client.",
        health_checked_at=checked,
        adapter_key="demo",
    )
    company = connection.company
    CircuitBreaker.objects.create(
        key=f"erp:{company.pk}",
        company=company,
        target="erp",
        state=CircuitBreaker.State.OPEN,
        last_error="ERP timed out",
        last_failure_at=checked,
    )
    for _ in range(2):
        ERPRequestFactory(company=company, state=WorkState.DEAD, request_name="create_vendor")
    ERPRequestFactory(company=company, state=WorkState.FAILED, request_name="create_vendor")
    ERPRequestFactory(state=WorkState.DEAD)  # another company's
    ObjectLinkFactory(company=company, state="failed", item_type="vendor")
    SyncRunFactory(company=company, item_type="vendor", state="failed")
    event = NotificationEventFactory(company=company, resource_id=4242)
    return company, event, checked


def test_the_overview_shows_both_healths_the_last_event_and_failures_with_links(
    admin_client_logged_in, troubled
):
    company, event, checked = troubled
    page = admin_client_logged_in.get(
        reverse("admin:integrations_company_overview", args=[company.pk])
    ).content.decode()
    assert "Failing" in page and "Bad credentials: invalid_client." in page
    assert f"last checked {checked:%Y-%m-%d %H:%M} UTC" in page
    assert "Not answering" in page and "ERP timed out" in page
    assert reverse("admin:integrations_notificationevent_change", args=[event.pk]) in page
    requests = reverse("admin:integrations_erprequest_changelist")
    assert "<strong>2 dead letters</strong>" in page
    assert f"{requests}?company__id__exact={company.pk}&amp;state__exact=dead" in page
    assert (
        f"{requests}?company__id__exact={company.pk}&amp;state__exact=failed"
        "&amp;request_name=create_vendor" in page
    )
    assert "1 failed requests" in page and "2 dead letters</a>" in page
    links = reverse("admin:integrations_objectlink_changelist")
    assert f"{links}?company__id__exact={company.pk}&amp;state__exact=failed" in page
    assert "1 objects refused by Procore" in page
    assert "1 failed import runs" in page


def test_the_overview_counts_close_outs_procore_did_not_take_and_links_them(
    admin_client_logged_in, troubled
):
    company, _, _ = troubled
    done = ERPRequestFactory(company=company, state=WorkState.SUCCEEDED)
    ERPRequestDetailFactory(erp_request=done, state=WorkState.DEAD)
    ERPRequestDetailFactory(state=WorkState.DEAD)  # another company's
    page = admin_client_logged_in.get(
        reverse("admin:integrations_company_overview", args=[company.pk])
    ).content.decode()
    details = reverse("admin:integrations_erprequestdetail_changelist")
    assert (
        f'<a href="{details}?company__id__exact={company.pk}&amp;state__exact=dead">1</a>' in page
    )
    assert "they are sent again by themselves once Procore answers" in page


def test_each_overview_link_opens_the_list_it_counts(admin_client_logged_in, troubled):
    company, _, _ = troubled
    response = admin_client_logged_in.get(
        reverse("admin:integrations_erprequest_changelist"),
        {"company__id__exact": company.pk, "state__exact": "dead"},
    )
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2  # not the other company's


def test_the_overview_is_reached_from_the_company_page_and_the_list(
    admin_client_logged_in, troubled
):
    company, _, _ = troubled
    overview = reverse("admin:integrations_company_overview", args=[company.pk])
    for url in (
        reverse("admin:integrations_company_change", args=[company.pk]),
        reverse("admin:integrations_company_changelist"),
    ):
        assert f'href="{overview}"' in admin_client_logged_in.get(url).content.decode()


def test_an_unknown_company_has_no_overview(admin_client_logged_in):
    url = reverse("admin:integrations_company_overview", args=[999_999])
    assert admin_client_logged_in.get(url).status_code == 404
