"""The company's ERP metadata in the shared metadata editor: company admins save and publish
versions; viewers read them (the editor turns read-only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from integrations.models import Company
from integrations.views.metadata_editor import EditorPlace, metadata_editor
from selfservice.access import ADMIN, company_page


@company_page()
def metadata(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    may_write = role == ADMIN
    place = EditorPlace(
        company=company,
        url=reverse("selfservice:metadata", args=[company.pk]),
        template="selfservice/metadata.html",
        can_edit=may_write,
        can_publish=may_write,
        context={"role": role},
    )
    return metadata_editor(request, place)
