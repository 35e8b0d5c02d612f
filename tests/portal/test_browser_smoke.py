"""The browser the page tests drive: Debian's chromium, offline, against the live server."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_signs_in_to_the_admin_in_a_real_browser(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("support", "support@example.com", "pw-1234567")
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "support")
    page.fill("#id_password", "pw-1234567")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert "Companies, connections and ledgers" in page.content()
