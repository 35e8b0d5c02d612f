"""`python manage.py sync --company ID --entity vendors`: run one import now, in this process.

Exit status: 0 when everything reached Procore, 1 when the run failed or paused (a Procore or
ERP outage; running the command again resumes it), 2 when it finished but Procore refused some
items (listed, and kept on their object links).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from erp_adapters.base import ERPUnavailable
from integrations.models import Company, SyncRun
from integrations.procore import RetryableError
from integrations.selectors.sync_runs import sync_run_latest
from integrations.services.leases import Busy
from integrations.services.sync_entities import SPECS
from integrations.services.sync_run_summaries import sync_run_refusals, sync_run_summary
from integrations.services.sync_runs import sync_refusals_reset, sync_run_start

EXIT_FAILED = 1
EXIT_REFUSED_ITEMS = 2


class Command(BaseCommand):
    help = "Import one entity from a company's ERP into Procore now, printing progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--company", type=int, required=True, help="Procore company id of a portal company."
        )
        parser.add_argument("--entity", required=True, choices=sorted(str(e) for e in SPECS))
        parser.add_argument(
            "--retry-refused",
            action="store_true",
            help="Send items Procore refused before again, even if the ERP did not change them.",
        )

    def handle(self, *args, **options) -> None:
        company = Company.objects.filter(procore_company_id=options["company"]).first()
        if company is None:
            raise CommandError(f"No company with Procore company id {options['company']}.")
        entity = options["entity"]
        if options["retry_refused"]:
            count = sync_refusals_reset(company=company, entity=entity)
            self.stdout.write(f"{count:,} refused item(s) will be sent again.")
        self.stdout.write(f"Importing {entity} for {company}…")
        printer = ProgressPrinter(self.stdout.write)
        started = time.monotonic()
        try:
            run = sync_run_start(
                company=company,
                entity=entity,
                trigger=SyncRun.Trigger.COMMAND,
                on_progress=printer,
            )
        except Busy as exc:
            # Another worker is running this import now: nothing to resume here, try later.
            raise CommandError(str(exc), returncode=EXIT_FAILED) from exc
        except (RetryableError, ERPUnavailable) as exc:
            paused = sync_run_latest(company_id=company.pk, entity=entity)
            raise CommandError(
                f"{paused.pause_note or f'Paused: {exc}'}. Run #{paused.pk} resumes when this "
                "command runs again.",
                returncode=EXIT_FAILED,
            ) from exc
        seconds = time.monotonic() - started
        self.stdout.write(sync_run_summary(run))
        self.stdout.write(
            f"Run #{run.pk} {run.get_state_display().lower()} in {seconds:.1f} s: "
            f"listed {run.listed:,}, created {run.created:,}, updated {run.updated:,}, "
            f"archived {run.archived:,}, unchanged {run.unchanged:,}, failed {run.failed:,}; "
            f"{run.api_calls:,} Procore call(s)."
        )
        if run.state == SyncRun.State.FAILED:
            raise CommandError(f"Run #{run.pk} failed.", returncode=EXIT_FAILED)
        if run.state == SyncRun.State.PARTIAL:
            for line in sync_run_refusals(run):
                self.stderr.write(f"  refused: {line}")
            raise CommandError(
                f"Procore refused {run.failed:,} item(s); see their object links.",
                returncode=EXIT_REFUSED_ITEMS,
            )


class ProgressPrinter:
    """Prints the plan, then a line each time another tenth (or at least 1000 items) is sent."""

    def __init__(self, write) -> None:
        self.write = write
        self.planned = False
        self.last = 0

    def __call__(self, run: SyncRun) -> None:
        if run.state != SyncRun.State.RUNNING:
            return
        if not self.planned:
            self.planned = True
            self.last = run.progress_done
            to_send = run.progress_total - run.progress_done
            resumed = f", {run.progress_done:,} sent before" if run.progress_done else ""
            self.write(
                f"Run #{run.pk}: {run.listed:,} listed in the ERP, {to_send:,} to send to "
                f"Procore{resumed}."
            )
            return
        step = max(1000, run.progress_total // 10)
        if run.progress_done - self.last >= step or run.progress_done == run.progress_total:
            self.last = run.progress_done
            share = 100 * run.progress_done / max(1, run.progress_total)
            self.write(f"  {run.progress_done:,} of {run.progress_total:,} sent ({share:.0f} %)")
