"""The admin's "Test connection" action: the same check, reported as a message."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations.models import Connection
from tests.factories import CompanyFactory, ConnectionFactory
from tests.integrations.procore.conftest import API, TOKEN_URL, FakeClock, add_tokens

pytestmark = pytest.mark.django_db


def _run(client, url_name: str, action: str, pks: list[int]) -> list[tuple[str, str]]:
    response = client.post(
        reverse(url_name), {"action": action, "_selected_action": [str(pk) for pk in pks]}
    )
    assert response.status_code == 302
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_test_connection_on_the_connection_admin(rsps, admin_client_logged_in):
    connection = ConnectionFactory(company__procore_company_id=5_982_324_300)
    add_tokens(rsps, FakeClock(time.time()), "tok-1")
    rsps.get(f"{API}/companies", json=[{"id": 5982324300, "name": "Acme Builders"}])

    shown = _run(
        admin_client_logged_in,
        "admin:integrations_connection_changelist",
        "check_connections",
        [connection.pk],
    )
    assert shown == [
        (
            "success",
            f"{connection.company}: Connected to Acme Builders (5982324300) on Custom base URLs.",
        )
    ]
    assert Connection.objects.get().health == Connection.Health.OK


def test_test_connection_on_the_company_admin(rsps, admin_client_logged_in):
    connection = ConnectionFactory()
    lonely = CompanyFactory()
    rsps.post(TOKEN_URL, status=401, json={"error": "invalid_client"})

    shown = _run(
        admin_client_logged_in,
        "admin:integrations_company_changelist",
        "check_company_connections",
        [connection.company.pk, lonely.pk],
    )
    assert ("error", f"{lonely}: not connected.") in shown
    failure = next(m for level, m in shown if str(connection.company) in m)
    assert "Bad credentials" in failure
    assert Connection.objects.get().health == Connection.Health.FAILING
