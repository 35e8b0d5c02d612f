"""Creating Procore exports in the ERP's database: checks first, then one transaction.

Idempotent on the Procore id, as docs/adapters.md asks: the import table keeps the Procore id
(``procore_id``; give it a unique constraint), ``create`` looks it up first, and an insert that
loses a race on that constraint returns the winner's row. A document (a commitment, a change
order) is written header and lines in one transaction: a line the database refuses rolls back
the header too, and the export is refused with the database's words, naming the line.

The checks use only what the database itself declares: required fields, the columns' lengths,
codes already taken, and references (job, vendor, commitment, cost code, cost type) that must be
in the ERP. Each problem is a sentence an accountant can act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DataError, IntegrityError

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
    ExternalLink,
    job_cost_code_origin_id,
)
from erp_adapters.document_status import document_state
from erp_adapters.document_totals import lines_total_problem
from erp_adapters.payload import as_dict, as_int, text
from erp_adapters.sql import listing
from erp_adapters.sql.database import connected, describe
from erp_adapters.sql.fields import DOCUMENTS, MONEY, QUANTITY, parse_decimal

if TYPE_CHECKING:
    from erp_adapters.sql.books import SqlBooks

LABELS = {
    Entity.VENDORS: "vendor",
    Entity.JOBS: "job",
    Entity.STANDARD_COST_CODES: "cost code",
    Entity.STANDARD_CATEGORIES: "cost type",
    Entity.COMMITMENTS: "commitment",
    Entity.COMMITMENT_CHANGE_ORDERS: "change order",
    Entity.PRIME_CONTRACTS: "prime contract",
    Entity.PRIME_CONTRACT_CHANGE_ORDERS: "change order",
    Entity.PAYMENT_APPLICATIONS: "pay application",
    Entity.COMPANY_LEVEL_DIRECT_COSTS: "direct cost",
    Entity.REQUISITIONS: "invoice",
    Entity.CONTRACT_PAYMENTS: "payment",
    Entity.SUB_JOBS: "sub job",
}
FIELD_LABELS = {
    "origin_code": "code",
    "name": "name",
    "address": "address",
    "city": "city",
    "state_code": "state",
    "zip": "ZIP code",
    "country_code": "country",
    "business_phone": "business phone",
    "email_address": "email address",
    "website": "website",
    "trade_name": "trade",
    "title": "title",
    "description": "description",
    "status": "status",
    "uom": "unit of measure",
}
NUMBER_ENTITIES = (
    Entity.COMMITMENTS,
    Entity.COMMITMENT_CHANGE_ORDERS,
    Entity.PRIME_CONTRACT_CHANGE_ORDERS,
)


@dataclass
class Draft:
    """What one export becomes in the ERP: the header's values, its lines, its problems."""

    procore_id: int | None
    values: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # (item type, Procore id, ERP id) of the job cost codes a job export links.
    links: list[tuple[str, int, str]] = field(default_factory=list)
    # The header's External Data item type (a commitment's depends on its type).
    item_type: str = ""
    # Per line, the Procore id of the commitment line a change order line adjusts.
    commitment_line_ids: list[int | None] = field(default_factory=list)
    # The code was computed by the adapter (``new_code``), not sent by Procore.
    code_assigned: bool = False


class SqlEntity:
    """One entity of the SQL adapter: listing, checks, idempotent creates."""

    entity: Entity
    payload_key: str | None = None
    item_type: str = ""

    def __init__(self, adapter: SqlBooks) -> None:
        self.adapter = adapter
        self.label = LABELS[self.entity]

    # -- reading ---------------------------------------------------------------------------------

    def list(self) -> Iterator[ERPObject]:
        """Every object, streamed through a server-side cursor (see ``listing``)."""
        return listing.stream(self.adapter, self.entity)

    # -- creating --------------------------------------------------------------------------------

    @contextmanager
    def _connection(self, what: str, part: str = "create") -> Iterator[Connection]:
        setting = f"entities.{self.entity}.{part}"
        with connected(
            self.adapter.engine, what=what, setting=setting, url=self.adapter.url
        ) as conn:
            yield conn

    def header(self, payload: Any) -> dict[str, Any]:
        data = as_dict(payload)
        return as_dict(data.get(self.payload_key)) if self.payload_key else data

    def check_create(self, payload: Any) -> list[str]:
        with self._connection(f"checking a {self.label} export") as conn:
            procore_id = as_int(self.header(payload).get("id"))
            if procore_id is not None and self.existing(conn, procore_id) is not None:
                return []
            return self.draft(conn, payload).problems

    def create(self, payload: Any) -> CreateResult:
        procore_id = as_int(self.header(payload).get("id"))
        if procore_id is None:
            raise ConstraintViolation([f"The export carries no Procore id for the {self.label}."])
        with self._connection(f"creating a {self.label}") as conn:
            row = self.existing(conn, procore_id)
            if row is not None:
                return self.after_existing(conn, payload, row)
            draft = self.draft(conn, payload)
            conn.rollback()
            if draft.problems:
                raise ConstraintViolation(draft.problems)
            for attempt in range(3):
                try:
                    with conn.begin():
                        written = self.write(conn, draft)
                    break
                except (IntegrityError, DataError) as exc:
                    conn.rollback()
                    winner = self.existing(conn, procore_id)
                    if winner is not None:
                        return self.result(conn, winner, created=False, draft=draft)
                    if draft.code_assigned and attempt < 2:
                        # A concurrent export took the code we computed: take the next one.
                        draft = self.draft(conn, payload)
                        conn.rollback()
                        continue
                    raise ConstraintViolation([self.refusal(exc, draft)]) from None
            # A procedure may answer for an export it already holds (its "created" column).
            created = bool(written.get("created", True)) if hasattr(written, "get") else True
            return self.result(conn, written, created=created, draft=draft)

    def after_existing(self, conn: Connection, payload: Any, row: Row) -> CreateResult:
        """An export the ERP already holds: the same answer as when it was created."""
        return self.result(conn, row, created=False, draft=self.draft(conn, payload))

    def refusal(self, exc: Exception, draft: Draft) -> str:
        target = self.adapter.target(self.entity, "create")
        where = f"{target.describe()}, setting 'entities.{self.entity}.create'"
        if getattr(exc, "_line_position", None) is not None:
            lines = self.adapter.target(self.entity, "create_lines")
            where = (
                f"line {exc._line_position}, {lines.describe()}, "  # type: ignore[attr-defined]
                f"setting 'entities.{self.entity}.create_lines'"
            )
        return f"The ERP refused the {self.label}: {describe(exc)} ({where}). Nothing was written."

    # -- the database side -----------------------------------------------------------------------

    def existing(self, conn: Connection, procore_id: int) -> Row | None:
        target = self.adapter.target(self.entity, "create")
        if target.procedure:
            return None
        return target.find(conn, "procore_id", procore_id)

    def write(self, conn: Connection, draft: Draft) -> Row:
        """Insert the header (and lines) inside the caller's transaction; the header's row."""
        target = self.adapter.target(self.entity, "create")
        values = dict(draft.values)
        if target.procedure:
            row = target.call(conn, values)
            if row is None:
                raise ConstraintViolation(
                    [
                        f"The ERP's {target.describe()} returned no row for the {self.label} "
                        f"(setting 'entities.{self.entity}.create'); it must return origin_id "
                        "and origin_code."
                    ]
                )
            header = row._mapping
        else:
            if "origin_id" not in values or values["origin_id"] is None:
                values["origin_id"] = target.origin_id_value(conn)
            if values["origin_id"] is None:
                values.pop("origin_id")
            target.insert(conn, values)
            header = target.find(conn, "procore_id", draft.procore_id)._mapping
        if self.entity in DOCUMENTS:
            self.write_lines(conn, draft, str(header["origin_id"]))
        return header

    def write_lines(self, conn: Connection, draft: Draft, parent: str) -> None:
        lines = self.adapter.target(self.entity, "create_lines")
        for line in draft.lines:
            values = {**line, "parent_origin_id": parent}
            try:
                if lines.procedure:
                    lines.call(conn, values)
                else:
                    values["origin_id"] = lines.origin_id_value(conn)
                    if values["origin_id"] is None:
                        values.pop("origin_id")
                    lines.insert(conn, values)
            except (IntegrityError, DataError) as exc:
                exc._line_position = line.get("position")  # type: ignore[attr-defined]
                raise

    def result(self, conn: Connection, row: Any, *, created: bool, draft: Draft) -> CreateResult:
        row = getattr(row, "_mapping", row)
        origin_id = str(row["origin_id"])
        code = text(row.get("origin_code")) or text(draft.values.get("origin_code")) or origin_id
        links = [ExternalLink(self.link_type(draft), int(draft.procore_id or 0), origin_id)]
        links += [
            ExternalLink(t, pid, oid) for t, pid, oid in self.extra_links(conn, draft, origin_id)
        ]
        return CreateResult(origin_id, code, created, tuple(links))

    def link_type(self, draft: Draft) -> str:
        return draft.item_type or self.item_type

    def extra_links(
        self, conn: Connection, draft: Draft, origin_id: str
    ) -> list[tuple[str, int, str]]:
        return []

    # -- checks ----------------------------------------------------------------------------------

    def draft(self, conn: Connection, payload: Any) -> Draft:
        raise NotImplementedError

    def check_values(self, conn: Connection, draft: Draft, required: tuple[str, ...]) -> None:
        """Required fields present, text within the columns' lengths."""
        label = self.label.capitalize()
        target = self.adapter.target(self.entity, "create")
        for name in required:
            if text(draft.values.get(name)) == "":
                what = (
                    "number"
                    if name == "origin_code" and self.entity in NUMBER_ENTITIES
                    else FIELD_LABELS.get(name, name)
                )
                hint = (
                    " Enter the ERP job code in Procore and export again."
                    if self.entity is Entity.JOBS and name == "origin_code"
                    else ""
                )
                draft.problems.append(f"{label} {what} is missing; the ERP requires it.{hint}")
        for name, value in draft.values.items():
            limit = target.length_limit(conn, name)
            if isinstance(value, str) and limit and len(value) > limit:
                what = (
                    "number"
                    if name == "origin_code" and self.entity in NUMBER_ENTITIES
                    else FIELD_LABELS.get(name, name.replace("_", " "))
                )
                draft.problems.append(
                    f"{label} {what} is longer than {limit} characters, the ERP's limit."
                )

    def code_taken(self, conn: Connection, code: str) -> str | None:
        """The name of what already uses ``code`` in the ERP (listing or import table)."""
        if not code:
            return None
        source = self.adapter.source(self.entity, "list")
        row = source.find(conn, "origin_code", code)
        if row is None and not self.adapter.target(self.entity, "create").procedure:
            row = self.adapter.target(self.entity, "create").find(conn, "origin_code", code)
        if row is None:
            return None
        return text(row._mapping.get("name")) or code

    def known(
        self, conn: Connection, entity: Entity, ref: dict[str, Any], *, code: str = ""
    ) -> Row | None:
        """The ERP's row for a reference: by origin id, then by the Procore id it was exported
        with, then by code."""
        return self.adapter.lookup(conn, entity, ref, code=code)


def line_drafts(
    entity_adapter: SqlEntity, conn: Connection, draft: Draft, items: list[Any]
) -> None:
    """The lines of a document, checked: numbers, cost code and cost type in the ERP."""
    lines_target = entity_adapter.adapter.target(entity_adapter.entity, "create_lines")
    for index, item in enumerate(map(as_dict, items), start=1):
        position = as_int(item.get("position")) or index
        label = f"Line {position}"
        values: dict[str, Any] = {
            "procore_id": as_int(item.get("id")),
            "position": position,
            "description": text(item.get("description")),
            "uom": text(item.get("uom")) or None,
        }
        for name, kind in (("amount", MONEY), ("quantity", QUANTITY), ("unit_cost", QUANTITY)):
            number = parse_decimal(item.get(name), kind)
            if number is None:
                draft.problems.append(
                    f"{label} {name.replace('_', ' ')} '{item.get(name)}' is not a number."
                )
            values[name] = number
        for name in ("description", "uom"):
            limit = lines_target.length_limit(conn, name)
            if values[name] and limit and len(values[name]) > limit:
                draft.problems.append(
                    f"{label} {FIELD_LABELS[name]} is longer than {limit} characters, the ERP's limit."
                )
        cost_code = as_dict(item.get("cost_code"))
        found = entity_adapter.adapter.cost_code(conn, cost_code) if cost_code else None
        if not cost_code:
            draft.problems.append(f"{label} has no cost code; the ERP requires one.")
        elif found is None:
            code = text(cost_code.get("full_code")) or text(cost_code.get("code"))
            draft.problems.append(
                f"{label}: cost code {code} '{text(cost_code.get('name'))}' is not in the ERP's "
                "cost code list."
            )
        else:
            values["cost_code_origin_id"] = str(found._mapping["origin_id"])
        cost_type = as_dict(item.get("line_item_type"))
        found_type = (
            entity_adapter.known(
                conn, Entity.STANDARD_CATEGORIES, cost_type, code=text(cost_type.get("code"))
            )
            if cost_type
            else None
        )
        if not cost_type:
            draft.problems.append(f"{label} has no cost type; the ERP requires one.")
        elif found_type is None:
            draft.problems.append(
                f"{label}: cost type '{text(cost_type.get('name'))}' "
                f"({text(cost_type.get('code'))}) is not in the ERP."
            )
        else:
            values["line_item_type_origin_id"] = str(found_type._mapping["origin_id"])
        draft.commitment_line_ids.append(as_int(item.get("commitment_line_item_id")))
        draft.lines.append(values)


class Vendors(SqlEntity):
    entity = Entity.VENDORS
    payload_key = "vendor"
    item_type = "vendor"

    def draft(self, conn: Connection, payload: Any) -> Draft:
        vendor = self.header(payload)
        draft = Draft(as_int(vendor.get("id")), {})
        if not vendor:
            draft.problems.append("The export carries no vendor.")
            return draft
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(vendor.get("origin_code")) or None,
            "name": text(vendor.get("name")) or text(vendor.get("company")),
            "address": text(vendor.get("address")) or None,
            "city": text(vendor.get("city")) or None,
            "state_code": text(vendor.get("state_code")).upper() or None,
            "zip": text(vendor.get("zip")) or None,
            "country_code": text(vendor.get("country_code")).upper() or None,
            "business_phone": text(vendor.get("business_phone")) or None,
            "email_address": text(vendor.get("email_address")) or None,
            "website": text(vendor.get("website")) or None,
            "trade_name": text(vendor.get("trade_name")) or None,
            "is_active": vendor.get("is_active") is not False,
        }
        self.check_values(conn, draft, ("name",))
        code = text(draft.values["origin_code"])
        if not code:
            draft.values["origin_code"] = self.next_code(conn)
            draft.code_assigned = draft.values["origin_code"] is not None
            return draft
        taken = self.code_taken(conn, code)
        if taken is not None and not self.adapter.target(self.entity, "create").procedure:
            draft.problems.append(f"Vendor code '{code}' is already used in the ERP by '{taken}'.")
        return draft

    def next_code(self, conn: Connection) -> str | None:
        """The next free code of the ``new_code`` setting (the highest with its prefix, plus
        one), or None when the setting is absent (the database may assign one)."""
        target = self.adapter.target(self.entity, "create")
        rule = target.config.get("new_code")
        if not rule:
            return None
        prefix, digits = rule["prefix"], rule["digits"]
        highest = 0
        for place in (self.adapter.source(self.entity, "list"), target):
            for code in place.codes_with_prefix(conn, prefix):
                suffix = code[len(prefix) :]
                if suffix.isdigit() and len(suffix) == digits:
                    highest = max(highest, int(suffix))
        return f"{prefix}{highest + 1:0{digits}d}"


class OpensCostCodes:
    """Jobs and sub jobs: an export names the cost codes it opens (``all_cost_codes``), each
    one of the ERP's cost code list; each is linked back as ``<origin id>-<cost code>``."""

    adapter: SqlBooks

    def check_cost_codes(self, conn: Connection, draft: Draft, payload: Any) -> None:
        for ref in map(as_dict, as_dict(payload).get("all_cost_codes") or []):
            found = self.adapter.cost_code(conn, ref)
            if found is None:
                code = text(ref.get("full_code")) or text(ref.get("code"))
                draft.problems.append(
                    f"Cost code {code} '{text(ref.get('name'))}' is not in the ERP's cost code list."
                )
            elif as_int(ref.get("id")) is not None:
                draft.links.append(("cost_code", int(ref["id"]), str(found._mapping["origin_id"])))

    def extra_links(
        self, conn: Connection, draft: Draft, origin_id: str
    ) -> list[tuple[str, int, str]]:
        return [
            (item_type, pid, job_cost_code_origin_id(origin_id, cost_code))
            for item_type, pid, cost_code in draft.links
        ]


class Jobs(OpensCostCodes, SqlEntity):
    """``create_or_update_job``: a second export of the same project updates the job's name
    and address in the import table; the job code stays."""

    entity = Entity.JOBS
    payload_key = "job"
    item_type = "project"
    UPDATABLE = ("name", "address", "city", "state_code", "zip", "country_code")

    def draft(self, conn: Connection, payload: Any) -> Draft:
        job = self.header(payload)
        draft = Draft(as_int(job.get("id")), {})
        if not job:
            draft.problems.append("The export carries no project.")
            return draft
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(job.get("origin_code")),
            "name": text(job.get("name")),
            "address": text(job.get("address")) or None,
            "city": text(job.get("city")) or None,
            "state_code": text(job.get("state_code")).upper() or None,
            "zip": text(job.get("zip")) or None,
            "country_code": text(job.get("country_code")).upper() or None,
            "is_active": job.get("active") is not False,
        }
        existing = None if draft.procore_id is None else self.existing(conn, draft.procore_id)
        self.check_values(
            conn, draft, ("name",) if existing is not None else ("origin_code", "name")
        )
        code = text(draft.values["origin_code"])
        if existing is None and code:
            taken = self.code_taken(conn, code)
            if taken is not None:
                draft.problems.append(
                    f"Job code '{code}' is already used in the ERP by job '{taken}'. "
                    "Enter another code and export again."
                )
        self.check_cost_codes(conn, draft, payload)
        return draft

    def after_existing(self, conn: Connection, payload: Any, row: Row) -> CreateResult:
        draft = self.draft(conn, payload)
        conn.rollback()
        if draft.problems:
            raise ConstraintViolation(draft.problems)
        target = self.adapter.target(self.entity, "create")
        with conn.begin():
            if not target.procedure:
                target.update(
                    conn, int(draft.procore_id), {k: draft.values[k] for k in self.UPDATABLE}
                )
            self.open_existing(conn, draft, str(row._mapping["origin_id"]))
        return self.result(conn, row, created=False, draft=draft)

    def open_existing(self, conn: Connection, draft: Draft, origin_id: str) -> None:
        """What a job export does besides updating a job the ERP holds, in the same
        transaction: nothing here; ``JobsWithCostCodes`` opens its cost codes."""


class StandardCostCodes(SqlEntity):
    """One cost code per call, under its parent (which must already be in the ERP)."""

    entity = Entity.STANDARD_COST_CODES
    item_type = "standard_cost_code"

    def draft(self, conn: Connection, payload: Any) -> Draft:
        item = as_dict(payload)
        draft = Draft(as_int(item.get("id")), {})
        full_code = text(item.get("full_code")) or text(item.get("code"))
        separator = self.adapter.settings["segment_separator"]
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": full_code,
            "name": text(item.get("name")),
            "parent_origin_id": None,
        }
        self.check_values(conn, draft, ("origin_code", "name"))
        taken = self.code_taken(conn, full_code)
        if taken is not None:
            draft.problems.append(f"Cost code {full_code} already exists in the ERP ('{taken}').")
        parent_ref = {"origin_id": item.get("parent_origin_id"), "id": item.get("parent_id")}
        parent_code = full_code.rsplit(separator, 1)[0] if separator in full_code else ""
        if text(parent_ref["origin_id"]) or as_int(parent_ref["id"]) is not None or parent_code:
            parent = self.known(conn, Entity.STANDARD_COST_CODES, parent_ref, code=parent_code)
            if parent is None:
                draft.problems.append(
                    f"The parent of cost code {full_code} is not in the ERP; export the parent first."
                )
            else:
                draft.values["parent_origin_id"] = str(parent._mapping["origin_id"])
        return draft


class CostTypes(SqlEntity):
    entity = Entity.STANDARD_CATEGORIES
    item_type = "line_item_type"

    def draft(self, conn: Connection, payload: Any) -> Draft:
        item = as_dict(payload)
        draft = Draft(as_int(item.get("id")), {})
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(item.get("code")),
            "name": text(item.get("name")),
        }
        self.check_values(conn, draft, ("origin_code", "name"))
        code = draft.values["origin_code"]
        taken = self.code_taken(conn, code)
        if taken is not None:
            draft.problems.append(f"Cost type {code} already exists in the ERP ('{taken}').")
        return draft


class DocumentEntity(SqlEntity):
    """Commitments and change orders: a header with lines, written in one transaction."""

    def extra_links(
        self, conn: Connection, draft: Draft, origin_id: str
    ) -> list[tuple[str, int, str]]:
        """A link per line the ERP holds under its Procore id."""
        lines = self.adapter.target(self.entity, "create_lines")
        if lines.procedure:
            return []
        written = {
            as_int(row._mapping.get("procore_id")): str(row._mapping["origin_id"])
            for row in lines.rows_where(conn, "parent_origin_id", origin_id)
        }
        return [
            (self.line_link_type(line), line["procore_id"], written[line["procore_id"]])
            for line in draft.lines
            if line["procore_id"] is not None and line["procore_id"] in written
        ]

    def line_link_type(self, line: dict[str, Any]) -> str:
        return "line_item"

    def check_document(self, conn: Connection, draft: Draft, items: list[Any]) -> None:
        if not items:
            draft.problems.append(
                f"The {self.label} has no line items; the ERP needs at least one."
            )
        line_drafts(self, conn, draft, items)

    def number_taken(self, conn: Connection, number: str, parent_field: str, parent: Any) -> bool:
        if not number or parent is None:
            return False
        for part, target in (
            ("list", self.adapter.source(self.entity, "list")),
            ("create", self.adapter.target(self.entity, "create")),
        ):
            if part == "create" and target.procedure:
                continue
            row = target.find(conn, "origin_code", number)
            if row is not None and str(row._mapping.get(parent_field)) == str(parent):
                return True
        return False


class Commitments(DocumentEntity):
    entity = Entity.COMMITMENTS
    payload_key = "commitment"

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Where the commitment stands in the ERP's own table (``unlink_commitment``): found by
        its ERP id, else by the Procore id it was exported with; its status column read by
        ``document_status``. In the import table but not (yet) in the listing: still open."""
        with self._connection("checking a commitment in the ERP", part="list") as conn:
            source = self.adapter.source(self.entity, "list")
            row = source.find(conn, "origin_id", ref["origin_id"]) if ref.get("origin_id") else None
            imported = None
            if row is None and ref.get("procore_id") is not None:
                imported = self.existing(conn, int(ref["procore_id"]))
                if imported is not None and "origin_id" in imported._mapping:
                    row = source.find(conn, "origin_id", imported._mapping["origin_id"])
            conn.rollback()
        if row is None:
            if imported is not None:
                return DocumentStanding(
                    DocumentState.OPEN, "The commitment (waiting in the ERP's import table)"
                )
            return DocumentStanding(DocumentState.GONE, "The commitment")
        values = row._mapping
        label = f"Commitment {text(values.get('origin_code'))}"
        job = self.adapter.source(Entity.JOBS, "list")
        with self._connection("checking a commitment's job", part="list") as conn:
            job_row = job.find(conn, "origin_id", values.get("project_origin_id"))
            conn.rollback()
        if job_row is not None:
            label += f" on job {text(job_row._mapping.get('origin_code'))}"
        return DocumentStanding(document_state(values.get("status")), label)

    def draft(self, conn: Connection, payload: Any) -> Draft:
        data, commitment = as_dict(payload), self.header(payload)
        draft = Draft(as_int(commitment.get("id")), {})
        if not commitment:
            draft.problems.append("The export carries no commitment.")
            return draft
        kind = text(commitment.get("type"))
        item_type = {
            "WorkOrderContract": "work_order_contract",
            "PurchaseOrderContract": "purchase_order_contract",
        }.get(kind)
        if item_type is None:
            draft.problems.append(
                f"Commitment type '{kind}' is neither a subcontract nor a purchase order."
            )
        erp_type = next(
            (k for k, v in self.adapter.settings["types"].items() if v == item_type),
            kind,
        )
        project = as_dict(commitment.get("project"))
        job_ref = {**project, "origin_id": text(data.get("job_id")) or project.get("origin_id")}
        job = self.known(conn, Entity.JOBS, job_ref)
        vendor_ref = as_dict(commitment.get("vendor"))
        vendor = self.known(conn, Entity.VENDORS, vendor_ref) if vendor_ref else None
        retainage = commitment.get("retainage_percent")
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(commitment.get("number")),
            "type": erp_type,
            "project_origin_id": None if job is None else str(job._mapping["origin_id"]),
            "vendor_origin_id": None if vendor is None else str(vendor._mapping["origin_id"]),
            "title": text(commitment.get("title")) or None,
            "description": text(commitment.get("description")) or None,
            "status": text(commitment.get("status")) or "Approved",
            "executed": bool(commitment.get("executed")),
            "retainage_percent": None if retainage in (None, "") else parse_decimal(retainage),
        }
        if retainage not in (None, "") and draft.values["retainage_percent"] is None:
            draft.problems.append(f"Retainage '{retainage}' is not a number.")
        self.check_values(conn, draft, ("origin_code",))
        draft.item_type = item_type or "work_order_contract"
        if job is None:
            name = text(project.get("name")) or text(data.get("job_id"))
            draft.problems.append(f"Job '{name}' is not in the ERP; export the project first.")
        if vendor is None:
            vendor_name = text(vendor_ref.get("company")) or text(vendor_ref.get("name"))
            draft.problems.append(
                f"Vendor '{vendor_name or '(none)'}' is not in the ERP; export the vendor first."
                if vendor_ref
                else "The commitment has no vendor; the ERP requires one."
            )
        number = draft.values["origin_code"]
        if self.number_taken(conn, number, "project_origin_id", draft.values["project_origin_id"]):
            draft.problems.append(
                f"Commitment {number} already exists on job {text(job._mapping.get('origin_code'))} in the ERP."
            )
        self.check_document(conn, draft, data.get("commitment_items") or [])
        if not draft.problems:
            items = [as_dict(item) for item in data.get("commitment_items") or []]
            problem = lines_total_problem(
                commitment.get("grand_total"), [item.get("amount") for item in items]
            )
            if problem:
                draft.problems.append(problem)
        return draft


class CommitmentChangeOrders(DocumentEntity):
    entity = Entity.COMMITMENT_CHANGE_ORDERS
    payload_key = "change_order"
    item_type = "change_order"

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """The change order as the ERP holds it, for ``unlink_commitment_change_order``: found by its ERP id in the listing,
        else by the Procore id in the create target; void by its status word
        (``document_status``); the Procore ids of its lines the ERP keeps."""
        origin_id, procore_id = ref.get("origin_id"), ref.get("procore_id")
        with self._connection("checking a change order in the ERP", part="list") as conn:
            source = self.adapter.source(self.entity, "list")
            row = source.find(conn, "origin_id", origin_id) if origin_id else None
            if row is None and procore_id is not None:
                imported = self.existing(conn, int(procore_id))
                if imported is not None and "origin_id" in imported._mapping:
                    row = source.find(conn, "origin_id", imported._mapping["origin_id"])
            if row is None:
                conn.rollback()
                return DocumentStanding(DocumentState.GONE, "the change order")
            values = row._mapping
            commitment = self.adapter.source(Entity.COMMITMENTS, "list").find(
                conn, "origin_id", values.get("commitment_origin_id")
            )
            lines = self.adapter.target(self.entity, "create_lines")
            line_ids = tuple(
                int(line._mapping["procore_id"])
                for line in lines.rows_where(conn, "parent_origin_id", values["origin_id"])
                if line._mapping.get("procore_id") is not None
            )
            conn.rollback()
        number = text(commitment._mapping.get("origin_code")) if commitment is not None else "?"
        status = text(values.get("status"))
        return DocumentStanding(
            document_state(status),
            f"change order {text(values.get('origin_code'))} on commitment {number}",
            status=status,
            line_procore_ids=line_ids,
        )

    def draft(self, conn: Connection, payload: Any) -> Draft:
        data, change_order = as_dict(payload), self.header(payload)
        draft = Draft(as_int(change_order.get("id")), {})
        if not change_order:
            draft.problems.append("The export carries no change order.")
            return draft
        commitment_ref = as_dict(data.get("commitment"))
        commitment = self.known(conn, Entity.COMMITMENTS, commitment_ref)
        commitment_id = None if commitment is None else str(commitment._mapping["origin_id"])
        job = text(data.get("job_origin_id")) or (
            None if commitment is None else text(commitment._mapping.get("project_origin_id"))
        )
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(change_order.get("number")),
            "commitment_origin_id": commitment_id,
            "project_origin_id": job or None,
            "title": text(change_order.get("title")) or None,
            "description": text(change_order.get("description")) or None,
            "status": text(change_order.get("status")) or "Approved",
        }
        self.check_values(conn, draft, ("origin_code",))
        if commitment is None:
            draft.problems.append(
                f"Commitment {text(commitment_ref.get('number')) or '(unknown)'} is not in the "
                "ERP; export the commitment first."
            )
        number = draft.values["origin_code"]
        if self.number_taken(conn, number, "commitment_origin_id", commitment_id):
            draft.problems.append(
                f"Change order {number} already exists on commitment "
                f"{text(commitment_ref.get('number'))} in the ERP."
            )
        self.check_document(conn, draft, data.get("change_order_items") or [])
        commitment_lines = self.adapter.target(Entity.COMMITMENTS, "create_lines")
        for line, procore_line in zip(draft.lines, draft.commitment_line_ids, strict=True):
            found = (
                commitment_lines.find(conn, "procore_id", procore_line)
                if procore_line is not None and not commitment_lines.procedure
                else None
            )
            line["commitment_line_item_origin_id"] = (
                None if found is None else str(found._mapping["origin_id"])
            )
        return draft
