"""Import schedules: the cadence per company and entity, and "run import now"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations.admin.base import AuditedAdmin, admin_link
from integrations.enqueue import enqueue_import
from integrations.models import ImportSchedule, SyncRun
from integrations.selectors.sync_runs import sync_run_latest
from integrations.services.audit import audit_record
from integrations.services.import_schedules import import_schedule_delete, import_schedule_sync
from integrations.services.sync_runs import sync_refusals_reset


@admin.register(ImportSchedule)
class ImportScheduleAdmin(AuditedAdmin):
    list_display = ("company", "entity", "every_minutes", "enabled", "next_run", "last_run")
    list_filter = ("entity", "enabled")
    list_select_related = ("company", "schedule")
    raw_id_fields = ("company",)
    fields = ("company", "entity", "every_minutes", "enabled", "next_run", "last_run")
    readonly_fields = ("next_run", "last_run")
    ordering = ("company__name", "entity")
    actions = ("run_now", "run_now_retrying_refused")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Which company and entity a schedule is for never changes; make a new one instead.
        if obj is not None:
            return ("company", "entity", *self.readonly_fields)
        return self.readonly_fields

    @admin.display(description="Next run")
    def next_run(self, obj: ImportSchedule) -> Any:
        if not obj.enabled or obj.schedule is None:
            return "—"
        return obj.schedule.next_run

    @admin.display(description="Last run")
    def last_run(self, obj: ImportSchedule) -> str:
        run = sync_run_latest(company_id=obj.company_id, entity=obj.entity)
        if run is None:
            return "—"
        return admin_link(
            run, f"#{run.pk} {run.get_state_display()} ({run.created_at:%Y-%m-%d %H:%M})"
        )

    def save_model(self, request: HttpRequest, obj: ImportSchedule, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        import_schedule_sync(import_schedule=obj)

    def delete_model(self, request: HttpRequest, obj: ImportSchedule) -> None:
        audit_record(action="delete", instance=obj, actor=request.user)
        import_schedule_delete(import_schedule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description="Run import now")
    def run_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._enqueue(request, queryset, retry_refused=False)

    @admin.action(description="Run import now, sending refused items again")
    def run_now_retrying_refused(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._enqueue(request, queryset, retry_refused=True)

    def _enqueue(self, request: HttpRequest, queryset: QuerySet, *, retry_refused: bool) -> None:
        count = 0
        for row in queryset.select_related("company"):
            if retry_refused:
                sync_refusals_reset(company=row.company, entity=row.entity)
            enqueue_import(row.company_id, row.entity, SyncRun.Trigger.ADMIN)
            audit_record(
                action="action",
                instance=row,
                changes={"action": "run import now", "retry_refused": retry_refused},
                actor=request.user,
            )
            count += 1
        self.message_user(
            request,
            f"Queued {count} import{'s' if count != 1 else ''}; follow them under Sync runs.",
            messages.SUCCESS,
        )
