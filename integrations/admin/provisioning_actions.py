"""Row actions for on-call staff: provision a company in Procore, push its metadata.

Attached to the admin classes of ``companies.py`` and ``config.py`` rather than written into
them, so that provisioning stays in one module; the work itself is in the services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.http import HttpRequest

from integrations.admin.companies import CompanyAdmin, ConnectionAdmin
from integrations.admin.config import MetadataConfigAdmin
from integrations.models import Company, Connection, MetadataConfig
from integrations.procore import ProcoreError
from integrations.services.metadata import MetadataInvalid, MetadataPushError, metadata_config_push
from integrations.services.provisioning import (
    PIECE_HOOK,
    ProvisioningError,
    connection_provision,
    interactive_client,
    webhook_secret_retire_previous,
    webhook_secret_rotate,
)

# Each row makes several Procore calls while the person waits; more belongs in the command.
MAX_ROWS = 10


def _too_many(modeladmin: admin.ModelAdmin, request: HttpRequest, count: int) -> bool:
    if count <= MAX_ROWS:
        return False
    modeladmin.message_user(
        request,
        f"Select at most {MAX_ROWS} rows at a time ({count} selected); for more, use "
        "`python manage.py provision --company ID` in a loop.",
        messages.ERROR,
    )
    return True


def _provision(modeladmin: admin.ModelAdmin, request: HttpRequest, companies: Iterable) -> None:
    for company in companies:
        connection = Connection.objects.filter(company=company).first()
        if connection is None:
            modeladmin.message_user(
                request, f"{company}: no Procore connection to provision.", messages.ERROR
            )
            continue
        try:
            with interactive_client(connection) as client:
                result = connection_provision(company=company, client=client, actor=request.user)
        except ProvisioningError as exc:
            modeladmin.message_user(request, f"{company}: {exc}", messages.ERROR)
            continue
        summary = "; ".join(str(step) for step in result.steps)
        modeladmin.message_user(request, f"{company} provisioned. {summary}", messages.SUCCESS)
        for warning in result.warnings:
            modeladmin.message_user(request, f"{company}: {warning}", messages.WARNING)


def _push(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    company: Company,
    config: MetadataConfig | None = None,
) -> None:
    connection = Connection.objects.filter(company=company).first()
    if connection is None:
        modeladmin.message_user(request, f"{company}: no Procore connection.", messages.ERROR)
        return
    try:
        with interactive_client(connection) as client:
            pushed = metadata_config_push(
                company=company, client=client, config=config, actor=request.user
            )
    except (MetadataPushError, MetadataInvalid) as exc:
        modeladmin.message_user(request, f"{company}: {exc}", messages.ERROR)
        return
    except ProcoreError as exc:
        modeladmin.message_user(
            request, f"{company}: Procore refused the metadata: {exc}", messages.ERROR
        )
        return
    restored = (
        f" (restored from version {config.version})"
        if config is not None and config.pk != pushed.pk
        else ""
    )
    modeladmin.message_user(
        request,
        f"{company}: metadata version {pushed.version} pushed to Procore{restored}.",
        messages.SUCCESS,
    )


@admin.action(description="Provision in Procore")
def provision_connections(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[: MAX_ROWS + 1])
    if not _too_many(modeladmin, request, len(rows)):
        _provision(modeladmin, request, [row.company for row in rows])


@admin.action(description="Provision in Procore")
def provision_companies(modeladmin, request, queryset) -> None:
    rows = list(queryset[: MAX_ROWS + 1])
    if not _too_many(modeladmin, request, len(rows)):
        _provision(modeladmin, request, rows)


@admin.action(description="Push metadata")
def push_metadata_connections(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[: MAX_ROWS + 1])
    if not _too_many(modeladmin, request, len(rows)):
        for row in rows:
            _push(modeladmin, request, row.company)


@admin.action(description="Push metadata")
def push_metadata_companies(modeladmin, request, queryset) -> None:
    rows = list(queryset[: MAX_ROWS + 1])
    if not _too_many(modeladmin, request, len(rows)):
        for row in rows:
            _push(modeladmin, request, row)


@admin.action(description="Rotate webhook secret (old one stays accepted)")
def rotate_webhook_secret(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[: MAX_ROWS + 1])
    if _too_many(modeladmin, request, len(rows)):
        return
    for row in rows:
        try:
            with interactive_client(row) as client:
                result = webhook_secret_rotate(
                    company=row.company, client=client, actor=request.user
                )
        except ProvisioningError as exc:
            modeladmin.message_user(
                request,
                f"{row.company}: new secret saved, the old one is still accepted, but the hook "
                f"was not updated: {exc} Run the action again.",
                messages.ERROR,
            )
            continue
        hook = next((str(s) for s in result.steps if s.piece == PIECE_HOOK), "")
        modeladmin.message_user(
            request,
            f"{row.company}: webhook secret rotated. {hook}. Retire the previous secret once no "
            "delivery with it is pending.",
            messages.SUCCESS,
        )


@admin.action(description="Retire previous webhook secret")
def retire_previous_webhook_secret(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[: MAX_ROWS + 1])
    if _too_many(modeladmin, request, len(rows)):
        return
    for row in rows:
        retired = webhook_secret_retire_previous(company=row.company, actor=request.user)
        modeladmin.message_user(
            request,
            f"{row.company}: "
            + ("previous webhook secret retired." if retired else "no previous secret to retire."),
            messages.SUCCESS if retired else messages.INFO,
        )


@admin.action(description="Push this version")
def push_metadata_version(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[:2])
    if len(rows) != 1:
        modeladmin.message_user(
            request, "Select exactly one metadata version to push.", messages.ERROR
        )
        return
    _push(modeladmin, request, rows[0].company, config=rows[0])


ConnectionAdmin.actions = [
    *(ConnectionAdmin.actions or ()),
    provision_connections,
    push_metadata_connections,
    rotate_webhook_secret,
    retire_previous_webhook_secret,
]
CompanyAdmin.actions = [*(CompanyAdmin.actions or ()), provision_companies, push_metadata_companies]
MetadataConfigAdmin.actions = [*(MetadataConfigAdmin.actions or ()), push_metadata_version]
