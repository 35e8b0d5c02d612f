"""Provisioning a company in Procore: the ERP Connection, the webhook hook and its trigger.

The order is Procore's (procore-erp-api.md §a.3): the ERP Connection with the live metadata
first (it creates the company's Standard Cost Code List), then the hook that delivers events to
our endpoint with the company's bearer secret, then the ``ERP Requests``/``create`` trigger.

Provisioning is safe to run again, and that is how it repairs things: an existing ERP
Connection gets the live metadata pushed instead of a second create (which Procore refuses with
409 or 422); the hook in our namespace is found by listing and brought up to date (URL, bearer
header) instead of being duplicated; the trigger is created only when it is missing. Each id is
saved as soon as Procore gives it, so a run that fails half-way resumes where it stopped.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.models import Company, Connection, MetadataConfig
from integrations.procore import ErrorKind, ProcoreClient, ProcoreError, RetryPolicy
from integrations.procore.errors import (
    ConflictError,
    NotFoundError,
    ProtocolError,
    ValidationError,
)
from integrations.procore.paths import WEBHOOK_API_VERSION
from integrations.selectors.connections import connection_for_company, connection_lease_holder
from integrations.selectors.webhooks import webhook_credentials_forget
from integrations.services.audit import audit_diff, audit_record
from integrations.services.connections import webhook_secret_generate, webhook_url_for
from integrations.services.import_schedules import import_schedules_ensure
from integrations.services.leases import lease_claim, lease_release
from integrations.services.metadata import (
    metadata_config_ensure,
    metadata_config_mark_pushed,
    metadata_config_push,
)

ERP_RESOURCE = "ERP Requests"
ERP_EVENT_TYPE = "create"
PROVISIONED_FIELDS = [
    "erp_connection_id",
    "standard_cost_code_list_id",
    "webhook_hook_id",
    "webhook_trigger_id",
    "webhook_secret",
    "provisioned_at",
]

PIECE_ERP_CONNECTION = "ERP connection"
PIECE_HOOK = "Webhook hook"
PIECE_TRIGGER = "Trigger"


class Change(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ProvisionStep:
    """What one piece needed, and what support staff should know about it."""

    piece: str
    change: Change
    detail: str

    def __str__(self) -> str:
        return f"{self.piece}: {self.change} ({self.detail})"


@dataclass
class ProvisionResult:
    company: Company
    connection: Connection
    metadata: MetadataConfig | None = None
    steps: list[ProvisionStep] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    import_schedules: list[Any] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(step.change != Change.UNCHANGED for step in self.steps)

    def change_of(self, piece: str) -> Change | None:
        return next((step.change for step in self.steps if step.piece == piece), None)


class ProvisioningError(RuntimeError):
    """Provisioning stopped; the message says at which piece and why. ``result`` holds what
    was done before it stopped (ids already saved), ``kind`` the Procore error kind if any."""

    def __init__(
        self, message: str, *, result: ProvisionResult | None = None, cause: Any = None
    ) -> None:
        super().__init__(message)
        self.result = result
        self.cause = cause

    @property
    def kind(self) -> ErrorKind | None:
        return getattr(self.cause, "kind", None)


def interactive_client(connection: Connection) -> ProcoreClient:
    """For a person waiting in the admin: one quick retry, no long sleeps through rate limits."""
    return ProcoreClient(
        connection,
        retry=RetryPolicy(max_retries=1, max_throttle_waits=1, max_wait=5.0),
        timeout=(5.0, 20.0),
    )


PROVISIONING_LEASE = timedelta(minutes=10)


@contextmanager
def provisioning_lease(connection: Connection) -> Iterator[Connection]:
    """One provisioning of a company at a time, in any process.

    Two at once (a double click in the admin, the command beside it) would both list no hook in
    our namespace and both create one; every event would then come twice, and a secret rotation
    would update only one hook. The connection's lease (``services/leases.py``, the same one
    every work row uses) is taken and given back by conditional UPDATEs, so no transaction is
    held open over the calls to Procore, and it runs out by itself if the process dies.
    ``connection`` carries the lease while it is held, so a full save of it keeps the lease.
    """
    taken = lease_claim(Connection.objects.filter(pk=connection.pk), duration=PROVISIONING_LEASE)
    if not taken:
        who, until = connection_lease_holder(connection_id=connection.pk) or ("", None)
        holder = f" ({who})" if who else ""
        latest = f" (at the latest {until:%H:%M} UTC)" if until else ""
        raise ProvisioningError(
            f"{connection.company} is being provisioned already, by another person or process"
            f"{holder}; try again when that has finished{latest}."
        )
    held = taken[0]
    connection.lease_owner, connection.lease_expires_at = held.lease_owner, held.lease_expires_at
    try:
        yield connection
    finally:
        lease_release(connection)


def connection_provision(
    *,
    company: Company,
    client: ProcoreClient | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> ProvisionResult:
    """Create or repair the company's ERP Connection, hook and trigger in Procore (audited)."""
    connection = _connection_of(company)
    with provisioning_lease(connection):
        return _provision(
            connection, company=company, client=client, actor=actor, actor_label=actor_label
        )


def _provision(
    connection: Connection,
    *,
    company: Company,
    client: ProcoreClient | None,
    actor: Any,
    actor_label: str,
) -> ProvisionResult:
    if not (connection.client_id and connection.client_secret):
        raise ProvisioningError(
            f"The connection of {company} has no client id or secret; set them with "
            "connect_company or in the admin first."
        )
    before = Connection.objects.get(pk=connection.pk)
    result = ProvisionResult(company=company, connection=connection)
    if not connection.webhook_secret:
        # The hook carries the secret; a connection made without one gets one now.
        connection.webhook_secret = webhook_secret_generate()
        stamped = connection.mark_secrets_changed(["webhook_secret"])
        connection.save(update_fields=["webhook_secret", *stamped, "updated_at"])

    result.metadata = metadata_config_ensure(company=company)
    own_client = client is None
    client = client or ProcoreClient(connection)
    piece = PIECE_ERP_CONNECTION
    try:
        result.steps.append(
            _erp_connection(connection, client, result, actor=actor, actor_label=actor_label)
        )
        piece = PIECE_HOOK
        hook_step = _hook(connection, client, result)
        result.steps.append(hook_step)
        piece = PIECE_TRIGGER
        result.steps.append(
            _trigger(connection, client, hook_created=hook_step.change == Change.CREATED)
        )
    except ProcoreError as exc:
        message = _explain(piece, exc, connection)
        _audit(before, connection, result, actor, actor_label, failed=message)
        raise ProvisioningError(message, result=result, cause=exc) from exc
    finally:
        if own_client:
            client.close()

    connection.provisioned_at = timezone.now()
    connection.save(update_fields=["provisioned_at", "updated_at"])
    # Imports run on a schedule from now on (support tunes the cadence in the admin).
    result.import_schedules = import_schedules_ensure(company=company)
    _audit(before, connection, result, actor, actor_label)
    return result


# -- Rotating the webhook secret ---------------------------------------------------------------


def _connection_of(company: Company) -> Connection:
    connection = connection_for_company(company_id=company.pk)
    if connection is None:
        raise ProvisioningError(
            f"{company} has no Procore connection; create it with connect_company first."
        )
    return connection


def webhook_secret_rotate(
    *,
    company: Company,
    client: ProcoreClient | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> ProvisionResult:
    """Start a rotation: a new secret becomes current, the old one stays accepted in the
    previous slot, and provisioning updates the hook so Procore sends the new one.

    Deliveries already queued in Procore with the old header keep working. If the hook update
    fails, nothing breaks (the old secret is still accepted); provisioning again finishes it.
    """
    connection = _connection_of(company)
    with provisioning_lease(connection):
        before = Connection.objects.get(pk=connection.pk)
        if connection.webhook_secret:
            connection.webhook_secret_previous = connection.webhook_secret
        connection.webhook_secret = webhook_secret_generate()
        stamped = connection.note_secret_changes(before)
        connection.save(
            update_fields=["webhook_secret", "webhook_secret_previous", *stamped, "updated_at"]
        )
        audit_record(
            action="update",
            instance=connection,
            changes={
                "rotation": "started",
                **audit_diff(
                    before=before,
                    after=connection,
                    fields=["webhook_secret", "webhook_secret_previous"],
                ),
            },
            actor=actor,
            actor_label=actor_label,
        )
        webhook_credentials_forget(company.procore_company_id)
        return _provision(
            connection, company=company, client=client, actor=actor, actor_label=actor_label
        )


def webhook_secret_retire_previous(
    *, company: Company, actor: Any = None, actor_label: str = ""
) -> bool:
    """Finish a rotation: stop accepting the old secret. False when there was none."""
    connection = _connection_of(company)
    if not connection.webhook_secret_previous:
        return False
    before = Connection.objects.get(pk=connection.pk)
    connection.webhook_secret_previous = ""
    stamped = connection.mark_secrets_changed(["webhook_secret_previous"])
    connection.save(update_fields=["webhook_secret_previous", *stamped, "updated_at"])
    audit_record(
        action="update",
        instance=connection,
        changes={
            "rotation": "finished",
            **audit_diff(before=before, after=connection, fields=["webhook_secret_previous"]),
        },
        actor=actor,
        actor_label=actor_label,
    )
    webhook_credentials_forget(company.procore_company_id)
    return True


# -- The pieces ----------------------------------------------------------------------------------


def _save(connection: Connection, **values: Any) -> None:
    for name, value in values.items():
        setattr(connection, name, value)
    connection.save(update_fields=[*values, "updated_at"])


def _erp_connection(
    connection: Connection,
    client: ProcoreClient,
    result: ProvisionResult,
    *,
    actor: Any,
    actor_label: str,
) -> ProvisionStep:
    company = connection.company
    live = result.metadata
    if connection.erp_connection_id:
        # Pushing a version Procore already holds changes nothing there: say so.
        already_live = live.pushed_at is not None
        try:
            pushed = metadata_config_push(
                company=company, client=client, actor=actor, actor_label=actor_label
            )
        except NotFoundError:
            result.warnings.append(
                f"Procore no longer had ERP connection {connection.erp_connection_id}; "
                "it was created again."
            )
            _save(connection, erp_connection_id=None, standard_cost_code_list_id=None)
        else:
            return ProvisionStep(
                PIECE_ERP_CONNECTION,
                Change.UNCHANGED if already_live else Change.UPDATED,
                f"id {connection.erp_connection_id}; pushed metadata version {pushed.version}"
                + (" again" if already_live else ""),
            )
    try:
        created = client.create_erp_connection(
            service_url=settings.PORTAL_BASE_URL, metadata=live.document
        )
    except (ConflictError, ValidationError) as refused:
        # Created earlier (an answer lost, a restored database): push the metadata instead. If
        # there is nothing to update, the create's refusal was the real problem.
        try:
            pushed = metadata_config_push(
                company=company,
                client=client,
                actor=actor,
                actor_label=actor_label,
                require_provisioned=False,
            )
        except NotFoundError:
            raise refused from None
        # Procore answers the company id as the ERP connection's id (legacy-2022 §a.3 step 4).
        _save(connection, erp_connection_id=company.procore_company_id)
        if not connection.standard_cost_code_list_id:
            result.warnings.append(
                "Procore answered only the create with the Standard Cost Code List id, so it is "
                "not known here; sync_standard_cost_codes requests carry it in their data."
            )
        return ProvisionStep(
            PIECE_ERP_CONNECTION,
            Change.UPDATED,
            f"already existed in Procore (HTTP {refused.status}); pushed metadata "
            f"version {pushed.version}",
        )
    _save(
        connection,
        erp_connection_id=created.id,
        standard_cost_code_list_id=created.standard_cost_code_list_id,
    )
    metadata_config_mark_pushed(
        config=live, actor=actor, actor_label=actor_label, how="sent with the ERP connection"
    )
    return ProvisionStep(
        PIECE_ERP_CONNECTION,
        Change.CREATED,
        f"id {created.id}, standard cost code list {created.standard_cost_code_list_id}, "
        f"metadata version {live.version}, service URL {settings.PORTAL_BASE_URL}",
    )


def _version(value: Any) -> str:
    return "v" + str(value or "").strip().lower().lstrip("v").split(".")[0]


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k).lower(): str(v) for k, v in value.items()}


def _hook(connection: Connection, client: ProcoreClient, result: ProvisionResult) -> ProvisionStep:
    namespace = settings.PROCORE_WEBHOOK_NAMESPACE
    url = webhook_url_for(connection.company)
    headers = {"Authorization": f"Bearer {connection.webhook_secret}"}
    hooks = [
        hook
        for hook in client.list_hooks(namespace=namespace)
        if isinstance(hook, dict) and hook.get("namespace", namespace) == namespace
    ]
    chosen = (
        next((h for h in hooks if _int(h.get("id")) == connection.webhook_hook_id), None)
        or next((h for h in hooks if h.get("destination_url") == url), None)
        or (hooks[0] if hooks else None)
    )
    others = [h for h in hooks if h is not chosen]
    if others:
        ids = ", ".join(str(h.get("id")) for h in others)
        result.warnings.append(
            f"{len(others)} other hook(s) in namespace {namespace!r} also exist for this company "
            f"(id {ids}); Procore delivers every event to each of them. Delete them if stale."
        )
    if chosen is None:
        hook = client.create_hook(
            namespace=namespace, destination_url=url, destination_headers=headers
        )
        hook_id = _int(hook.get("id") if isinstance(hook, dict) else None)
        if hook_id is None:
            raise ProtocolError("creating the webhook hook answered without an id", body=hook)
        _save(connection, webhook_hook_id=hook_id, webhook_trigger_id=None)
        return ProvisionStep(
            PIECE_HOOK, Change.CREATED, f"id {hook_id} in namespace {namespace!r} → {url}"
        )

    hook_id = _int(chosen.get("id"))
    stale = []
    if chosen.get("destination_url") != url:
        stale.append("destination URL")
    if "destination_headers" not in chosen or _headers(chosen["destination_headers"]) != _headers(
        headers
    ):
        stale.append("Authorization header")
    if "api_version" in chosen and _version(chosen["api_version"]) != WEBHOOK_API_VERSION:
        stale.append("API version")
    if hook_id != connection.webhook_hook_id:
        _save(connection, webhook_hook_id=hook_id, webhook_trigger_id=None)
    if not stale:
        return ProvisionStep(PIECE_HOOK, Change.UNCHANGED, f"id {hook_id} → {url}")
    client.update_hook(
        hook_id,
        destination_url=url,
        destination_headers=headers,
        api_version=WEBHOOK_API_VERSION,
    )
    return ProvisionStep(
        PIECE_HOOK, Change.UPDATED, f"id {hook_id}: set {', '.join(stale)} → {url}"
    )


def _erp_trigger(triggers: list[Any]) -> dict[str, Any] | None:
    return next(
        (
            t
            for t in triggers
            if isinstance(t, dict)
            and t.get("resource_name") == ERP_RESOURCE
            and t.get("event_type") == ERP_EVENT_TYPE
        ),
        None,
    )


def _trigger(connection: Connection, client: ProcoreClient, *, hook_created: bool) -> ProvisionStep:
    hook_id = connection.webhook_hook_id
    found = None if hook_created else _erp_trigger(client.list_triggers(hook_id))
    label = f"{ERP_RESOURCE} / {ERP_EVENT_TYPE}"
    if found is not None:
        trigger_id = _int(found.get("id"))
        if trigger_id != connection.webhook_trigger_id:
            _save(connection, webhook_trigger_id=trigger_id)
        return ProvisionStep(PIECE_TRIGGER, Change.UNCHANGED, f"{label}, id {trigger_id}")
    try:
        created = client.create_trigger(
            hook_id, resource_name=ERP_RESOURCE, event_type=ERP_EVENT_TYPE
        )
    except (ConflictError, ValidationError):
        # Lost a race with another run, or the list was stale: it exists, so use it.
        found = _erp_trigger(client.list_triggers(hook_id))
        if found is None:
            raise
        _save(connection, webhook_trigger_id=_int(found.get("id")))
        return ProvisionStep(
            PIECE_TRIGGER, Change.UNCHANGED, f"{label}, id {connection.webhook_trigger_id}"
        )
    trigger_id = _int(created.get("id") if isinstance(created, dict) else None)
    _save(connection, webhook_trigger_id=trigger_id)
    return ProvisionStep(
        PIECE_TRIGGER, Change.CREATED, f"{label} on hook {hook_id}, id {trigger_id}"
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- Reporting -------------------------------------------------------------------------------


_HINTS = {
    ErrorKind.BAD_CREDENTIALS: "Check the client id and secret (connect_company).",
    ErrorKind.FORBIDDEN: (
        "Is the app installed in the company, with the ERP Integrations Admin permission and "
        "the Webhooks API permission at Standard?"
    ),
    ErrorKind.UNREACHABLE: "Procore could not be reached; try again when it is.",
    ErrorKind.TIMEOUT: "Procore did not answer in time; try again.",
    ErrorKind.RATE_LIMITED: "Procore is rate limiting this company; try again in a few minutes.",
    ErrorKind.UNAVAILABLE: "Procore is unavailable; try again later.",
    ErrorKind.CONFIGURATION: "Check the connection's environment and base URLs.",
}


def _explain(piece: str, exc: ProcoreError, connection: Connection) -> str:
    status = f" (HTTP {exc.status})" if exc.status else ""
    text = f"{piece} failed{status}: {exc.message}."
    hint = _HINTS.get(exc.kind)
    if hint:
        text += f" {hint}"
    if exc.request_id:
        text += f" Procore request id {exc.request_id}."
    return text + f" [{connection.api_url}]"


def _audit(
    before: Connection,
    connection: Connection,
    result: ProvisionResult,
    actor: Any,
    actor_label: str,
    *,
    failed: str = "",
) -> None:
    changes: dict[str, Any] = {
        "provision": {step.piece: f"{step.change}: {step.detail}" for step in result.steps},
        **audit_diff(before=before, after=connection, fields=PROVISIONED_FIELDS),
    }
    if result.warnings:
        changes["warnings"] = result.warnings
    if failed:
        changes["failed"] = failed
    audit_record(
        action="action", instance=connection, changes=changes, actor=actor, actor_label=actor_label
    )
