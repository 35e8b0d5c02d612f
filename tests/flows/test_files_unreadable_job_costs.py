"""Job costs from the ERP's job_costs.csv with a bad row, end to end over real HTTP against the
local Procore sandbox: a row that does not say its job might be any job's, so the job costs
import deletes no job cost in Procore that run (and says so), and deletes what really left
once the file is corrected."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.services.sync_run_summaries import sync_run_messages
from integrations.services.sync_runs import sync_run_start
from procore_sandbox.models import ProcoreObject
from tests.flows.test_adapters_end_to_end import erp  # noqa: F401 - the sample ERPs
from tests.flows.test_adapters_job_costs import linked  # noqa: F401 - cost types linked
from tests.flows.test_job_import import approve, press

pytestmark = pytest.mark.django_db(transaction=True)

JOB = "JOB-1001"
GONE = "JOB-1001,,CC-01-500,CT-E,18000.00,18000.00,6400.00"


def _job_costs(project) -> set[str]:
    """The job's own job costs in Procore, by their cost code's origin id."""
    codes = {
        c.id: c.origin_id
        for c in ProcoreObject.objects.filter(project=project, item_type="cost_code")
    }
    return {
        codes[j.data["cost_code_id"]]
        for j in ProcoreObject.objects.filter(project=project, item_type="erp_job_cost")
        if j.data.get("sub_job_id") is None
    }


@pytest.mark.parametrize("erp", ["files"], indirect=True)
def test_a_job_cost_row_without_its_job_deletes_nothing_until_the_file_is_corrected(
    linked,  # noqa: F811 - the fixture imported above
    sandbox_connection,
    sandbox_company,
    client,
):
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, JOB, "create_job_in_procore")
    project = ProcoreObject.objects.get(company=sandbox_company, item_type="project", origin_id=JOB)
    assert f"{JOB}|CC-01-500" in _job_costs(project)
    path = Path(linked.settings["import_folder"]) / "job_costs.csv"
    rows = path.read_text().splitlines()
    assert GONE in rows

    # The ERP drops one job cost and writes a row that lost its job's id.
    kept = [row for row in rows if row != GONE]
    path.write_text("\n".join([*kept, ",,CC-01-100,CT-L,1.00,1.00,1.00"]) + "\n")
    run = sync_run_start(company=sandbox_connection.company, entity="job_costs", trigger="command")

    success, messages = sync_run_messages(run)
    assert not success
    assert "Nothing that left the ERP was archived or deleted in Procore" in messages[0]
    assert messages[1] == f"job_costs.csv, line {len(rows)}: column job_erp_id: a value is required"
    assert f"{JOB}|CC-01-500" in _job_costs(project)  # may be the unreadable row: kept

    # The file is corrected: the job cost that left the ERP is deleted in Procore.
    path.write_text("\n".join(kept) + "\n")
    run = sync_run_start(company=sandbox_connection.company, entity="job_costs", trigger="command")
    assert run.state == "succeeded", sync_run_messages(run)
    assert f"{JOB}|CC-01-500" not in _job_costs(project)
    assert f"{JOB}|CC-01-100" in _job_costs(project)
