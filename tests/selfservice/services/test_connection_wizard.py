"""The connection wizard's service against the local Procore sandbox: nothing is saved until both
sides answered; then saved, provisioned and checked; run again, it repairs and keeps secrets."""

from __future__ import annotations

import pytest

from integrations.models import ApiAttempt, AuditEntry, Connection, ProcoreEnvironment
from selfservice.services.connection_wizard import (
    STEP_ERP,
    STEP_PROCORE,
    STEPS,
    WizardInput,
    connection_wizard_run,
)
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal_company(sandbox_company, sandbox_base_url):
    return CompanyFactory(procore_company_id=sandbox_company.id, name=sandbox_company.name)


def given(base_url: str, **changes) -> WizardInput:
    values = {
        "environment": ProcoreEnvironment.CUSTOM,
        "login_base_url": base_url,
        "api_base_url": base_url,
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "adapter_key": "demo",
        "adapter_settings": {"tenant": "wizard"},
    }
    return WizardInput(**{**values, **changes})


def test_wrong_credentials_are_refused_before_anything_is_saved(portal_company, sandbox_base_url):
    user = UserFactory()
    report = connection_wizard_run(
        user=user, company=portal_company, given=given(sandbox_base_url, client_secret="wrong")
    )
    assert not report.ok
    assert [step.title for step in report.steps] == [STEP_PROCORE]
    assert "Bad credentials" in report.steps[0].message
    assert report.not_reached() == list(STEPS[1:])
    assert not Connection.objects.filter(company=portal_company).exists()
    # The attempt is on record for support, without the secret that was tried.
    attempt = ApiAttempt.objects.get(company=portal_company, path="/oauth/token")
    assert "wrong" not in attempt.request_excerpt


def test_a_company_is_connected_provisioned_and_checked(portal_company, sandbox_base_url):
    from procore_sandbox.models import ErpConnection

    user = UserFactory()
    report = connection_wizard_run(user=user, company=portal_company, given=given(sandbox_base_url))
    assert report.ok, report.steps
    assert [step.title for step in report.steps] == list(STEPS)
    connection = Connection.objects.get(company=portal_company)
    assert connection.client_secret == SANDBOX_CLIENT_SECRET
    assert connection.adapter_settings["tenant"] == "wizard"
    assert connection.provisioned_at is not None and connection.webhook_hook_id
    assert connection.health == Connection.Health.OK
    # The demo ERP answers, but has no cost types yet: connected, with that warning shown.
    assert connection.erp_health == "degraded"
    assert "with a warning" in report.steps[1].message
    assert ErpConnection.objects.filter(company_id=portal_company.procore_company_id).exists()
    assert AuditEntry.objects.filter(actor=user, object_type="integrations.Connection").count() >= 2

    # Again, with the secrets left blank: kept, and provisioning finds everything in place.
    again = connection_wizard_run(
        user=user,
        company=portal_company,
        given=given(sandbox_base_url, client_id="", client_secret=""),
    )
    assert again.ok, again.steps
    connection.refresh_from_db()
    assert connection.client_secret == SANDBOX_CLIENT_SECRET
    assert "unchanged" in " ".join(again.steps[3].details)


def test_a_broken_hook_is_repaired_by_running_it_again(portal_company, sandbox_base_url):
    from procore_sandbox.models import Hook

    user = UserFactory()
    assert connection_wizard_run(
        user=user, company=portal_company, given=given(sandbox_base_url)
    ).ok
    Hook.objects.filter(company_id=portal_company.procore_company_id).delete()
    again = connection_wizard_run(
        user=user,
        company=portal_company,
        given=given(sandbox_base_url, client_id="", client_secret=""),
    )
    assert again.ok, again.steps
    assert "Repaired" in again.steps[3].message
    assert Hook.objects.filter(company_id=portal_company.procore_company_id).count() == 1


def test_bad_erp_settings_are_named_and_nothing_is_saved(portal_company, sandbox_base_url):
    report = connection_wizard_run(
        user=UserFactory(),
        company=portal_company,
        given=given(sandbox_base_url, adapter_settings={"tenant": "Not A Tenant"}),
    )
    assert [step.title for step in report.steps] == [STEP_PROCORE, STEP_ERP]
    assert report.steps[0].ok and not report.steps[1].ok
    assert report.setting_problems and report.setting_problems[0].startswith("tenant:")
    assert not Connection.objects.filter(company=portal_company).exists()


def test_an_offline_erp_stops_before_saving(portal_company, sandbox_base_url):
    report = connection_wizard_run(
        user=UserFactory(),
        company=portal_company,
        given=given(sandbox_base_url, adapter_settings={"tenant": "wizard", "offline": True}),
    )
    assert not report.steps[1].ok and "offline" in report.steps[1].message
    assert not Connection.objects.filter(company=portal_company).exists()


def test_a_url_the_credentials_may_not_go_to_is_refused_unsent(portal_company, settings):
    settings.PROCORE_ALLOW_LOOPBACK = False
    settings.DEBUG = False
    report = connection_wizard_run(
        user=UserFactory(),
        company=portal_company,
        given=given("https://evil.example.com"),
    )
    assert not report.ok
    assert "login_base_url" in report.field_errors
    assert not ApiAttempt.objects.filter(company=portal_company).exists()
    assert not Connection.objects.filter(company=portal_company).exists()
