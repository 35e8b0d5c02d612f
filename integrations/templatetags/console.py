"""Template tags of the support console: the dead-letter notice on the admin's index."""

from __future__ import annotations

from django import template

from integrations.models import Company
from integrations.models.erp_requests import WorkState
from integrations.selectors.dead_letters import (
    dead_close_outs_count,
    dead_letter_counts_by_company,
)

register = template.Library()

# Companies named one by one in the notice; the rest are summed up.
NOTICE_COMPANIES = 10


@register.inclusion_tag("admin/integrations/dead_letter_notice.html")
def dead_letter_notice() -> dict:
    """How many dead letters wait, and whose: the first thing support sees after signing in."""
    counts = dead_letter_counts_by_company()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    names = dict(
        Company.objects.filter(pk__in=[pk for pk, _ in ranked[:NOTICE_COMPANIES]]).values_list(
            "pk", "name"
        )
    )
    return {
        "total": sum(counts.values()),
        "companies": [
            (pk, names.get(pk, f"company {pk}"), n) for pk, n in ranked[:NOTICE_COMPANIES]
        ],
        "more": max(0, len(ranked) - NOTICE_COMPANIES),
        "dead": WorkState.DEAD.value,
        "close_outs": dead_close_outs_count(),
    }
