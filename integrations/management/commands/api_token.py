"""``manage.py api_token create --user NAME --name WHAT`` / ``revoke PREFIX`` / ``list --user NAME``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from integrations.models import ApiToken
from integrations.selectors.api_tokens import api_tokens_of_user
from integrations.services.api_tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create (printed once), list or revoke a user's API tokens for /api/v1/."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new token for a user; printed once.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True, help="What it is for, e.g. nightly export.")
        listing = sub.add_parser("list", help="A user's tokens (never their text).")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (after erp_).")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        label = "manage.py api_token"
        if action == "revoke":
            token = ApiToken.objects.select_related("user").filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"No token with prefix {options['prefix']!r}.")
            if api_token_revoke(token=token, actor_label=label):
                self.stdout.write(f"Revoked {token} of {token.user}.")
            else:
                self.stdout.write(f"{token} of {token.user} was revoked already.")
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        if action == "list":
            for token in api_tokens_of_user(user=user):
                state = (
                    f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
                )
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.prefix}  {token.name}  {state}, last used {used}")
            return
        try:
            created = api_token_create(user=user, name=options["name"], actor_label=label)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(created.secret)
        self.stderr.write(
            f"API token {created.token.prefix} for {user}: shown once; store it where the script "
            "reads it. Send it as: Authorization: Bearer <token>."
        )
