"""Read-only ledgers: webhook events, ERP requests and details, outbound API attempts.

Each row links to the rows that belong with it (an event's request, a request's events, import
runs, object links and API attempts), and the list's row actions are buttons on the row's page
as well (``DetailActionsMixin``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from integrations.admin.base import (
    LedgerAdmin,
    admin_link,
    list_link,
    messages_list,
    pretty_json,
    short_time,
    state_cell,
)
from integrations.models import ApiAttempt, ERPRequest, ERPRequestDetail, NotificationEvent
from integrations.selectors.console import (
    erp_request_in_procore,
    erp_request_object_links,
    erp_request_state,
    request_detail_state,
    when,
)
from integrations.services.audit import audit_record
from integrations.services.erp_requests import (
    NotResolvable,
    erp_request_mark_resolved,
    erp_request_retry,
    request_details_reclose,
)


@admin.action(
    description="Retry now (run the request again from the start)",
    permissions=["operate"],
)
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


@admin.action(
    description="Re-close-out (send the recorded status and messages to Procore again)",
    permissions=["operate"],
)
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


@admin.action(description="Re-close-out", permissions=["operate"])
def reclose_details(modeladmin, request, queryset) -> None:
    with transaction.atomic():
        count = request_details_reclose(details=queryset)
        for detail in queryset:
            audit_record(
                action="action",
                instance=detail,
                actor=request.user,
                changes={"action": "re-close-out"},
            )
    modeladmin.message_user(
        request, f"{count} request detail(s) queued for close-out.", messages.SUCCESS
    )


@admin.action(description="Mark resolved (handled by hand; stop retrying)", permissions=["operate"])
def mark_resolved(modeladmin, request, queryset) -> None:
    """Each request on its own: one that succeeded is refused with the reason, the others are
    resolved all the same."""
    count = 0
    for erp_request in queryset:
        try:
            with transaction.atomic():
                erp_request_mark_resolved(
                    erp_request=erp_request,
                    note=f"marked resolved by {request.user.get_username()}",
                )
                audit_record(
                    action="action",
                    instance=erp_request,
                    actor=request.user,
                    changes={"action": "mark resolved"},
                )
        except NotResolvable as exc:
            modeladmin.message_user(request, f"Not marked resolved: {exc}", messages.ERROR)
            continue
        count += 1
    if count:
        modeladmin.message_user(
            request, f"{count} ERP request(s) marked resolved.", messages.SUCCESS
        )


def _detail_state_cell(detail: ERPRequestDetail) -> str:
    if detail.state == "succeeded":
        tone = "succeeded" if detail.status == ERPRequestDetail.Status.SUCCESS else "failed"
    else:
        tone = detail.state
    return state_cell(request_detail_state(detail), tone)


def _history(detail: ERPRequestDetail) -> str:
    """Every close-out sent to Procore, oldest first: a retry never hides what the approver
    read before."""
    entries = detail.history or []
    if not entries:
        return "—"
    rows = []
    for entry in entries:
        status = str(entry.get("status", "?"))
        messages_html = messages_list(entry.get("messages"))
        rows.append((str(entry.get("at", ""))[:16].replace("T", " "), status, messages_html))
    return format_html(
        '<ol class="console-history">{}</ol>',
        format_html_join("", "<li>{} UTC · closed out as <b>{}</b>{}</li>", rows),
    )


@admin.register(NotificationEvent)
class NotificationEventAdmin(LedgerAdmin):
    list_display = ("id", "state_shown", "event", "request_link", "company_name", "received")
    list_display_links = ("id",)
    list_filter = ("state", "company")
    list_select_related = ("company", "erp_request")
    exact_text_search = ("ulid",)
    exact_int_search = ("resource_id", "event_id")
    search_help_text = "Exact ULID, event id, or resource id (the ERP Request id)."
    fields = (
        "company_link",
        "state",
        "last_error",
        "erp_request_link",
        "related",
        "dedupe_key",
        "ulid",
        "event_id",
        "resource_name",
        "event_type",
        "resource_id",
        "api_version",
        "received_at",
        "processed_at",
        "payload_pretty",
    )
    readonly_fields = fields

    @admin.display(description="State", ordering="state")
    def state_shown(self, obj: NotificationEvent) -> str:
        short = obj.get_state_display().split(" (")[0]
        return state_cell(short, obj.state)

    @admin.display(description="Event")
    def event(self, obj: NotificationEvent) -> str:
        return f"{obj.resource_name} {obj.event_type}".strip() or "—"

    @admin.display(description="ERP request")
    def request_link(self, obj: NotificationEvent) -> str:
        if obj.erp_request is None:
            return str(obj.resource_id or "—")
        return admin_link(obj.erp_request, str(obj.erp_request.procore_request_id))

    @admin.display(description="Received", ordering="id")
    def received(self, obj: NotificationEvent) -> str:
        return short_time(obj.received_at)

    @admin.display(description="ERP request")
    def erp_request_link(self, obj: NotificationEvent) -> str:
        return admin_link(obj.erp_request)

    @admin.display(description="Its request's work")
    def related(self, obj: NotificationEvent) -> str:
        if obj.erp_request_id is None:
            return "—"
        return _request_links(obj.erp_request)

    @admin.display(description="Payload as received")
    def payload_pretty(self, obj: NotificationEvent) -> str:
        return pretty_json(obj.payload)


def _request_links(erp_request: ERPRequest) -> str:
    """Links to everything of one request: its events, import runs, API attempts, objects."""
    by_request = {"erp_request__exact": erp_request.pk}
    links = [
        list_link("notificationevent", by_request, "webhook events"),
        list_link("syncrun", by_request, "import runs"),
        list_link("apiattempt", by_request, "API attempts"),
    ]
    objects = list(erp_request_object_links(erp_request)[:20])
    if objects:
        links.append(
            format_html(
                "object links: {}",
                format_html_join(
                    ", ",
                    "{}",
                    ((admin_link(o, o.name or o.origin_code or o.origin_id),) for o in objects),
                ),
            )
        )
    else:
        links.append("no object link")
    return format_html_join(mark_safe(" · "), "{}", ((link,) for link in links))


class ERPRequestDetailInline(admin.TabularInline):
    model = ERPRequestDetail
    extra = 0
    can_delete = False
    fields = ("procore_detail_id", "state_shown", "messages_shown", "history_shown", "attempts")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="State")
    def state_shown(self, obj: ERPRequestDetail) -> str:
        return _detail_state_cell(obj)

    @admin.display(description="Messages to Procore")
    def messages_shown(self, obj: ERPRequestDetail) -> str:
        return messages_list(obj.messages)

    @admin.display(description="Close-outs sent")
    def history_shown(self, obj: ERPRequestDetail) -> str:
        return _history(obj)


@admin.register(ERPRequest)
class ERPRequestAdmin(LedgerAdmin):
    list_display = (
        "procore_request_id",
        "state_shown",
        "request_name",
        "in_procore",
        "company_name",
        "created",
    )
    list_filter = ("state", "request_name", "company")
    list_select_related = ("company",)
    partial_text_search = ("request_name",)
    exact_int_search = ("procore_request_id",)
    search_help_text = "Request name in part (e.g. create_vendor), or exact Procore ERP Request id."
    inlines = (ERPRequestDetailInline,)
    actions = (retry_now, reclose_requests, mark_resolved)
    detail_actions = ("retry_now", "reclose_requests", "mark_resolved")
    fields = (
        "company_link",
        "procore_request_id",
        "request_name",
        "state_shown",
        "last_error",
        "attempts_shown",
        "gave_up_because",
        "related",
        "integration_app_name",
        "lease_owner",
        "lease_expires_at",
        "created_at",
        "updated_at",
        "completed_at",
        "request_data_pretty",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("details", queryset=ERPRequestDetail.objects.order_by("id")))
        )

    @admin.display(description="State", ordering="state")
    def state_shown(self, obj: ERPRequest) -> str:
        return state_cell(erp_request_state(obj), obj.state)

    @admin.display(description="In Procore")
    def in_procore(self, obj: ERPRequest) -> str:
        return erp_request_in_procore(list(obj.details.all()))

    @admin.display(description="Created", ordering="id")
    def created(self, obj: ERPRequest) -> str:
        return short_time(obj.created_at)

    @admin.display(description="Attempts")
    def attempts_shown(self, obj: ERPRequest) -> str:
        text = f"{obj.attempts} in all"
        if obj.redriven_at is not None:
            text += (
                f"; {obj.attempts_before_redrive} before support re-drove it on "
                f"{when(obj.redriven_at)}"
            )
        if obj.next_attempt_at is not None:
            text += f"; next {when(obj.next_attempt_at)}"
        return text

    @admin.display(description="Related")
    def related(self, obj: ERPRequest) -> str:
        return _request_links(obj)

    @admin.display(description="Request data (from Procore)")
    def request_data_pretty(self, obj: ERPRequest) -> str:
        return pretty_json(obj.request_data)


@admin.register(ERPRequestDetail)
class ERPRequestDetailAdmin(LedgerAdmin):
    list_display = (
        "procore_detail_id",
        "state_shown",
        "erp_request",
        "company_name",
        "attempts",
        "created",
    )
    list_filter = ("status", "state", "company")
    list_select_related = ("company", "erp_request")
    exact_int_search = ("procore_detail_id", "erp_request__procore_request_id")
    search_help_text = "Exact request detail id or ERP Request id."
    actions = (reclose_details,)
    detail_actions = ("reclose_details",)
    fields = (
        "company_link",
        "erp_request_link",
        "procore_detail_id",
        "item_type",
        "item_id",
        "state_shown",
        "messages_shown",
        "history_shown",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "last_error",
        "closed_out_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="State")
    def state_shown(self, obj: ERPRequestDetail) -> str:
        return _detail_state_cell(obj)

    @admin.display(description="Created", ordering="id")
    def created(self, obj: ERPRequestDetail) -> str:
        return short_time(obj.created_at)

    @admin.display(description="ERP request")
    def erp_request_link(self, obj: ERPRequestDetail) -> str:
        return admin_link(obj.erp_request)

    @admin.display(description="Messages shown in Procore")
    def messages_shown(self, obj: ERPRequestDetail) -> str:
        return messages_list(obj.messages)

    @admin.display(description="Close-outs sent to Procore (oldest first)")
    def history_shown(self, obj: ERPRequestDetail) -> str:
        return _history(obj)


@admin.register(ApiAttempt)
class ApiAttemptAdmin(LedgerAdmin):
    list_display = (
        "id",
        "outcome",
        "method",
        "path",
        "company_name",
        "work",
        "duration_ms",
        "created",
    )
    list_filter = ("status_code", "company")
    list_select_related = ("company", "erp_request", "sync_run")
    exact_text_search = ("request_id",)
    search_help_text = "Exact x-request-id."
    fields = (
        "company_link",
        "erp_request_link",
        "sync_run_link",
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

    @admin.display(description="Answer", ordering="status_code")
    def outcome(self, obj: ApiAttempt) -> str:
        if obj.status_code is None:
            return state_cell(obj.error or "no answer", "failed")
        return state_cell(str(obj.status_code), "ok" if obj.status_code < 400 else "failed")

    @admin.display(description="For")
    def work(self, obj: ApiAttempt) -> str:
        if obj.erp_request is not None:
            return admin_link(obj.erp_request, f"request {obj.erp_request.procore_request_id}")
        if obj.sync_run is not None:
            return admin_link(obj.sync_run, f"run #{obj.sync_run_id}")
        return "—"

    @admin.display(description="When", ordering="id")
    def created(self, obj: ApiAttempt) -> str:
        return short_time(obj.created_at)

    @admin.display(description="ERP request")
    def erp_request_link(self, obj: ApiAttempt) -> str:
        return admin_link(obj.erp_request)

    @admin.display(description="Import run")
    def sync_run_link(self, obj: ApiAttempt) -> str:
        return admin_link(obj.sync_run)
