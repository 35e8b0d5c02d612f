"""The audit trail of configuration changes: who changed what, and when.

Every write path that changes configuration (admin, commands, self-service) goes through
``audit_record`` so support staff can answer "who changed this connection?" in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from integrations.models import AuditEntry, Company

SECRET_MARK = "(secret changed)"  # noqa: S105 - a label, not a secret


def _secret_fields(instance: models.Model) -> tuple[str, ...]:
    return tuple(getattr(instance, "SECRET_FIELDS", ()))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _keys_diff(
    old: Mapping[str, Any], new: Mapping[str, Any], secret: frozenset[str]
) -> dict[str, Any]:
    """Key-by-key changes of a JSON document; a secret key only says that it changed."""
    changes: dict[str, Any] = {}
    for key in sorted(set(old) | set(new), key=str):
        if key in old and key in new and old[key] == new[key]:
            continue
        if key in secret:
            changes[key] = SECRET_MARK
        else:
            changes[key] = {"from": _jsonable(old.get(key)), "to": _jsonable(new.get(key))}
    return changes


def _partly_secret_diff(
    name: str, before: models.Model | None, after: models.Model, old: Any, new: Any
) -> Any:
    """A document some of whose keys are secret (``PARTLY_SECRET_FIELDS``): the other keys'
    changes in full, so support can see who changed a tenant; the secret ones masked. Anything
    that is not two documents is masked whole."""
    if not isinstance(old or {}, Mapping) or not isinstance(new or {}, Mapping):
        return SECRET_MARK
    secret = after.secret_keys_of(name)
    if before is not None:
        secret |= before.secret_keys_of(name)
    return _keys_diff(old or {}, new or {}, secret) or SECRET_MARK


def audit_diff(
    *, before: models.Model | None, after: models.Model, fields: list[str] | None = None
) -> dict[str, Any]:
    """Field-by-field changes between two states of one row; secrets only say that they changed.

    A model names its secret fields in ``SECRET_FIELDS``, the JSON ones of them that are secret
    only in some keys in ``PARTLY_SECRET_FIELDS`` (with ``secret_keys_of(name)``), and its
    bookkeeping columns that are not a change of their own in ``AUDIT_IGNORED_FIELDS``.
    """
    ignored = {"created_at", "updated_at", *getattr(after, "AUDIT_IGNORED_FIELDS", ())}
    concrete = [
        f.attname
        for f in after._meta.concrete_fields
        if not f.primary_key and f.name not in ignored
    ]
    names = [
        f for f in concrete if fields is None or f in fields or f.removesuffix("_id") in fields
    ]
    secrets = _secret_fields(after)
    partly = tuple(getattr(after, "PARTLY_SECRET_FIELDS", ()))
    changes: dict[str, Any] = {}
    for name in names:
        old = getattr(before, name, None) if before is not None else None
        new = getattr(after, name, None)
        if old == new:
            continue
        if name in partly:
            changes[name] = _partly_secret_diff(name, before, after, old, new)
        elif name in secrets:
            changes[name] = SECRET_MARK
        else:
            changes[name] = {"from": _jsonable(old), "to": _jsonable(new)}
    return changes


def _company_of(instance: models.Model) -> Company | None:
    if isinstance(instance, Company):
        return instance
    return getattr(instance, "company", None)


def audit_record(
    *,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
    actor: Any = None,
    actor_label: str = "",
    company: Company | None = None,
) -> AuditEntry:
    """Write one audit entry. ``actor`` is a user (admin, self-service); commands pass a label."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor_label or actor.get_username()
    else:
        actor, label = None, actor_label or "system"
    company = company or _company_of(instance)
    return AuditEntry.objects.create(
        company=company if company is not None and company.pk else None,
        actor=actor,
        actor_label=label[:150],
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=changes or {},
    )
