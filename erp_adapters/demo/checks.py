"""The demo ERP's rules, written as the sentences an accountant reads in Procore's ERP tab.

Each ``check_*`` function returns every problem at once (an accountant fixes them in one go),
never raises for bad input, and is also run by ``create`` just before it writes.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from erp_adapters.base import (
    CommitmentChangeOrderExport,
    CommitmentExport,
    CostTypeExport,
    JobExport,
    ProcoreLineItem,
    StandardCostCodeExport,
    VendorExport,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.demo import limits
from erp_adapters.demo.models import (
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoVendor,
)
from erp_adapters.payload import as_dict, text

COMMITMENT_TYPES = {
    "WorkOrderContract": ("subcontract", "work_order_contract"),
    "PurchaseOrderContract": ("purchase_order", "purchase_order_contract"),
}
_TWO_LETTERS = re.compile(r"^[A-Za-z]{2}$")


def parse_guid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(text(value))
    except (ValueError, AttributeError, TypeError):
        return None


def parse_decimal(value: Any) -> Decimal | None:
    """A payload number (Procore sends amounts as strings), or None when it is not one."""
    if value is None or text(value) == "":
        return Decimal(0)
    try:
        number = Decimal(text(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Problems(list[str]):
    """Collects messages; helpers keep the wording the same across entities."""

    def missing(self, label: str, value: str, hint: str = "") -> None:
        if not value:
            self.append(f"{label} is missing; the ERP requires it.{hint}")

    def too_long(self, label: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self.append(f"{label} is longer than {limit} characters, the ERP's limit.")

    def two_letters(self, label: str, value: str, example: str) -> None:
        if value and not _TWO_LETTERS.match(value):
            self.append(f"{label} '{value}' must be a two-letter code, such as {example}.")


class Lookup:
    """Finds the ERP rows a payload refers to, by ERP id first, then by Procore id, then by
    code, caching within one check so a hundred lines with one cost code cost one query."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self._cache: dict[tuple[str, str], Any] = {}

    def _first(self, model, kind: str, key: str, **filters):
        cache_key = (kind, key)
        if cache_key not in self._cache:
            self._cache[cache_key] = model.objects.filter(tenant=self.tenant, **filters).first()
        return self._cache[cache_key]

    def by_ref(self, model, ref: dict[str, Any], *, code: str = "") -> Any:
        guid = parse_guid(ref.get("origin_id"))
        if guid is not None:
            found = self._first(model, model.__name__, f"guid:{guid}", guid=guid)
            if found is not None:
                return found
        procore_id = as_int(ref.get("id"))
        if procore_id is not None:
            found = self._first(model, model.__name__, f"pid:{procore_id}", procore_id=procore_id)
            if found is not None:
                return found
        if code:
            return self._first(model, model.__name__, f"code:{code}", code=code)
        return None

    def warm_cost_codes(self, refs: list[Any]) -> None:
        """Load every cost code ``refs`` may name in one query, so a job exporting hundreds of
        cost codes costs one query, not one per code; ``cost_code`` then reads the cache."""
        guids, procore_ids, codes = set(), set(), set()
        for ref in map(as_dict, refs):
            for value in (
                standard_part_of_cost_code_origin_id(text(ref.get("origin_id"))),
                ref.get("standard_cost_code_origin_id"),
            ):
                guid = parse_guid(value)
                if guid is not None:
                    guids.add(guid)
            if as_int(ref.get("standard_cost_code_id")) is not None:
                procore_ids.add(as_int(ref.get("standard_cost_code_id")))
            code = text(ref.get("full_code")) or text(ref.get("sortable_code"))
            if code:
                codes.add(code)
        kind = DemoCostCode.__name__
        found = DemoCostCode.objects.filter(tenant=self.tenant).filter(
            Q(guid__in=guids) | Q(procore_id__in=procore_ids) | Q(code__in=codes)
        )
        for key in [f"guid:{g}" for g in guids] + [f"pid:{p}" for p in procore_ids]:
            self._cache.setdefault((kind, key), None)
        for code in codes:
            self._cache.setdefault((kind, f"code:{code}"), None)
        for row in found:
            self._cache[(kind, f"guid:{row.guid}")] = row
            if row.procore_id is not None:
                self._cache[(kind, f"pid:{row.procore_id}")] = row
            self._cache[(kind, f"code:{row.code}")] = row

    def vendor(self, ref: dict[str, Any]) -> DemoVendor | None:
        return self.by_ref(DemoVendor, ref)

    def job(self, origin_id: Any, ref: dict[str, Any]) -> DemoJob | None:
        return self.by_ref(DemoJob, {**ref, "origin_id": text(origin_id) or ref.get("origin_id")})

    def commitment(self, ref: dict[str, Any]) -> DemoCommitment | None:
        return self.by_ref(DemoCommitment, ref)

    def cost_code(self, ref: dict[str, Any]) -> DemoCostCode | None:
        origin_id = text(ref.get("origin_id"))
        by_guid = {"origin_id": standard_part_of_cost_code_origin_id(origin_id)}
        found = self.by_ref(DemoCostCode, by_guid)
        if found is None and ref.get("standard_cost_code_origin_id"):
            found = self.by_ref(DemoCostCode, {"origin_id": ref["standard_cost_code_origin_id"]})
        if found is None:
            found = self.by_ref(DemoCostCode, {"id": ref.get("standard_cost_code_id")})
        if found is None:
            code = text(ref.get("full_code")) or text(ref.get("sortable_code"))
            found = self.by_ref(DemoCostCode, {}, code=code)
        return found

    def cost_type(self, ref: dict[str, Any]) -> DemoCostType | None:
        return self.by_ref(
            DemoCostType,
            {"origin_id": ref.get("origin_id"), "id": ref.get("id")},
            code=text(ref.get("code")),
        )

    def commitment_line(
        self, commitment: DemoCommitment | None, procore_line_id: Any
    ) -> DemoCommitmentLine | None:
        line_id = as_int(procore_line_id)
        if commitment is None or line_id is None:
            return None
        return commitment.lines.filter(procore_id=line_id).first()


def cost_code_label(ref: dict[str, Any]) -> str:
    code = text(ref.get("full_code")) or text(ref.get("sortable_code")) or text(ref.get("code"))
    name = text(ref.get("name"))
    return f"{code} '{name}'" if name else code or "(no code)"


# ---------------------------------------------------------------------------------------------


def check_vendor(
    tenant: str, payload: VendorExport, *, existing: DemoVendor | None = None
) -> Problems:
    """``existing``: the ERP vendor an update changes (its own name is no duplicate, and its
    code stays, whatever Procore sends)."""
    problems = Problems()
    vendor = as_dict(as_dict(payload).get("vendor"))
    if not vendor:
        problems.append("The export carries no vendor.")
        return problems
    name = text(vendor.get("name")) or text(vendor.get("company"))
    problems.missing("Vendor name", name)
    problems.too_long("Vendor name", name, limits.VENDOR_NAME)
    code = text(vendor.get("origin_code"))
    problems.too_long("Vendor code", code, limits.VENDOR_CODE)
    for label, key, limit in (
        ("Vendor address", "address", limits.ADDRESS),
        ("Vendor city", "city", limits.CITY),
        ("Vendor ZIP code", "zip", limits.ZIP),
        ("Vendor business phone", "business_phone", limits.PHONE),
        ("Vendor email address", "email_address", limits.EMAIL),
        ("Vendor website", "website", limits.WEBSITE),
    ):
        problems.too_long(label, text(vendor.get(key)), limit)
    problems.two_letters("State", text(vendor.get("state_code")), "CA")
    problems.two_letters("Country", text(vendor.get("country_code")), "US")
    email = text(vendor.get("email_address"))
    if email and "@" not in email:
        problems.append(f"Email address '{email}' is not an email address.")

    vendors = DemoVendor.objects.filter(tenant=tenant)
    if existing is not None:
        vendors = vendors.exclude(pk=existing.pk)
        code = ""
    if name:
        same_name = vendors.filter(name__iexact=name).only("code", "name").first()
        if same_name is not None:
            problems.append(
                f"Vendor '{same_name.name}' already exists in the ERP with code {same_name.code}."
            )
    if code:
        same_code = vendors.filter(code=code).only("code", "name").first()
        if same_code is not None:
            problems.append(
                f"Vendor code '{code}' is already used in the ERP by '{same_code.name}'."
            )
    return problems


def check_job(tenant: str, payload: JobExport, *, existing: DemoJob | None) -> Problems:
    """Job messages that concern the code contain the word "code": Procore then lets the user
    type a new ERP code when exporting again (procore-erp-api.md a.5)."""
    problems = Problems()
    job = as_dict(as_dict(payload).get("job"))
    if not job:
        problems.append("The export carries no project.")
        return problems
    name = text(job.get("name"))
    problems.missing("Job name", name)
    problems.too_long("Job name", name, limits.JOB_NAME)
    for label, key, limit in (
        ("Job address", "address", limits.ADDRESS),
        ("Job city", "city", limits.CITY),
        ("Job ZIP code", "zip", limits.ZIP),
    ):
        problems.too_long(label, text(job.get(key)), limit)
    problems.two_letters("State", text(job.get("state_code")), "CA")
    problems.two_letters("Country", text(job.get("country_code")), "US")

    if existing is None:
        code = text(job.get("origin_code"))
        problems.missing("Job code", code, " Enter the ERP job code in Procore and export again.")
        if len(code) > limits.JOB_CODE:
            problems.append(
                f"Job code '{code}' is longer than {limits.JOB_CODE} characters, the ERP's "
                "limit. Enter a shorter code and export again."
            )
        elif code:
            taken = DemoJob.objects.filter(tenant=tenant, code=code).only("name").first()
            if taken is not None:
                problems.append(
                    f"Job code '{code}' is already used in the ERP by job '{taken.name}'. "
                    "Enter another code and export again."
                )
    lookup = Lookup(tenant)
    refs = as_dict(payload).get("all_cost_codes") or []
    lookup.warm_cost_codes(refs)
    for ref in refs:
        ref = as_dict(ref)
        if lookup.cost_code(ref) is None:
            problems.append(f"Cost code {cost_code_label(ref)} is not in the ERP's cost code list.")
    return problems


def check_standard_cost_code(tenant: str, payload: StandardCostCodeExport) -> Problems:
    problems = Problems()
    item = as_dict(payload)
    full_code = text(item.get("full_code")) or text(item.get("code"))
    name = text(item.get("name"))
    problems.missing("Cost code", full_code)
    problems.too_long(f"Cost code {full_code}", full_code, limits.COST_CODE)
    problems.missing(f"Cost code {full_code} name", name)
    problems.too_long(f"Cost code {full_code} name", name, limits.COST_CODE_NAME)
    if full_code:
        taken = DemoCostCode.objects.filter(tenant=tenant, code=full_code).only("name").first()
        if taken is not None:
            problems.append(f"Cost code {full_code} already exists in the ERP ('{taken.name}').")
    if parent_reference_given(item) and resolve_parent(Lookup(tenant), item) is None:
        problems.append(
            f"The parent of cost code {full_code} is not in the ERP; export the parent first."
        )
    return problems


def parent_reference_given(item: dict[str, Any]) -> bool:
    full_code = text(item.get("full_code"))
    return bool(
        text(item.get("parent_origin_id"))
        or as_int(item.get("parent_id")) is not None
        or "-" in full_code
    )


def resolve_parent(lookup: Lookup, item: dict[str, Any]) -> DemoCostCode | None:
    full_code = text(item.get("full_code"))
    parent_code = full_code.rsplit("-", 1)[0] if "-" in full_code else ""
    return lookup.by_ref(
        DemoCostCode,
        {"origin_id": item.get("parent_origin_id"), "id": item.get("parent_id")},
        code=parent_code,
    )


def check_cost_type(tenant: str, payload: CostTypeExport) -> Problems:
    problems = Problems()
    item = as_dict(payload)
    code = text(item.get("code"))
    name = text(item.get("name"))
    problems.missing("Cost type code", code)
    problems.too_long(f"Cost type code '{code}'", code, limits.COST_TYPE_CODE)
    problems.missing("Cost type name", name)
    problems.too_long(f"Cost type '{name}' name", name, limits.COST_TYPE_NAME)
    if code:
        taken = DemoCostType.objects.filter(tenant=tenant, code=code).only("name").first()
        if taken is not None:
            problems.append(f"Cost type {code} already exists in the ERP ('{taken.name}').")
    return problems


def check_lines(problems: Problems, lookup: Lookup, items: list[ProcoreLineItem]) -> None:
    for index, item in enumerate(items, start=1):
        item = as_dict(item)
        label = f"Line {as_int(item.get('position')) or index}"
        problems.too_long(
            f"{label} description", text(item.get("description")), limits.LINE_DESCRIPTION
        )
        problems.too_long(f"{label} unit of measure", text(item.get("uom")), limits.UOM)
        for field in ("amount", "quantity", "unit_cost"):
            number = parse_decimal(item.get(field))
            if number is None:
                problems.append(
                    f"{label} {field.replace('_', ' ')} '{item.get(field)}' is not a number."
                )
            elif abs(number) >= Decimal(10) ** 12:
                problems.append(f"{label} {field.replace('_', ' ')} is larger than the ERP allows.")
        cost_code = as_dict(item.get("cost_code"))
        if not cost_code:
            problems.append(f"{label} has no cost code; the ERP requires one.")
        elif lookup.cost_code(cost_code) is None:
            problems.append(
                f"{label}: cost code {cost_code_label(cost_code)} is not in the ERP's cost code list."
            )
        cost_type = as_dict(item.get("line_item_type"))
        if not cost_type:
            problems.append(f"{label} has no cost type; the ERP requires one.")
        elif lookup.cost_type(cost_type) is None:
            problems.append(
                f"{label}: cost type '{text(cost_type.get('name'))}' "
                f"({text(cost_type.get('code'))}) is not in the ERP."
            )


def check_commitment(tenant: str, payload: CommitmentExport) -> Problems:
    problems = Problems()
    data = as_dict(payload)
    commitment = as_dict(data.get("commitment"))
    if not commitment:
        problems.append("The export carries no commitment.")
        return problems
    lookup = Lookup(tenant)
    kind = text(commitment.get("type"))
    if kind not in COMMITMENT_TYPES:
        problems.append(f"Commitment type '{kind}' is neither a subcontract nor a purchase order.")
    number = text(commitment.get("number"))
    problems.missing("Commitment number", number)
    problems.too_long(f"Commitment number '{number}'", number, limits.COMMITMENT_NUMBER)
    title = text(commitment.get("title"))
    problems.too_long("Commitment title", title, limits.COMMITMENT_TITLE)

    project = as_dict(commitment.get("project"))
    job = lookup.job(data.get("job_id"), project)
    if job is None:
        problems.append(
            f"Job '{text(project.get('name')) or text(data.get('job_id'))}' is not in the ERP; "
            "export the project first."
        )
    vendor_ref = as_dict(commitment.get("vendor"))
    if lookup.vendor(vendor_ref) is None:
        vendor_name = text(vendor_ref.get("company")) or text(vendor_ref.get("name"))
        problems.append(
            f"Vendor '{vendor_name or '(none)'}' is not in the ERP; export the vendor first."
            if vendor_ref
            else "The commitment has no vendor; the ERP requires one."
        )
    if (
        job is not None
        and number
        and DemoCommitment.objects.filter(job=job, number=number).exists()
    ):
        problems.append(f"Commitment {number} already exists on job {job.code} in the ERP.")
    items = data.get("commitment_items") or []
    if not items:
        problems.append("The commitment has no line items; the ERP needs at least one.")
    check_lines(problems, lookup, items)
    return problems


def check_change_order(tenant: str, payload: CommitmentChangeOrderExport) -> Problems:
    problems = Problems()
    data = as_dict(payload)
    change_order = as_dict(data.get("change_order"))
    if not change_order:
        problems.append("The export carries no change order.")
        return problems
    lookup = Lookup(tenant)
    commitment_ref = as_dict(data.get("commitment"))
    commitment = lookup.commitment(commitment_ref)
    if commitment is None:
        problems.append(
            f"Commitment {text(commitment_ref.get('number')) or '(unknown)'} is not in the ERP; "
            "export the commitment first."
        )
    number = text(change_order.get("number"))
    problems.missing("Change order number", number)
    problems.too_long(f"Change order number '{number}'", number, limits.CHANGE_ORDER_NUMBER)
    title = text(change_order.get("title"))
    problems.too_long("Change order title", title, limits.CHANGE_ORDER_TITLE)
    if (
        commitment is not None
        and number
        and commitment.change_orders.filter(number=number).exists()
    ):
        problems.append(
            f"Change order {number} already exists on commitment {commitment.number} in the ERP."
        )
    items = data.get("change_order_items") or []
    if not items:
        problems.append("The change order has no line items; the ERP needs at least one.")
    check_lines(problems, lookup, items)
    return problems
