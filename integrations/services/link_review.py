"""Linking what Procore already holds before a company's first import, so nothing is created
twice.

A company that connects usually has vendors, cost types and standard cost codes in Procore
already, without an ERP id. Importing the ERP's would stage or add them a second time. So before
the first import of such an entity (``link_review_gate``, called by the import run) the portal
lists Procore's records that have no ERP id, matches each to the ERP's records by code, then by
normalised name (``link_review_build``), and waits for support to review the proposals (accept,
choose among candidates, reject). The accepted pairs are linked in Procore by the core sync
endpoint with the record's ``id`` and the ERP's ``origin_id`` (``link_review_apply``); the import
then updates them instead of creating new ones.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from erp_adapters.base import Adapter, ERPObject
from integrations.models import (
    Company,
    Connection,
    ItemType,
    LinkProposal,
    LinkReview,
    ObjectLink,
)
from integrations.procore import ProcoreClient, SyncResult
from integrations.services.object_links import object_display_name, object_link_mark_synced
from integrations.services.sync_entities import ImportNotPossible

logger = logging.getLogger(__name__)

Record = dict[str, Any]


@dataclass(frozen=True)
class Linkable:
    """How one entity's Procore records are listed, keyed and linked."""

    item_type: str
    noun: str
    listing: Callable[[ProcoreClient, Connection], Iterable[Record]]
    code_of: Callable[[Record], str]
    linking: Callable[[ProcoreClient, Connection, list[Record]], SyncResult]
    sends_code: bool = False


LINKABLE: dict[str, Linkable] = {
    "vendors": Linkable(
        item_type=ItemType.VENDOR,
        noun="vendors",
        listing=lambda client, connection: client.list_vendors(),
        code_of=lambda r: str(r.get("origin_code") or r.get("abbreviated_name") or ""),
        linking=lambda client, connection, items: client.sync_vendors(items),
        sends_code=True,
    ),
    "jobs": Linkable(
        item_type=ItemType.PROJECT,
        noun="projects",
        listing=lambda client, connection: client.list_projects(),
        code_of=lambda r: str(r.get("origin_code") or r.get("project_number") or ""),
        linking=lambda client, connection, items: client.sync_projects(items),
    ),
    "standard_categories": Linkable(
        item_type=ItemType.LINE_ITEM_TYPE,
        noun="cost types",
        listing=lambda client, connection: client.list_line_item_types(),
        code_of=lambda r: str(r.get("code") or ""),
        linking=lambda client, connection, items: client.sync_line_item_types(items),
    ),
    "standard_cost_codes": Linkable(
        item_type=ItemType.STANDARD_COST_CODE,
        noun="standard cost codes",
        listing=lambda client, connection: client.list_standard_cost_codes(
            standard_cost_code_list_id=connection.standard_cost_code_list_id
        ),
        code_of=lambda r: str(r.get("full_code") or r.get("code") or ""),
        linking=lambda client, connection, items: client.sync_standard_cost_codes(
            standard_cost_code_list_id=connection.standard_cost_code_list_id, updates=items
        ),
    ),
}

_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "co",
    "corp",
    "corporation",
    "company",
    "lp",
    "llp",
    "plc",
}


def normalised_name(name: str) -> str:
    """A name as a person would compare it: case, punctuation, "&"/"and" and a trailing legal
    form ("Inc.", "LLC", "Co.") do not matter."""
    text = (name or "").casefold().replace("&", " and ")
    words = re.findall(r"[0-9a-z]+", re.sub(r"['’]", "", text))
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


def _code(value: str) -> str:
    return (value or "").strip().casefold()


class LinkReviewPending(ImportNotPossible):
    """The first import of this entity waits for support's review (the message says so)."""


def link_review_gate(
    *,
    company: Company,
    entity: str,
    client: ProcoreClient,
    connection: Connection,
    adapter: Adapter,
) -> None:
    """Let a first import go ahead only once Procore's existing records are matched.

    Nothing to check when the entity cannot be linked, when the company has links for it (this
    is not the first import), or when the review is done. Otherwise the review is built (once)
    and, if Procore holds records without an ERP id, ``LinkReviewPending`` is raised.
    """
    linkable = LINKABLE.get(entity)
    if linkable is None:
        return
    if ObjectLink.objects.filter(company=company, item_type=linkable.item_type).exists():
        return
    review = LinkReview.objects.filter(company=company, entity=entity).first()
    if review is None:
        review = link_review_build(
            company=company, entity=entity, client=client, connection=connection, adapter=adapter
        )
    if review.state == LinkReview.State.PENDING:
        raise LinkReviewPending(
            f"Procore already holds {review.procore_records:,} {linkable.noun} without an ERP "
            "id. Before the first import, support reviews how they match the ERP's (support "
            "admin → Link reviews) and links them, so that nothing is created twice; the "
            "import then goes ahead."
        )


def link_review_build(
    *,
    company: Company,
    entity: str,
    client: ProcoreClient,
    connection: Connection,
    adapter: Adapter,
) -> LinkReview:
    """List both sides and propose a match for every Procore record without an ERP id. Records
    Procore already holds with an ERP id are linked at once. Decisions already taken on a
    pending review are kept."""
    linkable = LINKABLE[entity]
    erp = list(adapter.entity(entity).list())
    by_origin = {obj.origin_id: obj for obj in erp}
    unlinked: list[Record] = []
    known = 0
    for record in linkable.listing(client, connection):
        origin_id = record.get("origin_id")
        if origin_id and str(origin_id) in by_origin:
            obj = by_origin[str(origin_id)]
            object_link_mark_synced(
                company_pk=company.pk,
                item_type=linkable.item_type,
                origin_id=obj.origin_id,
                procore_id=int(record["id"]),
                origin_code=obj.origin_code,
                name=object_display_name(obj.data),
            )
            known += 1
        elif not origin_id and isinstance(record.get("id"), int):
            unlinked.append(record)
    proposals = list(_propose(unlinked, erp, linkable))
    with transaction.atomic():
        review, _ = LinkReview.objects.get_or_create(
            company=company,
            entity=entity,
            defaults={"item_type": linkable.item_type},
        )
        decided = {
            p.procore_id: p
            for p in review.proposals.exclude(decision=LinkProposal.Decision.PROPOSED)
        }
        review.proposals.filter(decision=LinkProposal.Decision.PROPOSED).delete()
        fresh = [p for p in proposals if p.procore_id not in decided]
        for proposal in fresh:
            proposal.review = review
        LinkProposal.objects.bulk_create(fresh)
        review.procore_records = len(unlinked)
        review.erp_records = len(erp)
        review.item_type = linkable.item_type
        review.state = LinkReview.State.PENDING if unlinked else LinkReview.State.NOTHING
        if known:
            review.note = f"{known} already linked in Procore were recorded."
        review.save()
    logger.info(
        "link review of %s built: %s in Procore without an ERP id, %s in the ERP",
        entity,
        len(unlinked),
        len(erp),
        extra={"company_id": company.procore_company_id},
    )
    return review


def _propose(
    records: list[Record], erp: list[ERPObject], linkable: Linkable
) -> Iterator[LinkProposal]:
    by_code: dict[str, list[ERPObject]] = defaultdict(list)
    by_name: dict[str, list[ERPObject]] = defaultdict(list)
    for obj in erp:
        if obj.origin_code:
            by_code[_code(obj.origin_code)].append(obj)
        by_name[normalised_name(str(obj.data.get("name") or ""))].append(obj)
    chosen: dict[str, list[LinkProposal]] = defaultdict(list)
    out: list[LinkProposal] = []
    for record in records:
        code = linkable.code_of(record)
        name = str(record.get("name") or "")
        proposal = LinkProposal(
            procore_id=int(record["id"]),
            procore_code=code[:255],
            procore_name=name[:255],
            match=LinkProposal.Match.NONE,
        )
        candidates = by_code.get(_code(code), []) if code else []
        match = LinkProposal.Match.CODE
        if not candidates:
            candidates = by_name.get(normalised_name(name), []) if normalised_name(name) else []
            match = LinkProposal.Match.NAME
        if len(candidates) == 1:
            _choose(proposal, candidates[0], match)
            chosen[candidates[0].origin_id].append(proposal)
        elif candidates:
            _ambiguous(proposal, candidates)
        out.append(proposal)
    for origin_id, rivals in chosen.items():
        if len(rivals) > 1:  # one ERP record for several Procore records: a person decides
            obj = next(o for o in erp if o.origin_id == origin_id)
            for proposal in rivals:
                _ambiguous(proposal, [obj])
    return iter(out)


def _choose(proposal: LinkProposal, obj: ERPObject, match: str) -> None:
    proposal.match = match
    proposal.origin_id = obj.origin_id
    proposal.origin_code = obj.origin_code[:255]
    proposal.erp_name = str(obj.data.get("name") or "")[:255]


def _ambiguous(proposal: LinkProposal, candidates: list[ERPObject]) -> None:
    proposal.match = LinkProposal.Match.AMBIGUOUS
    proposal.origin_id = proposal.origin_code = proposal.erp_name = ""
    proposal.candidates = [
        {"origin_id": o.origin_id, "code": o.origin_code, "name": str(o.data.get("name") or "")}
        for o in candidates[:20]
    ]


def link_proposal_decide(
    *, proposal: LinkProposal, accept: bool, origin_id: str | None = None
) -> LinkProposal:
    """Support accepts a proposal (choosing one of its candidates when several fit) or rejects
    it (the Procore record stays as it is; the import creates the ERP's record separately)."""
    if proposal.decision == LinkProposal.Decision.LINKED:
        raise ValueError("This record is linked already.")
    if not accept:
        proposal.decision = LinkProposal.Decision.REJECTED
    else:
        if origin_id is not None:
            choices = {c["origin_id"]: c for c in proposal.candidates}
            if origin_id != proposal.origin_id and origin_id not in choices:
                raise ValueError("Choose one of the ERP records proposed for it.")
            if origin_id in choices:
                proposal.origin_id = origin_id
                proposal.origin_code = str(choices[origin_id]["code"])[:255]
                proposal.erp_name = str(choices[origin_id]["name"])[:255]
        if not proposal.origin_id:
            raise ValueError("Nothing to link it to: choose an ERP record first.")
        proposal.decision = LinkProposal.Decision.ACCEPTED
    proposal.error = ""
    proposal.save(update_fields=["decision", "origin_id", "origin_code", "erp_name", "error"])
    return proposal


def link_review_accept_matches(*, review: LinkReview) -> int:
    """Accept every proposal that matched exactly one ERP record by code or by name."""
    return review.proposals.filter(
        decision=LinkProposal.Decision.PROPOSED,
        match__in=(LinkProposal.Match.CODE, LinkProposal.Match.NAME),
    ).update(decision=LinkProposal.Decision.ACCEPTED)


def link_review_apply(*, review: LinkReview, client: ProcoreClient | None = None) -> dict[str, int]:
    """Link the accepted pairs in Procore (its id, our origin id), record the links, and let the
    first import go ahead. An ERP record accepted for two Procore records is refused: a record
    has one origin."""
    linkable = LINKABLE[review.entity]
    connection = Connection.objects.select_related("company").get(company=review.company)
    accepted = list(review.proposals.filter(decision=LinkProposal.Decision.ACCEPTED))
    twice = {p.origin_id for p in accepted if sum(q.origin_id == p.origin_id for q in accepted) > 1}
    counts = {"linked": 0, "failed": 0}
    sendable = []
    for proposal in accepted:
        if proposal.origin_id in twice:
            _failed(proposal, "The same ERP record was accepted for another Procore record.")
            counts["failed"] += 1
        else:
            sendable.append(proposal)
    own_client = client is None
    client = client or ProcoreClient(connection)
    try:
        items = []
        for proposal in sendable:
            item: Record = {"id": proposal.procore_id, "origin_id": proposal.origin_id}
            if linkable.sends_code and proposal.origin_code:
                item["origin_code"] = proposal.origin_code
            items.append(item)
        result = linkable.linking(client, connection, items) if items else None
    finally:
        if own_client:
            client.close()
    refused = {e.index: e.message for e in (result.errors if result else []) if e.index is not None}
    for index, proposal in enumerate(sendable):
        if index in refused:
            _failed(proposal, refused[index])
            counts["failed"] += 1
            continue
        object_link_mark_synced(
            company_pk=review.company_id,
            item_type=linkable.item_type,
            origin_id=proposal.origin_id,
            procore_id=proposal.procore_id,
            origin_code=proposal.origin_code,
            name=proposal.erp_name or proposal.procore_name,
        )
        proposal.decision = LinkProposal.Decision.LINKED
        proposal.save(update_fields=["decision"])
        counts["linked"] += 1
    review.state = LinkReview.State.APPLIED
    review.applied_at = timezone.now()
    review.note = f"{counts['linked']} linked, {counts['failed']} refused."
    review.save(update_fields=["state", "applied_at", "note"])
    return counts


def _failed(proposal: LinkProposal, reason: str) -> None:
    proposal.decision = LinkProposal.Decision.FAILED
    proposal.error = reason[:2000]
    proposal.save(update_fields=["decision", "error"])
