"""The dashboard shows a company's health, last event, objects, runs, errors and charts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integrations.models import CircuitBreaker, Connection

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_what_a_member_needs_at_a_glance(viewer_client, world_a, world_b):
    Connection.objects.filter(company=world_a.company).update(
        health="ok",
        health_message="Connected to Alpha Builders on Custom base URLs.",
        health_checked_at=timezone.now(),
    )
    CircuitBreaker.objects.create(
        key=f"erp:{world_a.company.pk}",
        company=world_a.company,
        target="erp",
        state="open",
        consecutive_failures=5,
        last_error="connection refused",
        last_failure_at=timezone.now(),
    )
    response = viewer_client.get(reverse("selfservice:dashboard", args=[world_a.company.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Connected to Alpha Builders" in page  # Procore's side
    assert "Not answering" in page and "connection refused" in page  # the ERP's side
    assert "Last checked" in page
    assert "ERP Requests create" in page  # the last event
    assert "2 failed requests" in page
    assert "1 object refused by Procore" in page
    assert "Events received per day" in page and "<svg" in page
    assert 'data-poll="' in page  # the running import polls for progress
    assert "Bravo" not in page
    # A viewer sees no Run import button.
    assert "Run import" not in page


def test_a_company_admin_sees_run_import(admin_client, world_a):
    page = admin_client.get(reverse("selfservice:dashboard", args=[world_a.company.pk]))
    assert "Run import" in page.content.decode()


@pytest.mark.parametrize("who", ["viewer_client", "admin_client"])
def test_the_dashboard_reads_at_most_15_queries(request, who, world_a):
    client = request.getfixturevalue(who)
    url = reverse("selfservice:dashboard", args=[world_a.company.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) <= 15, [q["sql"][:120] for q in ctx.captured_queries]


def test_one_company_goes_straight_to_its_dashboard(viewer_client, world_a):
    response = viewer_client.get(reverse("selfservice:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:dashboard", args=[world_a.company.pk])


def test_someone_without_a_company_is_told_whom_to_ask(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("selfservice:home")).content.decode()
    assert "does not belong to any company yet" in page
