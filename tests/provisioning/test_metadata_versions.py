"""Metadata versions: immutable, numbered per company, validated, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from integrations.models import AuditEntry, MetadataConfig
from integrations.selectors.metadata import metadata_config_live
from integrations.services.metadata import (
    MetadataInvalid,
    MetadataPushError,
    metadata_config_create,
    metadata_config_ensure,
    metadata_config_push,
    metadata_default_document,
)
from tests.factories import CompanyFactory, ConnectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _renamed(name: str) -> dict:
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = name
    return document


def test_ensure_creates_version_one_from_the_default_document_once():
    company = CompanyFactory()
    assert metadata_config_live(company=company) is None  # a read never creates one
    assert not MetadataConfig.objects.filter(company=company).exists()
    first = metadata_config_ensure(company=company)
    again = metadata_config_ensure(company=company)
    assert (first.version, again.pk) == (1, first.pk)
    assert metadata_config_live(company=company).pk == first.pk
    assert first.document == metadata_default_document()
    assert MetadataConfig.objects.filter(company=company).count() == 1


def test_versions_number_on_per_company_and_live_is_the_newest():
    company, other = CompanyFactory(), CompanyFactory()
    metadata_config_ensure(company=company)
    v2 = metadata_config_create(company=company, document=_renamed("Sage 300"))
    v3 = metadata_config_create(company=company, document=_renamed("Sage 300 CRE"))
    elsewhere = metadata_config_create(company=other, document=_renamed("Vista"))
    assert (v2.version, v3.version, elsewhere.version) == (2, 3, 1)
    assert metadata_config_live(company=company).pk == v3.pk
    assert metadata_config_live(company=other).pk == elsewhere.pk


def test_a_saved_version_cannot_be_changed():
    config = metadata_config_create(company=CompanyFactory(), document=_renamed("Sage"))
    config.document = _renamed("Edited in place")
    with pytest.raises(ValidationError):
        config.save()
    config.refresh_from_db()
    assert config.document["settings"]["labels"]["name"] == "Sage"


def test_an_invalid_document_saves_nothing():
    company = CompanyFactory()
    broken = _renamed("Sage")
    broken["settings"]["entities"]["vendors"]["enabled"] = "yes"
    with pytest.raises(MetadataInvalid) as caught:
        metadata_config_create(company=company, document=broken)
    assert "settings.entities.vendors.enabled" in str(caught.value)
    assert not MetadataConfig.objects.filter(company=company).exists()
    assert not AuditEntry.objects.filter(company=company).exists()


def test_a_document_given_as_text_is_parsed_and_stored_as_json():
    company = CompanyFactory()
    text = '{"settings": {"labels": {"name": "A", "id_name": "A ID", "short_name": "A"},' + (
        ' "entities": {"vendors": {"enabled": true}}}}'
    )
    config = metadata_config_create(company=company, document=text)
    config.refresh_from_db()
    assert config.document["settings"]["entities"] == {"vendors": {"enabled": True}}


def test_each_version_is_audited_with_who_and_what_changed():
    company = CompanyFactory()
    user = UserFactory(username="accountant")
    metadata_config_ensure(company=company)
    config = metadata_config_create(
        company=company, document=_renamed("Sage 300"), actor=user, comment="Rename for Sage"
    )
    assert config.created_by == user
    entry = AuditEntry.objects.filter(object_id=str(config.pk), action="create").get()
    assert entry.actor == user
    assert entry.actor_label == "accountant"
    assert entry.changes["version"] == 2
    assert entry.changes["previous_version"] == 1
    assert entry.changes["comment"] == "Rename for Sage"
    assert entry.changes["changed_paths"] == ["settings.labels.name"]


def test_push_refuses_a_company_that_is_not_provisioned():
    connection = ConnectionFactory(erp_connection_id=None)
    with pytest.raises(MetadataPushError) as caught:
        metadata_config_push(company=connection.company)
    assert f"provision --company {connection.company.procore_company_id}" in str(caught.value)


def test_push_refuses_a_company_without_a_connection():
    with pytest.raises(MetadataPushError, match="no Procore connection"):
        metadata_config_push(company=CompanyFactory())
