"""``manage.py api_token``: create (printed once), list, revoke."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrations.models import ApiToken
from integrations.services.api_tokens import api_token_authenticate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_list_and_revoke():
    UserFactory(username="alice")
    secret, note = run("create", "--user", "alice", "--name", "nightly export")
    token = ApiToken.objects.get()
    assert api_token_authenticate(secret) == token
    assert "shown once" in note

    listing, _ = run("list", "--user", "alice")
    assert f"{token.prefix}  nightly export  active" in listing
    assert secret not in listing

    revoked, _ = run("revoke", token.prefix)
    assert "Revoked" in revoked
    assert api_token_authenticate(secret) is None


def test_unknown_user_or_prefix_is_a_clear_error():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("create", "--user", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="No token with prefix"):
        run("revoke", "abc")
