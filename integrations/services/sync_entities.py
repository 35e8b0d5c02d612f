"""What differs between the entities an import run brings into Procore, and nothing else.

Adding an entity to imports means adding one ``EntitySpec`` here (and its adapter method): the
run itself (``sync_runs``) stays the same. Payload shapes follow procore-erp-api.md: staged
records per ``erp_staged_records.md`` (``{item_type, origin_id, origin_code, status, data}``),
core sync items per §b.2 (``{origin_id, ...fields}``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from erp_adapters.base import Entity, ERPObject
from integrations.models import Company, Connection, ItemType, ObjectLink
from integrations.procore import ProcoreClient, SyncItemError, SyncResult
from integrations.selectors.object_links import object_link_origin_ids_in_procore
from integrations.services.job_costs import (
    JobCostScope,
    PushOutcome,
    job_cost_scope,
    job_costs_hash,
    job_costs_push,
)
from integrations.services.sync_change_orders import (
    change_order_core_item,
    change_order_hold,
    change_order_refuse_updates,
    change_order_scope,
)
from integrations.sync_plan import Mode

Item = dict[str, Any]
CoreSync = Callable[[ProcoreClient, Connection, list[Item]], SyncResult]
# Sends one object by itself (several calls), instead of batching items across objects.
Push = Callable[..., PushOutcome]


class ImportNotPossible(Exception):
    """The run cannot start for a reason a person must fix first (permanent)."""


@dataclass(frozen=True)
class EntitySpec:
    entity: Entity
    item_type: str
    mode: Mode
    singular: str
    plural: str
    core_sync: CoreSync
    core_item: Callable[[ERPObject], Item]
    check: Callable[[Connection], None] = lambda connection: None
    # How an object's content is hashed for planning (what the link remembers as sent).
    hash_of: Callable[[ERPObject], str] = ERPObject.content_hash
    # Which listed objects the run considers at all (e.g. only jobs already in Procore).
    scope: Callable[[Company], Callable[[ERPObject], bool]] | None = None
    # Set for entities sent object by object (job costs: several endpoints per job).
    push: Push | None = None
    # Entities listed as several item types (commitments: subcontracts and purchase orders):
    # every type whose links the run plans against and writes; ``item_type`` names the run.
    link_types: tuple[str, ...] = ()
    # Why an object cannot be sent yet (its job or vendor is not in Procore), or None: it is
    # held back without a call, counted as skipped with the reason, and tried by the next run.
    hold: Callable[[Company], Callable[[ERPObject], str | None]] | None = None
    # The same for a change to an object Procore already holds (a sub job whose job left
    # Procore): held back rather than refused, so its link keeps the hash Procore last took and
    # the next run sends the change once the job is back (a refusal would record the new hash,
    # and the unchanged object would never be sent again).
    hold_update: Callable[[Company], Callable[[ERPObject], str | None]] | None = None

    @property
    def types(self) -> tuple[str, ...]:
        return self.link_types or (self.item_type,)

    def noun(self, count: int) -> str:
        return self.singular if count == 1 else self.plural

    def staged_record(self, obj: ERPObject) -> Item:
        """A staged record for ``staged_records/sync``; children nest under ``children``."""
        return {**obj.as_json(), "status": "staged"}

    def archived_record(self, origin_id: str, item_type: str = "") -> Item:
        """Hides the staged record from Ready to Import (upsert by item type and origin id)."""
        return {
            "item_type": item_type or self.item_type,
            "origin_id": origin_id,
            "status": "archived",
        }


def _vendor_item(obj: ERPObject) -> Item:
    return {**obj.data, "origin_id": obj.origin_id, "origin_code": obj.origin_code}


def _direct_item(obj: ERPObject) -> Item:
    """``standard_cost_codes/sync`` and ``line_item_types/sync`` take exactly the adapter's
    fields plus ``origin_id`` (legacy-2021/2022 bodies)."""
    return {**obj.data, "origin_id": obj.origin_id}


def _require_cost_code_list(connection: Connection) -> None:
    if not connection.standard_cost_code_list_id:
        raise ImportNotPossible(
            "Procore has not given this connection a standard cost code list yet; provision "
            "the connection (manage.py provision) before importing standard cost codes."
        )


def _project_item(obj: ERPObject) -> Item:
    """``projects/sync`` takes the staged project's fields, plus its ids (§b.2)."""
    return {**obj.data, "origin_id": obj.origin_id, "origin_code": obj.origin_code}


def _sub_job_item(obj: ERPObject) -> Item:
    """``sub_jobs/sync`` is per project (``?project_id=``): the item keeps its job's origin id
    until ``_sync_sub_jobs`` groups the batch by project."""
    return {**obj.data, "origin_id": obj.origin_id, "origin_code": obj.origin_code}


def _sync_sub_jobs(client: ProcoreClient, connection: Connection, items: list[Item]) -> SyncResult:
    """One ``sub_jobs/sync`` call per project in the batch (per 1000 items), with every refusal
    tied back to its position in ``items``. A sub job whose project Procore does not hold (by
    our links) is refused here, without a call; the run holds those back before
    (``_sub_job_update_hold``), so this answers only for a job that left Procore meanwhile."""
    projects = dict(
        ObjectLink.objects.filter(
            company_id=connection.company_id,
            item_type=ItemType.PROJECT,
            origin_id__in={str(item.get("project_origin_id")) for item in items},
            procore_id__isnull=False,
        ).values_list("origin_id", "procore_id")
    )
    merged = SyncResult()
    groups: dict[int, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        project_id = projects.get(str(item.get("project_origin_id")))
        if project_id is None:
            merged.errors.append(
                SyncItemError(
                    index=index,
                    item=item,
                    reasons={"project": ["its job is not in Procore (import the job first)"]},
                )
            )
        else:
            groups[project_id].append(index)
    for project_id, indexes in groups.items():
        updates = [{k: v for k, v in items[i].items() if k != "project_origin_id"} for i in indexes]
        result = client.sync_sub_jobs(project_id=project_id, updates=updates)
        merged.entities.extend(result.entities)
        merged.calls += result.calls
        merged.items_sent += result.items_sent
        merged.request_ids.extend(result.request_ids)
        for error in result.errors:
            where = None if error.index is None else indexes[error.index]
            merged.errors.append(SyncItemError(index=where, item=error.item, reasons=error.reasons))
    return merged


def _sub_job_stage_hold(company: Company) -> Callable[[ERPObject], str | None]:
    """A sub job is staged only once Procore knows its job, staged or synced: Procore refuses a
    project-level staged record naming a project it knows neither way, and a refusal would be
    remembered with the sub job's hash, so the sub job would never be staged once the job is."""
    links = ObjectLink.objects.filter(company_id=company.pk, item_type=ItemType.PROJECT)
    known = set(
        links.filter(
            Q(procore_id__isnull=False)
            | Q(staged_record_id__isnull=False)
            | Q(state=ObjectLink.State.SYNCED)
        ).values_list("origin_id", flat=True)
    )

    def hold(obj: ERPObject) -> str | None:
        if str(obj.data.get("project_origin_id")) in known:
            return None
        return (
            "its job is not staged in Procore yet; import jobs first, and the next sub job "
            "import stages it."
        )

    return hold


def _sub_job_update_hold(company: Company) -> Callable[[ERPObject], str | None]:
    """A change to a sub job in Procore waits while its job has no Procore project by our
    links (``sub_jobs/sync`` is per project): the job was reset or unlinked in Procore."""
    projects = set(
        ObjectLink.objects.filter(
            company_id=company.pk, item_type=ItemType.PROJECT, procore_id__isnull=False
        ).values_list("origin_id", flat=True)
    )

    def hold(obj: ERPObject) -> str | None:
        if str(obj.data.get("project_origin_id")) in projects:
            return None
        return (
            "its job is not in Procore (import the job first); the change is sent by the next "
            "run once it is."
        )

    return hold


def _job_costs_scope(company: Company) -> JobCostScope:
    return job_cost_scope(company)


def _job_costs_item(obj: ERPObject) -> Item:
    return {"origin_id": obj.origin_id}


def _no_core_sync(client: ProcoreClient, connection: Connection, items: list[Item]) -> SyncResult:
    raise TypeError("job costs are pushed job by job (EntitySpec.push), never in batches")


# -- Commitments (subcontracts and purchase orders, with their lines) ------------------------------
# Staged with their lines nested as ``children`` (erp_staged_records.md), one record per
# document, so ceil(N/1000) calls for N new documents. A document whose job or vendor Procore
# does not hold yet would wait unseen on Ready to Import (and could never be imported): it is
# held back with the reason, and the next run stages it once they are synced. Procore has no
# endpoint to update a commitment it holds (an imported document changes through change
# orders), so a change in the ERP to one is recorded without a call.


def _commitment_hold(company: Company) -> Callable[[ERPObject], str | None]:
    projects = object_link_origin_ids_in_procore(
        company_id=company.pk, item_types=[ItemType.PROJECT]
    )
    vendors = object_link_origin_ids_in_procore(company_id=company.pk, item_types=[ItemType.VENDOR])

    def hold(obj: ERPObject) -> str | None:
        missing = []
        if str(obj.data.get("project_origin_id")) not in projects:
            missing.append("its job is not synced with Procore yet (import or export the job)")
        if str(obj.data.get("vendor_origin_id")) not in vendors:
            missing.append(
                "its vendor is not synced with Procore yet (import or export the vendor)"
            )
        return "; ".join(missing) + ", then refresh commitments." if missing else None

    return hold


def _commitment_item(obj: ERPObject) -> Item:
    return {"origin_id": obj.origin_id}


def _commitments_kept(
    client: ProcoreClient, connection: Connection, items: list[Item]
) -> SyncResult:
    """Nothing to send: Procore keeps its own copy of a commitment it holds."""
    return SyncResult(entities=[{"origin_id": item["origin_id"]} for item in items])


COMMITMENTS_SPEC = EntitySpec(
    entity=Entity.COMMITMENTS,
    item_type=ItemType.WORK_ORDER_CONTRACT,
    link_types=(ItemType.WORK_ORDER_CONTRACT, ItemType.PURCHASE_ORDER_CONTRACT),
    mode=Mode.STAGED,
    singular="commitment",
    plural="commitments",
    core_sync=_commitments_kept,
    core_item=_commitment_item,
    hold=_commitment_hold,
)


SPECS: dict[str, EntitySpec] = {
    Entity.VENDORS: EntitySpec(
        entity=Entity.VENDORS,
        item_type=ItemType.VENDOR,
        mode=Mode.STAGED,
        singular="vendor",
        plural="vendors",
        core_sync=lambda client, connection, items: client.sync_vendors(items),
        core_item=_vendor_item,
    ),
    Entity.STANDARD_COST_CODES: EntitySpec(
        entity=Entity.STANDARD_COST_CODES,
        item_type=ItemType.STANDARD_COST_CODE,
        mode=Mode.DIRECT,
        singular="standard cost code",
        plural="standard cost codes",
        core_sync=lambda client, connection, items: client.sync_standard_cost_codes(
            standard_cost_code_list_id=connection.standard_cost_code_list_id, updates=items
        ),
        core_item=_direct_item,
        check=_require_cost_code_list,
    ),
    Entity.STANDARD_CATEGORIES: EntitySpec(
        entity=Entity.STANDARD_CATEGORIES,
        item_type=ItemType.LINE_ITEM_TYPE,
        mode=Mode.DIRECT,
        singular="cost type",
        plural="cost types",
        core_sync=lambda client, connection, items: client.sync_line_item_types(items),
        core_item=_direct_item,
    ),
    Entity.JOBS: EntitySpec(
        entity=Entity.JOBS,
        item_type=ItemType.PROJECT,
        mode=Mode.STAGED,
        singular="job",
        plural="jobs",
        core_sync=lambda client, connection, items: client.sync_projects(items),
        core_item=_project_item,
    ),
    Entity.SUB_JOBS: EntitySpec(
        entity=Entity.SUB_JOBS,
        item_type=ItemType.SUB_JOB,
        mode=Mode.STAGED,
        singular="sub job",
        plural="sub jobs",
        core_sync=_sync_sub_jobs,
        core_item=_sub_job_item,
        hold=_sub_job_stage_hold,
        hold_update=_sub_job_update_hold,
    ),
    Entity.JOB_COSTS: EntitySpec(
        entity=Entity.JOB_COSTS,
        item_type=ItemType.JOB_COSTS,
        mode=Mode.DIRECT,
        singular="job cost sheet",
        plural="job cost sheets",
        core_sync=_no_core_sync,
        core_item=_job_costs_item,
        hash_of=job_costs_hash,
        scope=_job_costs_scope,
        push=job_costs_push,
    ),
    Entity.COMMITMENTS: COMMITMENTS_SPEC,
    # -- Commitment change orders (sync_commitment_change_orders) --------------------------------
    Entity.COMMITMENT_CHANGE_ORDERS: EntitySpec(
        entity=Entity.COMMITMENT_CHANGE_ORDERS,
        item_type=ItemType.COMMITMENT_CHANGE_ORDER,
        mode=Mode.STAGED,
        singular="commitment change order",
        plural="commitment change orders",
        core_sync=change_order_refuse_updates,
        core_item=change_order_core_item,
        scope=change_order_scope,
        hold=change_order_hold,
    ),
}

# -- Prime contracts (events dictionary "Prime Contracts") --------------------------------------
# Staged with their lines as children (``parent_origin_id`` by nesting). Procore re-imports a
# prime contract marked imported, so one that changed in the ERP is staged again; Procore never
# tells the portal it imported one, so its link stays ``staged`` and planning re-stages it when
# its content changes, and archives it when it leaves the ERP.


def _prime_contracts_wait(company: Company) -> Callable[[ERPObject], str | None]:
    """A prime contract waits until its job is in Procore (synced): Procore shows staged
    project-level records only under a synced project."""
    synced = object_link_origin_ids_in_procore(company_id=company.pk, item_types=[ItemType.PROJECT])

    def reason(obj: ERPObject) -> str | None:
        project = str(obj.data.get("project_origin_id") or "")
        if project in synced:
            return None
        return (
            "not staged: its job is not synced with Procore yet; import the job (or export "
            "the project) first, and the next refresh stages it."
        )

    return reason


def _prime_contract_restage(
    client: ProcoreClient, connection: Connection, items: list[Item]
) -> SyncResult:
    """A prime contract the portal knows is in Procore is staged again (Procore re-imports it);
    the Procore ids of the answer are staged-record ids, so they are not kept."""
    result = client.sync_staged_records(items)
    result.entities = []
    return result


SPECS[Entity.PRIME_CONTRACTS] = EntitySpec(
    entity=Entity.PRIME_CONTRACTS,
    item_type=ItemType.PRIME_CONTRACT,
    mode=Mode.STAGED,
    singular="prime contract",
    plural="prime contracts",
    core_sync=_prime_contract_restage,
    core_item=lambda obj: {**obj.as_json(), "status": "staged"},
    hold=_prime_contracts_wait,
)


# -- Requisitions and payments (issue 11): payments the ERP recorded on invoices exported from
# Procore, upserted by origin id through invoice_payments/sync (sync_contract_payments).
SPECS[Entity.CONTRACT_PAYMENTS] = EntitySpec(
    entity=Entity.CONTRACT_PAYMENTS,
    item_type=ItemType.INVOICE_PAYMENT,
    mode=Mode.DIRECT,
    singular="payment",
    plural="payments",
    core_sync=lambda client, connection, items: client.sync_invoice_payments(items),
    core_item=_vendor_item,
)


def entity_spec(entity: str) -> EntitySpec:
    try:
        return SPECS[entity]
    except KeyError:
        known = ", ".join(sorted(SPECS))
        raise ValueError(f"{entity!r} cannot be imported (importable: {known})") from None
