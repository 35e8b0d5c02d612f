"""The ``sql`` adapter in the contract suite, on the sample layout of docs/adapters.md
(``erp_adapters/sql/sample/``): in a fresh SQLite file, and in a fresh schema of a PostgreSQL
database of its own (``erp_sql_fixture``, never the portal's; ``ERP_SQL_TEST_POSTGRES_URL``
overrides it). The PostgreSQL one is skipped when no server answers."""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from erp_adapters.base import Adapter, Entity
from erp_adapters.registry import get_adapter
from erp_adapters.sql.database import dispose_engines
from erp_adapters.sql.sample import lay_out, sample_settings
from tests.erp_adapters.contract.books import Books
from tests.erp_adapters.contract.erp import ContractERP

POSTGRES_URL = os.environ.get(
    "ERP_SQL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/erp_sql_fixture"
)
KINDS = {"subcontract": "SC", "purchase_order": "PO"}


def seed_sample_layout(conn: Connection, books: Books) -> None:
    """Store ``books`` in the sample layout's tables (already created)."""

    def insert(table: str, rows: list[dict]) -> None:
        if rows:
            names = list(rows[0])
            conn.execute(
                text(
                    f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - test data
                    f"VALUES ({', '.join(':' + n for n in names)})"
                ),
                rows,
            )

    insert(
        "vendors",
        [
            {
                "vendor_id": v.origin_id,
                "vendor_code": v.code,
                "name": v.name,
                "city": v.city or None,
                "state": v.state_code or None,
                "email": v.email_address or None,
            }
            for v in books.vendors
        ],
    )
    insert(
        "cost_codes",
        [
            {
                "cost_code_id": c.origin_id,
                "code": c.code,
                "description": c.name,
                "parent_id": c.parent_origin_id,
            }
            for c in sorted(books.cost_codes, key=lambda c: c.code)  # parents first (FKs)
        ],
    )
    insert(
        "cost_types",
        [
            {"cost_type_id": t.origin_id, "code": t.code, "description": t.name}
            for t in books.cost_types
        ],
    )
    insert(
        "jobs",
        [
            {
                "job_id": j.origin_id,
                "job_code": j.code,
                "name": j.name,
                "city": j.city or None,
                "state": j.state_code or None,
            }
            for j in books.jobs
        ],
    )
    insert(
        "commitments",
        [
            {
                "commitment_id": c.origin_id,
                "job_id": c.job_origin_id,
                "vendor_id": c.vendor_origin_id,
                "commitment_type": KINDS[c.kind],
                "number": c.number,
                "title": c.title,
                "status": c.status or None,
            }
            for c in books.commitments
        ],
    )

    def lines(parent_column: str, parent: str, rows, extra: bool) -> list[dict]:
        out = []
        for line in rows:
            row = {
                "line_id": line.origin_id,
                parent_column: parent,
                "line_no": line.position,
                "description": line.description,
                "cost_code_id": line.cost_code_origin_id,
                "cost_type_id": line.cost_type_origin_id,
                "amount": str(line.amount),  # sqlite3 binds no Decimal without Django
            }
            if extra:
                row["commitment_line_id"] = line.commitment_line_origin_id
            out.append(row)
        return out

    for c in books.commitments:
        insert("commitment_lines", lines("commitment_id", c.origin_id, c.lines, False))
    insert(
        "change_orders",
        [
            {
                "change_order_id": co.origin_id,
                "commitment_id": co.commitment_origin_id,
                "number": co.number,
                "title": co.title,
            }
            for co in books.change_orders
        ],
    )
    for co in books.change_orders:
        insert("change_order_lines", lines("change_order_id", co.origin_id, co.lines, True))
    seed_prime_contract_tables(conn, books)
    seed_sample_requisitions(conn, books)
    seed_sample_billing(conn, books)
    seed_sample_job_structure(conn, books)


class SqlContractERP(ContractERP):
    def __init__(self, settings: dict) -> None:
        super().__init__(get_adapter("sql", settings))
        self.settings = settings

    def unavailable(self) -> Adapter:
        """The same mappings, pointed at a port where no database listens."""
        return get_adapter(
            "sql",
            {
                **self.settings,
                "url": "postgresql+psycopg://erp@127.0.0.1:1/books",
                "password": "x",
                "connect_timeout": 2,
            },
        )

    def void(self, entity: Entity, origin_id: str) -> None:
        if entity in BILLING_TABLES:
            self.void_billing(entity, origin_id)
            return
        assert entity is Entity.PRIME_CONTRACT_CHANGE_ORDERS, entity
        engine = create_engine(self.settings["url"])
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE prime_change_orders SET status = 'Void' WHERE change_order_id = :id"),
                {"id": origin_id},
            )
        engine.dispose()

    # -- Payment applications and company-level direct costs --------------------------------------

    def booked(self, entity: Entity, origin_id: str) -> tuple[Decimal, list[Decimal]]:
        table, key, total = BILLING_TABLES[entity]
        engine = create_engine(self.settings["url"])
        try:
            with engine.connect() as conn:
                header = conn.execute(
                    text(f"SELECT {total} FROM {table} WHERE {key} = :id"),  # noqa: S608
                    {"id": origin_id},
                ).scalar_one()
                lines = conn.execute(
                    text(
                        f"SELECT amount FROM {BILLING_LINES[entity]} WHERE {key} = :id "  # noqa: S608
                        "ORDER BY line_no"
                    ),
                    {"id": origin_id},
                ).scalars()
                return Decimal(str(header)), [Decimal(str(amount)) for amount in lines]
        finally:
            engine.dispose()

    def void_billing(self, entity: Entity, origin_id: str) -> None:
        table, key, _total = BILLING_TABLES[entity]
        engine = create_engine(self.settings["url"])
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(f"UPDATE {table} SET status = 'Void' WHERE {key} = :id"),  # noqa: S608
                    {"id": origin_id},
                )
        finally:
            engine.dispose()


@pytest.fixture
def sql_sqlite_contract_factory(tmp_path) -> Iterator[Callable[[Books], ContractERP]]:
    def make(books: Books) -> ContractERP:
        path = tmp_path / f"erp-{uuid.uuid4().hex[:8]}.sqlite3"
        url = f"sqlite:///{path}"
        lay_out_books(url, books)
        return SqlContractERP(sample_settings(url, fetch_size=10))

    yield make
    dispose_engines()


def postgres_admin_url() -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(scope="session")
def erp_postgres_database() -> str:
    """The PostgreSQL database the SQL ERP tests own (created once if missing)."""
    database = POSTGRES_URL.rsplit("/", 1)[1].split("?")[0]
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
            ).first()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL server for the SQL ERP tests: {exc.orig}")
    finally:
        admin.dispose()
    return POSTGRES_URL


@pytest.fixture
def postgres_erp_schema(erp_postgres_database) -> Iterator[Callable[[], str]]:
    """Makes fresh schemas in the ERP database, each an empty ERP; the URL whose search path is
    that schema. Dropped afterwards."""
    created: list[str] = []
    engine = create_engine(erp_postgres_database, isolation_level="AUTOCOMMIT")

    def make() -> str:
        schema = f"erp_{uuid.uuid4().hex[:12]}"
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        created.append(schema)
        separator = "&" if "?" in erp_postgres_database else "?"
        return f"{erp_postgres_database}{separator}options=-csearch_path%3D{schema}"

    yield make
    dispose_engines()
    with engine.connect() as conn:
        for schema in created:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    engine.dispose()


def lay_out_books(url: str, books: Books) -> None:
    """The sample layout, empty, in the database at ``url``, holding ``books``."""
    engine = create_engine(url)
    with engine.begin() as conn:
        lay_out(conn, data=False)
        seed_sample_layout(conn, books)
    engine.dispose()


def seeded_erp_url(request, tmp_path, books: Books) -> Iterator[str]:
    """The URL of an ERP database with the sample layout holding ``books``, on SQLite or
    PostgreSQL as ``request.param`` says; its engines disposed afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_erp_schema")()
    lay_out_books(url, books)
    yield url
    dispose_engines()


@pytest.fixture
def sql_postgres_contract_factory(postgres_erp_schema) -> Callable[[Books], ContractERP]:
    def make(books: Books) -> ContractERP:
        url = postgres_erp_schema()
        lay_out_books(url, books)
        return SqlContractERP(sample_settings(url, fetch_size=10))

    return make


def seed_prime_contract_tables(conn: Connection, books: Books) -> None:
    """The books' owner contracts and their lines in the sample layout's tables."""
    for pc in books.prime_contracts:
        conn.execute(
            text(
                "INSERT INTO prime_contracts (prime_contract_id, job_id, number, title, status) "
                "VALUES (:id, :job, :number, :title, :status)"
            ),
            {
                "id": pc.origin_id,
                "job": pc.job_origin_id,
                "number": pc.number,
                "title": pc.title,
                "status": pc.status or None,
            },
        )
        for line in pc.lines:
            conn.execute(
                text(
                    "INSERT INTO prime_contract_lines (line_id, prime_contract_id, line_no, "
                    "description, cost_code_id, cost_type_id, amount) VALUES (:id, :parent, "
                    ":no, :description, :cost_code, :cost_type, :amount)"
                ),
                {
                    "id": line.origin_id,
                    "parent": pc.origin_id,
                    "no": line.position,
                    "description": line.description,
                    "cost_code": line.cost_code_origin_id,
                    "cost_type": line.cost_type_origin_id,
                    "amount": str(line.amount),  # sqlite3 binds no Decimal without Django
                },
            )


# -- Requisitions and payments (issue 13) -------------------------------------------------------


def seed_sample_requisitions(conn: Connection, books: Books) -> None:
    """The books' invoices and payments in the sample layout's tables."""
    statements = {
        "requisitions": "INSERT INTO requisitions (requisition_id, commitment_id, invoice_number, "
        "billing_date, status, procore_id) VALUES (:requisition_id, :commitment_id, "
        ":invoice_number, :billing_date, :status, :procore_id)",
        "requisition_lines": "INSERT INTO requisition_lines (line_id, requisition_id, line_no, "
        "item_type, description, commitment_line_id, change_order_line_id, amount, procore_id) "
        "VALUES (:line_id, :requisition_id, :line_no, :item_type, :description, "
        ":commitment_line_id, :change_order_line_id, :amount, :procore_id)",
        "payments": "INSERT INTO payments (payment_id, requisition_id, payment_number, amount, "
        "paid_on, check_number, method, status, procore_id) VALUES (:payment_id, "
        ":requisition_id, :payment_number, :amount, :paid_on, :check_number, :method, :status, "
        ":procore_id)",
    }
    for r in books.requisitions:
        conn.execute(
            text(statements["requisitions"]),
            {
                "requisition_id": r.origin_id,
                "commitment_id": r.commitment_origin_id,
                "invoice_number": r.number,
                "billing_date": datetime.date.fromisoformat(r.billing_date),
                "status": r.status or None,
                "procore_id": r.procore_id,
            },
        )
        for line in r.lines:
            conn.execute(
                text(statements["requisition_lines"]),
                {
                    "line_id": line.origin_id,
                    "requisition_id": r.origin_id,
                    "line_no": line.position,
                    "item_type": line.item_type,
                    "description": line.description or None,
                    "commitment_line_id": line.commitment_line_origin_id,
                    "change_order_line_id": line.change_order_line_origin_id,
                    "amount": str(line.amount),
                    "procore_id": line.procore_id,
                },
            )
    for p in books.payments:
        conn.execute(
            text(statements["payments"]),
            {
                "payment_id": p.origin_id,
                "requisition_id": p.requisition_origin_id,
                "payment_number": p.number,
                "amount": str(p.amount),
                "paid_on": datetime.date.fromisoformat(p.paid_on),
                "check_number": p.check_number or None,
                "method": p.method or None,
                "status": p.status or None,
                "procore_id": p.procore_id,
            },
        )


# Where the sample layout keeps pay applications and direct costs: (table, key, total column),
# and their lines' table.
BILLING_TABLES = {
    Entity.PAYMENT_APPLICATIONS: ("pay_applications", "pay_app_id", "billed_this_period"),
    Entity.COMPANY_LEVEL_DIRECT_COSTS: ("direct_costs", "direct_cost_id", "total"),
}
BILLING_LINES = {
    Entity.PAYMENT_APPLICATIONS: "pay_application_lines",
    Entity.COMPANY_LEVEL_DIRECT_COSTS: "direct_cost_lines",
}


def seed_sample_billing(conn: Connection, books: Books) -> None:
    """The books' pay applications and direct costs, one line each, in the sample layout."""
    code = sorted(books.cost_codes, key=lambda c: c.code)[0].origin_id if books.cost_codes else None
    cost_type = books.cost_types[0].origin_id if books.cost_types else None
    for row in books.pay_apps:
        conn.execute(
            text(
                "INSERT INTO pay_applications (pay_app_id, job_id, number, status, "
                "billed_this_period) VALUES (:id, :job, :number, :status, :amount)"
            ),
            {
                "id": row.origin_id,
                "job": row.job_origin_id,
                "number": row.number,
                "status": row.status,
                "amount": str(row.amount),
            },
        )
        conn.execute(
            text(
                "INSERT INTO pay_application_lines (line_id, pay_app_id, line_no, amount) "
                "VALUES (:line, :id, 1, :amount)"
            ),
            {"line": row.line_origin_id, "id": row.origin_id, "amount": str(row.amount)},
        )
    for row in books.direct_costs:
        conn.execute(
            text(
                "INSERT INTO direct_costs (direct_cost_id, vendor_id, cost_kind, invoice_number, "
                "status, total) VALUES (:id, :vendor, :kind, :number, :status, :amount)"
            ),
            {
                "id": row.origin_id,
                "vendor": row.vendor_origin_id,
                "kind": row.kind,
                "number": row.number,
                "status": row.status,
                "amount": str(row.amount),
            },
        )
        conn.execute(
            text(
                "INSERT INTO direct_cost_lines (line_id, direct_cost_id, line_no, job_id, "
                "cost_code_id, cost_type_id, amount) "
                "VALUES (:line, :id, 1, :job, :code, :type, :amount)"
            ),
            {
                "line": row.line_origin_id,
                "id": row.origin_id,
                "job": row.job_origin_id,
                "code": code,
                "type": cost_type,
                "amount": str(row.amount),
            },
        )


# -- Sub jobs and job costs ------------------------------------------------------------------------


def seed_sample_job_structure(conn: Connection, books: Books) -> None:
    """The books' sub jobs, cost codes opened on jobs and sub jobs, and the cost types on them
    (with their amounts) in the sample layout's tables."""
    for s in books.sub_jobs:
        conn.execute(
            text(
                "INSERT INTO sub_jobs (sub_job_id, job_id, code, name) "
                "VALUES (:id, :job, :code, :name)"
            ),
            {"id": s.origin_id, "job": s.job_origin_id, "code": s.code, "name": s.name},
        )
    opened: set[tuple] = set()
    for entry in books.job_costs:
        key = (entry.job_origin_id, entry.sub_job_origin_id, entry.cost_code_origin_id)
        if key not in opened:
            opened.add(key)
            conn.execute(
                text(
                    "INSERT INTO job_cost_codes (job_cost_code_id, job_id, sub_job_id, "
                    "cost_code_id) VALUES (:id, :job, :sub, :code)"
                ),
                {"id": str(uuid.uuid4()), "job": key[0], "sub": key[1], "code": key[2]},
            )
        amounts = entry.amounts or (None, None, None)
        conn.execute(
            text(
                "INSERT INTO job_costs (job_cost_id, job_id, sub_job_id, cost_code_id, "
                "cost_type_id, original_estimate, estimate, job_to_date_cost) "
                "VALUES (:id, :job, :sub, :code, :type, :oe, :est, :jtd)"
            ),
            {
                "id": str(uuid.uuid4()),
                "job": key[0],
                "sub": key[1],
                "code": key[2],
                "type": entry.cost_type_origin_id,
                # sqlite3 binds no Decimal without Django
                **{
                    name: None if value is None else str(value)
                    for name, value in zip(("oe", "est", "jtd"), amounts, strict=True)
                },
            },
        )
