"""The connection form renders the chosen adapter's settings from its JSON Schema: one input per
setting, secrets as empty password inputs that say whether they are set, values checked against
the schema when saved."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from erp_adapters.sql.sample import create_sample_database, sample_settings
from integrations.models import Connection
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

DB_PASSWORD = "erp-db-password-never-shown-77"


@pytest.fixture
def sql_connection(tmp_path):
    url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    create_sample_database(url)
    return ConnectionFactory(
        adapter_key="sql", adapter_settings=sample_settings(url, password=DB_PASSWORD)
    )


def _change_url(connection: Connection) -> str:
    return reverse("admin:integrations_connection_change", args=[connection.pk])


def _untouched(client, url: str) -> dict:
    """The change form sent back as rendered: every generated input with its shown value."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if name == "adapter_settings":
            continue
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    shown = json.loads(form["adapter_settings"].value() or "{}")
    for name, value in shown.items():
        key = f"adapter_settings__{name}"
        data[key] = json.dumps(value) if isinstance(value, dict | list) else value
    data["adapter_settings__password"] = ""
    return data


def test_each_setting_gets_its_own_input_and_the_password_stays_hidden(
    admin_client_logged_in, sql_connection
):
    page = admin_client_logged_in.get(_change_url(sql_connection)).content.decode()
    assert DB_PASSWORD not in page
    assert 'type="password" name="adapter_settings__password"' in page
    assert "Write-only: set · change time not recorded. Leave blank to keep." in page
    assert 'name="adapter_settings__url"' in page
    assert 'type="number" name="adapter_settings__fetch_size"' in page
    assert 'name="adapter_settings__entities"' in page  # the mappings, as JSON
    assert "Database URL" in page and "without the password" in page


def test_saving_untouched_keeps_the_password_and_changes_nothing(
    admin_client_logged_in, sql_connection
):
    url = _change_url(sql_connection)
    before = Connection.objects.get(pk=sql_connection.pk).adapter_settings
    response = admin_client_logged_in.post(url, _untouched(admin_client_logged_in, url))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Connection.objects.get(pk=sql_connection.pk).adapter_settings == before


def test_a_setting_changed_in_its_input_is_saved(admin_client_logged_in, sql_connection):
    url = _change_url(sql_connection)
    data = _untouched(admin_client_logged_in, url)
    data.update(adapter_settings__fetch_size="250", adapter_settings__password="rotated-pw-1")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    settings = Connection.objects.get(pk=sql_connection.pk).adapter_settings
    assert (settings["fetch_size"], settings["password"]) == (250, "rotated-pw-1")


def test_values_that_break_the_schema_are_refused_and_named(admin_client_logged_in, sql_connection):
    url = _change_url(sql_connection)
    data = _untouched(admin_client_logged_in, url)
    data.update(
        adapter_settings__url="postgresql://erp:hunter2@db.example.com/books",
        adapter_settings__fetch_size="5",
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["adapter_settings"])
    assert "url:" in errors and "without the password" in errors
    assert "fetch_size: 5 is less than the minimum of 10" in errors
    assert "hunter2" not in response.content.decode().split("errorlist")[1][:2000]
    stored = Connection.objects.get(pk=sql_connection.pk).adapter_settings
    assert "hunter2" not in stored["url"] and stored.get("fetch_size") != 5


def test_a_mapping_with_an_unknown_field_is_refused(admin_client_logged_in, sql_connection):
    url = _change_url(sql_connection)
    data = _untouched(admin_client_logged_in, url)
    entities = json.loads(data["adapter_settings__entities"])
    entities["vendors"]["list"]["columns"]["colour"] = "hue"
    data["adapter_settings__entities"] = json.dumps(entities)
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["adapter_settings"])
    assert "entities.vendors.list.columns.colour: is not a setting of this adapter" in errors


def test_the_password_can_be_removed(admin_client_logged_in, sql_connection):
    url = _change_url(sql_connection)
    data = _untouched(admin_client_logged_in, url)
    data["adapter_settings__password__remove"] = "on"
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "password" not in Connection.objects.get(pk=sql_connection.pk).adapter_settings


def test_the_demo_adapter_gets_a_yes_no_box(admin_client_logged_in):
    connection = ConnectionFactory(adapter_settings={"tenant": "acme"})
    url = _change_url(connection)
    page = admin_client_logged_in.get(url).content.decode()
    assert 'type="checkbox" name="adapter_settings__offline"' in page
    data = _untouched(admin_client_logged_in, url)
    data.pop("adapter_settings__offline", None)
    data["adapter_settings__offline__present"] = "1"
    data["adapter_settings__offline"] = "on"
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Connection.objects.get(pk=connection.pk).adapter_settings["offline"] is True


def test_both_healths_are_shown(admin_client_logged_in, sql_connection):
    Connection.objects.filter(pk=sql_connection.pk).update(
        erp_health="failing", erp_health_message="The ERP database did not answer."
    )
    page = admin_client_logged_in.get(_change_url(sql_connection)).content.decode()
    assert "Procore health" in page and "ERP health" in page
    assert "The ERP database did not answer." in page
    listing = admin_client_logged_in.get(
        reverse("admin:integrations_connection_changelist")
    ).content.decode()
    assert "ERP health" in listing
