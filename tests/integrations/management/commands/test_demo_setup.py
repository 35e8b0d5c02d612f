"""`demo_setup`: the sandbox company with our app, the portal's connection, the demo ERP books;
harmless to run again, and it reaches the sandbox and the demo ERP only through their commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from erp_adapters.demo.models import DemoVendor
from integrations.management.commands.demo_setup import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_COMPANY_ID,
    demo_erp_tenant,
)
from integrations.models import Connection
from procore_sandbox.models import Company as SandboxCompany
from procore_sandbox.models import Installation
from procore_sandbox.services.tenants import company_create, token_issue
from tests.factories import ConnectionFactory


def demo_setup() -> str:
    out = StringIO()
    call_command("demo_setup", "--vendors", "5", stdout=out)
    return out.getvalue()


def assert_demo_is_set_up() -> None:
    assert SandboxCompany.objects.filter(id=DEMO_COMPANY_ID).count() == 1
    installation = Installation.objects.get(company_id=DEMO_COMPANY_ID)
    assert installation.app.client_id == DEMO_CLIENT_ID
    assert token_issue(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET) is not None
    connection = Connection.objects.get(company__procore_company_id=DEMO_COMPANY_ID)
    assert connection.adapter_key == "demo"
    assert DemoVendor.objects.filter(tenant=f"demo-{DEMO_COMPANY_ID}").count() == 5
    assert not DemoVendor.objects.exclude(tenant=f"demo-{DEMO_COMPANY_ID}").exists()


@pytest.mark.django_db
def test_demo_setup_twice_is_harmless():
    first = demo_setup()
    assert "Demo ready." in first
    assert f"Demo ERP books:   demo-{DEMO_COMPANY_ID} (5 vendors)" in first
    assert f"Demo ERP books 'demo-{DEMO_COMPANY_ID}' seeded" in first

    second = demo_setup()
    assert "Demo ready." in second
    assert "vendors 0 new (5 in all)" in second
    assert_demo_is_set_up()


@pytest.mark.django_db
def test_a_sandbox_company_made_earlier_gets_the_demo_app_installed():
    company_create(name="Made by hand", company_id=DEMO_COMPANY_ID)
    demo_setup()
    assert_demo_is_set_up()
    assert SandboxCompany.objects.get(id=DEMO_COMPANY_ID).name == "Made by hand"


@pytest.mark.django_db
def test_the_connections_demo_settings_choose_the_books():
    assert demo_erp_tenant(ConnectionFactory(adapter_key="demo", adapter_settings={})) == "demo"
    acme = ConnectionFactory(adapter_key="demo", adapter_settings={"tenant": "acme"})
    assert demo_erp_tenant(acme) == "acme"
    other = ConnectionFactory(adapter_key="sage300")
    with pytest.raises(CommandError, match="connected to the 'sage300' ERP adapter"):
        demo_erp_tenant(other)


@pytest.mark.django_db
def test_demo_setup_prints_the_self_service_sign_ins_and_they_see_the_demo_company(client):
    import re

    from django.urls import reverse

    from integrations.models import Company

    out = demo_setup()
    printed = dict(re.findall(r"^\s+(accountant|company-admin)\s+password (\S+)", out, re.M))
    assert set(printed) == {"accountant", "company-admin"}
    assert "sets up two-factor sign-in" in out

    client.post(
        reverse("selfservice:login"), {"username": "accountant", "password": printed["accountant"]}
    )
    company = Company.objects.get(procore_company_id=DEMO_COMPANY_ID)
    page = client.get(reverse("selfservice:dashboard", args=[company.pk]))
    assert page.status_code == 200 and "Demo Construction Co." in page.content.decode()

    again = demo_setup()  # a re-run prints passwords that work (the old ones do not)
    new = dict(re.findall(r"^\s+(accountant|company-admin)\s+password (\S+)", again, re.M))
    assert new["accountant"] != printed["accountant"]
