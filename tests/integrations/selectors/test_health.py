"""A company's health, one answer for the dashboard, the API and support's overview: each side is
its last explicit check unless the workers' calls to it are more recent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import CircuitBreaker, Connection
from integrations.selectors.health import company_health
from tests.factories import CompanyFactory, ConnectionFactory

pytestmark = pytest.mark.django_db


def _breaker(company, target: str, **fields) -> CircuitBreaker:
    return CircuitBreaker.objects.create(
        key=f"{target}:{company.pk}", company=company, target=target, **fields
    )


def test_a_company_without_connection_is_not_connected_on_both_sides():
    health = company_health(company=CompanyFactory())
    assert health.connected is False
    assert (health.procore.label, health.erp.label) == ("Not connected", "Not connected")


def test_a_connection_without_an_erp_adapter_says_no_erp_is_configured():
    health = company_health(company=ConnectionFactory(adapter_key="").company)
    assert (health.erp.state, health.erp.label) == ("unknown", "No ERP adapter")


def test_the_last_erp_check_is_shown_until_a_worker_meets_the_erp_later():
    checked = timezone.now() - timedelta(hours=1)
    connection = ConnectionFactory(adapter_key="demo")
    Connection.objects.filter(pk=connection.pk).update(
        erp_health="ok", erp_health_message="The ERP answers.", erp_health_checked_at=checked
    )
    company = connection.company
    _breaker(company, "erp", last_success_at=checked - timedelta(hours=2))
    erp = company_health(company=company).erp
    assert (erp.state, erp.message, erp.checked_at) == ("ok", "The ERP answers.", checked)

    failed_at = timezone.now() - timedelta(minutes=1)
    CircuitBreaker.objects.filter(company=company, target="erp").update(
        state=CircuitBreaker.State.OPEN,
        consecutive_failures=5,
        last_error="connection refused",
        last_failure_at=failed_at,
    )
    erp = company_health(company=company).erp
    assert (erp.state, erp.label, erp.checked_at) == ("failing", "Not answering", failed_at)
    assert "5 failures in a row" in erp.message and "connection refused" in erp.message


def test_procore_failing_calls_after_a_good_check_read_degraded():
    connection = ConnectionFactory()
    Connection.objects.filter(pk=connection.pk).update(
        health="ok", health_checked_at=timezone.now() - timedelta(hours=1)
    )
    _breaker(
        connection.company,
        "procore",
        consecutive_failures=2,
        last_error="503 from Procore",
        last_failure_at=timezone.now(),
    )
    procore = company_health(company=connection.company).procore
    assert (procore.state, procore.label) == ("degraded", "Some calls failing")
    assert "503 from Procore" in procore.message
