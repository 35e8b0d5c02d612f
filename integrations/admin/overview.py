"""The company overview page of the admin: one company at a glance for support on call, each
figure a link to the list it counts (``selectors/company_overview.py`` gathers the figures)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from integrations.admin.base import changelist_url
from integrations.models import Company
from integrations.models.erp_requests import WorkState
from integrations.selectors.company_overview import company_overview
from integrations.selectors.console import when


def company_overview_view(
    modeladmin: admin.ModelAdmin, request: HttpRequest, company_pk: int
) -> HttpResponse:
    """Read-only: anyone who may view the company may see its overview."""
    company = Company.objects.filter(pk=company_pk).first()
    if company is None or not modeladmin.has_view_permission(request, company):
        raise Http404("No such company.")
    overview = company_overview(company=company)
    mine = {"company__id__exact": company.pk}
    last_event = overview.last_event
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": Company._meta,
        "title": f"Overview of {company.name}",
        "overview": overview,
        "company_url": reverse("admin:integrations_company_change", args=[company.pk]),
        "connection_url": (
            reverse("admin:integrations_connection_change", args=[overview.connection.pk])
            if overview.connection
            else ""
        ),
        "procore_checked": when(overview.procore.checked_at),
        "erp_checked": when(overview.erp.checked_at),
        "last_event_when": when(last_event.received_at) if last_event else "",
        "last_event_url": (
            reverse("admin:integrations_notificationevent_change", args=[last_event.pk])
            if last_event
            else ""
        ),
        "dead_letters_url": changelist_url("erprequest", {**mine, "state__exact": WorkState.DEAD}),
        "dead_close_outs_url": changelist_url(
            "erprequestdetail", {**mine, "state__exact": WorkState.DEAD}
        ),
        "failures": [
            (failure, changelist_url(failure.model, failure.filters))
            for failure in overview.failures
        ],
        "since": when(overview.since),
        "lists": [
            ("Webhook events", changelist_url("notificationevent", mine)),
            ("ERP requests", changelist_url("erprequest", mine)),
            ("Request details", changelist_url("erprequestdetail", mine)),
            ("Import runs", changelist_url("syncrun", mine)),
            ("Object links (last changed first)", changelist_url("objectlink", mine)),
            ("API attempts", changelist_url("apiattempt", mine)),
            (
                "Circuit breakers",
                changelist_url("circuitbreaker", {"company__id__exact": company.pk}),
            ),
        ],
        "breakers_url": changelist_url("circuitbreaker", {"company__id__exact": company.pk}),
    }
    return TemplateResponse(request, "admin/integrations/company/overview.html", context)
