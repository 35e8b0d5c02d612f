"""The company's import runs: the list, one run, and its progress while it runs."""

from __future__ import annotations

from integrations.models import Company, SyncRun
from selfservice.selectors.listing import ListPage, ListSpec, list_page

RUNS_LIST = ListSpec(
    sorts={
        "newest": ("-id",),
        "oldest": ("id",),
        "entity": ("entity", "-id"),
        "state": ("state", "-id"),
    },
    text_fields=("entity", "item_type", "state", "error"),
    number_fields=("id",),
)


def runs_page(*, company: Company, q: str = "", sort: str = "", page: int | str = 1) -> ListPage:
    return list_page(
        SyncRun.objects.filter(company=company).defer("refusals"),
        RUNS_LIST,
        q=q,
        sort=sort,
        page=page,
    )


def company_run(*, company: Company, pk: int | str) -> SyncRun | None:
    """The company's run ``pk``, or None (another company's run is not found)."""
    try:
        return SyncRun.objects.filter(company=company, pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def run_percent(run: SyncRun) -> int | None:
    """How far a run is, 0–100; None before it knows how much it has to send."""
    if run.state in SyncRun.FINISHED:
        return 100
    if not run.progress_total:
        return None
    return min(100, round(100 * run.progress_done / run.progress_total))
