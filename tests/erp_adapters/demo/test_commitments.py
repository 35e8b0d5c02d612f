"""The demo ERP's commitments: the accounting model (open, approved, void; retainage; each line
on a cost code open on its job, with a cost type assigned there), refusals an accountant can act
on, and what an unlink learns of a document."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from erp_adapters.base import DocumentState
from erp_adapters.demo import commitments
from erp_adapters.demo.models import (
    CommitmentStatus,
    DemoCommitment,
    DemoJobCostCode,
    DemoSubJob,
)
from tests.erp_adapters.demo.conftest import commitment_export, cost_code_ref


@pytest.mark.parametrize(
    "procore, books",
    [
        ("Approved", "approved"),
        ("Complete", "approved"),
        ("Draft", "open"),
        ("Out for Signature", "open"),
        ("Void", "void"),
        ("Terminated", "void"),
        (None, "open"),
    ],
)
def test_procore_statuses_as_the_books_keep_them(procore, books):
    assert commitments.procore_status(procore) == books


def test_an_approved_commitment_keeps_its_retainage_and_posts_each_line_to_the_job(refs, adapter):
    data = commitment_export(**refs)
    data["commitment"]["retainage_percent"] = "10"
    result = adapter.commitments.create(data)
    document = DemoCommitment.objects.get(guid=result.origin_id)
    (line,) = document.lines.all()
    assert (document.status, document.retainage_percent) == ("approved", Decimal("10.00"))
    assert line.job_cost_code.job == refs["job"] and line.job_cost_code.sub_job is None
    assert line.cost_code == refs["cost_code"]


def test_refusals_name_the_line_and_what_to_do(refs, adapter):
    data = commitment_export(**refs)
    data["commitment"].update(retainage_percent="120", status="Void")
    (item,) = data["commitment_items"]
    item.update(amount="lots", description="Framing labor", position=3)
    assert adapter.commitments.check_create(data) == [
        "Commitment SC-900 is void in Procore; the ERP does not book a cancelled commitment.",
        "Retainage of 120% is not between 0% and 100%.",
        "Line 3 'Framing labor': the amount 'lots' is not a number.",
    ]


def test_the_lines_must_add_up_to_the_documents_total(refs, adapter):
    data = commitment_export(**refs)
    data["commitment"]["grand_total"] = "250.01"
    assert adapter.commitments.check_create(data) == [
        "The lines add up to 250.00 in the ERP (each rounded to the cent), but the "
        "commitment's total in Procore is 250.01; correct the line amounts in Procore and "
        "export it again."
    ]


def test_a_line_on_a_sub_jobs_cost_code_posts_there(refs, adapter):
    job = refs["job"]
    sub_job = DemoSubJob.objects.filter(job=job).first()
    opened = DemoJobCostCode.objects.filter(sub_job=sub_job).first()
    if sub_job is None or opened is None:
        pytest.skip("the seeded job has no sub job with cost codes")
    pair = opened.cost_types.first()
    data = commitment_export(**{**refs, "cost_code": opened.cost_code, "cost_type": pair.cost_type})
    (item,) = data["commitment_items"]
    item["cost_code"] = {
        **cost_code_ref(opened.cost_code),
        "origin_id": f"{sub_job.guid}|{opened.cost_code.guid}",
    }
    result = adapter.commitments.create(data)
    line = DemoCommitment.objects.get(guid=result.origin_id).lines.get()
    assert line.job_cost_code == opened


def test_what_an_unlink_learns_of_a_document(refs, adapter):
    result = adapter.commitments.create(commitment_export(**refs))
    by_origin = {"origin_id": result.origin_id, "procore_id": None}
    standing = adapter.commitments.standing(by_origin)
    assert (standing.state, standing.live) == (DocumentState.APPROVED, True)
    assert standing.label == "Commitment SC-900 on job J-1001"
    commitments.commitment_void(DemoCommitment.objects.get(guid=result.origin_id))
    assert adapter.commitments.standing({"procore_id": 41}).state is DocumentState.VOID
    DemoCommitment.objects.filter(guid=result.origin_id).delete()
    assert adapter.commitments.standing(by_origin).state is DocumentState.GONE


def test_void_in_the_admin(books, admin_client_logged_in):
    document = DemoCommitment.objects.filter(status=CommitmentStatus.APPROVED).first()
    changelist = reverse("admin:demo_erp_democommitment_changelist")
    response = admin_client_logged_in.post(
        changelist,
        {"action": "void_commitments", "_selected_action": [document.pk]},
        follow=True,
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == CommitmentStatus.VOID and document.voided_at is not None


def test_a_cost_code_with_commitment_lines_on_it_is_kept(refs, adapter):
    from erp_adapters.base import ConstraintViolation
    from erp_adapters.demo.models import DemoBudgetLine, DemoJobCost

    adapter.commitments.create(commitment_export(**refs))
    job, code = refs["job"], refs["cost_code"]
    opened = DemoJobCostCode.objects.get(job=job, sub_job=None, cost_code=code)
    DemoJobCost.objects.filter(assignment__job_cost_code=opened).delete()  # no costs, no budget:
    DemoBudgetLine.objects.filter(job_cost_code=opened).delete()  # only the commitment keeps it
    item = {
        "project": {"id": 1, "origin_id": str(job.guid)},
        "sub_job": None,
        "id": None,
        "origin_id": f"{job.guid}|{code.guid}",
        "sortable_code": code.code,
    }
    with pytest.raises(ConstraintViolation) as refused:
        adapter.jobs.delete_cost_code(item)
    assert refused.value.messages[-1] == (
        f"Cost code {code.code} on job J-1001 carries lines of commitment SC-900 in the ERP, "
        "so the ERP keeps it. Move those lines to another cost code first (or void the "
        "commitment), then delete it again."
    )
