"""The portal in a real browser (Debian's chromium through Playwright, against the live server):
signing in with and without two-factor, Retry from the errors queue, a company admin saving a
metadata version, and a member of company A refused on company B's pages. Each page is saved as a screenshot under test-artifacts/."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp

from integrations.models import AuditEntry, CompanyMembership, MetadataConfig, SyncRun
from integrations.models.erp_requests import WorkState
from tests.selfservice.conftest import company_world, member, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "selfservice"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def code_from_key(key_text: str) -> str:
    """The current TOTP code for a key as the setup page shows it (base32, in groups)."""
    raw = key_text.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key):06d}"


def code_for(device, steps_ahead: int = 0) -> str:
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{code:06d}"


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('selfservice:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_viewer_signs_in_without_two_factor_and_reads_every_page(page, live_server):
    world = company_world("Alpha Builders")
    member(world.company, CompanyMembership.Role.VIEWER, "vera")
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "vera")
    page.wait_for_selector("text=Objects by entity and state")
    assert "Alpha Builders" in page.inner_text(".company-name")
    shot(page, "dashboard-1280")
    for name, heading in (
        ("errors", "Errors"),
        ("runs", "Imports"),
        ("objects", "Objects"),
        ("members", "People"),
    ):
        page.click(f"nav.tabs >> text={heading}")
        page.wait_for_selector(f"h1:text-is('{heading}')")
        shot(page, f"{name}-1280")
    page.goto(
        f"{live_server.url}{reverse('selfservice:errors', args=[world.company.pk])}?kind=items"
    )
    shot(page, "errors-items-1280")
    page.goto(
        f"{live_server.url}{reverse('selfservice:run', args=[world.company.pk, world.run.pk])}"
    )
    shot(page, "run-1280")

    # A running import's progress moves on the page by itself (the polling fragment).
    page.goto(f"{live_server.url}{reverse('selfservice:runs', args=[world.company.pk])}")
    assert "250 of 1000 sent" in page.inner_text("table.runs")
    SyncRun.objects.filter(pk=world.run.pk).update(progress_done=600)
    page.wait_for_selector("text=600 of 1000 sent")
    SyncRun.objects.filter(pk=world.run.pk).update(state="succeeded", progress_done=1000)
    page.wait_for_selector("table.runs >> text=Succeeded")
    assert page.locator("[data-poll]").count() == 0  # finished: it stops asking

    page.set_viewport_size(PHONE)
    for name in ("dashboard", "errors"):
        page.goto(f"{live_server.url}{reverse(f'selfservice:{name}', args=[world.company.pk])}")
        assert no_horizontal_scroll(page), f"{name} scrolls sideways on a phone"
        shot(page, f"{name}-phone")


def test_a_company_admin_sets_up_two_factor_then_signs_in_with_a_code(page, live_server):
    world = company_world("Alpha Builders")
    admin = member(world.company, CompanyMembership.Role.ADMIN, "adam")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{reverse('selfservice:login')}")
    shot(page, "login")
    sign_in(page, live_server, "adam")
    page.wait_for_selector("text=Set up two-factor sign-in")
    assert page.locator(".qr svg").count() == 1
    shot(page, "two-factor-setup")
    page.fill("#id_token", code_from_key(page.inner_text("#totp-key")))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Two-factor sign-in is set up.")
    assert page.url.endswith(reverse("selfservice:dashboard", args=[world.company.pk]))

    page.click("text=Sign out")
    page.wait_for_selector("h1:text-is('Sign in')")
    sign_in(page, live_server, "adam")
    page.wait_for_selector("text=Enter your code")
    shot(page, "two-factor")
    device = admin.totpdevice_set.get(confirmed=True)
    # The code used to set up cannot be used again; the next one is accepted already (django-otp
    # allows one step of clock drift, and remembers the drift it saw at set-up).
    page.fill("#id_token", code_for(device, steps_ahead=device.drift + 1))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Objects by entity and state")


def test_a_company_admin_retries_a_failed_request_from_the_errors_queue(page, live_server):
    world = company_world("Alpha Builders")
    admin = member(world.company, CompanyMembership.Role.ADMIN, "adam")
    device = totp_device(admin)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "adam")
    page.fill("#id_token", code_for(device))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Objects by entity and state")
    page.click("nav.tabs >> text=Errors")
    row = page.locator(f"#request-{world.failed.pk}")
    assert "has no tax id" in row.inner_text()
    assert str(world.failed.procore_request_id) in row.inner_text()
    shot(page, "errors-admin")
    row.locator("button:text-is('Retry')").click()
    page.wait_for_selector(f"text=Request {world.failed.procore_request_id} will run again")
    assert page.locator(f"#request-{world.failed.pk}").count() == 0
    shot(page, "errors-after-retry")
    world.failed.refresh_from_db()
    assert world.failed.state == WorkState.PENDING
    entry = AuditEntry.objects.get(object_id=str(world.failed.pk), action="action")
    assert entry.actor == admin


def test_a_member_of_company_a_is_refused_on_each_page_of_company_b(page, live_server):
    world_a = company_world("Alpha Builders")
    world_b = company_world("Bravo Concrete")
    member(world_a.company, CompanyMembership.Role.VIEWER, "vera")
    sign_in(page, live_server, "vera")
    page.wait_for_selector("text=Objects by entity and state")
    b = world_b.company.pk
    pages = {
        "dashboard": [b],
        "errors": [b],
        "runs": [b],
        "run": [b, world_b.run.pk],
        "run-progress": [b, world_b.run.pk],
        "objects": [b],
        "members": [b],
        "metadata": [b],
    }
    for name, args in pages.items():
        response = page.goto(f"{live_server.url}{reverse(f'selfservice:{name}', args=args)}")
        assert response.status == 404, name
        assert "Bravo" not in page.content()
    assert re.search("belongs to a company your account is not a member of", page.content())
    shot(page, "company-b-refused")


def test_a_company_admin_saves_a_metadata_version_and_sees_it(page, live_server):
    world = company_world("Alpha Builders")
    admin = member(world.company, CompanyMembership.Role.ADMIN, "adam")
    device = totp_device(admin)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "adam")
    page.fill("#id_token", code_for(device))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Objects by entity and state")
    page.click("nav.tabs >> text=Metadata")
    short_name = page.locator("#me-form-holder [name='root[settings][labels][short_name]']")
    short_name.wait_for()
    assert "Showing version 1" in page.inner_text(".me-showing")
    shot(page, "metadata-opened")

    short_name.fill("Alpha ERP")
    short_name.dispatch_event("change")
    page.wait_for_function(
        "JSON.parse(document.querySelector('#me-json').value).settings.labels.short_name"
        " === 'Alpha ERP'"
    )
    page.fill("#me-comment", "Our own short name")
    page.click("#me-save")
    page.wait_for_selector("text=Saved as version 2")
    assert "version 2" in page.inner_text(".me-showing")
    assert page.input_value("#me-form-holder [name='root[settings][labels][short_name]']") == (
        "Alpha ERP"
    )
    assert "Our own short name" in page.inner_text("#metadata-editor")
    saved = MetadataConfig.objects.get(company=world.company, version=2)
    assert saved.document["settings"]["labels"]["short_name"] == "Alpha ERP"
    assert AuditEntry.objects.filter(actor=admin, object_type="integrations.MetadataConfig")
    shot(page, "metadata-saved")


def test_a_user_creates_an_api_token_sees_it_once_and_revokes_it(page, live_server):
    world = company_world("Alpha Builders")
    member(world.company, CompanyMembership.Role.VIEWER, "vera")
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "vera")
    page.wait_for_selector("text=Objects by entity and state")
    page.click("header >> text=API tokens")
    page.wait_for_selector("h1:text-is('API tokens')")
    assert page.get_attribute('a:text-is("the portal\'s API")', "href") == "/api/v1/docs/"
    page.fill("#id_name", "nightly export")
    page.click("main button:text-is('Create the token')")
    page.wait_for_selector("text=Copy it now: it is shown only this once.")
    secret = page.input_value("#new-token")
    assert secret.startswith("erp_")
    shot(page, "api-token-created")

    page.goto(f"{live_server.url}{reverse('selfservice:api-tokens')}")
    assert secret not in page.content()
    row = page.locator("table.tokens tr", has_text="nightly export")
    assert "Active" in row.inner_text()
    row.locator("button:text-is('Revoke')").click()
    page.wait_for_selector("text=“nightly export” is revoked")
    assert "Revoked" in page.locator("table.tokens tr", has_text="nightly export").inner_text()
    shot(page, "api-token-revoked")
