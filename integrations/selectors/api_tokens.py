"""A user's API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from integrations.models import ApiToken


def api_tokens_of_user(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first, revoked ones included (they say when)."""
    return ApiToken.objects.filter(user=user).order_by("-id")
