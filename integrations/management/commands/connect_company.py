"""Create or update a company and its Procore connection from the command line.

Prints the webhook URL and, when one is generated, the webhook bearer secret: that is the only
time the secret is shown (it is stored encrypted), so operators copy it into the hook set-up.
Nothing else it prints holds a secret: changed fields are named, never shown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.models import ProcoreEnvironment
from integrations.services.connections import ConnectionSettingsError, connection_upsert

STDIN = "-"
# The option that gives each connection field, to name it in an error.
_OPTION_OF = {
    "environment": "--environment",
    "login_base_url": "--login-url",
    "api_base_url": "--api-url",
    "client_id": "--client-id",
    "client_secret": "--client-secret",
    "adapter_key": "--adapter",
    "adapter_settings": "--adapter-settings",
}


class Command(BaseCommand):
    help = (
        "Create or update a company and its Procore connection; print the webhook URL and, "
        "when newly generated, the webhook bearer secret."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--procore-company-id", required=True, type=int)
        parser.add_argument("--name", required=True)
        parser.add_argument("--environment", required=True, choices=ProcoreEnvironment.values)
        parser.add_argument("--api-url", default="", help="Only with --environment custom.")
        parser.add_argument("--login-url", default="", help="Only with --environment custom.")
        parser.add_argument(
            "--client-id",
            default="",
            help="Required to connect a company; when updating, leave it out to keep the stored one.",
        )
        parser.add_argument(
            "--client-secret",
            default="",
            help="The client secret, or '-' to read it from standard input (keeps it out of "
            "the process list and shell history). Required to connect a company and to change "
            "its environment or URLs; otherwise leave it out to keep the stored one.",
        )
        parser.add_argument("--adapter", default=None, help="ERP adapter key, e.g. demo.")
        parser.add_argument(
            "--adapter-settings",
            default=None,
            help='Adapter settings as a JSON object, e.g. {"tenant": "acme"}, or @FILE to read '
            "them from a JSON file (e.g. the one sql_erp_sample --settings-file writes).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["client_secret"]
        if secret == STDIN:
            secret = sys.stdin.readline().strip()
        adapter_settings = None
        if options["adapter_settings"] is not None:
            given = options["adapter_settings"]
            if given.startswith("@"):
                try:
                    given = Path(given[1:]).read_text()
                except OSError as exc:
                    raise CommandError(
                        f"--adapter-settings: cannot read {given[1:]}: {exc}"
                    ) from None
            try:
                adapter_settings = json.loads(given)
            except ValueError as exc:
                raise CommandError(f"--adapter-settings is not valid JSON: {exc}") from None
            if not isinstance(adapter_settings, dict):
                raise CommandError(
                    '--adapter-settings must be a JSON object, e.g. {"tenant": "acme"}'
                )
        try:
            result = connection_upsert(
                procore_company_id=options["procore_company_id"],
                name=options["name"],
                environment=options["environment"],
                api_url=options["api_url"],
                login_url=options["login_url"],
                client_id=options["client_id"],
                client_secret=secret,
                adapter_key=options["adapter"],
                adapter_settings=adapter_settings,
                actor_label="connect_company",
            )
        except ConnectionSettingsError as exc:
            option = _OPTION_OF.get(exc.field)
            raise CommandError(f"{option}: {exc}" if option else str(exc)) from None

        company, connection = result.company, result.connection
        if result.connection_created:
            self.stdout.write(self.style.SUCCESS(f"Connected {company}."))
        elif result.changed_fields:
            self.stdout.write(
                self.style.SUCCESS(f"Updated {company}: {', '.join(result.changed_fields)}.")
            )
        else:
            self.stdout.write(f"{company} was already connected with these settings.")
        self.stdout.write(f"Environment:  {connection.get_environment_display()}")
        self.stdout.write(f"  login URL:  {connection.login_url}")
        self.stdout.write(f"  API URL:    {connection.api_url}")
        self.stdout.write(f"Adapter:      {connection.adapter_key or '(none)'}")
        self.stdout.write(f"Webhook URL:  {result.webhook_url}")
        if result.new_webhook_secret:
            self.stdout.write(f"Webhook bearer secret: {result.new_webhook_secret}")
            self.stdout.write(
                "  Shown once; it is stored encrypted. Procore must send it on every delivery as\n"
                f"  Authorization: Bearer {result.new_webhook_secret}"
            )
        else:
            self.stdout.write(
                "Webhook bearer secret: unchanged (stored encrypted, not shown again)."
            )
        self.stdout.write(
            f"Next: python manage.py check_connection --company {company.procore_company_id}"
        )
