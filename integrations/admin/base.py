"""Building blocks for the support-staff admin: fast ledgers, exact id search, audited saves."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from integrations.services.audit import audit_diff, audit_record

# Partial search needs this many characters: shorter terms match too much to be useful, and a
# trigram index cannot serve them.
PARTIAL_SEARCH_MIN = 3

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


def changelist_url(model_name: str, filters: dict[str, Any] | None = None) -> str:
    """A list of the console, filtered (``{"company__id__exact": 3}``)."""
    url = reverse(f"admin:integrations_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def list_link(model_name: str, filters: dict[str, Any], label: str) -> str:
    """A link to the filtered list of related rows (events, runs, API attempts…)."""
    return format_html('<a href="{}">{}</a>', changelist_url(model_name, filters), label)


def messages_list(messages: Iterable[Any] | None) -> str:
    """Messages an approver reads in Procore, as a list a person reads (never a JSON array)."""
    items = [str(m) for m in (messages or []) if str(m).strip()]
    if not items:
        return "—"
    return format_html(
        '<ul class="console-messages">{}</ul>',
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )


# How a state reads at a glance: green when done well, red when it needs a person, amber else.
GOOD_STATES = frozenset({"succeeded", "processed", "synced", "ok", "success", "closed"})
BAD_STATES = frozenset({"failed", "dead", "stale", "failing", "open_breaker"})


def state_cell(text: str, state: str) -> str:
    """A state as one short, coloured phrase (the list's state column)."""
    tone = "ok" if state in GOOD_STATES else "bad" if state in BAD_STATES else "wait"
    return format_html('<span class="console-state console-state-{}">{}</span>', tone, text)


def short_time(moment) -> str:
    """A compact UTC time for narrow list columns (full dates stay on the row's page)."""
    if moment is None:
        return "—"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


class ExactIdSearchMixin:
    """Search by identifiers and, where a list has them, names and codes.

    ``exact_text_search`` lists text columns compared as-is (ULIDs, hashes);
    ``exact_int_search`` lists 64-bit id columns tried when the term is a number;
    ``partial_text_search`` lists names and codes matched in part and whatever the case
    (``icontains``) once the term has ``PARTIAL_SEARCH_MIN`` characters. Each of those columns
    has a trigram index on PostgreSQL (``models/search.py``), so every search stays an index
    lookup on a million rows.
    """

    exact_text_search: tuple[str, ...] = ()
    exact_int_search: tuple[str, ...] = ()
    partial_text_search: tuple[str, ...] = ()
    search_help_text = "Exact id: Procore id, origin id or ULID."

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # Any non-empty value makes the admin show its search box; the lookup is ours.
        return self.partial_text_search + self.exact_text_search + self.exact_int_search

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """An exact identifier answers alone, at the speed of its b-tree index (a pasted origin
        id, ULID or Procore id); otherwise names and codes are matched in part. A term such as
        ``ERP-00500000`` is made of trigrams shared by every id, so matching it in part would
        read most of the trigram index for a row the exact lookup finds at once."""
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = models.Q()
        for field in self.exact_text_search:
            exact |= models.Q(**{field: term})
        if term.lstrip("-").isdigit() and abs(int(term)) < 2**63:
            for field in self.exact_int_search:
                exact |= models.Q(**{field: int(term)})
        if exact and (not self.partial_text_search or queryset.filter(exact).exists()):
            return queryset.filter(exact), False
        partial = models.Q()
        lookup = "icontains" if len(term) >= PARTIAL_SEARCH_MIN else "iexact"
        for field in self.partial_text_search:
            partial |= models.Q(**{f"{field}__{lookup}": term})
        if not partial:
            return queryset.none(), False
        return queryset.filter(partial), False


class DetailActionsMixin:
    """The list's row actions as buttons on a row's own page as well.

    ``detail_actions`` names actions of the admin (``actions``); each becomes a POST form with
    Django's CSRF token in the page's object tools, shown only to those the action allows
    (its ``allowed_permissions``), and runs the very same action function on that one row,
    so it is permission-checked, audited and reported exactly as from the list.
    """

    detail_actions: tuple[str, ...] = ()

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self.detail_action_view),
                name=f"{opts.app_label}_{opts.model_name}_act",
            ),
            *super().get_urls(),
        ]

    def _detail_actions_allowed(self, request: HttpRequest) -> list[tuple[str, str]]:
        available = self.get_actions(request)
        # The button says what it does; the list's longer description explains it there.
        return [
            (name, str(available[name][2]).split(" (")[0])
            for name in self.detail_actions
            if name in available
        ]

    def detail_action_view(self, request: HttpRequest, object_id: str, action: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("No such row.")
        allowed = dict(self._detail_actions_allowed(request))
        if action not in allowed:
            raise PermissionDenied
        func = self.get_actions(request)[action][0]
        response = func(self, request, self.get_queryset(request).filter(pk=obj.pk))
        if isinstance(response, HttpResponse):
            return response
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        opts = self.model._meta
        buttons = [
            (
                reverse(f"admin:{opts.app_label}_{opts.model_name}_act", args=[object_id, name]),
                label,
            )
            for name, label in self._detail_actions_allowed(request)
        ]
        extra_context = {**(extra_context or {}), "detail_actions": buttons}
        return super().change_view(request, object_id, form_url, extra_context)


def operator_permission(modeladmin: admin.ModelAdmin, request: HttpRequest) -> bool:
    """Whether the person may act on the rows (retry, re-close-out, test…): the model's change
    permission as granted, even where the ledger's admin shows every row read-only."""
    opts = modeladmin.model._meta
    return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class OperatorActionsMixin:
    """Actions declared with ``allowed_permissions=("operate",)`` need ``operator_permission``."""

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return operator_permission(self, request)


class CompanyLinkMixin:
    """Every row belongs to a company; on-call staff jump to it from any ledger."""

    @admin.display(description="Company")
    def company_link(self, obj: Any) -> str:
        return admin_link(getattr(obj, "company", None)) if obj.pk else "—"

    @admin.display(description="Company", ordering="company__name")
    def company_name(self, obj: Any) -> str:
        """The name alone, for narrow list columns (the Procore id is on the row's page)."""
        company = getattr(obj, "company", None)
        return company.name if company is not None else "—"


class LedgerAdmin(
    DetailActionsMixin,
    OperatorActionsMixin,
    CompanyLinkMixin,
    ExactIdSearchMixin,
    admin.ModelAdmin,
):
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
