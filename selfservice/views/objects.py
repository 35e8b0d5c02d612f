"""The company's objects: what the portal knows of each ERP object in Procore."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from integrations.models import Company, ObjectLink
from integrations.models.objects import ItemType
from selfservice.access import company_page
from selfservice.selectors.objects import objects_page


@company_page()
def objects(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    item_type = request.GET.get("type", "")
    state = request.GET.get("state", "")
    listing = objects_page(
        company=company,
        item_type=item_type,
        state=state,
        q=request.GET.get("q", ""),
        sort=request.GET.get("sort", ""),
        page=request.GET.get("page", 1),
    )
    return render(
        request,
        "selfservice/objects.html",
        {
            "company": company,
            "role": role,
            "listing": listing,
            "item_types": ItemType.choices,
            "states": ObjectLink.State.choices,
            "item_type": item_type,
            "state": state,
        },
    )
