"""`python manage.py seed_demo_erp --tenant BOOKS [--vendors N] [--jobs N]`.

The adapter knows nothing of the portal's companies: it is told which books (``tenant``) to fill.
Which books a company's connection reads is the portal's business (``demo_setup`` passes them).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from erp_adapters.base import AdapterSettingsError
from erp_adapters.demo.adapter import DemoAdapter
from erp_adapters.demo.seeding import DEFAULT_SEED, SeedError, demo_erp_seed
from erp_adapters.registry import validate_adapter_settings


class Command(BaseCommand):
    help = (
        "Fill the demo ERP with realistic vendors, a cost code tree, cost types, jobs and a few "
        "commitments. Deterministic, and safe to run again: only what is missing is added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tenant",
            required=True,
            help="The demo ERP books to fill (a connection's demo adapter setting 'tenant').",
        )
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
