"""The connection wizard: a company admin connects (or repairs) their company in one go.

Nothing is saved until both sides answered with what was typed: the Procore credentials get a
token and find the company (``connection_credentials_test``, the token kept in memory only),
and the ERP adapter, built from the settings given, passes its health check. Then the
connection is saved (``connection_upsert``: audited, secrets encrypted), provisioned in Procore
(``connection_provision``: safe to run again, which is how it repairs), and both verdicts are
stored as the connection's health. Each step's outcome is reported, in order; the first that
fails stops the rest.

Secrets are write-only: the client id and secret, and every adapter setting its schema marks
``writeOnly``, left blank keep what is stored (changing where the secret goes needs it again).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from erp_adapters.base import AdapterError, AdapterSettingsError, HealthState, HealthStatus
from erp_adapters.registry import get_adapter
from integrations.models import Company, Connection, ProcoreEnvironment
from integrations.selectors.connections import connection_for_company
from integrations.services.connections import (
    ConnectionSettingsError,
    connection_adapter_settings_merge,
    connection_base_url_check,
    connection_check,
    connection_credentials_test,
    connection_destination_check,
    connection_upsert,
)
from integrations.services.provisioning import ProvisioningError, connection_provision

STEP_PROCORE = "Procore credentials tested"
STEP_ERP = "ERP tested"
STEP_SAVED = "Connection saved"
STEP_PROVISIONED = "Provisioned in Procore"
STEP_HEALTH = "Both sides checked"
# What a person calls the connection's fields, in the "saved" step.
FIELD_NAMES = {
    "environment": "Procore environment",
    "login_base_url": "login URL",
    "api_base_url": "API URL",
    "client_id": "client id",
    "client_secret": "client secret",
    "adapter_key": "ERP",
    "adapter_settings": "ERP settings",
    "webhook_secret": "a new webhook secret",
}
STEPS = (STEP_PROCORE, STEP_ERP, STEP_SAVED, STEP_PROVISIONED, STEP_HEALTH)


@dataclass(frozen=True)
class WizardStep:
    title: str
    ok: bool
    message: str
    details: tuple[str, ...] = ()


@dataclass
class WizardReport:
    steps: list[WizardStep] = field(default_factory=list)
    # A problem with what was typed, by form field name ("" for the form as a whole).
    field_errors: dict[str, str] = field(default_factory=dict)
    # The adapter settings' problems, each "<setting>: …" (for the form to place them).
    setting_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(STEPS) and all(step.ok for step in self.steps)

    def not_reached(self) -> list[str]:
        return [title for title in STEPS[len(self.steps) :]]


@dataclass(frozen=True)
class WizardInput:
    environment: str
    login_base_url: str
    api_base_url: str
    client_id: str
    client_secret: str
    adapter_key: str
    adapter_settings: Mapping[str, Any]


def _candidate(company: Company, stored: Connection | None, given: WizardInput) -> Connection:
    """The connection as it would be saved, in memory only (never saved from here)."""
    candidate = copy.copy(stored) if stored is not None else Connection(company=company)
    candidate.environment = given.environment
    custom = given.environment == ProcoreEnvironment.CUSTOM
    candidate.login_base_url = candidate.api_base_url = ""
    if custom:
        candidate.login_base_url = connection_base_url_check(
            given.login_base_url, field="login_base_url"
        )
        candidate.api_base_url = connection_base_url_check(given.api_base_url, field="api_base_url")
    if given.client_id:
        candidate.client_id = given.client_id
    if given.client_secret:
        candidate.client_secret = given.client_secret
    if not (candidate.client_id and candidate.client_secret):
        raise ConnectionSettingsError(
            "Enter the service account's client id and client secret.",
            field="client_id" if not candidate.client_id else "client_secret",
        )
    connection_destination_check(
        before=stored, after=candidate, client_secret_entered=bool(given.client_secret)
    )
    candidate.access_token = ""
    candidate.token_expires_at = None
    candidate.adapter_key = given.adapter_key
    candidate.adapter_settings = connection_adapter_settings_merge(
        before=stored, adapter_key=given.adapter_key, given=given.adapter_settings
    )
    return candidate


def connection_wizard_run(
    *, user: AbstractBaseUser, company: Company, given: WizardInput
) -> WizardReport:
    """Test both sides with what was typed, then save, provision and check (see the module)."""
    report = WizardReport()
    stored = connection_for_company(company_id=company.pk)
    try:
        candidate = _candidate(company, stored, given)
    except ConnectionSettingsError as exc:
        report.field_errors[exc.field or ""] = str(exc)
        report.steps.append(WizardStep(STEP_PROCORE, False, f"Not tested: {exc}"))
        return report

    procore = connection_credentials_test(connection=candidate)
    message = procore.message
    if procore.request_id:
        message += f" (Procore request id {procore.request_id})"
    report.steps.append(WizardStep(STEP_PROCORE, procore.ok, message, tuple(procore.steps)))
    if not procore.ok:
        return report

    try:
        adapter = get_adapter(candidate.adapter_key, candidate.adapter_settings)
        health = adapter.health_check()
    except AdapterSettingsError as exc:
        report.setting_problems = exc.problems
        report.steps.append(WizardStep(STEP_ERP, False, f"Not tested: {exc}"))
        return report
    except AdapterError as exc:
        report.field_errors["adapter_key"] = str(exc)
        report.steps.append(WizardStep(STEP_ERP, False, f"Not tested: {exc}"))
        return report
    # Degraded answers (e.g. no cost types yet): it can be connected; the warning is shown.
    erp_ok = health.state != HealthState.FAILING
    report.steps.append(WizardStep(STEP_ERP, erp_ok, _erp_message(health)))
    if not erp_ok:
        return report

    try:
        saved = connection_upsert(
            procore_company_id=company.procore_company_id,
            name=company.name,
            environment=given.environment,
            client_id=given.client_id,
            client_secret=given.client_secret,
            api_url=candidate.api_base_url,
            login_url=candidate.login_base_url,
            adapter_key=given.adapter_key,
            adapter_settings=given.adapter_settings,
            actor=user,
        )
    except ConnectionSettingsError as exc:
        report.field_errors[exc.field or ""] = str(exc)
        report.steps.append(WizardStep(STEP_SAVED, False, f"Not saved: {exc}"))
        return report
    changed = (
        ", ".join(dict.fromkeys(FIELD_NAMES.get(n, n) for n in saved.changed_fields))
        or "nothing changed"
    )
    report.steps.append(
        WizardStep(
            STEP_SAVED,
            True,
            ("Created" if saved.connection_created else "Updated") + f" ({changed}).",
        )
    )

    try:
        provisioned = connection_provision(company=company, actor=user)
    except ProvisioningError as exc:
        report.steps.append(WizardStep(STEP_PROVISIONED, False, str(exc)))
        return report
    report.steps.append(
        WizardStep(
            STEP_PROVISIONED,
            True,
            "Procore sends this company's ERP requests to the portal."
            + (" Repaired what was missing or stale." if provisioned.changed and stored else ""),
            tuple(str(step) for step in provisioned.steps) + tuple(provisioned.warnings),
        )
    )

    connection = saved.connection
    connection.refresh_from_db()
    procore_now = connection_check(connection=connection)  # both sides, each stored
    erp_now = procore_now.erp
    both = procore_now.ok and erp_now is not None and not erp_now.failing
    if erp_now is None:
        erp_text = "not checked."
    elif erp_now.health == HealthState.DEGRADED:
        erp_text = _erp_message(HealthStatus(HealthState.DEGRADED, erp_now.message))
    else:
        erp_text = erp_now.message
    report.steps.append(
        WizardStep(STEP_HEALTH, both, f"Procore: {procore_now.message} ERP: {erp_text}")
    )
    return report


def _erp_message(health: HealthStatus) -> str:
    if health.state == HealthState.DEGRADED:
        return f"It answers, with a warning: {health.message}"
    return health.message
