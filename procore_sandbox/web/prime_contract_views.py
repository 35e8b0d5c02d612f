"""The project user's prime contract pages: a prime contract entered by hand with its lines, and
change orders on it with lines and markups (Project tools). Sending one to the ERP, unlinking
and the Super User's reset use the shared buttons (``object_send``, ``object_action``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from procore_sandbox.models import Company
from procore_sandbox.services.prime_contracts import (
    ChangeOrderLine,
    Markup,
    prime_contract_change_order_create,
    prime_contract_create,
)
from procore_sandbox.web import forms
from procore_sandbox.web.prime_contract_forms import (
    PrimeChangeOrderForm,
    PrimeChangeOrderLineFormSet,
    PrimeContractForm,
)
from procore_sandbox.web.view_helpers import company_or_404, cost_line, document_with_lines


def company_context(company: Company) -> dict[str, Any]:
    """What the company page needs to show the prime contract forms."""
    return {
        "prime_contract_form": PrimeContractForm(prefix="pc", company=company),
        "prime_contract_lines": forms.CommitmentLineFormSet(
            prefix="pc_lines", form_kwargs={"company": company}
        ),
        "pcco_form": PrimeChangeOrderForm(prefix="pcco", company=company),
        "pcco_lines": PrimeChangeOrderLineFormSet(
            prefix="pcco_lines", form_kwargs={"company": company}
        ),
    }


def _page(company: Company) -> str:
    return reverse("procore_sandbox:company", args=[company.id]) + "#prime-contracts"


@require_POST
def prime_contract_new(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    form = PrimeContractForm(request.POST, prefix="pc", company=found)
    lines = forms.CommitmentLineFormSet(
        request.POST, prefix="pc_lines", form_kwargs={"company": found}
    )
    document_with_lines(
        request,
        form,
        lines,
        cost_line,
        lambda data, parsed: prime_contract_create(
            company=found,
            project=data["project"],
            title=data["title"],
            number=data["number"],
            lines=parsed,
        ),
        lambda pc: f"Prime contract {pc.label} created (id {pc.id}).",
    )
    return HttpResponseRedirect(_page(found))


@require_POST
def prime_change_order_new(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    form = PrimeChangeOrderForm(request.POST, prefix="pcco", company=found)
    lines = PrimeChangeOrderLineFormSet(
        request.POST, prefix="pcco_lines", form_kwargs={"company": found}
    )
    document_with_lines(
        request,
        form,
        lines,
        lambda row: ChangeOrderLine(
            prime_line_item_id=row["prime_line"].id,
            amount=row["amount"],
            description=row.get("description", ""),
            markups=(Markup(row["markup_name"], row["markup_percentage"]),)
            if row.get("markup_percentage") is not None
            else (),
        ),
        lambda data, parsed: prime_contract_change_order_create(
            company=found,
            prime_contract=data["prime_contract"],
            title=data["title"],
            number=data["number"],
            lines=parsed,
        ),
        lambda cco: f"Prime contract change order {cco.label} created (id {cco.id}).",
    )
    return HttpResponseRedirect(_page(found))
