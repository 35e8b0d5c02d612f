"""Prepare the demo: an admin user whose password is printed, and a demo company.

Run by ``make demo`` after ``migrate``; safe to run again (it resets the admin password so the
printed one always works).
"""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.models import Company, Connection, ProcoreEnvironment
from integrations.services.audit import audit_record

DEMO_COMPANY_ID = 4_271_122
DEMO_COMPANY_NAME = "Demo Construction Co."
DEMO_CLIENT_ID = "demo-portal-client"
DEMO_CLIENT_SECRET = "demo-portal-secret"  # noqa: S105 - the local sandbox's demo app only


class Command(BaseCommand):
    help = "Create the demo admin user and the demo company connected to the local sandbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8001")
        parser.add_argument("--username", default=os.environ.get("DEMO_ADMIN_USER", "admin"))

    @transaction.atomic
    def handle(self, *args, sandbox_url: str, username: str, **options) -> None:
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        company, created = Company.objects.get_or_create(
            procore_company_id=DEMO_COMPANY_ID, defaults={"name": DEMO_COMPANY_NAME}
        )
        if created:
            audit_record(action="create", instance=company, actor_label="demo_setup")
        connection, created = Connection.objects.get_or_create(
            company=company,
            defaults={
                "environment": ProcoreEnvironment.CUSTOM,
                "login_base_url": sandbox_url,
                "api_base_url": sandbox_url,
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
                "webhook_secret": secrets.token_urlsafe(32),
                "adapter_key": "demo",
                "adapter_settings": {"tenant": str(DEMO_COMPANY_ID)},
            },
        )
        if created:
            audit_record(action="create", instance=connection, actor_label="demo_setup")

        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Admin user:     {username}")
        self.stdout.write(f"  Admin password: {password}")
        self.stdout.write(f"  Demo company:   {company}")
