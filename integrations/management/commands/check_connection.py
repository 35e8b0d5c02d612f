"""Check both sides of a company's connection: Procore (a fresh token and one read call) and
the ERP (the adapter's health check: the database answers and its mapped tables exist, …).

Exit status, for scripts: 0 both work; 2 bad credentials; 3 app not installed in the company;
4 host unreachable; 5 rate limited; 6 Procore works but the ERP is failing; 1 anything else.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.models import Connection
from integrations.services.connections import CheckOutcome, connection_check

ERP_FAILING = 6
EXIT_CODES = {
    CheckOutcome.BAD_CREDENTIALS: 2,
    CheckOutcome.NOT_INSTALLED: 3,
    CheckOutcome.UNREACHABLE: 4,
    CheckOutcome.RATE_LIMITED: 5,
    CheckOutcome.ERROR: 1,
}


class Command(BaseCommand):
    help = (
        "Check a company's Procore connection (a token and one read call) and its ERP (the "
        "adapter's health check); exit 0 when both work, non-zero with the reason (2 bad "
        "credentials, 3 not installed, 4 unreachable, 5 rate limited, 6 ERP failing, 1 other)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, type=int, help="Procore company id.")

    def handle(self, *args: Any, company: int, **options: Any) -> None:
        connection = (
            Connection.objects.select_related("company")
            .filter(company__procore_company_id=company)
            .first()
        )
        if connection is None:
            raise CommandError(
                f"No connection for Procore company {company}; create it with connect_company."
            )
        self.stdout.write(
            f"Checking {connection.company} on {connection.get_environment_display()} "
            f"(login {connection.login_url}, API {connection.api_url})"
        )
        result = connection_check(connection=connection)
        for step in result.steps:
            self.stdout.write(f"  ok: {step}")
        erp = result.erp
        erp_line = f"ERP ({connection.adapter_key or 'none'}): {erp.health}: {erp.message}"
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Procore: {result.message}"))
            if erp.failing:
                raise CommandError(erp_line, returncode=ERP_FAILING)
            style = self.style.SUCCESS if erp.health == "ok" else self.style.WARNING
            self.stdout.write(style(erp_line))
            return
        self.stdout.write(erp_line)
        reason = result.message
        if result.request_id:
            reason += f" (Procore request id {result.request_id})"
        raise CommandError(reason, returncode=EXIT_CODES[result.outcome])
