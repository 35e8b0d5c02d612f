"""Object links, list versions and sync runs: what the portal knows of each ERP object."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from integrations.admin.base import LedgerAdmin, admin_link, list_link, short_time, state_cell
from integrations.models import ObjectLink, ObjectListVersion, SentJobCosts, SyncRun
from integrations.services.sync_run_summaries import sync_run_refusal_line


@admin.register(ObjectLink)
class ObjectLinkAdmin(LedgerAdmin):
    """Newest change first: what an import, an export or a person in Procore just did shows at
    the top, with its state and when."""

    list_display = (
        "id",
        "state_shown",
        "changed",
        "object",
        "item_type",
        "company_name",
        "procore_id",
    )
    list_filter = ("state", "item_type", "company")
    list_select_related = ("company",)
    ordering = ("-updated_at", "-id")
    exact_text_search = ("origin_id", "origin_code")
    partial_text_search = ("name", "origin_code")
    exact_int_search = ("procore_id", "staged_record_id")
    search_help_text = (
        "Name or ERP code, in part and whatever the case; or exact origin id, Procore id or "
        "staged record id."
    )
    fields = (
        "company_link",
        "item_type",
        "name",
        "origin_id",
        "origin_code",
        "procore_id",
        "staged_record_id",
        "state",
        "last_error",
        "related",
        "content_hash",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="State", ordering="state")
    def state_shown(self, obj: ObjectLink) -> str:
        short = obj.get_state_display().split(" (")[0]
        if obj.state == ObjectLink.State.FAILED and obj.last_error:
            short = f"{short}: {obj.last_error[:120]}"
        return state_cell(short, obj.state)

    @admin.display(description="Object (name · ERP code)")
    def object(self, obj: ObjectLink) -> str:
        parts = [p for p in (obj.name, obj.origin_code) if p]
        return " · ".join(parts) if parts else obj.origin_id

    @admin.display(description="Changed", ordering="updated_at")
    def changed(self, obj: ObjectLink) -> str:
        return short_time(obj.updated_at)

    @admin.display(description="Related")
    def related(self, obj: ObjectLink) -> str:
        return list_link(
            "syncrun",
            {"company__id__exact": obj.company_id, "item_type__exact": obj.item_type},
            f"import runs of this company's {obj.get_item_type_display().lower()}s",
        )


@admin.register(ObjectListVersion)
class ObjectListVersionAdmin(LedgerAdmin):
    """The per-object hashes (megabytes at 100,000 objects) are never loaded here."""

    list_display = ("id", "created_at", "company", "item_type", "object_count", "list_hash")
    list_filter = ("item_type", "company")
    list_select_related = ("company",)
    exact_text_search = ("list_hash",)
    fields = ("company_link", "item_type", "object_count", "list_hash", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("hashes")


@admin.register(SentJobCosts)
class SentJobCostsAdmin(LedgerAdmin):
    """What support looks at when a job cost stays in Procore after it left the ERP: the Procore
    ids the portal holds for each job (the id map itself is long, so it is not listed)."""

    list_display = ("id", "updated_at", "company", "origin_id", "job_costs")
    list_filter = ("company",)
    list_select_related = ("company",)
    exact_text_search = ("origin_id",)
    fields = ("company_link", "origin_id", "job_costs", "procore_ids", "updated_at")
    readonly_fields = fields

    @admin.display(description="job costs")
    def job_costs(self, obj: SentJobCosts) -> int:
        return len(obj.procore_ids or {})


@admin.register(SyncRun)
class SyncRunAdmin(LedgerAdmin):
    list_display = (
        "id",
        "state_shown",
        "item_type",
        "company_name",
        "trigger",
        "created",
        "listed",
        "created",
        "updated",
        "archived",
        "failed",
        "api_calls",
        "progress",
    )
    list_filter = ("state", "item_type", "trigger", "company")
    list_select_related = ("company",)
    exact_int_search = ("erp_request__procore_request_id",)
    search_help_text = "Exact ERP Request id that started the run."
    fields = (
        "company_link",
        "item_type",
        "trigger",
        "state",
        "erp_request_link",
        "related",
        "listed",
        "created",
        "updated",
        "archived",
        "unchanged",
        "failed",
        "api_calls",
        "progress",
        "error",
        "pause_note",
        "refused_items",
        "held_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description="State", ordering="state")
    def state_shown(self, obj: SyncRun) -> str:
        return state_cell(obj.get_state_display(), obj.state)

    @admin.display(description="Created", ordering="id")
    def created(self, obj: SyncRun) -> str:
        return short_time(obj.created_at)

    @admin.display(description="ERP request")
    def erp_request_link(self, obj: SyncRun) -> str:
        return admin_link(obj.erp_request)

    @admin.display(description="Related")
    def related(self, obj: SyncRun) -> str:
        return format_html_join(
            mark_safe(" · "),
            "{}",
            (
                (list_link("apiattempt", {"sync_run__exact": obj.pk}, "its API attempts"),),
                (
                    list_link(
                        "objectlink",
                        {"company__id__exact": obj.company_id, "item_type__exact": obj.item_type},
                        "object links of this entity (last changed first)",
                    ),
                ),
            ),
        )

    @admin.display(description="Refused items (the first few)")
    def refused_items(self, obj: SyncRun) -> str:
        """Each sampled refusal on its own line; every refused object's link has its reason."""
        lines = [sync_run_refusal_line(refusal) for refusal in obj.refusals or []]
        if not lines:
            return "—"
        more = obj.failed - len(lines)
        if more > 0:
            lines.append(f"… and {more:,} more (see the object links in state failed)")
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    @admin.display(description="Held by")
    def held_by(self, obj: SyncRun) -> str:
        if not obj.lease_owner or obj.lease_expires_at is None:
            return "—"
        return f"{obj.lease_owner} until {obj.lease_expires_at:%Y-%m-%d %H:%M:%S} UTC"

    @admin.display(description="Progress")
    def progress(self, obj: SyncRun) -> str:
        if not obj.progress_total:
            return "—"
        return f"{obj.progress_done}/{obj.progress_total}"
