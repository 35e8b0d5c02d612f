"""Provision a company in Procore: ERP Connection with metadata, webhook hook, ERP trigger.

Safe to run again: it pushes the metadata to an existing ERP Connection, brings the hook up to
date and adds only what is missing. ``--rotate-webhook-secret`` starts a secret rotation (new
secret current, old one still accepted, hook updated); ``--retire-previous-secret`` finishes it. Exit status, for scripts: 0 done; 2 bad credentials; 3 not
permitted (app not installed or a permission missing); 4 Procore unreachable; 5 rate limited;
1 anything else, including a company that is not connected.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.models import Company
from integrations.procore import ErrorKind
from integrations.services.provisioning import (
    ProvisioningError,
    ProvisionResult,
    connection_provision,
    webhook_secret_retire_previous,
    webhook_secret_rotate,
)

LABEL = "provision command"
EXIT_CODES = {
    ErrorKind.BAD_CREDENTIALS: 2,
    ErrorKind.FORBIDDEN: 3,
    ErrorKind.UNREACHABLE: 4,
    ErrorKind.TIMEOUT: 4,
    ErrorKind.RATE_LIMITED: 5,
}


class Command(BaseCommand):
    help = (
        "Create (or repair) a company's ERP Connection, webhook hook and ERP Requests trigger "
        "in Procore; print what was created, updated or left unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, type=int, help="Procore company id.")
        rotation = parser.add_mutually_exclusive_group()
        rotation.add_argument(
            "--rotate-webhook-secret",
            action="store_true",
            help="Generate a new webhook secret (the old one stays accepted) and update the hook.",
        )
        rotation.add_argument(
            "--retire-previous-secret",
            action="store_true",
            help="Stop accepting the previous webhook secret (the end of a rotation); no calls.",
        )

    def handle(
        self,
        *args: Any,
        company: int,
        rotate_webhook_secret: bool = False,
        retire_previous_secret: bool = False,
        **options: Any,
    ) -> None:
        row = Company.objects.filter(procore_company_id=company).first()
        if row is None:
            raise CommandError(
                f"No company with Procore id {company}; create it with connect_company."
            )
        if retire_previous_secret:
            try:
                retired = webhook_secret_retire_previous(company=row, actor_label=LABEL)
            except ProvisioningError as exc:
                raise CommandError(str(exc)) from None
            if retired:
                self.stdout.write(self.style.SUCCESS("The previous webhook secret is retired."))
            else:
                self.stdout.write("There was no previous webhook secret; nothing changed.")
            return
        connection = getattr(row, "connection", None)
        if connection is not None:
            self.stdout.write(
                f"Provisioning {row} on {connection.get_environment_display()} "
                f"(API {connection.api_url})"
            )
        try:
            if rotate_webhook_secret:
                self.stdout.write("Rotating the webhook secret (the previous one stays accepted).")
                result = webhook_secret_rotate(company=row, actor_label=LABEL)
            else:
                result = connection_provision(company=row, actor_label=LABEL)
        except ProvisioningError as exc:
            if exc.result is not None:
                self._print(exc.result)
            raise CommandError(str(exc), returncode=EXIT_CODES.get(exc.kind, 1)) from None
        self._print(result)
        if rotate_webhook_secret:
            self.stdout.write(
                "Procore now sends the new secret. When no delivery with the old one is pending, "
                f"run: python manage.py provision --company {company} --retire-previous-secret"
            )
        if result.changed:
            self.stdout.write(self.style.SUCCESS(f"Provisioned {row}."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{row} was already provisioned; nothing changed.")
            )

    def _print(self, result: ProvisionResult) -> None:
        width = max((len(step.piece) for step in result.steps), default=0) + 1
        for step in result.steps:
            self.stdout.write(f"  {step.piece + ':':<{width}} {step.change:<9} {step.detail}")
        if result.import_schedules:
            cadence = ", ".join(
                f"{row.entity} every {row.every_minutes} min" + ("" if row.enabled else " (off)")
                for row in result.import_schedules
            )
            self.stdout.write(f"  Import schedules: {cadence}")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
