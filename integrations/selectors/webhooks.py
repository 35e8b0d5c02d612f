"""Who may deliver webhooks for which company: the bearer secrets, read with a short cache.

Procore delivers to ``/webhooks/procore/<company id>/``. Every delivery needs the company's two
accepted secrets (current and previous, for rotation without downtime). They are cached for a
few seconds per process, and so is the set of company ids the portal serves, so that a flood of
deliveries for ids that do not exist costs no query per attempt and answers in the same time as
a wrong secret for a real company. A change to a company or connection in this process drops
the cache at once (``webhook_credentials_forget``); other processes see it within the TTL, and
a rotation keeps the old secret valid in the second slot meanwhile.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from integrations.models import Company, Connection

CREDENTIALS_TTL_SECONDS = 10.0


@dataclass(frozen=True)
class WebhookCredentials:
    company_pk: int
    procore_company_id: int
    secrets: tuple[str, ...]
    expires: float


_lock = threading.Lock()
_known_ids: frozenset[int] = frozenset()
_known_until = 0.0
_credentials: dict[int, WebhookCredentials] = {}


def _active_company_ids() -> frozenset[int]:
    global _known_ids, _known_until
    now = time.monotonic()
    if now >= _known_until:
        ids = frozenset(
            Company.objects.filter(is_active=True, connection__isnull=False).values_list(
                "procore_company_id", flat=True
            )
        )
        with _lock:
            _known_ids, _known_until = ids, now + CREDENTIALS_TTL_SECONDS
    return _known_ids


def webhook_credentials(*, procore_company_id: int) -> WebhookCredentials | None:
    """The company's pk and accepted secrets (at least one), or None when the portal serves no
    such company or its connection has no webhook secret."""
    if procore_company_id not in _active_company_ids():
        return None
    now = time.monotonic()
    cached = _credentials.get(procore_company_id)
    if cached is not None and cached.expires > now:
        return cached
    connection = (
        Connection.objects.select_related("company")
        .filter(company__procore_company_id=procore_company_id, company__is_active=True)
        .only(
            "webhook_secret",
            "webhook_secret_previous",
            "company__id",
            "company__procore_company_id",
        )
        .first()
    )
    secrets = (
        ()
        if connection is None
        else tuple(s for s in (connection.webhook_secret, connection.webhook_secret_previous) if s)
    )
    if not secrets:
        # No secret to accept (a connection added without one, not provisioned yet): served
        # like an unknown company. Credentials without secrets would have the authentication
        # compare the presented secret with its public decoys only, and accept a decoy.
        with _lock:
            _credentials.pop(procore_company_id, None)
        return None
    credentials = WebhookCredentials(
        company_pk=connection.company_id,
        procore_company_id=procore_company_id,
        secrets=secrets,
        expires=now + CREDENTIALS_TTL_SECONDS,
    )
    with _lock:
        _credentials[procore_company_id] = credentials
    return credentials


def webhook_credentials_forget(procore_company_id: int | None = None) -> None:
    """Drop cached credentials (a rotation, a new or deactivated company, in this process)."""
    global _known_until
    with _lock:
        _known_until = 0.0
        if procore_company_id is None:
            _credentials.clear()
        else:
            _credentials.pop(procore_company_id, None)
