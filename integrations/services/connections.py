"""Connecting a company to Procore and checking that the connection works.

Used by the ``connect_company`` and ``check_connection`` commands and the admin's "Test
connection" action; the same checks and the same audit trail whichever door a change comes in.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import Company, Connection, ProcoreEnvironment
from integrations.procore import ProcoreClient, RetryPolicy
from integrations.procore.destinations import check_base_url
from integrations.procore.errors import (
    BadCredentialsError,
    ConfigurationError,
    ForbiddenError,
    ProcoreError,
    RateLimitedError,
    RequestTimeoutError,
    UnreachableError,
)
from integrations.services.audit import audit_diff, audit_record

MAX_COMPANY_ID = 2**63 - 1
# The fields a connect changes, and therefore the ones its audit entry compares.
CONNECTION_FIELDS = [
    "environment",
    "login_base_url",
    "api_base_url",
    "client_id",
    "client_secret",
    "adapter_key",
    "adapter_settings",
    "webhook_secret",
]
# A change to any of these makes the cached token worthless (other app, other host).
TOKEN_SCOPE_FIELDS = ("environment", "login_base_url", "api_base_url", "client_id", "client_secret")


class ConnectionSettingsError(ValueError):
    """The settings given for a connection cannot work; the message says which and why.

    ``field`` names the connection field at fault when there is one, so a form can put the
    message beside it and a command can name its option.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


DESTINATION_CHANGE_REFUSED = (
    "the client secret is needed again to change where this connection sends it (its "
    "environment, login URL or API URL); enter it with the change"
)


def webhook_url_for(company: Company) -> str:
    """Where Procore delivers this company's events (the hook's ``destination_url``)."""
    return f"{settings.PORTAL_BASE_URL}/webhooks/procore/{company.procore_company_id}/"


def webhook_secret_generate() -> str:
    """A fresh per-company bearer secret for webhook deliveries (256 bits)."""
    return secrets.token_urlsafe(32)


# -- The rules every door applies (this service, the admin form) ---------------------------------


def connection_base_url_check(url: str, *, field: str) -> str:
    """``url`` normalised if the connection may send its credentials there
    (``integrations.procore.destinations``, the same rule the client applies before sending);
    else :class:`ConnectionSettingsError` naming ``field`` (``login_base_url``/``api_base_url``)."""
    what = "the login URL" if field == "login_base_url" else "the API URL"
    try:
        return check_base_url(url, what=what)
    except ConfigurationError as exc:
        raise ConnectionSettingsError(exc.message, field=field) from None


def connection_destination_changed(*, before: Connection, after: Connection) -> bool:
    """Whether ``after`` would send the credentials somewhere else than ``before``: another
    environment, or another login or API host in the custom one."""
    return (
        before.environment != after.environment
        or before.login_url != after.login_url
        or before.api_url != after.api_url
    )


def connection_destination_check(
    *, before: Connection | None, after: Connection, client_secret_entered: bool
) -> None:
    """Refuse to change where a connection sends its client secret unless that secret was
    entered with the change.

    Whoever may edit a connection but does not know its secret could otherwise point the
    login and API URLs at a server of theirs, press "Test connection", and receive it.
    """
    if before is None or not before.client_secret or client_secret_entered:
        return
    if connection_destination_changed(before=before, after=after):
        raise ConnectionSettingsError(DESTINATION_CHANGE_REFUSED, field="client_secret")


def connection_adapter_settings_merge(
    *, before: Connection | None, adapter_key: str, given: Mapping[str, Any]
) -> dict[str, Any]:
    """The adapter settings an edit means: the secret settings it leaves out or blank keep
    their stored values (nobody can see them to send them back), when the adapter stays the
    same (``erp_adapters.registry.adapter_settings_merge``)."""
    from erp_adapters.registry import adapter_settings_merge

    stored = before.adapter_settings if before and before.adapter_key == adapter_key else {}
    return adapter_settings_merge(adapter_key, stored, given)


def connection_changes_apply(*, before: Connection | None, after: Connection) -> list[str]:
    """What follows from an edit, whoever made it: each changed secret gets its time, and a
    cached token of other credentials or another host is dropped. The secrets that changed."""
    changed = after.changed_secrets(before)
    if before is not None and any(
        getattr(before, name) != getattr(after, name) for name in TOKEN_SCOPE_FIELDS
    ):
        after.access_token = ""
        after.token_expires_at = None
        after.health = Connection.Health.UNKNOWN
        after.health_message = "Settings changed; not checked since."
        if before.access_token:
            changed.append("access_token")
    after.mark_secrets_changed(changed)
    return changed


@dataclass(frozen=True)
class ConnectionUpsertResult:
    company: Company
    connection: Connection
    company_created: bool
    connection_created: bool
    changed_fields: list[str]
    webhook_url: str
    # Only when a secret was generated by this call: it is shown once, then stays encrypted.
    new_webhook_secret: str | None


def connection_upsert(
    *,
    procore_company_id: int,
    name: str,
    environment: str,
    client_id: str = "",
    client_secret: str = "",
    api_url: str = "",
    login_url: str = "",
    adapter_key: str | None = None,
    adapter_settings: Mapping[str, Any] | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> ConnectionUpsertResult:
    """Create or update a company and its connection; audit what changed.

    A new connection needs the client id and secret; for an existing one a blank one keeps
    what is stored, except that changing the environment or URLs needs the client secret again
    (``connection_destination_check``). ``adapter_key``/``adapter_settings`` left as ``None``
    keep what is stored; secret adapter settings left out or blank keep theirs. A webhook bearer
    secret is generated when the connection has none. Changing credentials or hosts drops the
    cached token, which belonged to the old ones.
    """
    fields = _validated(
        procore_company_id=procore_company_id,
        name=name,
        environment=environment,
        client_id=client_id,
        client_secret=client_secret,
        api_url=api_url,
        login_url=login_url,
        adapter_key=adapter_key,
        adapter_settings=adapter_settings,
    )
    try:
        return _upsert(fields, actor=actor, actor_label=actor_label)
    except IntegrityError:
        # Another process created the same company at the same moment; ours is now an update.
        return _upsert(fields, actor=actor, actor_label=actor_label)


def _validated(
    *,
    procore_company_id: int,
    name: str,
    environment: str,
    client_id: str,
    client_secret: str,
    api_url: str,
    login_url: str,
    adapter_key: str | None,
    adapter_settings: Mapping[str, Any] | None,
) -> dict[str, Any]:
    try:
        company_id = int(procore_company_id)
    except (TypeError, ValueError):
        raise ConnectionSettingsError(
            f"the Procore company id must be a number, not {procore_company_id!r}"
        ) from None
    if not 0 < company_id <= MAX_COMPANY_ID:
        raise ConnectionSettingsError("the Procore company id must be a positive 64-bit number")
    name = (name or "").strip()
    if not name:
        raise ConnectionSettingsError("the company name must not be empty")
    if environment not in ProcoreEnvironment.values:
        raise ConnectionSettingsError(
            f"unknown environment {environment!r}; choose one of "
            + ", ".join(ProcoreEnvironment.values),
            field="environment",
        )
    api_url, login_url = (api_url or "").strip(), (login_url or "").strip()
    if environment == ProcoreEnvironment.CUSTOM:
        if not api_url or not login_url:
            raise ConnectionSettingsError(
                "the custom environment needs both an API URL and a login URL",
                field="api_base_url" if not api_url else "login_base_url",
            )
        api_url = connection_base_url_check(api_url, field="api_base_url")
        login_url = connection_base_url_check(login_url, field="login_base_url")
    elif api_url or login_url:
        raise ConnectionSettingsError(
            f"API and login URLs are fixed for the {environment} environment; "
            "give them only with the custom environment",
            field="api_base_url" if api_url else "login_base_url",
        )
    fields: dict[str, Any] = {
        "procore_company_id": company_id,
        "name": name,
        "environment": environment,
        "api_base_url": api_url,
        "login_base_url": login_url,
        # Blank: keep the stored one (``_upsert`` requires both for a new connection).
        "client_id": (client_id or "").strip(),
        "client_secret": (client_secret or "").strip(),
    }
    if adapter_settings is not None and not isinstance(adapter_settings, Mapping):
        raise ConnectionSettingsError(
            "the adapter settings must be a JSON object", field="adapter_settings"
        )
    if adapter_key is not None:
        fields["adapter_key"] = adapter_key.strip()
    if adapter_settings is not None:
        fields["adapter_settings"] = dict(adapter_settings)
    return fields


def connection_adapter_check(connection: Connection) -> None:
    """The adapter named exists and its settings pass its schema (``erp_adapters.registry``);
    the settings get the schema's defaults. The message never quotes a secret setting."""
    if not connection.adapter_key:
        if connection.adapter_settings:
            raise ConnectionSettingsError(
                "adapter settings were given without an adapter", field="adapter_settings"
            )
        return
    from erp_adapters.base import AdapterError, UnknownAdapter
    from erp_adapters.registry import validate_adapter_settings

    try:
        connection.adapter_settings = validate_adapter_settings(
            connection.adapter_key, connection.adapter_settings or {}
        )
    except UnknownAdapter as exc:
        raise ConnectionSettingsError(str(exc), field="adapter_key") from None
    except AdapterError as exc:
        raise ConnectionSettingsError(str(exc), field="adapter_settings") from None


@transaction.atomic
def _upsert(fields: dict[str, Any], *, actor: Any, actor_label: str) -> ConnectionUpsertResult:
    company = (
        Company.objects.select_for_update()
        .filter(procore_company_id=fields["procore_company_id"])
        .first()
    )
    connection = (
        None
        if company is None
        else Connection.objects.select_for_update().filter(company=company).first()
    )
    before_connection = None if connection is None else Connection.objects.get(pk=connection.pk)
    if connection is None and not (fields["client_id"] and fields["client_secret"]):
        raise ConnectionSettingsError(
            "both the client id and the client secret are required to connect a company",
            field="client_secret" if fields["client_id"] else "client_id",
        )

    company_created = company is None
    if company is None:
        company = Company.objects.create(
            procore_company_id=fields["procore_company_id"], name=fields["name"]
        )
        audit_record(action="create", instance=company, actor=actor, actor_label=actor_label)
    elif company.name != fields["name"]:
        before = Company.objects.get(pk=company.pk)
        company.name = fields["name"]
        company.save(update_fields=["name", "updated_at"])
        changes = audit_diff(before=before, after=company, fields=["name"])
        audit_record(
            action="update", instance=company, changes=changes, actor=actor, actor_label=actor_label
        )

    connection_created = connection is None
    if connection is None:
        connection = Connection(company=company)
    for name in ("environment", "api_base_url", "login_base_url"):
        setattr(connection, name, fields[name])
    for name in ("client_id", "client_secret"):
        if fields[name]:
            setattr(connection, name, fields[name])
    connection_destination_check(
        before=before_connection,
        after=connection,
        client_secret_entered=bool(fields["client_secret"]),
    )
    if "adapter_key" in fields:
        connection.adapter_key = fields["adapter_key"]
    if "adapter_settings" in fields:
        connection.adapter_settings = connection_adapter_settings_merge(
            before=before_connection,
            adapter_key=connection.adapter_key,
            given=fields["adapter_settings"],
        )
    connection_adapter_check(connection)

    new_secret = None
    if not connection.webhook_secret:
        new_secret = connection.webhook_secret = webhook_secret_generate()

    changes = audit_diff(before=before_connection, after=connection, fields=CONNECTION_FIELDS)
    if connection_created or changes:
        connection_changes_apply(before=before_connection, after=connection)
        connection.save()
        audit_record(
            action="create" if connection_created else "update",
            instance=connection,
            changes=changes,
            actor=actor,
            actor_label=actor_label,
        )
    return ConnectionUpsertResult(
        company=company,
        connection=connection,
        company_created=company_created,
        connection_created=connection_created,
        changed_fields=sorted(changes),
        webhook_url=webhook_url_for(company),
        new_webhook_secret=new_secret,
    )


# -- Checking a connection ---------------------------------------------------------------------


class CheckOutcome(enum.StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    NOT_INSTALLED = "not_installed"
    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate_limited"
    ERROR = "error"


_HEALTH_FOR = {
    CheckOutcome.OK: Connection.Health.OK,
    CheckOutcome.RATE_LIMITED: Connection.Health.DEGRADED,
}


@dataclass(frozen=True)
class ERPCheckResult:
    """The ERP side of a check: the adapter's own health check, in ``Connection.Health`` words."""

    health: str
    message: str

    @property
    def failing(self) -> bool:
        return self.health in (Connection.Health.FAILING, Connection.Health.UNKNOWN)


@dataclass
class ConnectionCheckResult:
    """``outcome``/``message`` are the Procore side; ``erp`` the ERP side, when checked."""

    outcome: CheckOutcome
    message: str
    steps: list[str] = field(default_factory=list)
    request_id: str = ""
    erp: ERPCheckResult | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == CheckOutcome.OK


ClientFactory = Callable[[Connection], ProcoreClient]


def _check_client(connection: Connection) -> ProcoreClient:
    # A person is waiting: no retries, no sleeping through rate limits, short timeouts.
    return ProcoreClient(connection, retry=RetryPolicy.no_retries(), timeout=(5.0, 15.0))


def connection_check(
    *,
    connection: Connection,
    client_factory: ClientFactory = _check_client,
    check_erp: bool = True,
) -> ConnectionCheckResult:
    """Check both sides and record each verdict as its health: Procore (a fresh token and the
    companies list) and, unless ``check_erp`` is False, the ERP (``connection_erp_check``).

    A fresh token proves the stored credentials still work (a cached one could outlive a
    revoked secret); the companies list proves the app is installed in this company.
    """
    result = connection_credentials_test(connection=connection, client_factory=client_factory)
    _store_health(connection, result)
    if check_erp:
        result.erp = connection_erp_check(connection=connection)
    return result


def _unsaved_client(connection: Connection) -> ProcoreClient:
    return ProcoreClient.for_unsaved_credentials(
        connection, retry=RetryPolicy.no_retries(), timeout=(5.0, 15.0)
    )


def connection_credentials_test(
    *, connection: Connection, client_factory: ClientFactory | None = None
) -> ConnectionCheckResult:
    """The same check as ``connection_check``, stored nowhere: by default for credentials
    typed but not saved yet (``connection`` unsaved or edited in memory), whose token is
    fetched and kept in memory only, so a person can test them before saving them."""
    client_factory = client_factory or _unsaved_client
    company_id = connection.company.procore_company_id
    steps: list[str] = []
    try:
        result = _run_check(connection, client_factory, company_id, steps)
    except BadCredentialsError as exc:
        result = _failed(CheckOutcome.BAD_CREDENTIALS, _bad_credentials(exc), exc)
    except ForbiddenError as exc:
        result = _failed(
            CheckOutcome.NOT_INSTALLED,
            f"Procore refused access to company {company_id} (403: {exc.message}). Is the app "
            "installed in the company, with the ERP Integrations and Webhooks permissions?",
            exc,
        )
    except (UnreachableError, RequestTimeoutError) as exc:
        result = _failed(CheckOutcome.UNREACHABLE, f"Host unreachable: {exc.message}.", exc)
    except RateLimitedError as exc:
        wait = f" for about {exc.retry_after:.0f} s" if exc.retry_after else ""
        result = _failed(
            CheckOutcome.RATE_LIMITED, f"Procore is rate limiting this company{wait}.", exc
        )
    except ProcoreError as exc:
        result = _failed(CheckOutcome.ERROR, f"The check failed: {exc}", exc)
    result.steps = steps + result.steps
    return result


def connection_erp_check(*, connection: Connection) -> ERPCheckResult:
    """Run the adapter's health check (the database answers and the mapped tables exist, the
    folders exist and are writable, …) and record it as the connection's ERP health."""
    from erp_adapters.base import AdapterError
    from erp_adapters.registry import get_adapter

    if not connection.adapter_key:
        result = ERPCheckResult(
            Connection.Health.UNKNOWN, "No ERP adapter is set for this connection."
        )
    else:
        try:
            status = get_adapter(connection.adapter_key, connection.adapter_settings).health_check()
            result = ERPCheckResult(str(status.state), status.message)
        except AdapterError as exc:
            result = ERPCheckResult(Connection.Health.FAILING, str(exc))
    now = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        erp_health=result.health, erp_health_message=result.message, erp_health_checked_at=now
    )
    connection.erp_health, connection.erp_health_message = result.health, result.message
    connection.erp_health_checked_at = now
    return result


def _run_check(
    connection: Connection, client_factory: ClientFactory, company_id: int, steps: list[str]
) -> ConnectionCheckResult:
    with client_factory(connection) as client:
        client.tokens.refresh(force=True)
        expires = client.tokens.expires_at
        steps.append(
            f"Got an access token from {connection.login_url}"
            + (f" (valid until {expires:%Y-%m-%d %H:%M} UTC)" if expires else "")
        )
        found = None
        seen = 0
        for company in client.list_companies():
            seen += 1
            if str(company.get("id")) == str(company_id):
                found = company
                break
        steps.append(
            f"Read the companies list from {connection.api_url} ({seen} read before stopping)"
        )
    if found is None:
        return ConnectionCheckResult(
            CheckOutcome.NOT_INSTALLED,
            f"The credentials work, but company {company_id} is not among the companies the "
            "app is installed in. Ask the company admin to install it.",
        )
    return ConnectionCheckResult(
        CheckOutcome.OK,
        f"Connected to {found.get('name') or 'company'} ({company_id}) on "
        f"{connection.get_environment_display()}.",
    )


def _bad_credentials(exc: BadCredentialsError) -> str:
    if exc.path.endswith("/oauth/token") or "client id" in exc.message:
        return f"Bad credentials: {exc.message}. Check the client id and secret."
    return f"Bad credentials: Procore rejected a fresh token ({exc.message})."


def _failed(outcome: CheckOutcome, message: str, exc: ProcoreError) -> ConnectionCheckResult:
    return ConnectionCheckResult(outcome, message, request_id=exc.request_id)


def _store_health(connection: Connection, result: ConnectionCheckResult) -> None:
    health = _HEALTH_FOR.get(result.outcome, Connection.Health.FAILING)
    now = timezone.now()
    message = result.message + (f" (request id {result.request_id})" if result.request_id else "")
    Connection.objects.filter(pk=connection.pk).update(
        health=health, health_message=message, health_checked_at=now
    )
    connection.health, connection.health_message, connection.health_checked_at = (
        health,
        message,
        now,
    )


def connection_cost_code_list_learn(*, connection: Connection, list_id: int) -> bool:
    """Keep the standard cost code list id Procore named in a request, for a connection
    provisioned before the portal kept it. True when it was learnt now."""
    if connection.standard_cost_code_list_id:
        return False
    connection.standard_cost_code_list_id = int(list_id)
    return bool(
        Connection.objects.filter(pk=connection.pk, standard_cost_code_list_id__isnull=True).update(
            standard_cost_code_list_id=int(list_id)
        )
    )
