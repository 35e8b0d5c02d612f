"""``manage.py metadata``: show the live document, load a new version, push it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import MetadataConfig
from integrations.services.metadata import metadata_default_document
from integrations.services.provisioning import connection_provision
from procore_sandbox.models import ErpConnection
from tests.factories import CompanyFactory


@pytest.mark.django_db
def test_show_prints_the_live_document_as_json(capsys):
    company = CompanyFactory()
    call_command("metadata", "--company", str(company.procore_company_id), "--show")
    assert json.loads(capsys.readouterr().out) == metadata_default_document()


@pytest.mark.django_db
def test_an_invalid_file_is_refused_with_its_paths(tmp_path):
    company = CompanyFactory()
    document = metadata_default_document()
    document["settings"]["entities"]["vendors"]["configs"]["export"]["enabled"] = "true"
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as caught:
        call_command("metadata", "--company", str(company.procore_company_id), "--load", str(path))
    assert "settings.entities.vendors.configs.export.enabled: must be true or false" in str(
        caught.value
    )
    assert not MetadataConfig.objects.filter(company=company).exists()


def test_load_and_push_reaches_procore(sandbox_connection, tmp_path):
    company = sandbox_connection.company
    connection_provision(company=company)
    document = metadata_default_document()
    document["settings"]["labels"]["short_name"] = "Sage"
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(document))

    call_command(
        "metadata",
        "--company",
        str(company.procore_company_id),
        "--load",
        str(path),
        "--comment",
        "Shorter name",
        "--push",
    )

    v2 = MetadataConfig.objects.get(company=company, version=2)
    assert v2.comment == "Shorter name" and v2.pushed_at is not None
    erp = ErpConnection.objects.get(company_id=company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["short_name"] == "Sage"
