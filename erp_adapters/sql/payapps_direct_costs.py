"""Payment applications and company-level direct costs in an ERP's database: exported from
Procore whole (header and every line in one transaction, or nothing), once per Procore id, and
later unlinked only when the ERP holds them void or no longer holds them.

The same rules as the demo ERP (``erp_adapters/demo/payapps_direct_costs.py``), in the same
words, read from what the database holds: a pay application goes on the job whose ERP code is
Procore's project number, and no line may bill more than its scheduled value; every line of a
direct cost names a job, cost code and cost type the ERP holds, and the lines add up to its total.

A void document stays void: an export of a Procore document whose ERP copy is void is refused,
and the unlink of a void document lets go of the Procore id (the import table's ``procore_id``,
header and lines, set to NULL), so the next export creates a new document beside the void one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection, Row

from erp_adapters import billing_documents as billing
from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
    ExternalLink,
)
from erp_adapters.document_status import document_state
from erp_adapters.money import total
from erp_adapters.sql.fields import MONEY, PRECISIONS, QUANTITY
from erp_adapters.sql.writing import Draft, SqlEntity, as_dict, as_int, text

PAYMENT_APPLICATION = "payment_application"
PAYMENT_APPLICATION_LINE_ITEM = "payment_application_line_item"
COMPANY_LEVEL_DIRECT_COST = "company_level_direct_cost"


def _date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (or a timestamp's date) as a date; None when blank or not a date."""
    try:
        return date.fromisoformat(text(value)[:10]) if text(value) else None
    except ValueError:
        return None


class _Documents(SqlEntity):
    """What pay applications and direct costs share: never listed (exported only), written
    with their lines, a void copy refused, and the unlink check."""

    line_item_type: str = ""  # the External Data item type of a line; "" when lines get none

    def list(self) -> Iterator[ERPObject]:
        return iter(())  # exported from Procore only; nothing to import

    # -- the ERP's view of a document -------------------------------------------------------------

    def listed_row(self, conn: Connection, origin_id: Any) -> Row | None:
        """The document as the ERP shows it (the "list" mapping), by its ERP id."""
        if origin_id in (None, ""):
            return None
        return self.adapter.source(self.entity, "list").find(conn, "origin_id", origin_id)

    def void_refusal(self, conn: Connection, row: Row) -> list[str]:
        """The refusal of an export whose ERP copy is void (never brought back)."""
        listed = self.listed_row(conn, row._mapping.get("origin_id"))
        status = (listed if listed is not None else row)._mapping.get("status")
        if document_state(status) is not DocumentState.VOID:
            return []
        values = (listed if listed is not None else row)._mapping
        return [billing.void_refusal(self.describe(conn, values), self.label)]

    def describe(self, conn: Connection, values: Any) -> str:
        raise NotImplementedError

    def check_create(self, payload: Any) -> list[str]:
        with self._connection(f"checking a {self.label} export") as conn:
            procore_id = as_int(self.header(payload).get("id"))
            existing = None if procore_id is None else self.existing(conn, procore_id)
            problems = (
                self.void_refusal(conn, existing)
                if existing is not None
                else self.draft(conn, payload).problems
            )
            conn.rollback()
        return problems

    def after_existing(self, conn: Connection, payload: Any, row: Row) -> CreateResult:
        refusal = self.void_refusal(conn, row)
        if refusal:
            conn.rollback()
            raise ConstraintViolation(refusal)
        return super().after_existing(conn, payload, row)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Where the document stands, for an unlink: by its ERP id in the listing, else by the
        Procore id in the import table; void by its status word (``document_status``), and then
        the ERP lets go of the Procore id. In the import table but not (yet) shown: open."""
        document = as_dict(ref)
        procore_id = as_int(document.get("procore_id"))
        with self._connection(f"checking a {self.label} in the ERP", part="list") as conn:
            row = self.listed_row(conn, text(document.get("origin_id")))
            imported = None
            if row is None and procore_id is not None:
                imported = self.existing(conn, procore_id)
                if imported is not None:
                    row = self.listed_row(conn, imported._mapping.get("origin_id"))
            if row is None:
                conn.rollback()
                if imported is not None:
                    return DocumentStanding(
                        DocumentState.OPEN, f"{self.label} (waiting in the ERP's import table)"
                    )
                code = text(document.get("origin_code")) or text(document.get("origin_id"))
                return DocumentStanding(DocumentState.GONE, f"{self.label} {code}".strip())
            values = row._mapping
            label = self.describe(conn, values)
            status = text(values.get("status"))
            state = document_state(status)
            lines = self.line_procore_ids(conn, str(values["origin_id"]))
            conn.rollback()
            dropped: tuple[ExternalLink, ...] = ()
            if state is DocumentState.VOID:
                with conn.begin():
                    dropped = self.let_go(conn, str(values["origin_id"]))
        return DocumentStanding(
            state, label, status=status, dropped=dropped, line_procore_ids=lines
        )

    def line_procore_ids(self, conn: Connection, origin_id: str) -> tuple[int, ...]:
        lines = self.adapter.target(self.entity, "create_lines")
        if lines.procedure or not self.line_item_type:
            return ()
        return tuple(
            int(line._mapping["procore_id"])
            for line in lines.rows_where(conn, "parent_origin_id", origin_id)
            if line._mapping.get("procore_id") is not None
        )

    def let_go(self, conn: Connection, origin_id: str) -> tuple[ExternalLink, ...]:
        """A void document keeps no Procore id: exporting the Procore document again enters a
        new one (the void one stays as history). Its Procore ids are set to NULL in the import
        tables, header and lines (in the caller's transaction); the ties dropped, header first.
        Nothing to do through a procedure."""
        target = self.adapter.target(self.entity, "create")
        header = None if target.procedure else target.find(conn, "origin_id", origin_id)
        if header is None or header._mapping.get("procore_id") is None:
            return ()
        procore_id = int(header._mapping["procore_id"])
        dropped = [ExternalLink(self.item_type, procore_id, origin_id)]
        lines = self.adapter.target(self.entity, "create_lines")
        for line in lines.rows_where(conn, "parent_origin_id", origin_id):
            line_id = line._mapping.get("procore_id")
            if line_id is not None:
                lines.update(conn, int(line_id), {"procore_id": None})
                if self.line_item_type:
                    dropped.append(
                        ExternalLink(
                            self.line_item_type, int(line_id), str(line._mapping["origin_id"])
                        )
                    )
        target.update(conn, procore_id, {"procore_id": None})
        return tuple(dropped)

    # -- writing ----------------------------------------------------------------------------------

    def write(self, conn: Connection, draft: Draft) -> Any:
        """The header, then every line, in the caller's transaction."""
        header = super().write(conn, draft)
        self.write_lines(conn, draft, str(header["origin_id"]))
        return header

    def extra_links(
        self, conn: Connection, draft: Draft, origin_id: str
    ) -> list[tuple[str, int, str]]:
        lines = self.adapter.target(self.entity, "create_lines")
        if not self.line_item_type or lines.procedure:
            return []
        written = {
            as_int(row._mapping.get("procore_id")): str(row._mapping["origin_id"])
            for row in lines.rows_where(conn, "parent_origin_id", origin_id)
        }
        return [
            (self.line_item_type, line["procore_id"], written[line["procore_id"]])
            for line in draft.lines
            if line["procore_id"] is not None and line["procore_id"] in written
        ]

    # -- checks shared by both ---------------------------------------------------------------------

    def amount(self, draft: Draft, value: Any, label: str, kind: str = MONEY) -> Decimal:
        """The amount as the ERP keeps it, or zero after saying why it is not one."""
        return billing.read_amount(value, label, draft.problems, PRECISIONS[kind])

    def too_long(self, conn: Connection, draft: Draft, part: str, name: str, value: Any, what: str):
        limit = self.adapter.target(self.entity, part).length_limit(conn, name)
        if isinstance(value, str) and limit and len(value) > limit:
            draft.problems.append(f"{what} is longer than {limit} characters, the ERP's limit.")

    def number_taken(
        self, conn: Connection, draft: Draft, number: str, column: str, owner: str | None
    ) -> bool:
        """Whether a live document of the same owner (``column`` = ``owner``: the job of a pay
        application, the vendor of a direct cost) has this number in the ERP already."""
        return owner is not None and any(
            str(row._mapping.get(column)) == owner
            and self.live_elsewhere(conn, row, draft.procore_id)
            for row in self.rows_numbered(conn, number)
        )

    def rows_numbered(self, conn: Connection, number: str) -> list[Row]:
        """The import table's documents with this number (to refuse a number taken twice)."""
        target = self.adapter.target(self.entity, "create")
        if not number or target.procedure:
            return []
        return list(target.rows_where(conn, "origin_code", number))

    def live_elsewhere(self, conn: Connection, row: Row, procore_id: int | None) -> bool:
        """Another document of that number that still binds (not void, not this export's)."""
        values = row._mapping
        if procore_id is not None and as_int(values.get("procore_id")) == procore_id:
            return False
        listed = self.listed_row(conn, values.get("origin_id"))
        status = (listed if listed is not None else row)._mapping.get("status")
        return document_state(status) is not DocumentState.VOID


# -- Payment applications ------------------------------------------------------------------------


class PaymentApplications(_Documents):
    """Pay applications to the owner (``create_payment_application``)."""

    entity = Entity.PAYMENT_APPLICATIONS
    payload_key = "payment_application"
    item_type = PAYMENT_APPLICATION
    line_item_type = PAYMENT_APPLICATION_LINE_ITEM

    def describe(self, conn: Connection, values: Any) -> str:
        job = self.adapter.source(Entity.JOBS, "list").find(
            conn, "origin_id", values.get("project_origin_id")
        )
        on_job = f" on job {text(job._mapping.get('origin_code'))}" if job is not None else ""
        return f"pay application {text(values.get('origin_code'))}{on_job}"

    def job(self, conn: Connection, pay_app: dict[str, Any]) -> Row | None:
        """The payload names the job only by Procore's project number and name: the job whose
        ERP code is the project number, else the one job of that name."""
        number, name = billing.pay_app_project(pay_app)
        if number:
            found = self.known(conn, Entity.JOBS, {}, code=number)
            if found is not None:
                return found
        if name:
            return self.adapter.source(Entity.JOBS, "list").find(conn, "name", name)
        return None

    def draft(self, conn: Connection, payload: Any) -> Draft:
        pay_app = self.header(payload)
        draft = Draft(as_int(pay_app.get("id")), {})
        if not pay_app:
            draft.problems.append("The export carries no payment application.")
            return draft
        job = self.job(conn, pay_app)
        if job is None:
            draft.problems.append(billing.pay_app_job_unknown(pay_app))
        number = billing.pay_app_number(pay_app)
        if not number:
            draft.problems.append("Pay application number is missing; the ERP requires it.")
        self.too_long(
            conn, draft, "create", "origin_code", number, f"Pay application number '{number}'"
        )
        job_id = None if job is None else str(job._mapping["origin_id"])
        if self.number_taken(conn, draft, number, "project_origin_id", job_id):
            draft.problems.append(
                f"Pay application {number} already exists on job "
                f"{text(job._mapping.get('origin_code'))} in the ERP."
            )
        lines, problems = billing.pay_app_lines(pay_app)
        draft.problems += problems
        for line in lines:
            self.too_long(
                conn,
                draft,
                "create_lines",
                "description",
                line.description,
                f"{line.label} description",
            )
            draft.lines.append(line.values())
        billed = total(line["amount"] for line in draft.lines)
        retained = total(line["retainage"] for line in draft.lines)
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": number,
            "project_origin_id": job_id,
            "contract_name": text(pay_app.get("contract_name")) or None,
            "billing_date": _date(pay_app.get("billing_date")),
            "period_start": _date(pay_app.get("period_start")),
            "period_end": _date(pay_app.get("period_end")),
            "status": billing.procore_status(pay_app.get("status")),
            "scheduled_value": total(line["scheduled_value"] for line in draft.lines),
            "billed_this_period": billed,
            "retainage": retained,
            "amount_due": billed - retained,
        }
        self.too_long(
            conn, draft, "create", "contract_name", draft.values["contract_name"], "Contract name"
        )
        return draft


# -- Company-level direct costs ------------------------------------------------------------------


class DirectCosts(_Documents):
    """Company-level direct costs (``create_company_level_direct_cost``)."""

    entity = Entity.COMPANY_LEVEL_DIRECT_COSTS
    payload_key = "direct_cost"
    item_type = COMPANY_LEVEL_DIRECT_COST

    def describe(self, conn: Connection, values: Any) -> str:
        kind = text(values.get("kind")).replace("_", " ").lower() or "direct cost"
        number = text(values.get("origin_code")) or text(values.get("origin_id"))
        vendor = self.adapter.source(Entity.VENDORS, "list").find(
            conn, "origin_id", values.get("vendor_origin_id")
        )
        of_vendor = f" of {text(vendor._mapping.get('name'))}" if vendor is not None else ""
        return f"{kind} {number}{of_vendor}"

    def draft(self, conn: Connection, payload: Any) -> Draft:
        direct_cost = self.header(payload)
        draft = Draft(as_int(direct_cost.get("id")), {})
        if not direct_cost:
            draft.problems.append("The export carries no direct cost.")
            return draft
        kind = billing.direct_cost_kind(direct_cost, draft.problems)
        vendor_ref = as_dict(direct_cost.get("vendor"))
        vendor = self.known(conn, Entity.VENDORS, vendor_ref) if vendor_ref else None
        problem = billing.direct_cost_vendor_problem(direct_cost, kind, found=vendor is not None)
        draft.problems += [problem] if problem else []
        vendor_id = None if vendor is None else str(vendor._mapping["origin_id"])
        number = text(direct_cost.get("invoice_number"))
        self.too_long(conn, draft, "create", "origin_code", number, f"Invoice number '{number}'")
        if self.number_taken(conn, draft, number, "vendor_origin_id", vendor_id):
            draft.problems.append(
                f"Invoice {number} of vendor '{text(vendor._mapping.get('name'))}' is already in "
                "the ERP."
            )
        lines = [as_dict(line) for line in direct_cost.get("line_items") or []]
        if not lines:
            draft.problems.append("The direct cost has no line items; the ERP needs at least one.")
        for index, line in enumerate(lines, start=1):
            draft.lines.append(self.line(conn, draft, line, index))
        booked = total(line["amount"] for line in draft.lines)
        if lines and not draft.problems:
            problem = billing.direct_cost_total_problem(
                direct_cost.get("line_item_total"), [line["amount"] for line in draft.lines]
            )
            draft.problems += [problem] if problem else []
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": number or None,
            "kind": kind,
            "vendor_origin_id": vendor_id,
            "description": text(direct_cost.get("description")) or None,
            "direct_cost_date": _date(direct_cost.get("direct_cost_date")),
            "accounting_date": _date(direct_cost.get("accounting_date")),
            "status": billing.procore_status(direct_cost.get("status")),
            "total": booked,
        }
        return draft

    def line(self, conn: Connection, draft: Draft, line: dict[str, Any], index: int) -> dict:
        label = billing.direct_cost_line_label(line, index)
        description = text(line.get("description"))
        self.too_long(
            conn, draft, "create_lines", "description", description, f"{label} description"
        )
        project = as_dict(line.get("project"))
        job = self.known(conn, Entity.JOBS, {"origin_id": line.get("job_origin_id")})
        if job is None:
            name = text(project.get("name")) or text(line.get("job_origin_id")) or "(none)"
            draft.problems.append(
                f"{label}: job '{name}' is not in the ERP; export the project first."
            )
        wbs = as_dict(line.get("wbs_code"))
        cost_code = self.adapter.cost_code(
            conn, {"origin_id": line.get("cost_code_origin_id"), "full_code": wbs.get("flat_code")}
        )
        if cost_code is None:
            code = text(wbs.get("flat_code")) or text(line.get("cost_code_origin_id")) or "(none)"
            draft.problems.append(f"{label}: cost code {code} is not in the ERP's cost code list.")
        cost_type = self.known(
            conn, Entity.STANDARD_CATEGORIES, {"origin_id": line.get("line_item_type_origin_id")}
        )
        if cost_type is None:
            draft.problems.append(
                f"{label}: its cost type ({text(line.get('line_item_type_origin_id')) or 'none'})"
                " is not in the ERP."
            )
        uom = text(as_dict(line.get("uom")).get("name")) or None
        self.too_long(conn, draft, "create_lines", "uom", uom, f"{label} unit of measure")
        return {
            "procore_id": as_int(line.get("id")),
            "position": as_int(line.get("position")) or index,
            "description": description or None,
            "job_origin_id": None if job is None else str(job._mapping["origin_id"]),
            "cost_code_origin_id": None
            if cost_code is None
            else str(cost_code._mapping["origin_id"]),
            "line_item_type_origin_id": None
            if cost_type is None
            else str(cost_type._mapping["origin_id"]),
            "quantity": self.amount(draft, line.get("quantity"), f"{label} quantity", QUANTITY),
            "unit_cost": self.amount(draft, line.get("unit_cost"), f"{label} unit cost", QUANTITY),
            "uom": uom,
            "amount": self.amount(draft, line.get("total_amount"), f"{label} amount"),
        }
