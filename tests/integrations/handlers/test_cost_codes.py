"""``delete_cost_type_assignments``: each item closes with its own answer."""

from __future__ import annotations

from decimal import Decimal

from erp_adapters.base import job_cost_code_origin_id
from erp_adapters.demo.models import (
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
)
from tests.integrations.handlers.job_requests import run


def test_a_cost_type_with_posted_costs_stays_while_its_neighbour_goes(
    sandbox_connection, sandbox_company
):
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.cost_structure import cost_type_assign
    from procore_sandbox.services.objects import project_create

    tenant = sandbox_connection.adapter_settings["tenant"]
    project = project_create(company=sandbox_company, name="Harbor", cost_codes=[("01", "Gen")])
    code = ProcoreObject.objects.get(project=project, item_type="cost_code")
    sandbox_types = {
        row.data["code"]: row
        for row in ProcoreObject.objects.filter(company=sandbox_company, item_type="line_item_type")
    }
    job = DemoJob.objects.create(tenant=tenant, code="J-1", name="Harbor", procore_id=project.id)
    erp_code = DemoCostCode.objects.create(tenant=tenant, code="01", name="Gen")
    opened = DemoJobCostCode.objects.create(tenant=tenant, job=job, cost_code=erp_code)
    items = []
    for detail_id, type_code, posted in ((601, "L", "250.00"), (602, "M", "0")):
        cost_type = DemoCostType.objects.create(tenant=tenant, code=type_code, name=type_code)
        assigned = DemoJobCostType.objects.create(
            tenant=tenant, job_cost_code=opened, cost_type=cost_type, synced=True
        )
        DemoJobCost.objects.create(
            tenant=tenant, assignment=assigned, job_to_date_cost=Decimal(posted)
        )
        in_procore = cost_type_assign(cost_code=code, line_item_type=sandbox_types[type_code])
        items.append(
            {
                "id": in_procore.id,
                "request_detail_id": detail_id,
                "cost_code_origin_id": job_cost_code_origin_id(str(job.guid), str(erp_code.guid)),
                "line_item_type_origin_id": str(cost_type.guid),
                "job_cost_id": None,
            }
        )
    data = {
        "project": {"id": project.id, "origin_id": str(job.guid)},
        "sub_job": None,
        "cost_type_assignments": items,
    }

    closed = run(sandbox_connection, "delete_cost_type_assignments", data, detail_ids=(601, 602))

    assert closed == {
        601: (
            "failed",
            [
                "Cost type L on cost code 01 of job J-1 has 250.00 of costs posted in the ERP, so "
                "the ERP keeps it. Reverse or move those costs in the ERP first, then delete it "
                "again."
            ],
        ),
        602: (
            "success",
            ["Deleted cost type M on cost code 01 of job J-1 in the ERP and in Procore."],
        ),
    }
    assert list(DemoJobCostType.objects.values_list("cost_type__code", flat=True)) == ["L"]
    assert ProcoreObject.objects.filter(id=items[0]["id"]).exists()
    assert not ProcoreObject.objects.filter(id=items[1]["id"]).exists()
