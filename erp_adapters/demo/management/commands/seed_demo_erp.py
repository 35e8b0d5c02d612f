"""`python manage.py seed_demo_erp --company ID [--vendors N] [--jobs N]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from erp_adapters.base import AdapterSettingsError
from erp_adapters.demo.adapter import DemoAdapter
from erp_adapters.demo.seeding import DEFAULT_SEED, SeedError, demo_erp_seed
from erp_adapters.registry import validate_adapter_settings


def tenant_for_company(procore_company_id: int) -> str:
    """The books the company's connection reads: its demo adapter settings decide; without a
    demo connection, the Procore company id itself names the books."""
    from integrations.models import Company, Connection

    company = Company.objects.filter(procore_company_id=procore_company_id).first()
    if company is None:
        raise CommandError(
            f"No company with Procore company id {procore_company_id} in the portal. "
            "Add the company first, or pass --tenant to seed books directly."
        )
    connection = Connection.objects.filter(company=company).first()
    if connection is None or not connection.adapter_key:
        return str(procore_company_id)
    if connection.adapter_key != DemoAdapter.key:
        raise CommandError(
            f"{company} is connected to the {connection.adapter_key!r} ERP adapter, not the "
            "demo ERP; there is nothing to seed."
        )
    try:
        return validate_adapter_settings(DemoAdapter.key, connection.adapter_settings)["tenant"]
    except AdapterSettingsError as exc:
        raise CommandError(f"{company}'s connection has invalid settings: {exc}") from exc


class Command(BaseCommand):
    help = (
        "Fill the demo ERP with realistic vendors, a cost code tree, cost types, jobs and a few "
        "commitments. Deterministic, and safe to run again: only what is missing is added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--company", type=int, help="Procore company id of a portal company.")
        target.add_argument("--tenant", help="Seed these demo ERP books directly.")
        parser.add_argument("--vendors", type=int, default=50, help="Vendors (default 50).")
        parser.add_argument("--jobs", type=int, default=3, help="Jobs (default 3).")
        parser.add_argument(
            "--commitments-per-job",
            type=int,
            default=2,
            help="Subcontracts and purchase orders per job (default 2).",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed.")

    def handle(self, *args, **options) -> None:
        for name in ("vendors", "jobs", "commitments_per_job"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if options["company"] is not None:
            tenant = tenant_for_company(options["company"])
        else:
            tenant = options["tenant"]
            try:
                validate_adapter_settings(DemoAdapter.key, {"tenant": tenant})
            except AdapterSettingsError as exc:
                raise CommandError(str(exc)) from exc
        try:
            report = demo_erp_seed(
                tenant=tenant,
                vendors=options["vendors"],
                jobs=options["jobs"],
                commitments_per_job=options["commitments_per_job"],
                seed=options["seed"],
            )
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
