"""One way to hold a row: a lease taken, renewed and given back by conditional UPDATEs.

A lease is the pair ``lease_owner``/``lease_expires_at`` on the row itself (``models.Leased``).
Taking it is one ``UPDATE … WHERE <still claimable> AND <lease free>``: the database re-checks
the condition on the row it is about to change (PostgreSQL re-evaluates it after waiting for a
concurrent writer; SQLite serialises writers), so two workers can never both win, on either
database, and no transaction stays open while the work runs. Every later write names the
holder's token in its WHERE clause, so a worker whose lease ran out and was taken over cannot
overwrite what the new holder did: it learns that it lost (``LeaseLost`` or ``False``).

Each claim gets its own token (``host:pid/xxxxxx``), so two threads of one process are told
apart, and support can still read which machine and process holds a row.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models
from django.utils import timezone

from integrations.models.leases import Leased, lease_free

M = TypeVar("M", bound=Leased)

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Our lease ran out and another worker holds the row now; stop without touching it."""


class Busy(Exception):
    """The work is held by another worker right now; try again later (``retry_after`` seconds).

    Raised instead of waiting. Not an error of Procore's or the ERP's: the callers that retry
    work rows treat it like any other reason to come back later.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def lease_duration() -> timedelta:
    """How long a lease lasts unless renewed (``WORK_LEASE_SECONDS``)."""
    return timedelta(seconds=settings.WORK_LEASE_SECONDS)


def worker_name() -> str:
    """This process, as support reads it on a held row: host and process id."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def _token() -> str:
    return f"{worker_name()}/{secrets.token_hex(3)}"


def lease_claim(
    queryset: models.QuerySet[M],
    *,
    limit: int = 1,
    duration: timedelta | None = None,
    order_by: tuple[str, ...] = ("pk",),
    **updates: Any,
) -> list[M]:
    """Take up to ``limit`` rows of ``queryset`` that nobody holds, writing ``updates`` with the
    lease in the same UPDATE (a state, ``attempts=F("attempts") + 1``, …).

    ``queryset``'s own conditions are applied again in the UPDATE, so a row that stopped
    qualifying between the look and the take is not taken. Returns the rows taken, fresh from
    the database, each carrying its token in ``lease_owner``; an empty list if another worker
    was faster or nothing qualifies.
    """
    now = timezone.now()
    candidates = list(
        queryset.filter(lease_free(now)).order_by(*order_by).values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    token = _token()
    fields: dict[str, Any] = {
        "lease_owner": token,
        "lease_expires_at": now + (duration or lease_duration()),
        **updates,
    }
    if _has_field(queryset.model, "updated_at"):
        fields.setdefault("updated_at", now)
    if len(queryset.query.alias_map) > 1:
        # Filters across relations: Django would move every condition, the lease's too, into a
        # subquery that PostgreSQL does not re-check against a row another worker just took.
        # Keep the lease condition on the updated row itself.
        target = queryset.model._default_manager.filter(lease_free(now), pk__in=candidates).filter(
            pk__in=queryset.values("pk")
        )
    else:
        target = queryset.filter(lease_free(now), pk__in=candidates)
    if not target.update(**fields):
        return []
    return list(
        queryset.model._default_manager.filter(pk__in=candidates, lease_owner=token).order_by(
            *order_by
        )
    )


def lease_write(
    row: Leased, *, renew: bool = False, duration: timedelta | None = None, **fields: Any
) -> None:
    """Write ``fields`` while we hold the row (and extend the lease when ``renew``, by
    ``duration`` or the configured lease length).

    Raises ``LeaseLost`` if the row is no longer ours; nothing is written then.
    """
    if renew:
        fields["lease_expires_at"] = timezone.now() + (duration or lease_duration())
    if not _update_if_held(row, fields):
        raise LeaseLost(f"{type(row).__name__} {row.pk} is held by another worker now")


def lease_renew(row: Leased, *, duration: timedelta | None = None) -> None:
    """Keep the row for another lease length; ``LeaseLost`` if it is no longer ours."""
    lease_write(row, renew=True, duration=duration)


def lease_release(row: Leased, **fields: Any) -> bool:
    """Write ``fields`` and give the row back in one UPDATE; False (nothing written) if the row
    was no longer ours."""
    fields.update(lease_owner="", lease_expires_at=None)
    return _update_if_held(row, fields)


def lease_clear(queryset: models.QuerySet, **fields: Any) -> int:
    """Take the rows from whoever holds them and write ``fields``: only for a person overriding
    the machinery (support's retry or resolve). A holder still running loses its lease and
    writes nothing more."""
    fields.update(lease_owner="", lease_expires_at=None)
    if _has_field(queryset.model, "updated_at"):
        fields.setdefault("updated_at", timezone.now())
    return queryset.update(**fields)


def _update_if_held(row: Leased, fields: dict[str, Any]) -> bool:
    token = row.lease_owner
    if not token:
        return False
    if _has_field(type(row), "updated_at"):
        fields.setdefault("updated_at", timezone.now())
    written = type(row).objects.filter(pk=row.pk, lease_owner=token).update(**fields)
    if written:
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(row, name, value)
    return bool(written)


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


@contextmanager
def lease_kept(rows: Sequence[Leased], *, every: float | None = None) -> Iterator[threading.Event]:
    """Renew the lease of ``rows`` (taken by one claim, so sharing one token) every ``every``
    seconds (a third of the lease length by default) while the block runs.

    Work that takes longer than one lease (an import waiting out a rate limit, a slow ERP) keeps
    its rows, and the lease can stay short, so a killed worker's rows are free again soon after
    it dies. The event yielded is set when the lease was lost to another worker: the work's own
    writes will then fail by themselves, the event only lets it stop early.
    """
    lost = threading.Event()
    if not rows:
        yield lost
        return
    model = type(rows[0])
    token = rows[0].lease_owner
    interval = every if every is not None else lease_duration().total_seconds() / 3
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    renewed = model._default_manager.filter(lease_owner=token).update(
                        lease_expires_at=timezone.now() + lease_duration()
                    )
                except Exception:
                    logger.warning(
                        "could not renew the lease %s; trying again", token, exc_info=True
                    )
                    continue
                if not renewed:
                    lost.set()
                    return
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"lease-{token}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join(timeout=interval + 30)
