"""What the portal knows of each ERP object in Procore: its link, and the lists read from the ERP.

``object_links_for_planning`` returns the planner's own small tuples (``sync_plan.LinkInfo``,
a module without Django), because at 100,000 objects model instances would cost ten times the
memory.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from django.db.models import Q

from erp_adapters.base import JOB_COST_CODE_SEPARATOR
from integrations.models import ObjectLink, ObjectListVersion
from integrations.sync_plan import LinkInfo


def object_links_for_planning(*, company_id: int, item_type: str) -> dict[str, LinkInfo]:
    """origin id → the link's state, sent hash and Procore ids, for every link of the type."""
    rows = (
        ObjectLink.objects.filter(company_id=company_id, item_type=item_type)
        .values_list("origin_id", "state", "content_hash", "procore_id", "staged_record_id")
        .iterator(chunk_size=10_000)
    )
    intern = sys.intern  # a handful of distinct states, shared instead of copied per link
    return {
        origin_id: LinkInfo(intern(state), content_hash, procore_id, staged_record_id)
        for origin_id, state, content_hash, procore_id, staged_record_id in rows
    }


def object_links_refused_count(*, company_id: int, item_type: str) -> int:
    """How many objects of the type Procore refused and that wait for a fix in the ERP."""
    return ObjectLink.objects.filter(
        company_id=company_id, item_type=item_type, state=ObjectLink.State.FAILED
    ).count()


def object_list_version_latest(
    *, company_id: int, item_type: str, entity: str
) -> ObjectListVersion | None:
    """The newest list read from the ERP, without its (large) hashes."""
    return (
        ObjectListVersion.objects.filter(company_id=company_id, item_type=item_type, entity=entity)
        .order_by("-id")
        .only("id", "list_hash")
        .first()
    )


def object_link_origin_ids_in_procore(*, company_id: int, item_types: Iterable[str]) -> set[str]:
    """Origin ids of the objects of these types that Procore holds (imported, exported or
    linked: a Procore id known, or the link synced): what an import's ``EntitySpec.hold``
    checks a document's job, vendor or commitment against."""
    links = ObjectLink.objects.filter(company_id=company_id, item_type__in=list(item_types))
    in_procore = links.filter(Q(procore_id__isnull=False) | Q(state=ObjectLink.State.SYNCED))
    return set(in_procore.values_list("origin_id", flat=True))


def object_link_origin_ids_under(
    *, company_id: int, item_type: str, holder_origin_id: str
) -> list[str]:
    """Origin ids of the still-linked cost codes of one job or sub job: a job cost code's origin
    id starts with its holder's (``<job>|<cost code>``, ``erp_adapters.base``)."""
    prefix = f"{holder_origin_id}{JOB_COST_CODE_SEPARATOR}"
    return list(
        ObjectLink.objects.filter(
            company_id=company_id, item_type=item_type, origin_id__startswith=prefix
        )
        .exclude(procore_id__isnull=True)
        .values_list("origin_id", flat=True)
    )
