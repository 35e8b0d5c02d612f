"""Building blocks for the support-staff admin: fast ledgers, exact id search, audited saves."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from integrations.services.audit import audit_diff, audit_record

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most ``COUNT_CAP + 1`` rows, so a page on a million-row ledger never scans it all.

    The pagination template shows "more than 10,000" when the cap is reached.
    """

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "query"):
            return object_list.order_by()[: COUNT_CAP + 1].count()
        return len(object_list)


def pretty_json(value: Any) -> str:
    """Raw payloads are shown read-only, indented, as support staff read them in a ticket."""
    if value in (None, "", {}, []):
        return "—"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre class="json-payload">{}</pre>', text)


def admin_link(obj: models.Model | None, label: str | None = None) -> str:
    """A link to a related row's change page, so on-call staff can walk the chain."""
    if obj is None:
        return "—"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


class ExactIdSearchMixin:
    """Search by exact identifiers only, so every search is an index lookup.

    ``exact_text_search`` lists text columns compared as-is (origin ids, ULIDs);
    ``exact_int_search`` lists 64-bit id columns tried when the term is a number.
    """

    exact_text_search: tuple[str, ...] = ()
    exact_int_search: tuple[str, ...] = ()
    search_help_text = "Exact id: Procore id, origin id or ULID."

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # Any non-empty value makes the admin show its search box; the lookup is ours.
        return self.exact_text_search + self.exact_int_search

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        query = models.Q()
        for field in self.exact_text_search:
            query |= models.Q(**{field: term})
        if term.lstrip("-").isdigit() and abs(int(term)) < 2**63:
            for field in self.exact_int_search:
                query |= models.Q(**{field: int(term)})
        if not query:
            return queryset.none(), False
        return queryset.filter(query), False


class CompanyLinkMixin:
    """Every row belongs to a company; on-call staff jump to it from any ledger."""

    @admin.display(description="Company")
    def company_link(self, obj: Any) -> str:
        return admin_link(getattr(obj, "company", None)) if obj.pk else "—"


class LedgerAdmin(CompanyLinkMixin, ExactIdSearchMixin, admin.ModelAdmin):
    """Read-only, fast changelists for append-only ledgers (events, requests, attempts, audit)."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Every change made through the admin lands in the audit trail, secrets masked."""

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        before = type(obj).objects.filter(pk=obj.pk).first() if change and obj.pk else None
        self.prepare_save(request, obj, before)
        super().save_model(request, obj, form, change)
        changes = audit_diff(before=before, after=obj)
        if changes or not change:
            audit_record(
                action="update" if change else "create",
                instance=obj,
                changes=changes,
                actor=request.user,
            )

    def prepare_save(
        self, request: HttpRequest, obj: models.Model, before: models.Model | None
    ) -> None:
        """What must follow from this edit before the row is written (``before`` is the stored
        row, None for an add); nothing by default."""

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit_record(action="delete", instance=obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            audit_record(action="delete", instance=obj, actor=request.user)
        super().delete_queryset(request, queryset)
