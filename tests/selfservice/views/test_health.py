"""Check now: both sides checked, stored with their time, shown, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import AuditEntry, Connection
from integrations.services.connections import (
    CheckOutcome,
    ConnectionCheckResult,
    connection_erp_check,
)

pytestmark = pytest.mark.django_db


def test_a_company_admin_checks_both_sides_and_the_dashboard_shows_when(
    admin_client, admin_a, world_a, monkeypatch
):
    def fake_check(*, connection):
        """Procore refuses the credentials; the ERP side is checked for real."""
        Connection.objects.filter(pk=connection.pk).update(
            health="failing",
            health_message="Bad credentials: invalid_client.",
            health_checked_at=timezone.now(),
        )
        result = ConnectionCheckResult(
            CheckOutcome.BAD_CREDENTIALS, "Bad credentials: invalid_client.", request_id="rq-9"
        )
        result.erp = connection_erp_check(connection=connection)
        return result

    monkeypatch.setattr("selfservice.services.health.connection_check", fake_check)
    Connection.objects.filter(company=world_a.company).update(
        adapter_settings={"tenant": "alpha", "offline": True}
    )
    url = reverse("selfservice:check-now", args=[world_a.company.pk])
    page = admin_client.post(url, follow=True).content.decode()
    assert "Procore: Bad credentials: invalid_client. (Procore request id rq-9)" in page
    assert "ERP: The demo ERP is offline" in page
    assert "Last checked" in page and "Never checked" not in page
    assert AuditEntry.objects.filter(actor=admin_a, changes__action="check connection").exists()


def test_viewers_have_no_check_button_and_cannot_post_it(viewer_client, world_a):
    page = viewer_client.get(reverse("selfservice:dashboard", args=[world_a.company.pk]))
    assert "Check both sides now" not in page.content.decode()
    url = reverse("selfservice:check-now", args=[world_a.company.pk])
    assert viewer_client.post(url).status_code == 403
