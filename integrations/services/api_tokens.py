"""API tokens for scripts: created (shown once), checked, revoked. Audited with who did it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.crypto import constant_time_compare

from integrations.models import ApiToken
from integrations.services.audit import audit_record

TOKEN_PREFIX = "erp"  # noqa: S105 (the visible start of every token, not a secret)
# last_used_at is written at most this often, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiToken:
    """The token row and the token itself: the only time it exists in clear."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *, user: Any, name: str, actor: Any = None, actor_label: str = ""
) -> NewApiToken:
    """A new token for ``user``; its text is returned here and never stored. Made by the user
    unless ``actor`` (support) or ``actor_label`` (a command) says who else."""
    name = (name or "").strip()
    if not name:
        raise ValueError("Give the token a name that says what it is for, e.g. nightly export.")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, digest=_digest(secret)
    )
    audit_record(
        action="create",
        instance=token,
        changes={"user": user.get_username(), "name": token.name},
        actor=actor if actor is not None or actor_label else user,
        actor_label=actor_label,
    )
    return NewApiToken(token, secret)


def api_token_revoke(*, token: ApiToken, actor: Any = None, actor_label: str = "") -> bool:
    """Revoke now; False when it was revoked already. Calls with it are refused from now on."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed:
        token.refresh_from_db(fields=["revoked_at"])
        audit_record(
            action="action",
            instance=token,
            changes={"action": "revoke", "user": token.user.get_username()},
            actor=actor,
            actor_label=actor_label,
        )
    return bool(changed)


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token this text is, with its user; None for anything else."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not constant_time_compare(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
