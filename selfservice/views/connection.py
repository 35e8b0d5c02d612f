"""The connection wizard (company admins): test both sides with what was typed, then save,
provision and check; each step's outcome shown. Running it again repairs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from integrations.models import Company
from integrations.selectors.connections import connection_for_company
from selfservice.access import company_page
from selfservice.connection_form import ConnectionWizardForm
from selfservice.services.connection_wizard import (
    STEPS,
    WizardInput,
    WizardReport,
    connection_wizard_run,
)


@sensitive_post_parameters()
@company_page(admin=True)
def connection(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    stored = connection_for_company(company_id=company.pk)
    report: WizardReport | None = None
    if request.method == "POST":
        form = ConnectionWizardForm(request.POST, connection=stored)
        if form.is_valid():
            data = form.cleaned_data
            report = connection_wizard_run(
                user=request.user,
                company=company,
                given=WizardInput(
                    environment=data["environment"],
                    login_base_url=data["login_base_url"].strip(),
                    api_base_url=data["api_base_url"].strip(),
                    client_id=data["client_id"].strip(),
                    client_secret=data["client_secret"].strip(),
                    adapter_key=data["adapter_key"],
                    adapter_settings=form.adapter_settings(),
                ),
            )
            for name, message in report.field_errors.items():
                form.add_error(name if name in form.fields else None, message)
            form.add_setting_problems(data["adapter_key"], report.setting_problems)
            if report.ok:  # saved: the form shows the stored state again, secrets as "set"
                stored = connection_for_company(company_id=company.pk)
                form = ConnectionWizardForm(connection=stored)
    else:
        form = ConnectionWizardForm(connection=stored)
    return render(
        request,
        "selfservice/connection.html",
        {
            "company": company,
            "role": role,
            "form": form,
            "report": report,
            "not_reached": report.not_reached() if report else [],
            "steps": STEPS,
            "connection": stored,
        },
        status=400 if form.errors or (report is not None and not report.ok) else 200,
    )
