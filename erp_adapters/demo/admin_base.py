"""What every demo ERP screen shares: search by code, name, ERP id or Procore id, and a filter
for what came from Procore. Its own module, so that the admin modules import it one way."""

from __future__ import annotations

import contextlib
import uuid

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest


class FromProcoreFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("procore", "Exported from Procore"), ("erp", "Entered in the ERP")]

    def queryset(self, request, queryset):
        if self.value() == "procore":
            return queryset.filter(procore_id__isnull=False)
        if self.value() == "erp":
            return queryset.filter(procore_id__isnull=True)
        return queryset


class DemoAdminBase(admin.ModelAdmin):
    """Search matches text fields, plus an exact ERP id (UUID) or Procore id when the term is
    one; the tenant is chosen from a filter."""

    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("guid", "procore_id", "created_at", "updated_at")
    search_help_text = "Code, name, ERP id (UUID) or Procore id."

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        filtered = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        exact = Q()
        with contextlib.suppress(ValueError):
            exact |= Q(guid=uuid.UUID(term))
        if term.isdigit() and int(term) < 2**63:
            exact |= Q(procore_id=int(term))
        if exact:
            queryset |= filtered.filter(exact)
        return queryset, may_have_duplicates
