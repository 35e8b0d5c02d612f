"""A company's ERP metadata: validated, immutable versions, and pushing the live one to Procore.

Procore publishes no schema for the metadata (procore-erp-api.md §f, §h.11) and silently ignores
what it does not know, so a misspelt entity or validation type would only show up as a feature
that never appears in the ERP tool. We validate every version against our own schema
(``integrations/metadata/schema.json``) and name the path of every problem, so the person editing
the document can fix it without guessing.

The newest version is the live one (``selectors.metadata.metadata_config_live``; a company
without one gets v1 from the default document through ``metadata_config_ensure``): it is what
provisioning sends and what ``sync_metadata`` pushes. Pushing an older version makes a new
version with its document (a restore), so "newest" and "what Procore has" never disagree.
"""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from integrations.handlers.registry import metadata_flows_unhandled
from integrations.models import Company, MetadataConfig
from integrations.procore import ProcoreClient
from integrations.selectors.connections import connection_for_company
from integrations.selectors.metadata import metadata_config_live
from integrations.services.audit import audit_record

METADATA_DIR = Path(__file__).resolve().parent.parent / "metadata"
SCHEMA_PATH = METADATA_DIR / "schema.json"
DEFAULT_PATH = METADATA_DIR / "default.json"
MAX_PROBLEMS = 50
MAX_CHANGED_PATHS = 50
_CREATE_ATTEMPTS = 5

_TYPE_WORDS = {
    "object": "an object ({…})",
    "array": "a list ([…])",
    "string": "a text in double quotes",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}
_KEY_PATTERN = "^[a-z][a-z0-9_]*$"


@dataclass(frozen=True)
class MetadataProblem:
    """One thing wrong with a document, at a path such as ``settings.entities.vendors.enabled``.

    ``parts`` is the same path as keys and list indexes (what an editor needs to put the message
    beside its field); a document that is not JSON at all has ``line`` and ``column`` instead.
    """

    path: str
    message: str
    parts: tuple[str | int, ...] = field(default=(), compare=False)
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class MetadataInvalid(ValueError):
    """The document does not follow the metadata schema; ``problems`` says where and why."""

    def __init__(self, problems: list[MetadataProblem]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        lines = [f"  - {problem}" for problem in shown]
        if len(problems) > len(shown):
            lines.append(f"  … and {len(problems) - len(shown)} more")
        count = len(problems)
        super().__init__(
            f"The metadata document is not valid ({count} problem{'s' if count != 1 else ''}):\n"
            + "\n".join(lines)
        )


class MetadataPushError(RuntimeError):
    """The metadata cannot be pushed for a reason on our side (no connection, not provisioned)."""


# -- The schema and the default document -----------------------------------------------------


@lru_cache(maxsize=1)
def metadata_schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return schema


def metadata_schema_published(*, schema_id: str) -> dict[str, Any]:
    """The schema as served at its stable URL, its ``$id`` that URL on this deployment."""
    return {**copy.deepcopy(metadata_schema()), "$id": schema_id}


def _form_schema_of(node: Any) -> Any:
    """The schema as the editor's form library reads it: ``$defs`` as ``definitions`` (the
    draft it implements) and true/false as checkboxes; nothing about what is valid changes."""
    if isinstance(node, list):
        return [_form_schema_of(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$defs":
            out["definitions"] = _form_schema_of(value)
        elif key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key in ("$schema", "$id"):
            continue
        else:
            out[key] = _form_schema_of(value)
    if out.get("type") == "boolean":
        out["format"] = "checkbox"
    return out


@lru_cache(maxsize=1)
def metadata_form_schema() -> dict[str, Any]:
    """The metadata schema for the editor's generated form (json-editor reads draft 7)."""
    schema = _form_schema_of(metadata_schema())
    schema.pop("description", None)  # the page says what the document is; the form starts at it
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(metadata_schema())


@lru_cache(maxsize=1)
def _default_text() -> str:
    return DEFAULT_PATH.read_text(encoding="utf-8")


def metadata_default_document() -> dict[str, Any]:
    """A fresh copy of the document every new company starts with."""
    return json.loads(_default_text())


def metadata_enables(*, company: Company, entity: str, direction: str) -> bool:
    """Whether the company's live metadata (the default one before it has any) enables this
    entity and direction (``settings.entities.<entity>.configs.<direction>.enabled``)."""
    live = metadata_config_live(company=company)
    document = live.document if live is not None else metadata_default_document()
    config = ((document or {}).get("settings") or {}).get("entities", {}).get(entity) or {}
    if not isinstance(config, dict) or not config.get("enabled"):
        return False
    return bool(((config.get("configs") or {}).get(direction) or {}).get("enabled"))


# -- Validation ----------------------------------------------------------------------------------


def _path_text(parts: Any) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part).replace("_", "a").isalnum():
            text += f".{part}" if text else str(part)
        else:
            text += f"[{json.dumps(str(part))}]"
    return text or "(the document itself)"


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return f"the text {json.dumps(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _problem(parts: Any, message: str) -> MetadataProblem:
    return MetadataProblem(_path_text(parts), message, parts=tuple(parts))


def _problems_of(error: SchemaError) -> list[MetadataProblem]:
    parts = list(error.absolute_path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        words = _TYPE_WORDS.get(str(expected), str(expected))
        return [_problem(parts, f"must be {words}, not {_describe(instance)}")]
    if kind == "required":
        missing = error.message.removesuffix(" is a required property")
        try:
            key = ast.literal_eval(missing)
        except (ValueError, SyntaxError):
            key = missing
        return [_problem([*parts, key], "is required but missing")]
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = sorted((error.schema.get("properties") or {}).keys())
        hint = f"; expected one of: {', '.join(known)}" if known else ""
        return [
            _problem([*parts, key], f"is not a key Procore knows here{hint}")
            for key in instance
            if key not in known
        ]
    if kind == "enum":
        choices = ", ".join(json.dumps(choice) for choice in expected)
        return [_problem(parts, f"must be one of {choices}, not {_describe(instance)}")]
    if kind == "minLength" and expected == 1:
        return [_problem(parts, "must not be empty")]
    if kind == "maxLength":
        return [_problem(parts, f"must be at most {expected} characters long")]
    if kind == "minimum":
        return [_problem(parts, f"must be at least {expected}")]
    if kind == "minProperties":
        return [_problem(parts, "must not be empty")]
    if kind == "pattern" and expected == _KEY_PATTERN:
        where = parts if "propertyNames" not in error.schema_path else [*parts, instance]
        return [
            _problem(
                where, "must use lowercase letters, digits and underscores, starting with a letter"
            )
        ]
    return [_problem(parts, error.message)]


def metadata_document_problems(document: Any) -> list[MetadataProblem]:
    """Every problem of a parsed document against the schema, in document order."""
    problems: list[MetadataProblem] = []
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.path])
    for error in errors:
        problems.extend(_problems_of(error))
    return list(dict.fromkeys(problems))


def metadata_document_parse(text: str) -> Any:
    """Parse a document typed or uploaded as text; a syntax error names its line and column.

    Procore's own examples carry trailing commas and pseudo-keys such as ``[export, save]``, so
    a pasted example fails here, with a message that says where.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataInvalid(
            [
                MetadataProblem(
                    f"line {exc.lineno}, column {exc.colno}",
                    f"not valid JSON: {exc.msg}",
                    line=exc.lineno,
                    column=exc.colno,
                )
            ]
        ) from None


def metadata_document_validate(document: Mapping[str, Any] | str) -> dict[str, Any]:
    """The document as a plain dict when it follows the schema and enables only what the
    portal handles; else :class:`MetadataInvalid` naming each problem's path."""
    parsed = metadata_document_parse(document) if isinstance(document, str) else document
    if isinstance(parsed, Mapping):
        parsed = copy.deepcopy(dict(parsed))
    problems = metadata_document_problems(parsed)
    if not problems:
        problems = [
            MetadataProblem(path, why, parts=tuple(path.split(".")))
            for path, why in metadata_flows_unhandled(parsed)
        ]
    if problems:
        raise MetadataInvalid(problems)
    return parsed


# -- Versions ------------------------------------------------------------------------------------


def _changed_paths(old: Any, new: Any, prefix: tuple = ()) -> list[str]:
    """Leaf paths that differ between two documents, for the audit trail."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            found.extend(_changed_paths(old.get(key), new.get(key), (*prefix, key)))
            if len(found) > MAX_CHANGED_PATHS:
                break
        return found
    return [] if old == new else [_path_text(prefix)]


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _create_version(
    *,
    company: Company,
    document: dict[str, Any],
    version: int | None,
    actor: Any,
    actor_label: str,
    comment: str,
) -> MetadataConfig:
    with transaction.atomic():
        previous = metadata_config_live(company=company)
        number = version if version is not None else (previous.version + 1 if previous else 1)
        config = MetadataConfig.objects.create(
            company=company,
            version=number,
            document=document,
            comment=comment[:255],
            created_by=_user(actor),
        )
        changed = _changed_paths(previous.document if previous else {}, document)
        audit_record(
            action="create",
            instance=config,
            changes={
                "version": number,
                "comment": config.comment,
                "previous_version": previous.version if previous else None,
                "changed_paths": changed[:MAX_CHANGED_PATHS],
            },
            actor=actor,
            actor_label=actor_label,
        )
    return config


def metadata_config_create(
    *,
    company: Company,
    document: Mapping[str, Any] | str,
    actor: Any = None,
    actor_label: str = "",
    comment: str = "",
) -> MetadataConfig:
    """Validate a document and save it as the company's next version (audited).

    Two editors saving at once each get their own version number: the unique (company, version)
    constraint makes the loser retry with the next number.
    """
    clean = metadata_document_validate(document)
    for _ in range(_CREATE_ATTEMPTS):
        try:
            return _create_version(
                company=company,
                document=clean,
                version=None,
                actor=actor,
                actor_label=actor_label,
                comment=comment,
            )
        except IntegrityError:
            continue
    raise RuntimeError(f"Could not allocate a metadata version number for {company}; try again.")


def metadata_config_ensure(*, company: Company) -> MetadataConfig:
    """The live (newest) version; a company without one gets v1 from the shipped default
    document first. For reading only, ``selectors.metadata.metadata_config_live``."""
    latest = metadata_config_live(company=company)
    if latest is not None:
        return latest
    document = metadata_document_validate(metadata_default_document())
    try:
        return _create_version(
            company=company,
            document=document,
            version=1,
            actor=None,
            actor_label="default metadata",
            comment="Default metadata document",
        )
    except IntegrityError:
        # Another process created v1 at the same moment; theirs is as good as ours.
        return metadata_config_live(company=company)


def metadata_config_mark_pushed(
    *, config: MetadataConfig, actor: Any = None, actor_label: str = "", how: str = "pushed"
) -> MetadataConfig:
    """Record that Procore now holds this version (after a push, or an ERP connection create)."""
    now = timezone.now()
    MetadataConfig.objects.filter(pk=config.pk).update(pushed_at=now)
    config.pushed_at = now
    audit_record(
        action="action",
        instance=config,
        changes={how: {"version": config.version, "at": now.isoformat()}},
        actor=actor,
        actor_label=actor_label,
    )
    return config


def metadata_config_push(
    *,
    company: Company,
    client: ProcoreClient | None = None,
    config: MetadataConfig | None = None,
    actor: Any = None,
    actor_label: str = "",
    require_provisioned: bool = True,
) -> MetadataConfig:
    """Send the live metadata to Procore (Update ERP metadata, §i) and mark it pushed.

    ``config`` pushes a chosen version: an older one is first saved again as the newest version
    (a restore), so the live version is always the one Procore has. Procore errors propagate
    unchanged, classified, so a worker retries the retryable ones.
    """
    connection = connection_for_company(company_id=company.pk)
    if connection is None:
        raise MetadataPushError(
            f"{company} has no Procore connection; create it with connect_company first."
        )
    if require_provisioned and not connection.erp_connection_id:
        raise MetadataPushError(
            f"{company} is not provisioned in Procore yet, so there is no ERP connection to "
            f"push metadata to. Run: python manage.py provision --company "
            f"{company.procore_company_id}"
        )
    live = metadata_config_ensure(company=company)
    if config is not None and config.pk != live.pk:
        if config.company_id != company.pk:
            raise MetadataPushError(f"Metadata {config} does not belong to {company}.")
        live = metadata_config_create(
            company=company,
            document=config.document,
            actor=actor,
            actor_label=actor_label,
            comment=f"Restored from version {config.version}",
        )
    unhandled = metadata_flows_unhandled(live.document)
    if unhandled:
        raise MetadataPushError(
            f"Metadata version {live.version} enables what this portal does not handle, so it "
            "is not pushed: " + "; ".join(f"{path}: {why}" for path, why in unhandled)
        )
    own_client = client is None
    client = client or ProcoreClient(connection)
    try:
        client.update_erp_metadata(metadata=live.document)
    finally:
        if own_client:
            client.close()
    return metadata_config_mark_pushed(config=live, actor=actor, actor_label=actor_label)
