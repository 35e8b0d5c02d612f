"""The connection wizard in a real browser, against the local Procore sandbox: a company admin
tries a wrong secret (refused, nothing saved), then the right one; the company is saved,
provisioned and checked, Procore's next export reaches the portal, and running the wizard again
with the secrets left blank repairs a deleted hook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import CompanyMembership, Connection, NotificationEvent
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.factories import CompanyFactory
from tests.flows.conftest import export_vendor
from tests.selfservice.conftest import member, totp_device
from tests.selfservice.test_browser import DESKTOP, code_for, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_procore(page, base_url: str, *, client_id: str, client_secret: str) -> None:
    page.select_option("#id_environment", "custom")
    page.fill("#id_login_base_url", base_url)
    page.fill("#id_api_base_url", base_url)
    page.fill("#id_client_id", client_id)
    page.fill("#id_client_secret", client_secret)


def test_a_company_admin_connects_the_company_and_repairs_it(
    page, live_server, sandbox_base_url, sandbox_company
):
    from procore_sandbox.models import Hook

    company = CompanyFactory(procore_company_id=sandbox_company.id, name=sandbox_company.name)
    admin = member(company, CompanyMembership.Role.ADMIN, "adam")
    device = totp_device(admin)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "adam")
    page.fill("#id_token", code_for(device))
    page.click("main button[type=submit]")
    page.wait_for_selector("h2:text-is('Procore')")
    page.click("nav.tabs >> text=Connection")
    page.wait_for_selector("h1:text-is('Connection')")
    assert not page.is_visible("#id_login_base_url")  # only for custom base URLs
    assert page.is_visible("[name=demo__tenant]")
    shot(page, "connection-empty")

    # A wrong secret: refused by Procore before anything is saved; the secret is not echoed.
    fill_procore(page, sandbox_base_url, client_id=SANDBOX_CLIENT_ID, client_secret="not-it")
    page.fill("[name=demo__tenant]", "wizard-e2e")
    page.click("#wizard-run")
    page.wait_for_selector("#wizard-report")
    report = page.inner_text("#wizard-report")
    assert "Procore credentials tested: failed" in report
    assert "Bad credentials" in report
    assert "Connection saved: not done" in report
    assert page.input_value("#id_client_secret") == ""
    assert page.input_value("#id_client_id") == ""
    assert page.input_value("[name=demo__tenant]") == "wizard-e2e"
    assert not Connection.objects.filter(company=company).exists()
    shot(page, "connection-refused")

    # The right credentials: tested, saved, provisioned and checked, each step shown.
    fill_procore(
        page, sandbox_base_url, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
    )
    page.click("#wizard-run")
    page.wait_for_selector("text=Connected: every step succeeded")
    report = page.inner_text("#wizard-report")
    for line in (
        "Procore credentials tested: done",
        "ERP tested: done",
        "Connection saved: done",
        "Provisioned in Procore: done",
        "Both sides checked: done",
    ):
        assert line in report
    assert page.input_value("#id_client_secret") == ""
    assert "The client secret is set; leave blank to keep it." in page.inner_text("#wizard-form")
    assert SANDBOX_CLIENT_SECRET not in page.content()
    connection = Connection.objects.get(company=company)
    assert connection.provisioned_at is not None
    assert connection.adapter_settings["tenant"] == "wizard-e2e"
    shot(page, "connection-connected")

    # Procore's next export reaches the portal through the hook the wizard made.
    export_vendor(sandbox_company, name="Wizard Concrete")
    assert NotificationEvent.objects.filter(company=company).exists()

    # Someone deletes the hook in Procore; the wizard again, secrets left blank, repairs it.
    Hook.objects.filter(company=sandbox_company).delete()
    page.goto(f"{live_server.url}{reverse('selfservice:connection', args=[company.pk])}")
    assert page.input_value("#id_environment") == "custom"
    page.click("#wizard-run")
    page.wait_for_selector("text=Connected: every step succeeded")
    assert "Repaired what was missing or stale" in page.inner_text("#wizard-report")
    assert Hook.objects.filter(company=sandbox_company).count() == 1
    connection.refresh_from_db()
    assert connection.client_secret == SANDBOX_CLIENT_SECRET
    shot(page, "connection-repaired")
