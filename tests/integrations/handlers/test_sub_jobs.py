"""``create_sub_job`` under a job the ERP does not hold."""

from __future__ import annotations

from erp_adapters.demo.models import DemoSubJob
from tests.integrations.handlers.job_requests import run


def test_a_sub_job_of_a_job_the_erp_lacks_asks_for_the_project_first(sandbox_connection):
    data = {
        "sub_job": {
            "id": 11,
            "code": "F5",
            "name": "Floor 5",
            "project": {"id": 7, "name": "Harbor Clinic", "origin_id": None},
        },
        "all_cost_codes": [],
        "request_detail_id": 501,
    }
    closed = run(sandbox_connection, "create_sub_job", data)
    assert closed == {
        501: ("failed", ["Job 'Harbor Clinic' is not in the ERP; export the project first."])
    }
    assert not DemoSubJob.objects.exists()
