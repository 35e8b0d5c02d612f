"""``create_or_update_job`` and ``reset_job`` when Procore or the payload let them down."""

from __future__ import annotations

from erp_adapters.demo.models import DemoJob
from tests.integrations.handlers.job_requests import run


def test_a_job_export_procore_does_not_take_the_ids_of_says_the_job_is_in_the_erp(
    sandbox_connection,
):
    data = {
        "job": {"id": 987_654, "name": "Ghost Tower", "origin_code": "J-9"},
        "all_cost_codes": [],
        "request_detail_id": 501,
    }
    ((status, messages),) = run(sandbox_connection, "create_or_update_job", data).values()

    assert status == "failed"
    assert messages[0].startswith(
        "The job is in the ERP as J-9, but Procore did not accept its ERP ids:"
    )
    tenant = sandbox_connection.adapter_settings["tenant"]
    assert DemoJob.objects.get(tenant=tenant).procore_id == 987_654  # a retry finds it


def test_an_export_without_a_project_changes_nothing(sandbox_connection):
    closed = run(sandbox_connection, "create_or_update_job", {"request_detail_id": 501})
    assert closed == {
        501: ("failed", ["The export carries no project, so nothing was changed in the ERP."])
    }
    assert not DemoJob.objects.exists()
