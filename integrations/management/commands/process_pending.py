"""Do every due piece of work synchronously and exit (for operators and scripts)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from integrations.services.sweeper import process_pending


class Command(BaseCommand):
    help = "Process every due ERP request and close-out now, in this process, then exit."

    def handle(self, *args, **options) -> None:
        totals = process_pending()
        self.stdout.write(
            f"Processed {totals['erp_requests']} ERP request attempt(s) and closed out "
            f"{totals['close_outs']} request detail(s) in {totals['rounds']} round(s)."
        )
