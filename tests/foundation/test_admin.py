"""Every admin page renders for support staff, ledgers are read-only, secrets never show."""

import json
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from integrations.models import (
    AuditEntry,
    CircuitBreaker,
    CompanyMembership,
    Connection,
    ImportSchedule,
    ObjectListVersion,
    SyncRun,
)
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "client-secret-never-shown-9b1"


@pytest.fixture
def populated():
    connection = factories.ConnectionFactory(
        client_secret=SECRET, adapter_settings={"tenant": "acme", "password": "erp-pw-31"}
    )
    company = connection.company
    request = factories.ERPRequestFactory(company=company, request_data={"vendor": {"name": "X"}})
    return {
        "company": company,
        "connection": connection,
        "metadata": factories.MetadataConfigFactory(company=company),
        "link": factories.ObjectLinkFactory(company=company),
        "event": factories.NotificationEventFactory(company=company),
        "request": request,
        "detail": factories.ERPRequestDetailFactory(erp_request=request),
        "run": factories.SyncRunFactory(company=company),
        "version": ObjectListVersion.objects.create(
            company=company, item_type="vendor", object_count=1, list_hash="abc", hashes={"V": "h"}
        ),
        "attempt": factories.ApiAttemptFactory(company=company),
        "membership": CompanyMembership.objects.create(
            user=factories.UserFactory(), company=company
        ),
        "schedule": ImportSchedule.objects.create(
            company=company, entity="vendors", every_minutes=60
        ),
        "audit": AuditEntry.objects.create(
            company=company, action="action", object_type="integrations.Company", object_id="1"
        ),
        "breaker": CircuitBreaker.objects.create(
            key=f"procore:{company.pk}", company=company, target="procore", state="open"
        ),
    }


def integration_models():
    return [m for m in admin.site._registry if m._meta.app_label == "integrations"]


def test_every_integrations_model_is_in_the_admin():
    from django.apps import apps

    registered = set(integration_models())
    assert set(apps.get_app_config("integrations").get_models()) == registered


@pytest.mark.parametrize("model", integration_models(), ids=lambda m: m._meta.model_name)
def test_changelist_and_change_form_render(admin_client_logged_in, populated, model):
    opts = model._meta
    response = admin_client_logged_in.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None, "the fixture must populate every model"
    response = admin_client_logged_in.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "erp-pw-31" not in response.content.decode()


def test_ledgers_are_read_only(admin_client_logged_in, populated):
    for key in ("event", "request", "detail", "attempt", "link", "run"):
        obj = populated[key]
        opts = obj._meta
        model_admin = admin.site._registry[type(obj)]
        assert not model_admin.has_add_permission(None)
        assert not model_admin.has_change_permission(None, obj)
        assert not model_admin.has_delete_permission(None, obj)
        page = admin_client_logged_in.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        ).content.decode()
        assert 'name="_save"' not in page


def test_raw_payload_is_pretty_printed(admin_client_logged_in, populated):
    event = populated["event"]
    page = admin_client_logged_in.get(
        reverse("admin:integrations_notificationevent_change", args=[event.pk])
    ).content.decode()
    assert '<pre class="json-payload">' in page
    assert "portal/admin.css" in page  # keeps long payloads legible and bounded
    assert "&quot;resource_name&quot;: &quot;ERP Requests&quot;" in page


def test_search_by_origin_id_and_procore_id(admin_client_logged_in, populated):
    link = populated["link"]
    link.procore_id = 987654321012
    link.save()
    other = factories.ObjectLinkFactory(company=link.company, origin_id="OTHER-1")
    url = reverse("admin:integrations_objectlink_changelist")
    page = admin_client_logged_in.get(url, {"q": link.origin_id}).content.decode()
    assert link.origin_id in page and other.origin_id not in page
    page = admin_client_logged_in.get(url, {"q": "987654321012"}).content.decode()
    assert link.origin_id in page and other.origin_id not in page


def test_connection_secrets_are_write_only(admin_client_logged_in, populated):
    connection = populated["connection"]
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert SECRET not in page
    assert "Currently set" in page
    assert "tenant, password" in page or "password, tenant" in page  # keys, never values

    form = admin_client_logged_in.get(url).context["adminform"].form
    data = {name: "" for name in form.fields}
    data.update(
        company=connection.company.pk,
        environment="custom",
        login_base_url="http://127.0.0.1:9001",
        api_base_url="http://127.0.0.1:9001",
        health="unknown",
        adapter_key="demo",
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    connection = Connection.objects.get(pk=connection.pk)
    assert connection.client_secret == SECRET  # blank kept the stored value
    assert connection.adapter_settings == {"tenant": "acme", "password": "erp-pw-31"}
    assert connection.login_base_url == "http://127.0.0.1:9001"

    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.actor_label == "support"
    assert entry.changes["login_base_url"]["to"] == "http://127.0.0.1:9001"
    assert "client_secret" not in entry.changes

    data["client_secret"] = "rotated-secret-value"
    admin_client_logged_in.post(url, data)
    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.changes == {"client_secret": "(secret changed)"}
    assert "rotated-secret-value" not in str(AuditEntry.objects.values_list("changes"))


def test_ledger_count_is_capped(admin_client_logged_in, populated, monkeypatch):
    from integrations.admin import base

    monkeypatch.setattr(base, "COUNT_CAP", 2)
    for _ in range(4):
        factories.NotificationEventFactory(company=populated["company"])
    page = admin_client_logged_in.get(
        reverse("admin:integrations_notificationevent_changelist")
    ).content.decode()
    assert "5 notification events" not in page


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


def test_a_runs_pause_note_refusals_and_holder_are_shown(admin_client_logged_in, populated):
    run = populated["run"]
    until = timezone.now() + timedelta(minutes=5)
    SyncRun.objects.filter(pk=run.pk).update(
        failed=7,
        pause_note="Paused, will resume: Procore is unavailable",
        refusals=[
            {"item": "V-000002", "reason": "name: <b>taken</b>"},
            {"item": None, "reason": "?"},
        ],
        lease_owner="worker-3:77/abc123",
        lease_expires_at=until,
    )

    page = admin_client_logged_in.get(
        reverse("admin:integrations_syncrun_change", args=[run.pk])
    ).content.decode()

    assert "Paused, will resume: Procore is unavailable" in page
    assert "V-000002: name: &lt;b&gt;taken&lt;/b&gt;<br>an item: ?<br>… and 5 more" in page
    assert f"worker-3:77/abc123 until {until:%Y-%m-%d %H:%M:%S} UTC" in page


def test_the_connection_shows_who_is_provisioning_it(admin_client_logged_in, populated):
    connection = populated["connection"]
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    assert "Provisioning now" in admin_client_logged_in.get(url).content.decode()

    until = timezone.now() + timedelta(minutes=5)
    Connection.objects.filter(pk=connection.pk).update(
        lease_owner="admin-web-1:42/cafe01", lease_expires_at=until
    )

    page = admin_client_logged_in.get(url).content.decode()
    assert f"yes, by admin-web-1:42/cafe01, until {until:%Y-%m-%d %H:%M:%S} UTC" in page
