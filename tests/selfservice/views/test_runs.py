"""Imports: Run import (company admins), a run's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, SyncRun
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_company_admin_runs_an_import(
    admin_client, admin_a, world_a, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "selfservice.services.imports.enqueue_import",
        lambda company_pk, entity, trigger: queued.append((company_pk, entity, trigger)),
    )
    url = reverse("selfservice:run-start", args=[world_a.company.pk])
    page = admin_client.post(url, {"entity": "standard_cost_codes"}, follow=True)
    assert "Standard cost codes import queued" in page.content.decode()
    assert queued == [(world_a.company.pk, "standard_cost_codes", SyncRun.Trigger.SELF_SERVICE)]
    assert AuditEntry.objects.filter(actor=admin_a, changes__entity="standard_cost_codes")


def test_an_unknown_entity_is_refused(admin_client, world_a):
    url = reverse("selfservice:run-start", args=[world_a.company.pk])
    page = admin_client.post(url, {"entity": "invoices"}, follow=True)
    assert "Choose what to import" in page.content.decode()


def test_a_company_without_a_connection_is_told_to_connect_first(client, db):
    from tests.selfservice.conftest import member, sign_in, totp_device

    company = factories.CompanyFactory(name="Unconnected")
    admin = member(company, "admin", "uma")
    sign_in(client, admin, verified_with=totp_device(admin))
    page = client.post(
        reverse("selfservice:run-start", args=[company.pk]), {"entity": "vendors"}, follow=True
    )
    assert "Connect the company to Procore and its ERP before importing" in page.content.decode()


def test_a_runs_page_says_what_it_did(viewer_client, world_a):
    run = factories.SyncRunFactory(
        company=world_a.company,
        entity="vendors",
        state="partial",
        listed=40,
        created=38,
        unchanged=0,
        failed=2,
        refusals=[{"item": "V-000002", "reason": "name: has already been taken"}],
    )
    page = viewer_client.get(reverse("selfservice:run", args=[world_a.company.pk, run.pk]))
    text = page.content.decode()
    assert "Staged 38 new vendors" in text and "Procore refused 2 vendors" in text
    assert "V-000002: name: has already been taken" in text


def test_runs_are_searchable_by_entity(viewer_client, world_a):
    factories.SyncRunFactory(
        company=world_a.company,
        entity="standard_categories",
        item_type="line_item_type",
        state="succeeded",
    )
    url = reverse("selfservice:runs", args=[world_a.company.pk])
    text = viewer_client.get(url + "?q=CATEG").content.decode()
    assert "Cost type" in text and f"#{world_a.run.pk}<" not in text
