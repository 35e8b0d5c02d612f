"""On a 1,400 px screen the state of each ERP request, connection and event is on screen, not
past the right edge: the lists put the state early and keep their columns few and narrow."""

from __future__ import annotations

import pytest
from django.utils import timezone

from integrations.models import Connection
from integrations.models.erp_requests import WorkState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1400


@pytest.fixture
def busy_portal():
    """Rows as a busy day leaves them: long company names, long request names, every state."""
    from tests.factories import (
        ConnectionFactory,
        ERPRequestDetailFactory,
        ERPRequestFactory,
        NotificationEventFactory,
    )

    connections = [
        ConnectionFactory(
            company__name=name,
            health=health,
            health_checked_at=timezone.now(),
            adapter_key="demo",
        )
        for name, health in (
            ("Demo Construction Co. of Greater Austin and Round Rock", Connection.Health.FAILING),
            ("Acme Builders International Holdings LLC", Connection.Health.OK),
        )
    ]
    states = (WorkState.DEAD, WorkState.RETRYING, WorkState.SUCCEEDED, WorkState.FAILED)
    for index, state in enumerate(states * 3):
        company = connections[index % 2].company
        request = ERPRequestFactory(
            company=company,
            state=state,
            attempts=8,
            request_name="sync_standard_cost_codes_and_cost_types",
            next_attempt_at=timezone.now() if state == WorkState.RETRYING else None,
        )
        ERPRequestDetailFactory(
            erp_request=request, company=company, status="failed", state=WorkState.SUCCEEDED
        )
        NotificationEventFactory(
            company=company, erp_request=request, resource_id=request.procore_request_id
        )


def _sign_in(page, live_server, django_user_model) -> None:
    django_user_model.objects.create_superuser("support", "support@example.com", "pw-1234567")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "support")
    page.fill("#id_password", "pw-1234567")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


@pytest.mark.parametrize(
    ("path", "column"),
    [
        ("integrations/erprequest/", "state_shown"),
        ("integrations/connection/", "health_shown"),
        ("integrations/notificationevent/", "state_shown"),
    ],
)
def test_the_state_column_is_on_a_1400_px_screen(
    page, live_server, django_user_model, busy_portal, path, column, tmp_path
):
    _sign_in(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/admin/{path}")
    page.wait_for_selector("#result_list")
    page.screenshot(path=str(tmp_path / f"{column}-{path.split('/')[1]}.png"), full_page=True)
    cells = page.locator(f"#result_list th.column-{column}, #result_list td.field-{column}")
    assert cells.count() > 1
    for index in range(cells.count()):
        box = cells.nth(index).bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (index, box)
