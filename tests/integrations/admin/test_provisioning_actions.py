"""The admin's "Provision in Procore", "Push metadata" and "Push this version" actions."""

from __future__ import annotations

from django.urls import reverse

from integrations.models import MetadataConfig
from integrations.services.metadata import metadata_config_create, metadata_default_document
from procore_sandbox.models import ErpConnection, Hook, Trigger


def _run(client, url: str, action: str, pks: list[int]):
    return client.post(
        url, {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_provision_action_on_connections(sandbox_connection, admin_client_logged_in):
    url = reverse("admin:integrations_connection_changelist")
    response = _run(admin_client_logged_in, url, "provision_connections", [sandbox_connection.pk])

    company_id = sandbox_connection.company.procore_company_id
    assert ErpConnection.objects.filter(company_id=company_id).exists()
    assert Hook.objects.filter(company_id=company_id).count() == 1
    assert Trigger.objects.filter(hook__company_id=company_id).count() == 1
    text = " ".join(_messages(response))
    assert "provisioned" in text
    assert "Webhook hook: created" in text


def test_push_actions_on_companies_and_on_a_version(sandbox_connection, admin_client_logged_in):
    company = sandbox_connection.company
    companies = reverse("admin:integrations_company_changelist")
    versions = reverse("admin:integrations_metadataconfig_changelist")

    refused = _run(admin_client_logged_in, companies, "push_metadata_companies", [company.pk])
    assert "not provisioned in Procore yet" in " ".join(_messages(refused))

    _run(admin_client_logged_in, companies, "provision_companies", [company.pk])
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    metadata_config_create(company=company, document=document)
    pushed = _run(admin_client_logged_in, companies, "push_metadata_companies", [company.pk])
    assert "metadata version 2 pushed" in " ".join(_messages(pushed))
    erp = ErpConnection.objects.get(company_id=company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["name"] == "Sage 300"

    v1 = MetadataConfig.objects.get(company=company, version=1)
    restored = _run(admin_client_logged_in, versions, "push_metadata_version", [v1.pk])
    assert "version 3 pushed to Procore (restored from version 1)" in " ".join(_messages(restored))
    erp.refresh_from_db()
    assert erp.metadata == v1.document
    assert MetadataConfig.objects.filter(company=company).count() == 3


def test_rotate_and_retire_actions(sandbox_connection, admin_client_logged_in):
    url = reverse("admin:integrations_connection_changelist")
    _run(admin_client_logged_in, url, "provision_connections", [sandbox_connection.pk])
    old = sandbox_connection.webhook_secret

    rotated = _run(admin_client_logged_in, url, "rotate_webhook_secret", [sandbox_connection.pk])

    assert "webhook secret rotated" in " ".join(_messages(rotated))
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.webhook_secret_previous == old
    hook = Hook.objects.get(company_id=sandbox_connection.company.procore_company_id)
    assert hook.destination_headers == {
        "Authorization": f"Bearer {sandbox_connection.webhook_secret}"
    }

    retired = _run(
        admin_client_logged_in, url, "retire_previous_webhook_secret", [sandbox_connection.pk]
    )
    assert "previous webhook secret retired" in " ".join(_messages(retired))
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.webhook_secret_previous == ""
