"""Helpers every sandbox page shares (finding the company, going back, running a service and
showing its refusal, entering a document with its lines), kept apart from the pages so section
view modules and ``views`` can all use them without importing one another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404

from procore_sandbox.models import Company
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import CommitmentLine


def company_or_404(company_id: int) -> Company:
    """The company of the URL, or the sandbox's 404 page."""
    return get_object_or_404(Company, id=company_id)


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the page the form came from (``next``), only if it is a path on this site."""
    target = request.POST.get("next") or fallback
    if not target.startswith("/"):
        target = fallback
    return HttpResponseRedirect(target)


def run_service(
    request: HttpRequest, action: Callable[[], Any], success: Callable[[Any], str]
) -> bool:
    """Call a service; its refusal becomes the page's error message."""
    try:
        result = action()
    except SandboxError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success(result))
    return True


def form_errors(request: HttpRequest, *forms_: Any) -> None:
    """Every form and formset error as a page message, since these pages re-render nothing."""
    for form in forms_:
        errors = form.non_form_errors() if hasattr(form, "non_form_errors") else []
        for error in errors:
            messages.error(request, error)
        for item in form.errors if isinstance(form.errors, list) else [form.errors]:
            for field, field_errors in item.items():
                label = "" if field == "__all__" else f"{field.replace('_', ' ')}: "
                for error in field_errors:
                    messages.error(request, f"{label}{error}")


def document_with_lines(
    request: HttpRequest,
    form: Any,
    lines: Any,
    line: Callable[[dict], Any],
    create: Callable[[dict, list], Any],
    success: Callable[[Any], str],
) -> None:
    """A document entered with its lines (commitment, change order, prime contract): the rows
    with an amount become lines (``line``), and the service (``create``, given the form's
    cleaned data and the lines) runs only when the form and its lines are valid."""
    if form.is_valid() and lines.is_valid():
        parsed = [line(row) for row in lines.cleaned_data if row and row.get("amount") is not None]
        run_service(request, lambda: create(form.cleaned_data, parsed), success)
    else:
        form_errors(request, form, lines)


def cost_line(row: dict) -> CommitmentLine:
    """A line on a cost code and cost type (a commitment's or a prime contract's)."""
    return CommitmentLine(
        cost_code_id=row["cost_code"].id,
        line_item_type_id=row["cost_type"].id,
        amount=row["amount"],
        description=row.get("description", ""),
    )
