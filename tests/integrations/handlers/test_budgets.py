"""``create_budget`` when Procore does not know the transactions it is asked to mark."""

from __future__ import annotations

from erp_adapters.base import job_cost_code_origin_id
from erp_adapters.demo.models import (
    DemoBudgetTransaction,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
)
from tests.integrations.handlers.job_requests import run


def test_transactions_procore_does_not_mark_synced_fail_the_export_and_post_once(
    sandbox_connection, sandbox_company
):
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.cost_structure import budget_create
    from procore_sandbox.services.objects import project_create

    tenant = sandbox_connection.adapter_settings["tenant"]
    project = project_create(company=sandbox_company, name="Harbor", cost_codes=[("01", "Gen")])
    budget = budget_create(project=project)
    job = DemoJob.objects.create(tenant=tenant, code="J-1", name="Harbor", procore_id=project.id)
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid))
    code = DemoCostCode.objects.create(tenant=tenant, code="01", name="Gen")
    labor = DemoCostType.objects.create(tenant=tenant, code="L", name="Labor")
    DemoJobCostCode.objects.create(tenant=tenant, job=job, cost_code=code)
    data = {
        "job_id": str(job.guid),
        "budget": {"id": budget.id, "origin_id": None, "project_id": project.id},
        "job_costs": [
            {
                "id": 456,
                "cost_code_origin_id": job_cost_code_origin_id(str(job.guid), str(code.guid)),
                "line_item_type_origin_id": str(labor.guid),
            }
        ],
        "transactions": [{"id": 999_001, "value": 10, "type": "x", "job_cost_id": 456}],
        "request_detail_id": 501,
    }

    ((status, messages),) = run(sandbox_connection, "create_budget", data).values()
    assert status == "failed"
    assert messages[0].startswith(
        "The budget is in the ERP, but Procore did not mark its transactions synced:"
    )
    run(sandbox_connection, "create_budget", data, detail_ids=(502,))
    assert DemoBudgetTransaction.objects.filter(tenant=tenant).count() == 1  # posted once
