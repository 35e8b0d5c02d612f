"""Circuit breakers: which company's Procore or ERP calls are paused, and why."""

from __future__ import annotations

from django.contrib import admin, messages

from integrations.admin.base import LedgerAdmin
from integrations.models import CircuitBreaker
from integrations.services.audit import audit_record


@admin.register(CircuitBreaker)
class CircuitBreakerAdmin(LedgerAdmin):
    list_display = (
        "company",
        "target",
        "state",
        "consecutive_failures",
        "opened_until",
        "last_failure_at",
        "last_success_at",
        "opened_count",
    )
    list_filter = ("state", "target")
    list_select_related = ("company",)
    exact_int_search = ("company__procore_company_id",)
    search_help_text = "Exact Procore company id."
    ordering = ("-updated_at",)
    fields = (
        "company_link",
        "target",
        "state",
        "consecutive_failures",
        "cooldown_seconds",
        "opened_until",
        "probe_until",
        "last_error",
        "last_failure_at",
        "last_success_at",
        "opened_count",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["close_breakers"]

    @admin.action(description="Close (let calls go out again now)")
    def close_breakers(self, request, queryset) -> None:
        count = 0
        for breaker in queryset:
            CircuitBreaker.objects.filter(pk=breaker.pk).update(
                state=CircuitBreaker.State.CLOSED,
                consecutive_failures=0,
                cooldown_seconds=0,
                opened_until=None,
                probe_until=None,
            )
            audit_record(
                action="action",
                instance=breaker,
                actor=request.user,
                changes={"action": "close circuit breaker"},
            )
            count += 1
        self.message_user(request, f"{count} breaker(s) closed.", messages.SUCCESS)
