"""Metadata: the shared editor inside the portal; company admins save, viewers only read."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, MetadataConfig
from integrations.services.metadata import metadata_config_ensure

pytestmark = pytest.mark.django_db


def _document(company) -> dict:
    return json.loads(json.dumps(metadata_config_ensure(company=company).document))


def test_a_company_admin_saves_a_new_version_and_it_is_shown(admin_client, admin_a, world_a):
    url = reverse("selfservice:metadata", args=[world_a.company.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'id="me-save"' in page.content.decode()
    document = _document(world_a.company)
    document["settings"]["labels"]["short_name"] = "Alpha ERP"

    saved = admin_client.post(
        url,
        {"action": "save", "document": json.dumps(document), "comment": "our name"},
        follow=True,
    )
    body = saved.content.decode()
    assert "Saved as version 2" in body
    assert "Alpha ERP" in body
    newest = MetadataConfig.objects.filter(company=world_a.company).order_by("-version").first()
    assert newest.version == 2 and newest.document["settings"]["labels"]["short_name"] == (
        "Alpha ERP"
    )
    assert AuditEntry.objects.filter(actor=admin_a, object_type="integrations.MetadataConfig")


def test_a_refused_version_keeps_what_was_typed(admin_client, world_a):
    url = reverse("selfservice:metadata", args=[world_a.company.pk])
    document = _document(world_a.company)
    document["settings"]["labels"]["short_name"] = ""
    refused = admin_client.post(url, {"action": "save", "document": json.dumps(document)})
    assert refused.status_code == 400
    assert "settings.labels.short_name" in refused.content.decode()
    assert MetadataConfig.objects.filter(company=world_a.company).count() == 1


def test_a_viewer_reads_the_metadata_but_cannot_save_or_publish(viewer_client, world_a):
    metadata_config_ensure(company=world_a.company)
    url = reverse("selfservice:metadata", args=[world_a.company.pk])
    page = viewer_client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Showing version 1" in body
    assert 'id="me-save"' not in body
    document = _document(world_a.company)
    viewer_client.post(url, {"action": "save", "document": json.dumps(document)})
    viewer_client.post(url, {"action": "publish", "version": "1"})
    assert MetadataConfig.objects.filter(company=world_a.company).count() == 1
    assert MetadataConfig.objects.get(company=world_a.company).pushed_at is None


def test_the_navigation_leads_to_the_metadata(viewer_client, world_a):
    page = viewer_client.get(reverse("selfservice:dashboard", args=[world_a.company.pk]))
    assert reverse("selfservice:metadata", args=[world_a.company.pk]) in page.content.decode()
