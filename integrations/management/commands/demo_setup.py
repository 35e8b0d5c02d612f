"""Prepare the demo: an admin user whose password is printed, a Procore company in the local
sandbox with our app installed, the portal's company connected to it and to the demo ERP, and
demo ERP books with vendors, cost codes and cost types.

Run by ``make demo`` after ``migrate``; safe to run again (it resets the admin password so the
printed one always works). Provisioning needs the sandbox server running, so ``run_demo`` does it
once the server answers.

The sandbox is another room (a fake Procore) and the demo ERP an adapter: this command reaches
both only through their own management commands (``sandbox``, ``seed_demo_erp``), never their
models or services, and tells the demo ERP which books to fill.
"""

from __future__ import annotations

import os
import secrets
from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from erp_adapters.base import AdapterSettingsError
from erp_adapters.registry import validate_adapter_settings
from integrations.models import CompanyMembership, Connection, ProcoreEnvironment
from integrations.services.connections import connection_upsert
from integrations.services.memberships import membership_grant

DEMO_COMPANY_ID = 4_271_122
DEMO_COMPANY_NAME = "Demo Construction Co."
DEMO_CLIENT_ID = "demo-portal-client"
DEMO_CLIENT_SECRET = "demo-portal-secret-0123456789"  # noqa: S105 - the local sandbox's demo app
DEMO_APP_NAME = "ERP Portal (demo)"
DEMO_ADAPTER = "demo"
# The demo company's own people, for the self-service portal at /.
DEMO_MEMBERS = (
    ("DEMO_ACCOUNTANT", "accountant", CompanyMembership.Role.VIEWER),
    ("DEMO_COMPANY_ADMIN", "company-admin", CompanyMembership.Role.ADMIN),
)


def demo_erp_tenant(connection: Connection) -> str:
    """The demo ERP books a connection reads: its demo adapter settings name them (``tenant``,
    with the schema's default filled in)."""
    if connection.adapter_key != DEMO_ADAPTER:
        raise CommandError(
            f"{connection.company} is connected to the {connection.adapter_key!r} ERP adapter, "
            "not the demo ERP; there is nothing to seed."
        )
    try:
        return validate_adapter_settings(DEMO_ADAPTER, connection.adapter_settings)["tenant"]
    except AdapterSettingsError as exc:
        raise CommandError(
            f"{connection.company}'s connection has invalid settings: {exc}"
        ) from exc


class Command(BaseCommand):
    help = "Create the demo admin user, the demo company in the sandbox and the portal, and seed the demo ERP."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8001")
        parser.add_argument("--username", default=os.environ.get("DEMO_ADMIN_USER", "admin"))
        parser.add_argument("--vendors", type=int, default=40)

    def handle(self, *args, sandbox_url: str, username: str, vendors: int, **options) -> None:
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        self._sandbox_company()
        result = connection_upsert(
            procore_company_id=DEMO_COMPANY_ID,
            name=DEMO_COMPANY_NAME,
            environment=ProcoreEnvironment.CUSTOM,
            login_url=sandbox_url,
            api_url=sandbox_url,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            adapter_key=DEMO_ADAPTER,
            adapter_settings={"tenant": f"demo-{DEMO_COMPANY_ID}"},
            actor_label="demo_setup",
        )
        members = [
            self._member(result.connection.company, env, username, role)
            for env, username, role in DEMO_MEMBERS
        ]
        tenant = demo_erp_tenant(result.connection)
        call_command("seed_demo_erp", tenant=tenant, vendors=vendors, jobs=3, stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Admin user:       {username}")
        self.stdout.write(f"  Admin password:   {password}")
        self.stdout.write(f"  Demo company:     {result.connection.company}")
        self.stdout.write("  Self-service portal (the demo company's own people, at /):")
        for username, member_password, role in members:
            self.stdout.write(
                f"    {username:<14} password {member_password}   ({role.label}"
                + (
                    "; sets up two-factor sign-in with an authenticator app at first sign-in)"
                    if role == CompanyMembership.Role.ADMIN
                    else ")"
                )
            )
        self.stdout.write(f"  Demo ERP books:   {tenant} ({vendors} vendors)")
        self.stdout.write(f"  Procore sandbox:  {sandbox_url}/sandbox/")

    def _member(self, company, env: str, username: str, role: str) -> tuple[str, str, Any]:
        """A self-service user of the demo company, with a fresh password each run (or
        ``<env>_PASSWORD``), as the printed sign-in says."""
        password = os.environ.get(f"{env}_PASSWORD") or secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.set_password(password)
        user.save()
        membership_grant(user=user, company=company, role=role, actor_label="demo_setup")
        return username, password, CompanyMembership.Role(role)

    def _sandbox_company(self) -> None:
        """The customer's Procore company, with ERP Integrations on and our app installed.

        Through the sandbox's own command, as an operator would: ``--exist-ok`` keeps a company
        that is already there, and ``app-install`` (idempotent) installs the demo app in it either
        way, so a re-run, or a company made earlier by hand, ends with the demo credentials.
        """
        quiet = StringIO()
        call_command(
            "sandbox",
            "company-create",
            "--id",
            str(DEMO_COMPANY_ID),
            "--exist-ok",
            "--name",
            DEMO_COMPANY_NAME,
            stdout=quiet,
        )
        call_command(
            "sandbox",
            "app-install",
            "--company",
            str(DEMO_COMPANY_ID),
            "--client-id",
            DEMO_CLIENT_ID,
            "--client-secret",
            DEMO_CLIENT_SECRET,
            "--app-name",
            DEMO_APP_NAME,
            stdout=quiet,
        )
