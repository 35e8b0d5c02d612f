"""API tokens: random, stored only as a digest, found by prefix, refused once revoked."""

from __future__ import annotations

import hashlib

import pytest

from integrations.models import ApiToken, AuditEntry
from integrations.services.api_tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_token_is_stored_only_as_its_digest():
    user = UserFactory()
    created = api_token_create(user=user, name="nightly export")

    row = ApiToken.objects.get(pk=created.token.pk)
    assert created.secret.startswith(f"erp_{row.prefix}_")
    assert row.digest == hashlib.sha256(created.secret.encode()).hexdigest()
    stored = " ".join(
        str(value) for value in ApiToken.objects.filter(pk=row.pk).values().get().values()
    )
    assert created.secret not in stored
    assert AuditEntry.objects.get(object_id=str(row.pk)).actor == user


def test_it_authenticates_until_revoked_and_records_when_it_was_used():
    created = api_token_create(user=UserFactory(), name="script")
    found = api_token_authenticate(created.secret)
    assert found == created.token and found.last_used_at is not None

    assert api_token_revoke(token=created.token) is True
    assert api_token_authenticate(created.secret) is None
    assert api_token_revoke(token=created.token) is False  # once is enough


@pytest.mark.parametrize(
    "text", ["", "erp_", "nonsense", "erp_abc_def", "Bearer x", "erp_" + "a" * 12 + "_wrong"]
)
def test_anything_else_is_refused(text):
    created = api_token_create(user=UserFactory(), name="script")
    assert api_token_authenticate(text) is None
    wrong_secret = created.secret[:-1] + ("A" if created.secret[-1] != "A" else "B")
    assert api_token_authenticate(wrong_secret) is None


def test_a_token_needs_a_name_saying_what_it_is_for():
    with pytest.raises(ValueError, match="name"):
        api_token_create(user=UserFactory(), name="  ")
