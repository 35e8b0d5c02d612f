"""The demo ERP behind the prime contract interfaces: listing the owner contracts of its jobs for
Procore to import, and taking Procore's prime contract change orders with their lines and
markups, whole or not at all.

The rules an accountant meets (``check_prime_contract_change_order``): the change order's prime
contract must be in the ERP and not void, its job open; its number is unique on the contract;
every line posts to a cost code and cost type in the ERP's lists; a line's amount is its own
amount plus its markups; a markup's destination cost code and cost type, when named, are known.
A void change order is never revived: Procore must unlink it, and a new export makes a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
    ExternalLink,
    PrimeContractChangeOrderExport,
)
from erp_adapters.change_order_markups import amount_or_none as _amount_or_none
from erp_adapters.change_order_markups import base_mismatch, line_base
from erp_adapters.change_order_markups import markups_of as _markups
from erp_adapters.demo import limits
from erp_adapters.demo.checks import (
    Lookup,
    Problems,
    as_dict,
    as_int,
    check_lines,
    cost_code_label,
    parse_guid,
    text,
)
from erp_adapters.demo.entity import DemoEntity, line_values
from erp_adapters.demo.listing import (
    _lines_by_parent,
    iso,
    keyset_pages,
    line_object,
    money,
)
from erp_adapters.demo.models.prime_contracts import (
    DemoPrimeContract,
    DemoPrimeContractChangeOrder,
    DemoPrimeContractChangeOrderLine,
    DemoPrimeContractLine,
    DemoPrimeContractMarkup,
    DocumentStatus,
)
from erp_adapters.money import amount, as_text, to_erp, total

# How Procore names a prime contract's status for each of the ERP's.
PROCORE_STATUS = {DocumentStatus.OPEN: "Draft", DocumentStatus.APPROVED: "Approved"}

# -- listing: prime contracts, for Procore to import ---------------------------------------------

PRIME_CONTRACT_FIELDS = (
    "guid",
    "number",
    "title",
    "description",
    "status",
    "executed",
    "retainage_percent",
    "contract_start_date",
    "estimated_completion_date",
    "job__guid",
)


def prime_contract_object(row: dict[str, Any], lines: list[dict[str, Any]]) -> ERPObject:
    """A staged ``prime_contract`` as ``erp_staged_records.md`` shows it, lines as children."""
    data = {
        "project_origin_id": str(row["job__guid"]),
        "number": row["number"],
        "title": row["title"],
        "description": row["description"],
        "status": PROCORE_STATUS.get(row["status"], "Approved"),
        "executed": row["executed"],
        "accounting_method": "amount",
        "retainage_percent": money(row["retainage_percent"]),
        "contract_start_date": iso(row["contract_start_date"]),
        "contract_estimated_completion_date": iso(row["estimated_completion_date"]),
    }
    children = tuple(line_object(line, row["job__guid"]) for line in lines)
    return ERPObject("prime_contract", str(row["guid"]), row["number"], data, children)


def list_prime_contracts(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    """Two queries per page: the contracts, then all their lines. Void contracts are left out
    (Procore archives a staged one that became void)."""
    queryset = DemoPrimeContract.objects.filter(tenant=tenant).exclude(status=DocumentStatus.VOID)
    for page in keyset_pages(queryset, PRIME_CONTRACT_FIELDS, page_size=page_size):
        lines = _lines_by_parent(
            DemoPrimeContractLine, "prime_contract_id", [r["id"] for r in page], ()
        )
        for row in page:
            yield prime_contract_object(row, lines[row["id"]])


class PrimeContracts(DemoEntity):
    """Prime contracts (``Entity.PRIME_CONTRACTS``): the ERP's, listed for import."""

    entity = Entity.PRIME_CONTRACTS
    model = DemoPrimeContract
    lister = staticmethod(list_prime_contracts)


# -- the rules of a change order export ----------------------------------------------------------


def find_prime_contract(tenant: str, ref: dict[str, Any]) -> DemoPrimeContract | None:
    """By the ERP id Procore holds (its origin id), else by Procore's id once noted."""
    contracts = DemoPrimeContract.objects.filter(tenant=tenant).select_related("job")
    guid = parse_guid(ref.get("origin_id"))
    if guid is not None:
        found = contracts.filter(guid=guid).first()
        if found is not None:
            return found
    procore_id = as_int(ref.get("id"))
    return contracts.filter(procore_id=procore_id).first() if procore_id is not None else None


def _check_markups(problems: Problems, lookup: Lookup, label: str, item: dict[str, Any]) -> None:
    for markup_item in _markups(item):
        markup = as_dict(markup_item.get("markup"))
        name = text(markup.get("name")) or "markup"
        where = f"{label} markup '{name}'"
        if _amount_or_none(markup_item.get("amount")) is None:
            problems.append(f"{where}: amount '{markup_item.get('amount')}' is not a number.")
        percentage = markup.get("percentage")
        if percentage not in (None, "") and _amount_or_none(percentage) is None:
            problems.append(f"{where}: percentage '{percentage}' is not a number.")
        cost_code = as_dict(markup.get("destination_cost_code"))
        if cost_code and lookup.cost_code(cost_code) is None:
            problems.append(
                f"{where}: cost code {cost_code_label(cost_code)} is not in the ERP's cost "
                "code list."
            )
        cost_type = as_dict(markup.get("destination_line_item_type"))
        if cost_type and lookup.cost_type(cost_type) is None:
            problems.append(
                f"{where}: cost type '{text(cost_type.get('name'))}' "
                f"({text(cost_type.get('code'))}) is not in the ERP."
            )
    mismatch = base_mismatch(label, item)
    if mismatch:
        problems.append(mismatch)


def _transaction_date(change_order: dict[str, Any]) -> tuple[date | None, str]:
    value = text(as_dict(change_order.get("erp_custom_fields")).get("transaction_date"))
    if not value:
        return None, ""
    try:
        return date.fromisoformat(value[:10]), ""
    except ValueError:
        return None, f"Transaction date '{value}' is not a date (YYYY-MM-DD)."


def check_prime_contract_change_order(
    tenant: str, payload: PrimeContractChangeOrderExport
) -> Problems:
    problems = Problems()
    data = as_dict(payload)
    change_order = as_dict(data.get("prime_contract_change_order"))
    if not change_order:
        problems.append("The export carries no prime contract change order.")
        return problems
    contract_ref = as_dict(data.get("prime_contract"))
    contract = find_prime_contract(tenant, contract_ref)
    contract_label = text(contract_ref.get("number")) or text(contract_ref.get("title"))
    if contract is None:
        problems.append(
            f"Prime contract {contract_label or '(unknown)'} is not in the ERP; a change order "
            "needs its prime contract. Enter it in the ERP and import it into Procore "
            "(Refresh Prime Contracts) first."
        )
    elif contract.status == DocumentStatus.VOID:
        problems.append(
            f"Prime contract {contract.number} is void in the ERP; it takes no changes."
        )
    elif not contract.job.is_active:
        problems.append(
            f"Job {contract.job.code} is closed in the ERP; it takes no new change orders."
        )
    number = text(change_order.get("number"))
    problems.missing("Change order number", number)
    problems.too_long(f"Change order number '{number}'", number, limits.CHANGE_ORDER_NUMBER)
    problems.too_long(
        "Change order title", text(change_order.get("title")), limits.CHANGE_ORDER_TITLE
    )
    live = contract.change_orders.exclude(status=DocumentStatus.VOID) if contract else None
    if live is not None and number and live.filter(number=number).exists():
        problems.append(
            f"Change order {number} already exists on prime contract {contract.number} in the ERP."
        )
    _, date_problem = _transaction_date(change_order)
    if date_problem:
        problems.append(date_problem)
    items = [as_dict(item) for item in data.get("prime_contract_change_order_items") or []]
    if not items:
        problems.append("The change order has no line items; the ERP needs at least one.")
    lookup = Lookup(tenant)
    check_lines(problems, lookup, items)
    for index, item in enumerate(items, start=1):
        _check_markups(problems, lookup, f"Line {as_int(item.get('position')) or index}", item)
    return problems


# -- writing a change order once, whole -----------------------------------------------------------


class PrimeContractChangeOrders(DemoEntity):
    """Prime contract change orders (``create_prime_contract_change_order``), with unlink and
    reset."""

    entity = Entity.PRIME_CONTRACT_CHANGE_ORDERS
    model = DemoPrimeContractChangeOrder
    payload_key = "prime_contract_change_order"
    what = "prime contract change order"

    def list(self) -> Iterator[ERPObject]:
        """Change orders go from Procore to the ERP only; nothing to import."""
        return iter(())

    def rules(self, payload: PrimeContractChangeOrderExport) -> Any:
        return check_prime_contract_change_order(self.tenant, payload)

    @staticmethod
    def void_refusal(row: DemoPrimeContractChangeOrder) -> str:
        return (
            f"Change order {row.number} is void in the ERP and stays void; unlink it in "
            "Procore, then export it again to enter it as a new change order."
        )

    def check_create(self, payload: PrimeContractChangeOrderExport) -> list[str]:
        with self.reachable():
            row = self.existing(as_int(self.header(payload).get("id")))
            if row is not None and row.status == DocumentStatus.VOID:
                return [self.void_refusal(row)]
        return super().check_create(payload)

    def create(self, payload: PrimeContractChangeOrderExport) -> CreateResult:
        with self.reachable():
            row = self.existing(as_int(self.header(payload).get("id")))
            if row is not None and row.status == DocumentStatus.VOID:
                raise ConstraintViolation([self.void_refusal(row)])
        return super().create(payload)

    def build(
        self, payload: PrimeContractChangeOrderExport, procore_id: int
    ) -> DemoPrimeContractChangeOrder:
        """Header, lines and markups inside ``insert_once``'s savepoint: if any row is refused,
        none stays."""
        data, change_order = as_dict(payload), self.header(payload)
        lookup = Lookup(self.tenant)
        contract = find_prime_contract(self.tenant, as_dict(data.get("prime_contract")))
        if contract is None:  # removed since the check
            raise ConstraintViolation(["The prime contract is no longer in the ERP."])
        transaction_date, _ = _transaction_date(change_order)
        header = DemoPrimeContractChangeOrder.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            prime_contract=contract,
            number=text(change_order.get("number")),
            title=text(change_order.get("title")),
            description=text(change_order.get("description")),
            status=DocumentStatus.APPROVED
            if text(change_order.get("status")).lower() in ("", "approved")
            else DocumentStatus.OPEN,
            transaction_date=transaction_date,
        )
        contract_lines = {
            line.procore_id: line for line in contract.lines.exclude(procore_id__isnull=True)
        } | {str(line.guid): line for line in contract.lines.all()}
        items = data.get("prime_contract_change_order_items") or []
        for n, item in enumerate(map(as_dict, items), start=1):
            values = line_values(item, lookup, n)
            values["amount"] = to_erp(line_base(item))
            values["prime_contract_line"] = contract_lines.get(
                as_int(item.get("prime_line_item_id"))
            ) or contract_lines.get(text(item.get("prime_line_item_origin_id")))
            line = DemoPrimeContractChangeOrderLine.objects.create(
                tenant=self.tenant, change_order=header, **values
            )
            DemoPrimeContractMarkup.objects.bulk_create(
                self.markup_row(line, markup_item, lookup) for markup_item in _markups(item)
            )
        return header

    def markup_row(
        self, line: DemoPrimeContractChangeOrderLine, item: dict[str, Any], lookup: Lookup
    ) -> DemoPrimeContractMarkup:
        markup = as_dict(item.get("markup"))
        cost_code = as_dict(markup.get("destination_cost_code"))
        cost_type = as_dict(markup.get("destination_line_item_type"))
        percentage = markup.get("percentage")
        return DemoPrimeContractMarkup(
            tenant=self.tenant,
            procore_id=as_int(item.get("id")),
            line=line,
            name=text(markup.get("name"))[:60],
            percentage=None if percentage in (None, "") else amount(percentage),
            amount=to_erp(amount(item.get("amount"))),
            cost_code=lookup.cost_code(cost_code) if cost_code else None,
            cost_type=lookup.cost_type(cost_type) if cost_type else None,
        )

    def result(self, row: DemoPrimeContractChangeOrder, *, created: bool) -> CreateResult:
        return CreateResult(str(row.guid), row.number, created, self.links_of(row))

    @staticmethod
    def links_of(row: DemoPrimeContractChangeOrder) -> tuple[ExternalLink, ...]:
        """The change order, then each line followed by its markups (those with Procore ids)."""
        links = []
        if row.procore_id is not None:
            links.append(ExternalLink("change_order", row.procore_id, str(row.guid)))
        lines = row.lines.order_by("position", "id").prefetch_related("markups")
        for line in lines:
            if line.procore_id is not None:
                links.append(ExternalLink("line_item", line.procore_id, str(line.guid)))
            for markup in sorted(line.markups.all(), key=lambda m: m.id):
                if markup.procore_id is not None:
                    links.append(ExternalLink("markup", markup.procore_id, str(markup.guid)))
        return tuple(links)

    # -- unlink and reset -------------------------------------------------------------------

    def find(self, ref: DocumentRef) -> DemoPrimeContractChangeOrder | None:
        ref = as_dict(ref)
        rows = DemoPrimeContractChangeOrder.objects.filter(tenant=self.tenant)
        guid = parse_guid(ref.get("origin_id"))
        if guid is not None:
            found = rows.filter(guid=guid).select_related("prime_contract").first()
            if found is not None:
                return found
        procore_id = as_int(ref.get("procore_id"))
        if procore_id is None:
            return None
        return rows.filter(procore_id=procore_id).select_related("prime_contract").first()

    def forget_procore_ids(self, row: DemoPrimeContractChangeOrder) -> tuple[ExternalLink, ...]:
        dropped = self.links_of(row)
        DemoPrimeContractMarkup.objects.filter(line__change_order=row).update(procore_id=None)
        row.lines.update(procore_id=None)
        DemoPrimeContractChangeOrder.objects.filter(pk=row.pk).update(procore_id=None)
        return dropped

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        with self.reachable():
            row = self.find(ref)
            label = f"change order {text(as_dict(ref).get('number')) or '(no number)'}"
            if row is None:
                return DocumentStanding(DocumentState.GONE, label)
            label = f"change order {row.number} on prime contract {row.prime_contract.number}"
            if row.status == DocumentStatus.VOID:
                dropped = self.forget_procore_ids(row)
                return DocumentStanding(DocumentState.VOID, label, dropped=dropped)
            return DocumentStanding(
                DocumentState(row.status),
                label,
                reason=f"Change order {row.number} is still {row.get_status_display().lower()} on "
                f"prime contract {row.prime_contract.number} in the ERP; void or delete it "
                "there first, then unlink it.",
            )

    def release(self, ref: DocumentRef) -> tuple[ExternalLink, ...]:
        with self.reachable():
            row = self.find(ref)
            return () if row is None else self.forget_procore_ids(row)


def change_order_total(row: DemoPrimeContractChangeOrder) -> str:
    """What the change order adds to the contract: its lines and their markups (for the admin
    and messages)."""
    lines = list(row.lines.prefetch_related("markups"))
    return as_text(
        total(line.amount for line in lines)
        + total(m.amount for line in lines for m in line.markups.all())
    )
