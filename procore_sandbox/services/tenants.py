"""Companies, app installs and OAuth client-credentials tokens (procore-erp-api.md §d)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from procore_sandbox import conf
from procore_sandbox.models import AccessToken, App, Company, Installation, ProcoreObject
from procore_sandbox.services.errors import Forbidden, SandboxError
from procore_sandbox.services.ids import new_secret, new_user_id

# Above 2**32: a portal that stores company ids in 32 bits fails on the first call.
FIRST_COMPANY_ID = 4_300_000_001

# Every Procore company starts with standard cost types; the ERP may sync its own over them.
DEFAULT_COST_TYPES = (
    ("L", "Labor"),
    ("M", "Materials"),
    ("E", "Equipment"),
    ("S", "Subcontract"),
    ("O", "Other"),
)


def company_create(*, name: str, company_id: int | None = None) -> Company:
    """Create a company with its default cost types."""
    for _ in range(5):
        try:
            with transaction.atomic():
                new_id = company_id
                if new_id is None:
                    highest = Company.objects.aggregate(m=Max("id"))["m"] or 0
                    new_id = max(highest + 1, FIRST_COMPANY_ID)
                elif Company.objects.filter(id=new_id).exists():
                    raise SandboxError(f"Company {new_id} already exists.")
                company = Company.objects.create(
                    id=new_id,
                    name=name,
                    approver_user_id=new_user_id(),
                    project_user_id=new_user_id(),
                )
                ProcoreObject.objects.bulk_create(
                    ProcoreObject(
                        company=company,
                        item_type="line_item_type",
                        data={"code": code, "name": label, "base_type": label},
                    )
                    for code, label in DEFAULT_COST_TYPES
                )
                return company
        except IntegrityError:
            if company_id is not None:
                raise
    raise SandboxError("Could not allocate a company id; try again.")


def app_install(*, company: Company, client_id: str, client_secret: str, name: str = "") -> App:
    """Install a DMSA app in a company. One app (client id) may be installed in many companies,
    always with the same secret, as with Procore's Developer Managed Service Accounts."""
    if not client_id or not client_secret:
        raise SandboxError("Both a client id and a client secret are needed.")
    with transaction.atomic():
        app, created = App.objects.get_or_create(
            client_id=client_id,
            defaults={
                "client_secret": client_secret,
                "name": name or "ERP Integration",
                "user_id": new_user_id(),
            },
        )
        if not created and not hmac.compare_digest(app.client_secret, client_secret):
            raise SandboxError(
                f"App {client_id} is already installed elsewhere with another secret; "
                "one app has one secret in every company."
            )
        if name and app.name != name:
            app.name = name
            app.save(update_fields=["name"])
        Installation.objects.get_or_create(app=app, company=company)
    return app


def app_uninstall(*, company: Company, client_id: str) -> None:
    """Disconnect an app from a company: its calls for that company then get 403."""
    Installation.objects.filter(company=company, app__client_id=client_id).delete()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    created_at: datetime


def token_issue(*, client_id: str, client_secret: str) -> IssuedToken | None:
    """Exchange client credentials for a bearer token; None when they are wrong."""
    app = App.objects.filter(client_id=client_id).first()
    if app is None or not hmac.compare_digest(app.client_secret, client_secret or ""):
        return None
    expires_in = int(conf.get("token_expires_in"))
    now = timezone.now()
    token = new_secret(32)
    AccessToken.objects.create(
        app=app,
        token_sha256=token_digest(token),
        created_at=now,
        expires_at=now + timedelta(seconds=expires_in),
    )
    return IssuedToken(access_token=token, expires_in=expires_in, created_at=now)


class TokenRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_authenticate(*, token: str) -> App:
    """The app a bearer token belongs to; raises TokenRejected when unknown or expired."""
    row = AccessToken.objects.select_related("app").filter(token_sha256=token_digest(token)).first()
    if row is None:
        raise TokenRejected("The access token is invalid")
    if row.expires_at <= timezone.now():
        raise TokenRejected("The access token expired")
    return row.app


def token_lookup(*, token: str | None) -> AccessToken | None:
    """The live token row (for ``/oauth/token/info``), or None."""
    if not token:
        return None
    row = AccessToken.objects.select_related("app").filter(token_sha256=token_digest(token)).first()
    if row is None or row.expires_at <= timezone.now():
        return None
    return row


def token_revoke(*, token: str | None) -> None:
    if token:
        AccessToken.objects.filter(token_sha256=token_digest(token)).delete()


def company_for_app(*, app: App, company_id: int) -> Company:
    """The company the call is for, if the app is installed there (else Procore's 403)."""
    install = (
        Installation.objects.select_related("company")
        .filter(app=app, company_id=company_id)
        .first()
    )
    if install is None:
        raise Forbidden("App is not connected to this company")
    return install.company


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
