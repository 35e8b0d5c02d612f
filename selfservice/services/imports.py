"""Running an import from the portal, as a company admin."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from integrations.enqueue import enqueue_import
from integrations.models import Company, Connection, ImportEntity, SyncRun
from integrations.services.audit import audit_record


class ImportRefused(ValueError):
    """The import cannot be queued; the message says why and what to do."""


def import_start_by_member(*, user: AbstractBaseUser, company: Company, entity: str) -> None:
    """Queue an import of ``entity`` now (or resume the one that is paused); the worker starts
    it within seconds and the runs page shows its progress."""
    if entity not in ImportEntity.values:
        raise ImportRefused(f"{entity!r} is not an entity the portal imports.")
    if not Connection.objects.filter(company=company).exists():
        raise ImportRefused("Connect the company to Procore and its ERP before importing.")
    with transaction.atomic():
        enqueue_import(company.pk, entity, SyncRun.Trigger.SELF_SERVICE)
        audit_record(
            action="action",
            instance=company,
            actor=user,
            changes={"action": "run import now", "entity": entity, "via": "self-service"},
        )
