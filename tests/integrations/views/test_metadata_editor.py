"""The metadata editor page, without a browser: what it shows, saves, refuses, compares and
publishes, and that it does only what its caller allows."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from integrations.models import AuditEntry, MetadataConfig
from integrations.services.metadata import metadata_config_create, metadata_default_document
from integrations.views.metadata_editor import EditorPlace, metadata_editor
from tests.factories import CompanyFactory, UserFactory
from tests.handlers_off import handlers_off

pytestmark = pytest.mark.django_db


def editor_url(company) -> str:
    return reverse("admin:integrations_metadataconfig_editor", args=[company.pk])


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def company():
    return CompanyFactory(name="Acme Builders")


def test_it_opens_on_the_live_version_and_says_nothing_is_in_procore_yet(
    admin_client_logged_in, company
):
    response = admin_client_logged_in.get(editor_url(company))

    assert response.status_code == 200
    live = MetadataConfig.objects.get(company=company)  # a first version from the default
    assert response.context["shown"] == live
    assert json.loads(response.context["text"]) == live.document
    page = response.content.decode()
    assert "Nothing published to Procore yet." in page
    assert "/static/django_json_schema_editor/vendor/jsoneditor.js" in page  # from the package
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/static/") for asset in assets)  # nothing remote


def test_support_finds_the_editor_from_the_companies_list(admin_client_logged_in, company):
    listing = admin_client_logged_in.get(reverse("admin:integrations_company_changelist"))
    assert f'href="{editor_url(company)}"' in listing.content.decode()


def test_saving_makes_a_new_version_and_keeps_the_old_one(admin_client_logged_in, company):
    admin_client_logged_in.get(editor_url(company))
    document = metadata_default_document()
    document["settings"]["labels"]["short_name"] = "Demo"

    response = admin_client_logged_in.post(
        editor_url(company),
        {"action": "save", "document": json.dumps(document), "comment": "Shorter name"},
        follow=True,
    )

    assert "Saved as version 2" in messages_of(response)
    v1, v2 = MetadataConfig.objects.filter(company=company).order_by("version")
    assert v2.document == document and v2.comment == "Shorter name"
    assert v1.document == metadata_default_document()  # unchanged
    assert response.context["shown"] == v2
    assert AuditEntry.objects.filter(object_id=str(v2.pk), action="create").exists()


def test_a_document_the_schema_refuses_is_not_saved_and_nothing_typed_is_lost(
    admin_client_logged_in, company
):
    typed = json.dumps(
        {"settings": {"labels": {"name": "X", "id_name": "X", "short_name": ""}, "entities": {}}}
    )
    response = admin_client_logged_in.post(
        editor_url(company), {"action": "save", "document": typed}
    )

    assert response.status_code == 400
    assert response.context["text"] == typed
    problems = {p.path: p for p in response.context["problems"]}
    assert problems["settings.labels.short_name"].parts == ("settings", "labels", "short_name")
    assert "settings.labels.short_name" in response.content.decode()
    assert MetadataConfig.objects.filter(company=company).count() == 1


def test_text_that_is_not_json_is_refused_naming_line_and_column(admin_client_logged_in, company):
    response = admin_client_logged_in.post(
        editor_url(company), {"action": "save", "document": '{"settings": {,}}'}
    )
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert (problem.line, problem.column) == (1, 15)
    assert "line 1, column 15" in response.content.decode()


def test_a_version_enabling_what_the_portal_cannot_handle_is_refused_with_the_reason(
    admin_client_logged_in, company, monkeypatch
):
    handlers_off(monkeypatch, "commitments")
    document = metadata_default_document()
    document["settings"]["entities"]["commitments"] = {"enabled": True}
    response = admin_client_logged_in.post(
        editor_url(company), {"action": "save", "document": json.dumps(document)}
    )

    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert problem.path == "settings.entities.commitments.enabled"
    assert problem.message == "this portal does not handle commitments yet."
    assert problem.parts == ("settings", "entities", "commitments", "enabled")


def test_two_versions_side_by_side_with_the_changed_paths_marked(admin_client_logged_in, company):
    first = metadata_default_document()
    metadata_config_create(company=company, document=first)
    second = metadata_default_document()
    second["settings"]["labels"]["short_name"] = "Demo"
    del second["settings"]["entities"]["standard_categories"]
    metadata_config_create(company=company, document=second)

    response = admin_client_logged_in.get(editor_url(company), {"compare": "2", "with": "1"})

    assert response.context["left"].version == 1  # older on the left, whichever came first
    changes = {change.text: change.kind for change in response.context["changes"]}
    assert changes == {
        "settings.labels.short_name": "changed",
        "settings.entities.standard_categories": "removed",
    }
    left = {line.path: line.kind for line in response.context["left_lines"] if line.kind}
    right = {line.path: line.kind for line in response.context["right_lines"] if line.kind}
    assert left["settings.labels.short_name"] == "changed"
    assert left["settings.entities.standard_categories.configs.import.enabled"] == "removed"
    assert right == {"settings.labels.short_name": "changed"}


def test_comparing_a_version_of_another_company_is_refused(admin_client_logged_in, company):
    other = CompanyFactory()
    metadata_config_create(company=other, document=metadata_default_document())
    admin_client_logged_in.get(editor_url(company))
    response = admin_client_logged_in.get(
        editor_url(company), {"compare": "1", "with": "7"}, follow=True
    )
    assert "Choose two versions of this company" in messages_of(response)


def test_view_only_staff_see_the_editor_but_cannot_save_or_publish(client, company):
    metadata_config_create(company=company, document=metadata_default_document())
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_metadataconfig"))
    client.force_login(viewer)

    page = client.get(editor_url(company))
    assert page.status_code == 200
    assert "Save as a new version" not in page.content.decode()
    assert "Publish to Procore" not in page.content.decode()
    refused = client.post(
        editor_url(company),
        {"action": "save", "document": json.dumps(metadata_default_document())},
        follow=True,
    )
    assert "not available" in messages_of(refused)
    assert MetadataConfig.objects.filter(company=company).count() == 1


def _request(method: str, data=None):
    factory = RequestFactory()
    request = getattr(factory, method)("/anywhere/", data or {})
    request.user = UserFactory()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_page_does_only_what_its_caller_allows(company):
    """Mounted by the portal, the caller decides: here a viewer's place (no save, no publish)."""
    metadata_config_create(company=company, document=metadata_default_document())
    place = EditorPlace(
        company=company,
        url="/anywhere/",
        template="integrations/metadata_editor/page.html",
        can_edit=False,
        can_publish=False,
    )
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Changed"

    saved = metadata_editor(
        _request("post", {"action": "save", "document": json.dumps(document)}), place
    )
    published = metadata_editor(_request("post", {"action": "publish", "version": "1"}), place)
    shown = metadata_editor(_request("get"), place)

    assert saved.status_code == published.status_code == 302
    assert MetadataConfig.objects.filter(company=company).count() == 1
    shown.render()
    assert shown.status_code == 200
    assert "readonly" in shown.content.decode()


def test_publishing_pushes_the_version_and_shows_it_live_in_procore(
    sandbox_connection, admin_client_logged_in
):
    from integrations.services.provisioning import connection_provision
    from procore_sandbox.models import ErpConnection

    company = sandbox_connection.company
    connection_provision(company=company, actor_label="test")
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    metadata_config_create(company=company, document=document)

    response = admin_client_logged_in.post(
        editor_url(company), {"action": "publish", "version": "2"}, follow=True
    )

    assert "Version 2 is live in Procore." in messages_of(response)
    erp = ErpConnection.objects.get(company_id=company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["name"] == "Sage 300"
    assert response.context["in_procore"].version == 2
    assert "Live in Procore: version 2</strong>, pushed" in response.content.decode()


def test_publishing_without_a_connection_says_what_to_do(admin_client_logged_in, company):
    admin_client_logged_in.get(editor_url(company))
    response = admin_client_logged_in.post(
        editor_url(company), {"action": "publish", "version": "1"}, follow=True
    )
    assert "not connected to Procore yet" in messages_of(response)
    assert MetadataConfig.objects.get(company=company).pushed_at is None
