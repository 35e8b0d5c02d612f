"""The metadata editor in a real browser, against the local Procore sandbox: a problem shown at
its field and fixed, two versions compared, and a version published to Procore."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from integrations.models import MetadataConfig
from tests.handlers_off import handlers_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "metadata-editor"


def shot(page, name: str, at: str | None = None) -> None:
    """What a person sees at that moment (scrolled to ``at``), kept as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if at:
        page.locator(at).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def support_page(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("support", "support@example.com", "pw-1234567")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "support")
    page.fill("#id_password", "pw-1234567")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def type_json(page, document: dict) -> None:
    page.fill("#me-json", json.dumps(document, indent=2))
    page.dispatch_event("#me-json", "input")


@pytest.fixture
def without_commitments(monkeypatch):
    """A portal that does not handle commitments (every entity of the schema has handlers now),
    from before the company is provisioned: its default metadata leaves them out."""
    return handlers_off(monkeypatch, "commitments")


def test_a_problem_is_shown_at_its_field_fixed_compared_and_published(
    without_commitments, support_page, live_server, provisioned
):
    from procore_sandbox.models import ErpConnection

    page = support_page
    company = provisioned.company
    page.goto(f"{live_server.url}/admin/integrations/metadataconfig/editor/{company.pk}/")
    page.wait_for_selector("#me-form-holder [name='root[settings][labels][short_name]']")
    assert "Live in Procore: version 1" in page.inner_text("#me-in-procore")
    shot(page, "1-opened-on-the-live-version")

    # A value the schema refuses, typed in the form: the field says so at once, and the JSON
    # beside it names the path.
    short_name = page.locator("[name='root[settings][labels][short_name]']")
    short_name.fill("")
    short_name.dispatch_event("change")
    field_row = page.locator("[data-schemapath='root.settings.labels.short_name']")
    field_row.locator(".errmsg", has_text="Value required").wait_for()
    live = page.locator("#me-live-problems")
    assert "settings.labels.short_name" in live.inner_text()
    short_name.fill("Demo")
    short_name.dispatch_event("change")
    page.wait_for_function("!document.querySelector('#me-live-problems').textContent")
    page.wait_for_function(
        "JSON.parse(document.querySelector('#me-json').value).settings.labels.short_name === 'Demo'"
    )

    # Commitments enabled in the raw JSON: the form follows; the portal has no handler for commitments, so
    # saving is refused with the reason at the commitments switch and at its path.
    document = json.loads(page.input_value("#me-json"))
    document["settings"]["entities"]["commitments"] = {"enabled": True}
    type_json(page, document)
    commitments_switch = page.locator("[name='root[settings][entities][commitments][enabled]']")
    commitments_switch.wait_for()
    assert commitments_switch.is_checked()
    page.click("#me-save")
    page.wait_for_selector("#me-live-problems li")
    problems = page.inner_text("#me-live-problems")
    assert (
        "settings.entities.commitments.enabled: this portal does not handle commitments yet"
        in problems
    )
    commitments_row = page.locator("[data-schemapath='root.settings.entities.commitments.enabled']")
    commitments_row.locator(".errmsg", has_text="does not handle").wait_for()
    assert MetadataConfig.objects.filter(company=company).count() == 1
    shot(
        page, "2-refused-at-its-field", at="[data-schemapath='root.settings.entities.commitments']"
    )

    # Fixed in the form: the switch off, the JSON follows, and the version saves.
    commitments_switch.uncheck()
    page.wait_for_function(
        "JSON.parse(document.querySelector('#me-json').value)"
        ".settings.entities.commitments.enabled === false"
    )
    page.fill("#me-comment", "Commitments listed, not enabled")
    page.click("#me-save")
    page.wait_for_selector("text=Saved as version 2")
    saved = MetadataConfig.objects.get(company=company, version=2)
    expected = MetadataConfig.objects.get(company=company, version=1).document
    expected["settings"]["labels"]["short_name"] = "Demo"
    expected["settings"]["entities"]["commitments"] = {"enabled": False}
    assert saved.document == expected  # the form added nothing the person did not ask for
    assert "version 2" in page.inner_text(".me-showing")
    shot(page, "3-saved-as-version-2")

    # The two versions side by side, the changed paths highlighted.
    page.select_option("select[name=compare]", "1")
    page.select_option("select[name=with]", "2")
    page.click("#me-compare")
    page.wait_for_selector("#me-changed-paths")
    changed = page.inner_text("#me-changed-paths")
    assert "settings.labels.short_name" in changed
    assert "settings.entities.commitments" in changed
    assert (
        page.locator("#me-right .me-added[data-path^='settings.entities.commitments']").count() >= 1
    )
    assert page.locator("#me-left .me-changed[data-path='settings.labels.short_name']").count() == 1
    shot(page, "4-versions-compared", at="#me-changed-paths")

    # Published: Procore holds version 2, and the page says so and when.
    page.goto(f"{live_server.url}/admin/integrations/metadataconfig/editor/{company.pk}/")
    page.click("button[data-publish='2']")
    page.wait_for_selector("text=Version 2 is live in Procore")
    assert "Live in Procore: version 2" in page.inner_text("#me-in-procore")
    assert "pushed" in page.inner_text("#me-in-procore")
    erp = ErpConnection.objects.get(company_id=company.procore_company_id)
    assert erp.metadata == saved.document
    shot(page, "5-published")


def test_a_key_the_form_cannot_show_is_kept_in_the_json_and_named(support_page, live_server):
    from tests.factories import CompanyFactory

    company = CompanyFactory(name="Typo Builders")
    page = support_page
    page.goto(f"{live_server.url}/admin/integrations/metadataconfig/editor/{company.pk}/")
    page.wait_for_selector("#me-form-holder [name='root[settings][labels][name]']")
    document = json.loads(page.input_value("#me-json"))
    document["settings"]["entities"]["vendorz"] = {"enabled": True}
    type_json(page, document)

    notice = page.locator("#me-form-notice")
    notice.wait_for()
    assert "settings.entities.vendorz" in notice.inner_text()
    assert page.locator("[name='root[settings][labels][name]']").is_disabled()
    page.click("#me-save")
    page.wait_for_selector("#me-problems li")
    assert "settings.entities.vendorz: is not a key Procore knows here" in page.inner_text(
        "#me-problems"
    )
    assert "vendorz" in page.input_value("#me-json")  # nothing typed is lost
    shot(page, "6-a-key-the-form-cannot-show")

    del document["settings"]["entities"]["vendorz"]
    type_json(page, document)
    page.wait_for_function("document.querySelector('#me-form-notice').hidden")
    assert page.locator("[name='root[settings][labels][name]']").is_enabled()


def test_json_that_does_not_parse_yet_is_never_overwritten_by_the_form(support_page, live_server):
    from tests.factories import CompanyFactory

    company = CompanyFactory(name="Halfway Builders")
    page = support_page
    page.goto(f"{live_server.url}/admin/integrations/metadataconfig/editor/{company.pk}/")
    name = page.locator("[name='root[settings][labels][name]']")
    name.wait_for()
    typed = page.input_value("#me-json").replace('"Demo ERP",', '"Demo ERP",,', 1)
    page.fill("#me-json", typed)
    page.dispatch_event("#me-json", "input")

    page.locator("#me-json-syntax", has_text="Not valid JSON yet").wait_for()
    assert name.is_disabled()
    page.click("#me-save")
    page.wait_for_selector("#me-problems li")
    assert "not valid JSON" in page.inner_text("#me-problems")
    assert page.input_value("#me-json") == typed  # the text as typed, for the person to fix
