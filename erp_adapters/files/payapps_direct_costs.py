"""Payment applications and company-level direct costs through a file exchange: exported whole
(one outbox file, one row per line: the ERP imports all of it or none of it), handed over once
per Procore id (``create`` raises ``ERPPending`` until the ERP's acknowledgement arrives, as for
commitments), and unlinked only once the ERP's own export of them
(``payment_applications.csv``, ``company_level_direct_costs.csv``; layouts in ``layouts.py``)
shows them void, or no longer holds them.

A void document stays void: an export whose answered copy the ERP shows void is refused; the
unlink of a void document lets go of the Procore id (its answered export is marked released,
``FileEntity.release``), so the next export of the Procore document sends a new file and the
ERP enters a new document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from erp_adapters import billing_documents as billing
from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
)
from erp_adapters.document_status import document_state
from erp_adapters.files import layouts
from erp_adapters.files.entity import FileEntity, _as_int
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import Row
from erp_adapters.money import total
from erp_adapters.payload import as_dict, text

PAYMENT_APPLICATION = "payment_application"
PAYMENT_APPLICATION_LINE_ITEM = "payment_application_line_item"
COMPANY_LEVEL_DIRECT_COST = "company_level_direct_cost"


class _FileDocuments(FileEntity):
    """What pay applications and direct costs share: never imported, a void copy refused, the
    unlink check read from the ERP's export."""

    noun: str
    lines_key: str
    line_item_type: str = ""  # the External Data item type of a line; "" when lines get none

    def list(self) -> Iterator[ERPObject]:
        return iter(())  # exported from Procore only; nothing to import

    def describe(self, head: dict[str, Any]) -> str:
        raise NotImplementedError

    def answered(self, procore_id: int | None) -> FileExport | None:
        return None if procore_id is None else self._answered({"procore_id": procore_id})

    def void_refusal(self, procore_id: int | None) -> list[str]:
        answered = self.answered(procore_id)
        head = None if answered is None else self.find_head(answered.erp_id, noun=self.noun)
        if head is None or document_state(head["status"]) is not DocumentState.VOID:
            return []
        return [billing.void_refusal(self.describe(head), self.noun)]

    def check_create(self, payload: Any) -> list[str]:
        refusal = self.void_refusal(_as_int(self.header(payload).get("id")))
        return refusal or super().check_create(payload)

    def create(self, payload: Any) -> CreateResult:
        refusal = self.void_refusal(_as_int(self.header(payload).get("id")))
        if refusal:
            raise ConstraintViolation(refusal)
        return super().create(payload)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Where the document stands in the ERP's export, for an unlink: by its ERP id, else the
        ERP id its file was answered with; its ``status`` read by ``document_status``. Handed
        over and not answered yet: open (the ERP may import it any minute). Void: the ERP lets
        go of the Procore id."""
        document = as_dict(ref)
        procore_id = _as_int(document.get("procore_id"))
        answered = self._answered(document)
        erp_id = text(document.get("origin_id")) or (answered.erp_id if answered else "")
        head = self.find_head(erp_id, noun=self.noun)
        if head is None:
            waiting = procore_id is not None and (
                self._exports(procore_id).filter(state=FileExport.State.WAITING).exists()
            )
            if waiting:
                return DocumentStanding(
                    DocumentState.OPEN, f"{self.noun} (its file waits for the ERP's import)"
                )
            code = text(document.get("origin_code")) or erp_id
            return DocumentStanding(DocumentState.GONE, f"{self.noun} {code}".strip())
        state = document_state(head["status"])
        # The export answered with this ERP id: its lines, and the tie a void document drops.
        mine = answered is not None and answered.erp_id == erp_id
        lines: tuple[int, ...] = ()
        if mine and self.line_item_type:
            lines = tuple(
                int(link[1]) for link in answered.links[1:] if str(link[2]).startswith("line:")
            )
        dropped = self.release(document) if state is DocumentState.VOID and mine else ()
        return DocumentStanding(
            state,
            self.describe(head),
            status=text(head["status"]),
            dropped=dropped,
            line_procore_ids=lines,
        )

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        links = [[self.item_type, procore_id, ""]]
        if not self.line_item_type:
            return links
        items = [item for item in map(as_dict, self.header(payload).get(self.lines_key) or [])]
        for index, item in enumerate(filter(None, items)):
            if _as_int(item.get("id")) is not None:
                links.append([self.line_item_type, _as_int(item.get("id")), f"line:{index}"])
        return links

    def _write(self, export: FileExport, payload: dict[str, Any]) -> None:
        """The rows carry the ERP ids the payload does not name (a pay application's job)."""
        super()._write(export, {**payload, "erp_ids": self.erp_ids_of(payload)})

    def erp_ids_of(self, payload: dict[str, Any]) -> dict[str, str]:
        return {}

    def number_taken(self, number: str, column: str, owner: str, procore_id: int | None) -> bool:
        """Another live document of this number for the same job (or vendor) in the ERP's
        export, other than the one this Procore id was answered with."""
        if not number or not owner:
            return False
        answered = self.answered(procore_id)
        mine = answered.erp_id if answered is not None else None
        return any(
            isinstance(item, Row)
            and item.values["number"] == number
            and item.values[column] == owner
            and item.values["erp_id"] != mine
            and document_state(item.values["status"]) is not DocumentState.VOID
            for item in self.items()
        )


# -- Payment applications ------------------------------------------------------------------------


def pay_app_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The outbox file of a pay application: its own columns on every row, one row per line."""
    pay_app = as_dict(payload.get("payment_application"))
    lines, _problems = billing.pay_app_lines(pay_app)  # checked already: these amounts read
    billed = total(line.amount for line in lines)
    retained = total(line.retainage for line in lines)
    head = {
        "procore_id": text(pay_app.get("id")),
        "number": billing.pay_app_number(pay_app),
        "job_erp_id": text(as_dict(payload.get("erp_ids")).get("job")),
        "contract_name": text(pay_app.get("contract_name")),
        "billing_date": text(pay_app.get("billing_date"))[:10],
        "period_start": text(pay_app.get("period_start"))[:10],
        "period_end": text(pay_app.get("period_end"))[:10],
        "status": billing.procore_status(pay_app.get("status")),
        "billed_this_period": layouts.number_cell(billed),
        "retainage": layouts.number_cell(retained),
        "amount_due": layouts.number_cell(billed - retained),
    }
    rows = []
    for line in lines:
        cells = {
            "line_procore_id": text(line.procore_id),
            "line_position": str(line.position),
            "line_description": line.description,
            "line_contract_line_ref": line.contract_line_ref,
            "line_scheduled_value": layouts.number_cell(line.scheduled_value),
            "line_previously_completed": layouts.number_cell(line.previously_completed),
            "line_completed_this_period": layouts.number_cell(line.completed_this_period),
            "line_materials_stored": layouts.number_cell(line.materials_stored),
            "line_completed_to_date": layouts.number_cell(line.completed_to_date),
            "line_retainage": layouts.number_cell(line.retainage),
            "line_amount": layouts.number_cell(line.amount),
        }
        rows.append({**head, **cells})
    return rows


class PaymentApplications(_FileDocuments):
    """Pay applications to the owner (``create_payment_application``)."""

    entity = Entity.PAYMENT_APPLICATIONS
    item_type = PAYMENT_APPLICATION
    line_item_type = PAYMENT_APPLICATION_LINE_ITEM
    what = "payment application"
    noun = "pay application"
    payload_key = "payment_application"
    lines_key = "items"
    export_rows = staticmethod(pay_app_export_rows)

    def describe(self, head: dict[str, Any]) -> str:
        job = self.job_row("erp_id", head["job_erp_id"])
        on_job = f" on job {job['code']}" if job is not None else ""
        return f"pay application {head['number']}{on_job}"

    def job_row(self, column: str, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        for item in self.adapter.reader(Entity.JOBS).rows():
            if isinstance(item, Row) and item.values[column] == value:
                return item.values
        return None

    def job(self, pay_app: dict[str, Any]) -> dict[str, Any] | None:
        """The job whose ERP code is Procore's project number, else the job of that name."""
        number, name = billing.pay_app_project(pay_app)
        return self.job_row("code", number) or self.job_row("name", name)

    def erp_ids_of(self, payload: dict[str, Any]) -> dict[str, str]:
        job = self.job(self.header(payload))
        return {"job": job["erp_id"]} if job is not None else {}

    def rules(self, payload: dict[str, Any]) -> list[str]:
        pay_app = self.header(payload)
        if not pay_app:
            return ["The export carries no payment application."]
        problems = []
        job = self.job(pay_app)
        if job is None:
            problems.append(billing.pay_app_job_unknown(pay_app))
        number = billing.pay_app_number(pay_app)
        if not number:
            problems.append("Pay application number is missing; the ERP requires it.")
        elif job is not None and self.number_taken(
            number, "job_erp_id", job["erp_id"], _as_int(pay_app.get("id"))
        ):
            problems.append(
                f"Pay application {number} already exists on job {job['code']} in the ERP."
            )
        _lines, line_problems = billing.pay_app_lines(pay_app)
        return problems + line_problems


# -- Company-level direct costs ------------------------------------------------------------------


def direct_cost_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The outbox file of a direct cost: its own columns on every row, one row per line."""
    direct_cost = as_dict(payload.get("direct_cost"))
    items = [as_dict(item) for item in direct_cost.get("line_items") or []]
    amounts = [billing.read_amount(item.get("total_amount"), "", []) for item in items]
    head = {
        "procore_id": text(direct_cost.get("id")),
        "kind": text(direct_cost.get("direct_cost_type")).lower() or "invoice",
        "number": text(direct_cost.get("invoice_number")),
        "vendor_erp_id": text(as_dict(direct_cost.get("vendor")).get("origin_id")),
        "description": text(direct_cost.get("description")),
        "direct_cost_date": text(direct_cost.get("direct_cost_date"))[:10],
        "accounting_date": text(direct_cost.get("accounting_date"))[:10],
        "status": billing.procore_status(direct_cost.get("status")),
        "total": layouts.number_cell(total(amounts)),
    }
    rows = []
    for index, (item, amount) in enumerate(zip(items, amounts, strict=True), start=1):
        cells = {
            "line_procore_id": text(item.get("id")),
            "line_position": text(item.get("position")) or str(index),
            "line_description": text(item.get("description")),
            "line_job_erp_id": text(item.get("job_origin_id")),
            "line_cost_code_erp_id": layouts.cost_code_erp_id(
                {"origin_id": item.get("cost_code_origin_id")}
            ),
            "line_cost_type_erp_id": text(item.get("line_item_type_origin_id")),
            "line_quantity": layouts.number_cell(item.get("quantity"), layouts.QUANTITIES),
            "line_unit_cost": layouts.number_cell(item.get("unit_cost"), layouts.QUANTITIES),
            "line_uom": text(as_dict(item.get("uom")).get("name")),
            "line_amount": layouts.number_cell(amount),
        }
        rows.append({**head, **cells})
    return rows


class DirectCosts(_FileDocuments):
    """Company-level direct costs (``create_company_level_direct_cost``). Procore links the
    direct cost itself, not its lines."""

    entity = Entity.COMPANY_LEVEL_DIRECT_COSTS
    item_type = COMPANY_LEVEL_DIRECT_COST
    what = "direct cost"
    noun = "direct cost"
    payload_key = "direct_cost"
    lines_key = "line_items"
    export_rows = staticmethod(direct_cost_export_rows)

    def describe(self, head: dict[str, Any]) -> str:
        kind = text(head["kind"]).replace("_", " ").lower() or "direct cost"
        vendor = None
        if head["vendor_erp_id"]:
            for item in self.adapter.reader(Entity.VENDORS).rows():
                if isinstance(item, Row) and item.values["erp_id"] == head["vendor_erp_id"]:
                    vendor = item.values["name"]
                    break
        of_vendor = f" of {vendor}" if vendor else ""
        return f"{kind} {head['number'] or head['erp_id']}{of_vendor}"

    def rules(self, payload: dict[str, Any]) -> list[str]:
        direct_cost = self.header(payload)
        if not direct_cost:
            return ["The export carries no direct cost."]
        problems: list[str] = []
        kind = billing.direct_cost_kind(direct_cost, problems)
        vendor = text(as_dict(direct_cost.get("vendor")).get("origin_id"))
        found = bool(vendor) and self.adapter.holds(Entity.VENDORS, vendor)
        problem = billing.direct_cost_vendor_problem(direct_cost, kind, found=found)
        problems += [problem] if problem else []
        number = text(direct_cost.get("invoice_number"))
        if found and self.number_taken(
            number, "vendor_erp_id", vendor, _as_int(direct_cost.get("id"))
        ):
            name = billing.vendor_name(as_dict(direct_cost.get("vendor")))
            problems.append(f"Invoice {number} of vendor '{name}' is already in the ERP.")
        items = [as_dict(item) for item in direct_cost.get("line_items") or []]
        if not items:
            problems.append("The direct cost has no line items; the ERP needs at least one.")
        jobs = codes = types = None
        amounts = []
        for index, line in enumerate(items, start=1):
            if jobs is None:
                jobs = self.adapter.erp_ids(Entity.JOBS)
                codes = self.adapter.erp_ids(Entity.STANDARD_COST_CODES)
                types = self.adapter.erp_ids(Entity.STANDARD_CATEGORIES)
            label = billing.direct_cost_line_label(line, index)
            amounts.append(
                billing.read_amount(line.get("total_amount"), f"{label} amount", problems)
            )
            for key, words in (("quantity", "quantity"), ("unit_cost", "unit cost")):
                billing.read_amount(line.get(key), f"{label} {words}", problems, layouts.QUANTITIES)
            if text(line.get("job_origin_id")) not in jobs:
                name = (
                    text(as_dict(line.get("project")).get("name"))
                    or text(line.get("job_origin_id"))
                    or "(none)"
                )
                problems.append(
                    f"{label}: job '{name}' is not in the ERP; export the project first."
                )
            code = layouts.cost_code_erp_id({"origin_id": line.get("cost_code_origin_id")})
            if code not in codes:
                shown = (
                    text(as_dict(line.get("wbs_code")).get("flat_code"))
                    or text(line.get("cost_code_origin_id"))
                    or "(none)"
                )
                problems.append(f"{label}: cost code {shown} is not in the ERP's cost code list.")
            if text(line.get("line_item_type_origin_id")) not in types:
                problems.append(
                    f"{label}: its cost type ({text(line.get('line_item_type_origin_id')) or 'none'})"
                    " is not in the ERP."
                )
        if items and not problems:
            problem = billing.direct_cost_total_problem(direct_cost.get("line_item_total"), amounts)
            problems += [problem] if problem else []
        return problems
