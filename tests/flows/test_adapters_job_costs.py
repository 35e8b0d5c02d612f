"""A job imported into Procore from each real-ERP adapter arrives with its cost codes, their cost
types and its job costs, end to end over real HTTP against the local Procore sandbox: the sample
SQL ERP (SQLite, the layout of docs/adapters.md) and the sample file-exchange ERP (the CSV files
of ``erp_adapters/files/samples``). The approver refreshes jobs and imports one; the portal
pushes its cost structure, so commitments staged on it can be approved."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import Entity
from integrations.procore import ProcoreClient
from integrations.services.link_review import (
    link_review_accept_matches,
    link_review_apply,
    link_review_build,
)
from integrations.services.sync_runs import sync_run_start
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.conftest import SANDBOX_CLIENT_ID
from tests.flows.test_adapters_end_to_end import erp  # noqa: F401 - the sample ERPs, per adapter
from tests.flows.test_job_import import approve, press

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def linked(erp, sandbox_connection, sandbox_company):  # noqa: F811 - the fixture above
    """The ERP connection in Procore, and the company's cost types linked to the ERP's, as
    after a first cost type import."""
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    connection = erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id=SANDBOX_CLIENT_ID),
        service_url="http://portal.test",
        metadata={},
    )
    sandbox_connection.standard_cost_code_list_id = connection.standard_cost_code_list_id
    sandbox_connection.save()
    with ProcoreClient(sandbox_connection) as procore:
        review = link_review_build(
            company=sandbox_connection.company,
            entity="standard_categories",
            client=procore,
            connection=sandbox_connection,
            adapter=erp.adapter,
        )
        link_review_accept_matches(review=review)
        link_review_apply(review=review, client=procore)
    run = sync_run_start(
        company=sandbox_connection.company, entity="standard_categories", trigger="command"
    )
    assert run.state == "succeeded", run.error
    return erp


def test_a_job_imported_through_each_adapter_arrives_with_its_cost_codes_and_job_costs(
    linked, sandbox_company, client
):
    sample = linked
    summaries = {s.origin_id: s for s in sample.listed(Entity.JOB_COSTS)}
    job = next(
        j
        for j in sample.listed(Entity.JOBS)
        if j.origin_id in summaries and summaries[j.origin_id].data["sub_job_origin_id"] is None
    )
    structure = sample.adapter.job_costs.structure(job.origin_id)
    assert structure.cost_codes and any(row.has_costs for row in structure.rows)

    (refresh,) = press(client, sandbox_company, "refresh_jobs")
    detail = refresh.details.get()
    assert detail.status == "success", detail.messages
    assert StagedRecord.objects.get(company=sandbox_company, origin_id=job.origin_id)
    approve(client, sandbox_company, job.origin_id, "create_job_in_procore")

    project = ProcoreObject.objects.get(
        company=sandbox_company, item_type="project", origin_id=job.origin_id
    )
    codes = ProcoreObject.objects.filter(
        project=project, item_type="cost_code", data__sub_job_id=None
    )
    assert {(c.origin_id, c.data["name"]) for c in codes} == {
        (row.origin_id, row.name) for row in structure.cost_codes
    }
    code_ids = {c.origin_id: c.id for c in codes}
    cost_types = {
        t.origin_id: t.id
        for t in ProcoreObject.objects.filter(company=sandbox_company, item_type="line_item_type")
    }
    assignments = ProcoreObject.objects.filter(
        company=sandbox_company,
        item_type="cost_code_line_item_type",
        data__cost_code_id__in=list(code_ids.values()),
    )
    assert assignments.count() == len(structure.rows)
    job_costs = ProcoreObject.objects.filter(project=project, item_type="erp_job_cost")
    sent = {
        (j.data["cost_code_id"], j.data["line_item_type_id"]): (
            Decimal(j.data["original_estimate"]),
            Decimal(j.data["estimate"]),
            Decimal(j.data["job_to_date_cost"]),
        )
        for j in job_costs
    }
    assert sent == {
        (code_ids[row.cost_code_origin_id], cost_types[row.cost_type_origin_id]): (
            Decimal(row.original_estimate),
            Decimal(row.estimate),
            Decimal(row.job_to_date_cost),
        )
        for row in structure.rows
        if row.has_costs
    }


def test_a_budget_exported_from_procore_lands_in_the_erp_once(
    linked, provisioned, sandbox_company, client
):
    """The job imported first, its budget exported: the transactions are posted in the ERP (a
    file drop answers later: the Request Detail waits in progress until it does) and Procore
    shows them synced with the ERP's ids."""
    from procore_sandbox.services.cost_structure import budget_create, budget_line_set
    from procore_sandbox.services.exports import export_accept, export_send
    from tests.flows.conftest import detail_of
    from tests.flows.test_adapters_end_to_end import _deliver_and_work

    sample = linked
    summaries = {s.origin_id: s for s in sample.listed(Entity.JOB_COSTS)}
    job = next(j for j in sample.listed(Entity.JOBS) if j.origin_id in summaries)
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, job.origin_id, "create_job_in_procore")
    project = ProcoreObject.objects.get(
        company=sandbox_company, item_type="project", origin_id=job.origin_id
    )
    row = next(r for r in sample.adapter.job_costs.structure(job.origin_id).rows if r.has_costs)
    code = ProcoreObject.objects.get(
        project=project, item_type="cost_code", origin_id=row.cost_code_origin_id
    )
    cost_type = ProcoreObject.objects.get(
        company=sandbox_company, item_type="line_item_type", origin_id=row.cost_type_origin_id
    )
    budget = budget_create(project=project)
    budget_line_set(budget=budget, cost_code=code, line_item_type=cost_type, amount="1234.50")

    request = export_accept(export=export_send(obj=budget))
    _deliver_and_work()
    if sample.key == "files":
        assert detail_of(request).status == "in_progress"
    sample.answer()
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages[0].endswith("1 new transaction posted.")
    budget.refresh_from_db()
    assert budget.origin_id
    (posted,) = ProcoreObject.objects.filter(parent=budget, item_type="erp_transaction")
    assert posted.data["synced"] is True and posted.origin_id
    if sample.key == "sql":
        from sqlalchemy import create_engine, text

        engine = create_engine(sample.settings["url"])
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT transaction_id, amount, procore_id FROM budget_transactions")
            ).all()
        engine.dispose()
        assert [(r[0], Decimal(str(r[1])), r[2]) for r in rows] == [
            (posted.origin_id, Decimal("1234.50"), posted.id)
        ]


def test_a_sub_job_exported_from_procore_lands_in_the_erp_with_its_cost_codes(
    linked, provisioned, sandbox_company, client
):
    from procore_sandbox.services.cost_structure import sub_job_create
    from procore_sandbox.services.exports import export_accept, export_send
    from tests.flows.conftest import detail_of
    from tests.flows.test_adapters_end_to_end import _deliver_and_work

    sample = linked
    summaries = {s.origin_id: s for s in sample.listed(Entity.JOB_COSTS)}
    job = next(j for j in sample.listed(Entity.JOBS) if j.origin_id in summaries)
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, job.origin_id, "create_job_in_procore")
    project = ProcoreObject.objects.get(
        company=sandbox_company, item_type="project", origin_id=job.origin_id
    )
    own = list(ProcoreObject.objects.filter(project=project, item_type="cost_code"))
    sub_job = sub_job_create(project=project, name="Parking Deck", code="SJ-P")

    request = export_accept(export=export_send(obj=sub_job))
    _deliver_and_work()
    sample.answer()
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    sub_job.refresh_from_db()
    listed = {s.origin_id: s for s in sample.listed(Entity.SUB_JOBS)}
    assert listed[sub_job.origin_id].data == {
        "name": "Parking Deck",
        "code": "SJ-P",
        "project_origin_id": job.origin_id,
    }
    structure = sample.adapter.job_costs.structure(sub_job.origin_id)
    assert sorted(row.name for row in structure.cost_codes) == sorted(c.data["name"] for c in own)
    copies = ProcoreObject.objects.filter(
        project=project, item_type="cost_code", data__sub_job_id=sub_job.id
    )
    assert {c.origin_id for c in copies} == {row.origin_id for row in structure.cost_codes}


def test_a_commitment_on_a_job_imported_through_each_adapter_can_be_approved(
    linked, provisioned, sandbox_company, client
):
    """What the cost codes are for: the ERP's commitment, staged on a job imported from the
    same ERP, is approved in Procore onto the job's cost codes."""
    sample = linked
    commitment = sample.listed(Entity.COMMITMENTS)[0]
    job_id = commitment.data["project_origin_id"]
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, job_id, "create_job_in_procore")
    press(client, sandbox_company, "refresh_vendors")
    approve(
        client, sandbox_company, commitment.data["vendor_origin_id"], "create_vendor_in_procore"
    )
    press(client, sandbox_company, "refresh_commitments")
    approve(client, sandbox_company, commitment.origin_id, "create_commitment_in_procore")

    project = ProcoreObject.objects.get(
        company=sandbox_company, item_type="project", origin_id=job_id
    )
    in_procore = ProcoreObject.objects.get(
        company=sandbox_company, item_type=commitment.item_type, origin_id=commitment.origin_id
    )
    codes = {
        c.id: c.origin_id
        for c in ProcoreObject.objects.filter(project=project, item_type="cost_code")
    }
    lines = ProcoreObject.objects.filter(parent=in_procore, item_type="line_item").order_by("id")
    assert sorted(codes[line.data["cost_code_id"]] for line in lines) == sorted(
        child.data["cost_code_origin_id"] for child in commitment.children
    )
    from integrations.models import ObjectLink

    link = ObjectLink.objects.get(item_type=commitment.item_type, origin_id=commitment.origin_id)
    assert (link.state, link.procore_id) == ("synced", in_procore.id)
