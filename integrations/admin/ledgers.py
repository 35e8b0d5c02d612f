"""Read-only ledgers: webhook events, ERP requests and details, outbound API attempts."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from integrations.admin.base import LedgerAdmin, admin_link, pretty_json
from integrations.models import ApiAttempt, ERPRequest, ERPRequestDetail, NotificationEvent
from integrations.services.audit import audit_record
from integrations.services.erp_requests import (
    erp_request_mark_resolved,
    erp_request_retry,
    request_details_reclose,
)


@admin.action(description="Retry now (run the request again from the start)")
def retry_now(modeladmin, request, queryset) -> None:
    count = 0
    with transaction.atomic():
        for erp_request in queryset:
            erp_request_retry(erp_request=erp_request)
            audit_record(
                action="action",
                instance=erp_request,
                actor=request.user,
                changes={"action": "retry now"},
            )
            count += 1
    modeladmin.message_user(
        request, f"{count} ERP request(s) queued to run again.", messages.SUCCESS
    )


@admin.action(description="Re-close-out (send the recorded status and messages to Procore again)")
def reclose_requests(modeladmin, request, queryset) -> None:
    with transaction.atomic():
        count = request_details_reclose(
            details=ERPRequestDetail.objects.filter(erp_request__in=queryset)
        )
        for erp_request in queryset:
            audit_record(
                action="action",
                instance=erp_request,
                actor=request.user,
                changes={"action": "re-close-out"},
            )
    modeladmin.message_user(
        request, f"{count} request detail(s) queued for close-out.", messages.SUCCESS
    )


@admin.action(description="Re-close-out")
def reclose_details(modeladmin, request, queryset) -> None:
    with transaction.atomic():
        count = request_details_reclose(details=queryset)
    modeladmin.message_user(
        request, f"{count} request detail(s) queued for close-out.", messages.SUCCESS
    )


@admin.action(description="Mark resolved (handled by hand; stop retrying)")
def mark_resolved(modeladmin, request, queryset) -> None:
    count = 0
    with transaction.atomic():
        for erp_request in queryset:
            erp_request_mark_resolved(
                erp_request=erp_request, note=f"marked resolved by {request.user.get_username()}"
            )
            audit_record(
                action="action",
                instance=erp_request,
                actor=request.user,
                changes={"action": "mark resolved"},
            )
            count += 1
    modeladmin.message_user(request, f"{count} ERP request(s) marked resolved.", messages.SUCCESS)


@admin.register(NotificationEvent)
class NotificationEventAdmin(LedgerAdmin):
    list_display = (
        "id",
        "received_at",
        "company",
        "resource_name",
        "event_type",
        "resource_id",
        "state",
        "processed_at",
    )
    list_filter = ("state", "company")
    list_select_related = ("company",)
    exact_text_search = ("ulid",)
    exact_int_search = ("resource_id", "event_id")
    search_help_text = "Exact ULID, event id, or resource id (the ERP Request id)."
    fields = (
        "company_link",
        "dedupe_key",
        "ulid",
        "event_id",
        "resource_name",
        "event_type",
        "resource_id",
        "api_version",
        "state",
        "last_error",
        "erp_request_link",
        "received_at",
        "processed_at",
        "payload_pretty",
    )
    readonly_fields = fields

    @admin.display(description="ERP request")
    def erp_request_link(self, obj: NotificationEvent) -> str:
        return admin_link(obj.erp_request)

    @admin.display(description="Payload as received")
    def payload_pretty(self, obj: NotificationEvent) -> str:
        return pretty_json(obj.payload)


class ERPRequestDetailInline(admin.TabularInline):
    model = ERPRequestDetail
    extra = 0
    can_delete = False
    fields = ("procore_detail_id", "status", "state", "attempts", "messages", "closed_out_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ERPRequest)
class ERPRequestAdmin(LedgerAdmin):
    list_display = (
        "id",
        "created_at",
        "company",
        "procore_request_id",
        "request_name",
        "state",
        "attempts",
        "next_attempt_at",
    )
    list_filter = ("state", "request_name", "company")
    list_select_related = ("company",)
    exact_int_search = ("procore_request_id",)
    search_help_text = "Exact Procore ERP Request id."
    inlines = (ERPRequestDetailInline,)
    actions = (retry_now, reclose_requests, mark_resolved)
    fields = (
        "company_link",
        "procore_request_id",
        "request_name",
        "integration_app_name",
        "state",
        "attempts",
        "next_attempt_at",
        "lease_owner",
        "lease_expires_at",
        "last_error",
        "created_at",
        "updated_at",
        "completed_at",
        "request_data_pretty",
    )
    readonly_fields = fields

    @admin.display(description="Request data (from Procore)")
    def request_data_pretty(self, obj: ERPRequest) -> str:
        return pretty_json(obj.request_data)


@admin.register(ERPRequestDetail)
class ERPRequestDetailAdmin(LedgerAdmin):
    list_display = (
        "id",
        "created_at",
        "company",
        "procore_detail_id",
        "erp_request",
        "status",
        "state",
        "attempts",
    )
    list_filter = ("status", "state", "company")
    list_select_related = ("company", "erp_request")
    exact_int_search = ("procore_detail_id", "erp_request__procore_request_id")
    search_help_text = "Exact request detail id or ERP Request id."
    actions = (reclose_details,)
    fields = (
        "company_link",
        "erp_request_link",
        "procore_detail_id",
        "item_type",
        "item_id",
        "status",
        "messages_pretty",
        "state",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "last_error",
        "closed_out_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="ERP request")
    def erp_request_link(self, obj: ERPRequestDetail) -> str:
        return admin_link(obj.erp_request)

    @admin.display(description="Messages shown in Procore")
    def messages_pretty(self, obj: ERPRequestDetail) -> str:
        return pretty_json(obj.messages)


@admin.register(ApiAttempt)
class ApiAttemptAdmin(LedgerAdmin):
    list_display = (
        "id",
        "created_at",
        "company",
        "method",
        "path",
        "status_code",
        "error",
        "duration_ms",
        "attempt",
        "rate_limit_remaining",
    )
    list_filter = ("status_code", "company")
    list_select_related = ("company",)
    exact_text_search = ("request_id",)
    search_help_text = "Exact x-request-id."
    fields = (
        "company_link",
        "created_at",
        "method",
        "path",
        "status_code",
        "error",
        "duration_ms",
        "attempt",
        "request_id",
        "rate_limit_limit",
        "rate_limit_remaining",
        "rate_limit_reset",
        "request_excerpt",
        "response_excerpt",
    )
    readonly_fields = fields
