"""The demo ERP behind the adapter interface: listing, constraint checks and idempotent creates.

Idempotency: every row created from a Procore export stores the Procore id under a unique
constraint per tenant. ``create`` looks for it first; if another worker inserts the same
Procore object between that look and our insert, the insert fails on the constraint inside a
savepoint, and we return the winner's row. So one Procore object is one ERP row, however
often or concurrently the export is delivered.

A job's cost structure (sub jobs, job cost codes and their cost types, budgets, the deletes
Procore asks for) is written by ``cost_structure``; ``Jobs``, ``SubJobs`` and ``Budgets`` here are
its doors. Called by no flow yet: ``Commitments`` and ``CommitmentChangeOrders``, and ``create`` of
``CostTypes``; they are kept, and tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import DatabaseError, transaction

from erp_adapters.base import (
    Adapter,
    BudgetExport,
    BudgetResult,
    CommitmentChangeOrderExport,
    CommitmentExport,
    ConstraintViolation,
    CostCodeDeletion,
    CostTypeAssignmentDeletion,
    CostTypeExport,
    CreateResult,
    Deletion,
    DocumentRef,
    DocumentStanding,
    Entity,
    ERPObject,
    ExternalLink,
    HealthState,
    HealthStatus,
    JobCostStructure,
    JobExport,
    ProcoreRef,
    StandardCostCodeExport,
    SubJobExport,
    VendorExport,
)
from erp_adapters.demo import (
    change_orders,
    checks,
    commitments,
    cost_structure,
    job_cost_listing,
    listing,
)
from erp_adapters.demo.checks import Lookup, as_dict, as_int, text
from erp_adapters.demo.entity import DemoEntity, line_links, line_values
from erp_adapters.demo.models import (
    ChangeOrderStatus,
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCost,
    DemoSubJob,
    DemoVendor,
)
from erp_adapters.demo.payapps_direct_costs import DirectCosts, PaymentApplications
from erp_adapters.demo.prime_contracts import PrimeContractChangeOrders, PrimeContracts
from erp_adapters.demo.requisitions import ContractPayments, Requisitions
from erp_adapters.money import amount, to_erp

SETTINGS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Demo ERP",
    "type": "object",
    "properties": {
        "tenant": {
            "title": "Books (tenant)",
            "description": "which set of books in the demo ERP: 1 to 64 lowercase letters, "
            "digits, '-' or '_', starting with a letter or digit",
            "type": "string",
            "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$",
            "default": "demo",
        },
        "page_size": {
            "title": "Page size",
            "description": "how many objects one query reads when listing, 1 to 5000",
            "type": "integer",
            "minimum": 1,
            "maximum": 5000,
            "default": 1000,
        },
        "offline": {
            "title": "Pretend to be offline",
            "description": "true or false; when true every call fails as if the ERP were "
            "unreachable (to demonstrate retries)",
            "type": "boolean",
            "default": False,
        },
    },
    "additionalProperties": False,
}


class Vendors(DemoEntity):
    entity = Entity.VENDORS
    model = DemoVendor
    CODE_PREFIX = "V-"
    CODE_DIGITS = 6
    CODE_ATTEMPTS = 10

    lister = staticmethod(listing.list_vendors)
    payload_key = "vendor"
    what = "vendor"

    def rules(self, payload: VendorExport) -> Any:
        return checks.check_vendor(self.tenant, payload)

    def create(self, payload: VendorExport) -> CreateResult:
        """Like every entity's, but the ERP assigns the next free code when Procore sends none,
        and a code taken by a concurrent export is retried with the next number."""
        with self.reachable():
            vendor = self.header(payload)
            procore_id = self.require_procore_id(vendor.get("id"), self.what)
            row = self.existing(procore_id)
            if row is not None:
                return self.result(row, created=False)
            problems = self.check_create(payload)
            if problems:
                raise ConstraintViolation(problems)
            requested_code = text(vendor.get("origin_code"))
            # An ERP-assigned code can collide with a concurrent create, whose row this
            # transaction may not see yet: move on to the number after the one taken, rather
            # than reading the same "next" code again.
            code = ""
            for _attempt in range(self.CODE_ATTEMPTS):
                code = requested_code or (self.code_after(code) if code else self.next_code())
                try:
                    row, created = self.insert_once(
                        procore_id,
                        lambda code=code: self.build_with_code(vendor, procore_id, code),
                        payload,
                    )
                except ConstraintViolation:
                    if requested_code:
                        raise
                    continue
                return self.result(row, created=created)
            raise ConstraintViolation(
                [
                    "The ERP could not assign a vendor code because of concurrent exports. "
                    "Export the vendor again."
                ]
            )

    def find_exported(self, vendor: dict[str, Any]) -> DemoVendor | None:
        """The ERP vendor a re-export names: by its ERP id (origin id), else its Procore id."""
        guid = checks.parse_guid(vendor.get("origin_id"))
        if guid is not None:
            found = DemoVendor.objects.filter(tenant=self.tenant, guid=guid).first()
            if found is not None:
                return found
        return self.existing(as_int(vendor.get("id")))

    def check_update(self, payload: VendorExport) -> list[str]:
        with self.reachable():
            vendor = self.header(payload)
            row = self.find_exported(vendor)
            if row is None:
                name = text(vendor.get("name")) or text(vendor.get("company"))
                return [
                    f"Vendor '{name}' is no longer in the ERP, so it cannot be updated. Unlink it "
                    "in Procore, then export it again."
                ]
            return list(checks.check_vendor(self.tenant, payload, existing=row))

    def update(self, payload: VendorExport) -> CreateResult:
        """Name, trade, address and contacts follow Procore; the vendor code stays."""
        with self.reachable():
            problems = self.check_update(payload)
            if problems:
                raise ConstraintViolation(problems)
            vendor = self.header(payload)
            row = self.find_exported(vendor)
            values = self.vendor_values(vendor)
            procore_id = as_int(vendor.get("id"))
            if procore_id is not None and row.procore_id != procore_id:
                values["procore_id"] = procore_id
            DemoVendor.objects.filter(pk=row.pk).update(**values)
            row.refresh_from_db()
            return self.result(row, created=False)

    def vendor_values(self, vendor: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": text(vendor.get("name")) or text(vendor.get("company")),
            "trade": text(vendor.get("trade_name"))[:40],
            "address": text(vendor.get("address")),
            "city": text(vendor.get("city")),
            "state_code": text(vendor.get("state_code")).upper(),
            "zip": text(vendor.get("zip")),
            "country_code": text(vendor.get("country_code")).upper() or "US",
            "business_phone": text(vendor.get("business_phone")),
            "email_address": text(vendor.get("email_address")),
            "website": text(vendor.get("website")),
            "is_active": vendor.get("is_active") is not False,
        }

    def next_code(self) -> str:
        last = (
            DemoVendor.objects.filter(tenant=self.tenant, code__startswith=self.CODE_PREFIX)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        return self.code_after(last or "")

    def code_after(self, code: str) -> str:
        suffix = code[len(self.CODE_PREFIX) :]
        number = int(suffix) + 1 if suffix.isdigit() else 1
        return f"{self.CODE_PREFIX}{number:0{self.CODE_DIGITS}d}"

    def build_with_code(self, vendor: dict[str, Any], procore_id: int, code: str) -> DemoVendor:
        return DemoVendor.objects.create(
            tenant=self.tenant, procore_id=procore_id, code=code, **self.vendor_values(vendor)
        )

    def result(self, row: DemoVendor, *, created: bool) -> CreateResult:
        links = (ExternalLink("vendor", row.procore_id, str(row.guid)),)
        return CreateResult(str(row.guid), row.code, created, links)


class Jobs(DemoEntity):
    """``create_or_update_job``: a job the ERP does not hold is created; one it holds (by
    Procore id, or by the origin id of a job imported from the ERP) is updated: name and
    address; the job code, once in the ERP, stays. Either way the exported cost codes are opened
    on the job with their cost types. Also the deletes Procore asks for and the resets."""

    entity = Entity.JOBS
    model = DemoJob
    UPDATABLE = ("name", "address", "city", "state_code", "zip", "country_code")

    lister = staticmethod(listing.list_jobs)

    def find(self, job: dict[str, Any]) -> DemoJob | None:
        found = self.existing(as_int(job.get("id")))
        if found is None and checks.parse_guid(job.get("origin_id")) is not None:
            found = DemoJob.objects.filter(
                tenant=self.tenant, guid=checks.parse_guid(job.get("origin_id"))
            ).first()
        return found

    def check_create(self, payload: JobExport) -> list[str]:
        with self.reachable():
            job = as_dict(as_dict(payload).get("job"))
            problems = checks.check_job(self.tenant, payload, existing=self.find(job))
            cost_structure.check_cost_types(problems, Lookup(self.tenant), payload)
            return list(problems)

    def create(self, payload: JobExport) -> CreateResult:
        with self.reachable():
            job = as_dict(as_dict(payload).get("job"))
            procore_id = self.require_procore_id(job.get("id"), "project")
            problems = self.check_create(payload)
            if problems:
                raise ConstraintViolation(problems)
            values = self.values(job)
            row = self.find(job)
            if row is None:
                row, created = self.insert_once(
                    procore_id,
                    lambda: DemoJob.objects.create(
                        tenant=self.tenant,
                        procore_id=procore_id,
                        code=text(job.get("origin_code")),
                        **values,
                    ),
                    payload,
                )
            else:
                created = False
            if not created:
                changed = {k: v for k, v in values.items() if getattr(row, k) != v}
                if row.procore_id != procore_id:
                    changed["procore_id"] = procore_id
                if changed:
                    DemoJob.objects.filter(pk=row.pk).update(**changed)
                    row.refresh_from_db()
            with transaction.atomic():
                links, assignments = cost_structure.open_cost_codes(
                    self.tenant, row, None, as_dict(payload).get("all_cost_codes")
                )
            header = ExternalLink("project", procore_id, str(row.guid))
            return CreateResult(
                str(row.guid), row.code, created, (header, *links), tuple(assignments)
            )

    def values(self, job: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": text(job.get("name")),
            "address": text(job.get("address")),
            "city": text(job.get("city")),
            "state_code": text(job.get("state_code")).upper(),
            "zip": text(job.get("zip")),
            "country_code": text(job.get("country_code")).upper() or "US",
        }

    def release(self, project: ProcoreRef) -> tuple[ExternalLink, ...]:
        with self.reachable():
            ref = as_dict(project)
            job = Lookup(self.tenant).job(ref.get("origin_id"), ref)
            return tuple(cost_structure.job_release(self.tenant, job)) if job else ()

    def delete_cost_code(self, item: CostCodeDeletion) -> Deletion:
        with self.reachable():
            return cost_structure.cost_code_delete(self.tenant, item)

    def delete_cost_type_assignment(self, item: CostTypeAssignmentDeletion) -> Deletion:
        with self.reachable():
            return cost_structure.cost_type_assignment_delete(self.tenant, item)

    def release_cost_codes(self, origin_ids: list[str]) -> tuple[ExternalLink, ...]:
        with self.reachable():
            return tuple(cost_structure.cost_codes_release(self.tenant, origin_ids))

    # -- jobs: sync_single_job (a contiguous block) --
    def get(self, origin_id: str) -> ERPObject | None:
        guid = checks.parse_guid(origin_id)
        if guid is None:
            return None
        with self.reachable():
            row = DemoJob.objects.filter(tenant=self.tenant, guid=guid).values(*listing.JOB_FIELDS)
            found = row.first()
            return None if found is None else listing.job_object(found)


class SubJobs(DemoEntity):
    """``create_sub_job``: a sub job under a job the ERP holds, with its own cost codes; a
    second export of the same sub job updates its name and opens new cost codes."""

    entity = Entity.SUB_JOBS
    model = DemoSubJob

    lister = staticmethod(cost_structure.list_sub_jobs)

    def find(self, sub_job: dict[str, Any]) -> DemoSubJob | None:
        return self.existing(as_int(sub_job.get("id"))) or cost_structure.find_sub_job(
            self.tenant, {"origin_id": sub_job.get("origin_id")}
        )

    def check_create(self, payload: SubJobExport) -> list[str]:
        with self.reachable():
            sub_job = as_dict(as_dict(payload).get("sub_job"))
            return list(
                cost_structure.check_sub_job(self.tenant, payload, existing=self.find(sub_job))
            )

    def create(self, payload: SubJobExport) -> CreateResult:
        with self.reachable():
            data = as_dict(payload)
            sub_job = as_dict(data.get("sub_job"))
            procore_id = self.require_procore_id(sub_job.get("id"), "sub job")
            problems = self.check_create(payload)
            if problems:
                raise ConstraintViolation(problems)
            project = as_dict(sub_job.get("project"))
            job = Lookup(self.tenant).job(project.get("origin_id"), project)
            row = self.find(sub_job)
            created = False
            if row is None:
                row, created = self.insert_once(
                    procore_id,
                    lambda: DemoSubJob.objects.create(
                        tenant=self.tenant,
                        procore_id=procore_id,
                        job=job,
                        code=text(sub_job.get("code")),
                        name=text(sub_job.get("name")),
                    ),
                    payload,
                )
            else:
                DemoSubJob.objects.filter(pk=row.pk).update(
                    name=text(sub_job.get("name")), procore_id=procore_id
                )
            with transaction.atomic():
                links, assignments = cost_structure.open_cost_codes(
                    self.tenant, row.job, row, data.get("all_cost_codes")
                )
            header = ExternalLink("sub_job", procore_id, str(row.guid))
            return CreateResult(
                str(row.guid), row.code, created, (header, *links), tuple(assignments)
            )

    def release(self, sub_job: ProcoreRef) -> tuple[ExternalLink, ...]:
        with self.reachable():
            row = cost_structure.find_sub_job(self.tenant, sub_job)
            return tuple(cost_structure.sub_job_release(row)) if row else ()


class Budgets:
    """``create_budget`` / ``update_budget`` and ``create_budget_in_procore``."""

    entity = Entity.BUDGETS

    def __init__(self, adapter: DemoAdapter) -> None:
        self.helper = DemoEntity(adapter)

    def check_export(self, payload: BudgetExport) -> list[str]:
        with self.helper.reachable():
            plan = cost_structure.BudgetPlan(self.helper.tenant, payload)
            return list(dict.fromkeys(plan.problems))

    def export(self, payload: BudgetExport) -> BudgetResult:
        with self.helper.reachable():
            return cost_structure.budget_export(self.helper.tenant, payload)

    def note_imported(self, project_origin_id: str, budget_id: int) -> str | None:
        with self.helper.reachable():
            return cost_structure.budget_note_imported(
                self.helper.tenant, project_origin_id, budget_id
            )


class StandardCostCodes(DemoEntity):
    """Creates one cost code per call: the engine walks the `create_standard_cost_codes`
    list (parents first) and closes each item's Request Detail with its own outcome."""

    entity = Entity.STANDARD_COST_CODES
    model = DemoCostCode

    lister = staticmethod(listing.list_standard_cost_codes)
    what = "cost code"

    def rules(self, payload: StandardCostCodeExport) -> Any:
        return checks.check_standard_cost_code(self.tenant, payload)

    def build(self, payload: StandardCostCodeExport, procore_id: int) -> DemoCostCode:
        item = as_dict(payload)
        parent = (
            checks.resolve_parent(Lookup(self.tenant), item)
            if checks.parent_reference_given(item)
            else None
        )
        return DemoCostCode.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            code=text(item.get("full_code")) or text(item.get("code")),
            name=text(item.get("name")),
            parent=parent,
        )

    def result(self, row: DemoCostCode, *, created: bool) -> CreateResult:
        links = (ExternalLink("standard_cost_code", row.procore_id, str(row.guid)),)
        return CreateResult(str(row.guid), row.code, created, links)


class CostTypes(DemoEntity):
    entity = Entity.STANDARD_CATEGORIES
    model = DemoCostType

    lister = staticmethod(listing.list_cost_types)
    what = "cost type"

    def rules(self, payload: CostTypeExport) -> Any:
        return checks.check_cost_type(self.tenant, payload)

    def build(self, payload: CostTypeExport, procore_id: int) -> DemoCostType:
        item = as_dict(payload)
        return DemoCostType.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            code=text(item.get("code")),
            name=text(item.get("name")),
        )

    def result(self, row: DemoCostType, *, created: bool) -> CreateResult:
        links = (ExternalLink("line_item_type", row.procore_id, str(row.guid)),)
        return CreateResult(str(row.guid), row.code, created, links)


class Commitments(DemoEntity):
    """Subcontracts and purchase orders with their lines (``create_commitment``,
    ``sync_commitments``, ``unlink_commitment``); the rules and the one-transaction write are
    in ``demo.commitments``."""

    entity = Entity.COMMITMENTS
    model = DemoCommitment

    lister = staticmethod(listing.list_commitments)
    payload_key = "commitment"
    what = "commitment"

    def check_create(self, payload: CommitmentExport) -> list[str]:
        with self.reachable():
            row = self.existing(as_int(self.header(payload).get("id")))
            if row is not None:
                return commitments.commitment_refusal_if_void(row)
            return list(dict.fromkeys(commitments.CommitmentPlan(self.tenant, payload).problems))

    def create(self, payload: CommitmentExport) -> CreateResult:
        """Idempotent on the Procore id: a re-delivered or retried export finds the document
        (and its lines) and returns it with ``created=False``; a refused line leaves nothing."""
        with self.reachable():
            procore_id = self.require_procore_id(self.header(payload).get("id"), self.what)
            row = self.existing(procore_id)
            if row is None:
                plan = commitments.CommitmentPlan(self.tenant, payload)
                if plan.problems:
                    raise ConstraintViolation(list(dict.fromkeys(plan.problems)))
                row, created = self.insert_once(
                    procore_id, lambda: commitments.commitment_write(plan, procore_id), payload
                )
            else:
                created = False
            refusal = commitments.commitment_refusal_if_void(row)
            if refusal:
                raise ConstraintViolation(refusal)
            return self.result(row, created=created)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        with self.reachable():
            return commitments.commitment_standing(self.tenant, ref)

    def result(self, row: DemoCommitment, *, created: bool) -> CreateResult:
        item_type = dict(checks.COMMITMENT_TYPES.values())[row.kind]
        header = ExternalLink(item_type, row.procore_id, str(row.guid))
        lines = line_links(row.lines.order_by("position", "id"))
        return CreateResult(str(row.guid), row.number, created, (header, *lines))


class CommitmentChangeOrders(DemoEntity):
    """Commitment change orders with their lines (``create_commitment_change_order``), created
    whole or not at all; their rules are ``change_orders``'. A void one stays void: exported
    again it is refused, never linked back to Procore."""

    entity = Entity.COMMITMENT_CHANGE_ORDERS
    model = DemoChangeOrder

    lister = staticmethod(listing.list_change_orders)
    payload_key = "change_order"
    what = "change order"

    def rules(self, payload: CommitmentChangeOrderExport) -> Any:
        return change_orders.check_change_order(self.tenant, payload)

    def check_create(self, payload: Any) -> list[str]:
        with self.reachable():
            existing = self.existing(as_int(self.header(payload).get("id")))
            if existing is not None and existing.status == ChangeOrderStatus.VOID:
                return [self._void_message(existing)]
        return super().check_create(payload)

    def create(self, payload: Any) -> CreateResult:
        with self.reachable():
            existing = self.existing(as_int(self.header(payload).get("id")))
            if existing is not None and existing.status == ChangeOrderStatus.VOID:
                raise ConstraintViolation([self._void_message(existing)])
        return super().create(payload)

    @staticmethod
    def _void_message(row: DemoChangeOrder) -> str:
        return (
            f"Change order {row.number} on commitment {row.commitment.number} is void in the "
            "ERP; a void change order cannot be exported again. Create a new change order in "
            "Procore."
        )

    def build(self, payload: CommitmentChangeOrderExport, procore_id: int) -> DemoChangeOrder:
        data, change_order = as_dict(payload), self.header(payload)
        lookup = Lookup(self.tenant)
        commitment = lookup.commitment(as_dict(data.get("commitment")))
        header = DemoChangeOrder.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            commitment=commitment,
            number=text(change_order.get("number")),
            title=text(change_order.get("title")),
            description=text(change_order.get("description")),
            status=change_orders.status_of(change_order.get("status")),
        )
        lines = []
        for n, item in enumerate(map(as_dict, data.get("change_order_items") or []), start=1):
            values = line_values(item, lookup, n)
            values["amount"] = to_erp(amount(item.get("amount")))
            values["commitment_line"] = lookup.commitment_line(
                commitment, item.get("commitment_line_item_id")
            )
            lines.append(DemoChangeOrderLine(tenant=self.tenant, change_order=header, **values))
        DemoChangeOrderLine.objects.bulk_create(lines)
        return header

    def result(self, row: DemoChangeOrder, *, created: bool) -> CreateResult:
        header = ExternalLink("change_order", row.procore_id, str(row.guid))
        lines = line_links(row.lines.order_by("position", "id"))
        return CreateResult(str(row.guid), row.number, created, (header, *lines))

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        with self.reachable():
            return change_orders.standing(self.tenant, ref)


# -- Job costs, imported into Procore (sub jobs are listed by ``SubJobs`` above) -----------------


class JobCosts(DemoEntity):
    """Job costs (``Entity.JOB_COSTS``): a summary per job and sub job, and its rows on demand."""

    entity = Entity.JOB_COSTS
    model = DemoJobCost

    lister = staticmethod(job_cost_listing.list_job_costs)

    def summary(self, origin_id: str) -> ERPObject | None:
        with self.reachable():
            return job_cost_listing.job_costs_summary(self.tenant, origin_id)

    def structure(self, origin_id: str) -> JobCostStructure | None:
        with self.reachable():
            return job_cost_listing.job_costs_structure(self.tenant, origin_id)


class DemoAdapter(Adapter):
    """An ERP kept in the portal's own tables (``erp_adapters.demo.models``), one set of books
    per tenant; see docs/adapters.md."""

    key = "demo"
    label = "Demo ERP"
    settings_schema = SETTINGS_SCHEMA

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.tenant: str = self.settings["tenant"]
        self._entities: dict[Entity, Any] = {
            cls.entity: cls(self)
            for cls in (
                Vendors,
                Jobs,
                SubJobs,
                Budgets,
                StandardCostCodes,
                CostTypes,
                Commitments,
                CommitmentChangeOrders,
                JobCosts,
            )
        }
        for cls in (
            PaymentApplications,
            DirectCosts,
            PrimeContracts,
            PrimeContractChangeOrders,
            Requisitions,
            ContractPayments,
        ):
            self._entities[cls.entity] = cls(self)

    def entities(self) -> Mapping[Entity, Any]:
        return self._entities

    def health_check(self) -> HealthStatus:
        if self.settings["offline"]:
            return HealthStatus(
                HealthState.FAILING, "The demo ERP is offline (its 'offline' setting is on)."
            )
        try:
            counts = {
                "vendors": DemoVendor.objects.filter(tenant=self.tenant).count(),
                "jobs": DemoJob.objects.filter(tenant=self.tenant).count(),
                "cost_codes": DemoCostCode.objects.filter(tenant=self.tenant).count(),
                "cost_types": DemoCostType.objects.filter(tenant=self.tenant).count(),
            }
        except DatabaseError as exc:
            return HealthStatus(
                HealthState.FAILING, f"The demo ERP's database did not answer: {exc}"
            )
        books = f"Demo ERP books '{self.tenant}'"
        missing = [
            name.replace("_", " ") for name in ("cost_codes", "cost_types") if not counts[name]
        ]
        if missing:
            return HealthStatus(
                HealthState.DEGRADED,
                f"{books} have no {' and no '.join(missing)}: commitments and change orders "
                "cannot be exported until they exist (run seed_demo_erp).",
                counts,
            )
        summary = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())
        return HealthStatus(HealthState.OK, f"{books}: {summary}.", counts)
