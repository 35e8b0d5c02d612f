"""The SQL adapter's settings as a JSON Schema, built from the field lists so the two cannot
disagree: a mapping that names a field the adapter does not know is refused when it is saved.

The password is its own setting, ``"writeOnly": true``: encrypted at rest with the rest of the
settings, never shown again, kept when an edit leaves it blank. The URL must not carry it (the
URL is shown, so that support can see which database a company reads).
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import Entity
from erp_adapters.sql.fields import (
    ENTITY_PARTS,
    JOB_STRUCTURE_FIELDS,
    JOB_STRUCTURE_REQUIRED,
    LIST_FIELDS,
    Field,
    entity_parts,
    part_fields,
)

# "scheme://" not followed by "user:password@" (a user alone is fine: "erp@host").
URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+_.-]*://(?![^/?#@]*:[^/?#@]*@)"
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_$#]*(\.[A-Za-z_][A-Za-z0-9_$#]*)?$"

DEFAULT_TYPES = {
    "subcontract": "work_order_contract",
    "purchase_order": "purchase_order_contract",
    "WorkOrderContract": "work_order_contract",
    "PurchaseOrderContract": "purchase_order_contract",
}


def _columns(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "field → column; a field left out is read from (or written to) a column "
        "of the same name when there is one",
        "properties": {
            f.name: {
                "type": "string",
                "pattern": r"^[^\s;]+$",
                "description": f.description or f"the column holding {f.name.replace('_', ' ')}",
            }
            for f in fields
        },
        "additionalProperties": False,
    }


def _source(fields: tuple[Field, ...], what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"where {what} are read: a table or view, or a read-only query",
        "properties": {
            "table": {"type": "string", "pattern": IDENTIFIER, "description": "a table or view"},
            "query": {
                "type": "string",
                "pattern": r"^\s*(?i:select|with)\b",
                "description": "a SELECT (or WITH … SELECT) run read-only; its columns are "
                "mapped like a table's",
            },
            "columns": _columns(fields),
        },
        "oneOf": [{"required": ["table"]}, {"required": ["query"]}],
        "additionalProperties": False,
    }


def _target(fields: tuple[Field, ...], what: str) -> dict[str, Any]:
    names = [f.name for f in fields]
    return {
        "type": "object",
        "description": f"how {what} are written: an insert into a table (the ERP's import "
        "table), or a stored procedure call",
        "properties": {
            "table": {"type": "string", "pattern": IDENTIFIER},
            "columns": _columns(fields),
            "procedure": {"type": "string", "pattern": IDENTIFIER},
            "arguments": {
                "type": "array",
                "items": {"enum": names},
                "description": "the fields passed to the procedure, in order",
            },
            "new_code": {
                "type": "object",
                "description": "when an export carries no code (a vendor made in Procore), the "
                "next free one: prefix and digits, e.g. V- and 6 give V-000041",
                "properties": {
                    "prefix": {"type": "string", "maxLength": 10},
                    "digits": {"type": "integer", "minimum": 1, "maximum": 12},
                },
                "required": ["prefix", "digits"],
                "additionalProperties": False,
            },
        },
        "oneOf": [{"required": ["table"]}, {"required": ["procedure", "arguments"]}],
        "additionalProperties": False,
    }


PART_WHAT = {
    "list_lines": "the lines of {}",
    "create_lines": "the lines of {}",
    "create_markups": "the markups on the lines of {}",
}


def _entity(entity: Entity) -> dict[str, Any]:
    """One entity's mapping: the parts ``fields.entity_parts`` names (list and create, the
    lines of a document, or only some of them: a prime contract is listed only, its change
    orders created only, with their markups)."""
    label = str(entity).replace("_", " ")
    properties: dict[str, Any] = {}
    for part in entity_parts(entity):
        what = PART_WHAT.get(part, "{}").format(label)
        fields = part_fields(entity, part)
        properties[part] = (
            _source(fields, what) if part.startswith("list") else _target(fields, what)
        )
    return {
        "type": "object",
        "title": label.capitalize(),
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


SETTINGS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "SQL database ERP",
    "type": "object",
    "required": ["url", "entities"],
    "properties": {
        "url": {
            "title": "Database URL",
            "type": "string",
            "pattern": URL_PATTERN,
            "description": "the ERP database as a SQLAlchemy URL without the password, e.g. "
            "postgresql+psycopg://erp_reader@db.example.com:5432/books, "
            "mssql+pyodbc://portal@erp-sql/Books?driver=ODBC+Driver+18+for+SQL+Server or "
            "sqlite:////srv/erp/books.sqlite3; the adapter sends the password to this host",
        },
        "password": {
            "title": "Database password",
            "type": "string",
            "writeOnly": True,
            "description": "the database user's password (write-only: never shown again)",
        },
        "connect_timeout": {
            "title": "Connect timeout (seconds)",
            "type": "integer",
            "minimum": 1,
            "maximum": 120,
            "default": 10,
            "description": "how long to wait for the database before calling it unreachable",
        },
        "fetch_size": {
            "title": "Rows per fetch",
            "type": "integer",
            "minimum": 10,
            "maximum": 10000,
            "default": 1000,
            "description": "how many rows a listing holds at a time (server-side cursor)",
        },
        "segment_separator": {
            "title": "Cost code separator",
            "type": "string",
            "minLength": 1,
            "maxLength": 3,
            "default": "-",
            "description": "what separates the segments of a full cost code (03-300)",
        },
        "types": {
            "title": "Commitment types",
            "type": "object",
            "additionalProperties": {"enum": ["work_order_contract", "purchase_order_contract"]},
            "default": DEFAULT_TYPES,
            "description": "the ERP's commitment type values → work_order_contract or "
            "purchase_order_contract",
        },
        "entities": {
            "title": "Entities",
            "type": "object",
            "description": "per entity, how to list and how to create it",
            "properties": {
                str(entity): _entity(entity)
                for entity in dict.fromkeys([*LIST_FIELDS, *ENTITY_PARTS])
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}


# -- Job costs and budgets: their own parts (sub jobs are in ``LIST_FIELDS`` like the others) ---


def _job_structure_entity(entity: Entity) -> dict[str, Any]:
    label = str(entity).replace("_", " ")
    what = {
        "list": f"the cost codes of each job and sub job ({label})",
        "list_lines": "the cost types on each job cost code, with their amounts",
        "create": "the cost codes a job export opens"
        if entity is Entity.JOB_COSTS
        else "the budget of a job",
        "create_lines": "the cost types a job export assigns"
        if entity is Entity.JOB_COSTS
        else "the transactions posted to a budget",
    }
    properties = {
        part: (_source if part.startswith("list") else _target)(fields, what[part])
        for (owner, part), fields in JOB_STRUCTURE_FIELDS.items()
        if owner is entity
    }
    return {
        "type": "object",
        "title": label.capitalize(),
        "properties": properties,
        "required": list(JOB_STRUCTURE_REQUIRED[entity]),
        "additionalProperties": False,
    }


SETTINGS_SCHEMA["properties"]["entities"]["properties"].update(
    {str(entity): _job_structure_entity(entity) for entity in (Entity.JOB_COSTS, Entity.BUDGETS)}
)
