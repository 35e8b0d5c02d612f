"""The metadata versions' admin: a new version is validated and numbered."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_new_metadata_version_is_validated_and_numbered(admin_client_logged_in, populated):
    from integrations.models import MetadataConfig
    from integrations.services.metadata import metadata_default_document

    company = populated["company"]
    url = reverse("admin:integrations_metadataconfig_add")
    bad = {"settings": {"entities": {"vendors": {"enabled": "yes"}}}}
    response = admin_client_logged_in.post(
        url, {"company": company.pk, "document": json.dumps(bad), "comment": "typo"}
    )
    assert response.status_code == 200
    assert "settings.entities.vendors.enabled" in response.content.decode()
    before = MetadataConfig.objects.filter(company=company).count()

    response = admin_client_logged_in.post(
        url,
        {
            "company": company.pk,
            "document": json.dumps(metadata_default_document()),
            "comment": "from the admin",
        },
    )
    assert response.status_code == 302
    latest = MetadataConfig.objects.filter(company=company).latest("version")
    assert MetadataConfig.objects.filter(company=company).count() == before + 1
    assert latest.comment == "from the admin" and latest.created_by.username == "support"
