"""Commitments (subcontracts and purchase orders) between Procore and the ERP, end to end over
real HTTP: the project user and the approver act in the local Procore (the sandbox), Procore
delivers the webhook, the worker does the ERP's part in the demo books and writes back to
Procore, and each Request Detail closes with what happened."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from erp_adapters.demo import commitments as erp_commitments
from erp_adapters.demo.models import (
    CommitmentKind,
    CommitmentStatus,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
    DemoVendor,
)
from integrations.models import ERPRequest, NotificationEvent, ObjectLink, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.sweeper import process_pending
from integrations.services.work import work_claim_one
from procore_sandbox.models import ExportRequest, ProcoreObject, StagedRecord
from procore_sandbox.services.selectors import erp_state
from tests.flows.conftest import detail_of, export_vendor, tenant_of

pytestmark = pytest.mark.django_db(transaction=True)


def _type(company, code: str) -> ProcoreObject:
    return ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code=code)


def _cost_code(project: ProcoreObject, code: str) -> ProcoreObject:
    return ProcoreObject.objects.get(project=project, item_type="cost_code", data__code=code)


def _deliver_and_work() -> None:
    from procore_sandbox.services.delivery import deliveries_run_due

    assert deliveries_run_due() >= 1
    process_pending()


def _export(obj: ProcoreObject):
    """Send to ERP, the approver accepts, Procore delivers, the portal works."""
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=obj))
    _deliver_and_work()
    return request


@pytest.fixture
def world(provisioned, sandbox_company):
    """A job exported from Procore with cost codes 03, 03-300 (Labor, Materials) and 03-400
    (Labor), and a vendor exported too: what a commitment hangs on, in both systems."""
    from procore_sandbox.services.cost_structure import cost_type_assign
    from procore_sandbox.services.objects import project_create

    tenant = tenant_of(provisioned)
    division = DemoCostCode.objects.create(tenant=tenant, code="03", name="Concrete")
    for code, name in (("03-300", "Cast-in-Place"), ("03-400", "Precast")):
        DemoCostCode.objects.create(tenant=tenant, code=code, name=name, parent=division)
    for code, name in (("L", "Labor"), ("M", "Materials")):
        row = DemoCostType.objects.create(tenant=tenant, code=code, name=name)
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type", data__code=code
        ).update(origin_id=str(row.guid))
    project = project_create(
        company=sandbox_company,
        name="Harbor Clinic",
        cost_codes=[("03", "Concrete"), ("03-300", "Cast-in-Place"), ("03-400", "Precast")],
        origin_code="J-100",
    )
    for code, types in (("03-300", "LM"), ("03-400", "L")):
        for type_code in types:
            cost_type_assign(
                cost_code=_cost_code(project, code),
                line_item_type=_type(sandbox_company, type_code),
            )
    assert detail_of(_export(project)).status == "success"
    vendor, request = export_vendor(sandbox_company, name="Keystone Framing")
    process_pending()
    assert detail_of(request).status == "success"
    project.refresh_from_db()
    vendor.refresh_from_db()
    return {"tenant": tenant, "company": sandbox_company, "project": project, "vendor": vendor}


def _commitment(world, kind: str, lines: list[tuple[str, str, str, str]], **extra):
    """A commitment in Procore: ``lines`` are (cost code, cost type, amount, description)."""
    from procore_sandbox.services.objects import CommitmentLine, commitment_create

    project, company = world["project"], world["company"]
    return commitment_create(
        company=company,
        project=project,
        vendor=extra.pop("vendor", world["vendor"]),
        kind=kind,
        title=extra.pop("title", f"{kind} for Harbor Clinic"),
        lines=[
            CommitmentLine(
                cost_code_id=_cost_code(project, code).id,
                line_item_type_id=_type(company, type_code).id,
                amount=amount,
                description=description,
            )
            for code, type_code, amount, description in lines
        ],
        **extra,
    )


def _many_lines(count: int, seed: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    pairs = [("03-300", "L"), ("03-300", "M"), ("03-400", "L")]
    return [
        (*pairs[n % 3], f"{rng.randint(1, 250_000) / 100:.2f}", f"Item {n + 1}")
        for n in range(count)
    ]


def _procore_lines(commitment: ProcoreObject) -> list[ProcoreObject]:
    return list(ProcoreObject.objects.filter(parent=commitment, item_type="line_item"))


def test_a_subcontract_and_a_purchase_order_are_exported_with_every_line_written_back(world):
    subcontract = _commitment(world, "work_order_contract", _many_lines(40, 1))
    purchase_order = _commitment(world, "purchase_order_contract", _many_lines(25, 2))

    for commitment, kind, item_type, count in (
        (subcontract, CommitmentKind.SUBCONTRACT, "work_order_contract", 40),
        (purchase_order, CommitmentKind.PURCHASE_ORDER, "purchase_order_contract", 25),
    ):
        request = _export(commitment)
        detail = detail_of(request)
        assert detail.status == "success", detail.messages
        number = commitment.data["number"]
        total = Decimal(commitment.data["grand_total"])
        what = "subcontract" if kind == CommitmentKind.SUBCONTRACT else "purchase order"
        assert detail.messages == [
            f"Created in the ERP as {what} {number} with {count} lines totalling {total:,.2f}."
        ]
        document = DemoCommitment.objects.get(tenant=world["tenant"], procore_id=commitment.id)
        assert (document.kind, document.number, document.status) == (
            kind,
            number,
            CommitmentStatus.APPROVED,
        )
        assert (document.job.code, document.vendor.name) == ("J-100", "Keystone Framing")
        commitment.refresh_from_db()
        assert commitment.origin_id == str(document.guid)  # synced: Procore shows it so
        erp_lines = {line.procore_id: line for line in document.lines.all()}
        procore_lines = _procore_lines(commitment)
        assert len(erp_lines) == len(procore_lines) == count
        for line in procore_lines:
            ours = erp_lines[line.id]
            assert line.origin_id == str(ours.guid)  # written back line by line
            assert ours.amount == Decimal(line.data["amount"])
            assert ours.job_cost_code.job == document.job  # posts to the job's own cost code
            assert ours.job_cost_code.cost_code.code == ours.cost_code.code
        link = ObjectLink.objects.get(item_type=item_type, procore_id=commitment.id)
        assert (link.state, link.origin_id, link.origin_code) == (
            "synced",
            str(document.guid),
            number,
        )
        assert ObjectLink.objects.filter(item_type="line_item", state="synced").count() >= count


def test_a_document_with_one_bad_line_leaves_nothing_in_the_erp(world):
    lines = _many_lines(12, 3)
    lines[6] = ("03-400", "M", "99.00", "Precast panels")  # Materials: not assigned on 03-400
    commitment = _commitment(world, "work_order_contract", lines)

    detail = detail_of(_export(commitment))

    assert detail.status == "failed"
    assert detail.messages == [
        "Line 7 'Precast panels': cost type M 'Materials' is not assigned to cost code 03-400 "
        "on job J-100 in the ERP."
    ]
    assert not DemoCommitment.objects.filter(tenant=world["tenant"]).exists()
    assert not DemoCommitmentLine.objects.filter(tenant=world["tenant"]).exists()
    commitment.refresh_from_db()
    assert commitment.origin_id is None
    assert {line.origin_id for line in _procore_lines(commitment)} == {None}


def test_a_closed_job_and_a_vendor_the_erp_lacks_are_refused_in_words(world):
    from procore_sandbox.services.objects import vendor_create

    DemoJob.objects.filter(tenant=world["tenant"], code="J-100").update(is_active=False)
    # Synced in Procore, but the ERP has since lost it (deleted there).
    stranger = vendor_create(company=world["company"], name="Unknown Supply Co")
    ProcoreObject.objects.filter(pk=stranger.pk).update(origin_id=str(uuid.uuid4()))
    commitment = _commitment(world, "purchase_order_contract", _many_lines(2, 4), vendor=stranger)

    detail = detail_of(_export(commitment))

    assert detail.status == "failed"
    assert detail.messages == [
        "Job J-100 'Harbor Clinic' is closed in the ERP; nothing can be committed on it. "
        "Reopen the job in the ERP, or choose another project.",
        "Vendor 'Unknown Supply Co' is not in the ERP; export the vendor first.",
    ]
    assert not DemoCommitment.objects.filter(tenant=world["tenant"]).exists()


def test_an_export_delivered_twice_creates_one_document(world):
    from procore_sandbox.services.knobs import knob_set

    knob_set(name="webhook_duplicate_share", value=1.0)
    commitment = _commitment(world, "work_order_contract", _many_lines(10, 5))
    request = _export(commitment)
    from procore_sandbox.services.delivery import deliveries_run_due

    deliveries_run_due()  # the duplicate, if it is still due
    process_pending()
    assert NotificationEvent.objects.filter(resource_id=request.id).count() == 1

    assert DemoCommitment.objects.filter(procore_id=commitment.id).count() == 1
    assert DemoCommitmentLine.objects.filter(tenant=world["tenant"]).count() == 10
    assert detail_of(request).status == "success"


def test_a_worker_killed_mid_document_or_after_it_leaves_one_document(world, provisioned):
    """Killed while writing the lines: the ERP's transaction leaves nothing. Killed after the
    ERP committed the document but before the write-back: the retry finds it and finishes."""
    from erp_adapters.registry import get_adapter
    from integrations.procore import ProcoreClient
    from procore_sandbox.services.exports import export_accept, export_send

    commitment = _commitment(world, "work_order_contract", _many_lines(30, 6))
    request = export_accept(export=export_send(obj=commitment))
    from procore_sandbox.services.delivery import deliveries_run_due

    assert deliveries_run_due() >= 1
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    claimed = work_claim_one(ERPRequest, pk=ours.pk)
    assert claimed.state == WorkState.PROCESSING
    with ProcoreClient(provisioned) as client:
        fetched = client.get_erp_request(request.id)
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)

    class WorkerDied(BaseException):
        pass

    real_bulk_create = DemoCommitmentLine.objects.bulk_create

    def half_then_die(rows, *args, **kwargs):
        rows = list(rows)
        real_bulk_create(rows[:15], *args, **kwargs)
        raise WorkerDied

    with (
        mock.patch.object(DemoCommitmentLine.objects, "bulk_create", half_then_die),
        pytest.raises(WorkerDied),
    ):
        adapter.commitments.create(fetched.request_data)
    assert not DemoCommitment.objects.filter(tenant=world["tenant"]).exists()
    assert not DemoCommitmentLine.objects.filter(tenant=world["tenant"]).exists()

    # The next worker gets as far as the ERP's commit, and dies before telling Procore.
    adapter.commitments.create(fetched.request_data)
    ERPRequest.objects.filter(pk=ours.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    process_pending()

    assert DemoCommitment.objects.filter(procore_id=commitment.id).count() == 1
    assert DemoCommitmentLine.objects.filter(tenant=world["tenant"]).count() == 30
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages[0].startswith("Already in the ERP as subcontract SC-001 with 30 lines")
    commitment.refresh_from_db()
    assert commitment.origin_id is not None
    assert None not in {line.origin_id for line in _procore_lines(commitment)}


def test_unlink_of_a_live_then_of_a_void_commitment(world):
    from procore_sandbox.services.commitment_actions import commitment_unlink

    commitment = _commitment(world, "work_order_contract", _many_lines(3, 7))
    assert detail_of(_export(commitment)).status == "success"
    document = DemoCommitment.objects.get(procore_id=commitment.id)
    commitment.refresh_from_db()

    live = commitment_unlink(commitment=commitment)
    _deliver_and_work()
    detail = detail_of(live)
    assert detail.status == "failed"
    assert detail.messages == [
        "Commitment SC-001 on job J-100 is still approved in the ERP, so it stays synced. "
        "Void or delete it in the ERP first, then unlink it again."
    ]
    commitment.refresh_from_db()
    assert commitment.origin_id == str(document.guid)

    erp_commitments.commitment_void(document)
    void = commitment_unlink(commitment=commitment)
    _deliver_and_work()
    detail = detail_of(void)
    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "Commitment SC-001 on job J-100 is void in the ERP; it is unlinked in Procore."
    ]
    commitment.refresh_from_db()
    assert commitment.origin_id is None  # unsynced
    link = ObjectLink.objects.get(item_type="work_order_contract", origin_id=str(document.guid))
    assert (link.state, link.procore_id) == ("pending", None)
    # In Procore it reads unlinked, not as an export still waiting for its ERP id.
    latest = ExportRequest.objects.filter(item=commitment).order_by("-id").first()
    assert erp_state(commitment, latest).label == "Not synced: unlinked from the ERP"

    # Sent again, the void document is not brought back to life, nor is a second one made.
    again = detail_of(_export(commitment))
    assert again.status == "failed"
    assert again.messages == [
        "Commitment SC-001 on job J-100 is void in the ERP and cannot be brought back. Create "
        "a new commitment in Procore (with another number) and export that one."
    ]
    assert DemoCommitment.objects.filter(tenant=world["tenant"]).count() == 1


def test_a_commitment_deleted_in_the_erp_is_unlinked(world):
    from procore_sandbox.services.commitment_actions import commitment_unlink

    commitment = _commitment(world, "purchase_order_contract", _many_lines(2, 8))
    assert detail_of(_export(commitment)).status == "success"
    DemoCommitment.objects.filter(procore_id=commitment.id).delete()
    commitment.refresh_from_db()

    request = commitment_unlink(commitment=commitment)
    _deliver_and_work()
    detail = detail_of(request)

    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "The ERP no longer holds this commitment; it is unlinked in Procore."
    ]
    commitment.refresh_from_db()
    assert commitment.origin_id is None


def test_a_document_of_500_lines_sums_to_the_same_total_in_the_erp(world):
    """Money is exact: Procore's header is the sum of its 500 lines; the ERP's lines sum to it
    to the cent, and each line is the amount Procore holds."""
    rng = random.Random(500)
    lines = [
        ("03-300", "L", f"{rng.randint(1, 9_999_999) / 100:.2f}", f"Unit {n}") for n in range(500)
    ]
    lines[0] = ("03-300", "L", "0.10", "Unit 0")  # 0.1 + 0.2 is not 0.3 in binary floats
    lines[1] = ("03-300", "L", "0.20", "Unit 1")
    commitment = _commitment(world, "work_order_contract", lines)
    header = Decimal(commitment.data["grand_total"])
    assert header == sum(Decimal(amount) for _, _, amount, _ in lines)

    assert detail_of(_export(commitment)).status == "success"

    document = DemoCommitment.objects.get(procore_id=commitment.id)
    amounts = list(document.lines.values_list("amount", flat=True))
    assert len(amounts) == 500
    assert sum(amounts, Decimal(0)) == header
    by_id = dict(document.lines.values_list("procore_id", "amount"))
    assert all(
        by_id[line.id] == Decimal(line.data["amount"]) for line in _procore_lines(commitment)
    )


# -- Import: the ERP's commitments staged in Procore with their lines ---------------------------


def _erp_commitment(world, number: str, job: DemoJob, vendor: DemoVendor, lines: int):
    tenant = world["tenant"]
    document = DemoCommitment.objects.create(
        tenant=tenant,
        job=job,
        vendor=vendor,
        kind=CommitmentKind.SUBCONTRACT,
        number=number,
        title=f"Framing {number}",
        status=CommitmentStatus.APPROVED,
        retainage_percent=Decimal("10.00"),
    )
    opened = DemoJobCostCode.objects.filter(job=job, cost_code__code="03-300").first()
    labor = DemoCostType.objects.get(tenant=tenant, code="L")
    for position in range(1, lines + 1):
        DemoCommitmentLine.objects.create(
            tenant=tenant,
            commitment=document,
            position=position,
            description=f"Wall {position}",
            job_cost_code=opened,
            cost_code=opened.cost_code if opened else DemoCostCode.objects.get(code="03-300"),
            cost_type=labor,
            amount=Decimal("1250.50"),
        )
    return document


def _refresh_commitments(company):
    from procore_sandbox.services.buttons import button_press

    (request,) = button_press(company=company, button="refresh_commitments")
    _deliver_and_work()
    return request


def test_commitments_are_staged_with_their_lines_and_added_to_procore(world):
    from procore_sandbox.services.staged_records import staged_record_approve

    tenant = world["tenant"]
    job = DemoJob.objects.get(tenant=tenant, code="J-100")
    vendor = DemoVendor.objects.get(tenant=tenant, procore_id=world["vendor"].id)
    staged = _erp_commitment(world, "SC-900", job, vendor, lines=3)
    gone = _erp_commitment(world, "SC-901", job, vendor, lines=1)
    elsewhere = DemoJob.objects.create(tenant=tenant, code="J-200", name="Not in Procore")
    waiting = _erp_commitment(world, "SC-902", elsewhere, vendor, lines=1)

    detail = detail_of(_refresh_commitments(world["company"]))

    run = SyncRun.objects.filter(entity="commitments").latest("id")
    assert (run.created, run.skipped) == (2, 1)
    assert detail.status == "success"  # what waits is listed, with what it waits for
    assert detail.messages[0].startswith("Staged 2 new commitments; 0 unchanged. 1 commitment")
    assert detail.messages[1] == (
        "SC-902: its job is not synced with Procore yet (import or export the job), then "
        "refresh commitments."
    )
    record = StagedRecord.objects.get(origin_id=str(staged.guid))
    assert (record.item_type, record.status) == ("work_order_contract", "staged")
    assert record.data["project_origin_id"] == str(job.guid)
    assert record.data["vendor_origin_id"] == str(vendor.guid)
    children = list(record.children.order_by("id"))
    assert len(children) == 3
    assert children[0].data["amount"] == "1250.50"
    assert children[0].data["cost_code_origin_id"].startswith(f"{job.guid}|")
    waiting_link = ObjectLink.objects.get(origin_id=str(waiting.guid))
    assert waiting_link.state == "pending" and "its job" in waiting_link.last_error

    # The approver adds SC-900 to Procore: the commitment and its lines, with our origin ids.
    commitment = staged_record_approve(record=record)
    _deliver_and_work()
    link = ObjectLink.objects.get(item_type="work_order_contract", origin_id=str(staged.guid))
    assert (link.state, link.procore_id) == ("synced", commitment.id)
    lines = _procore_lines(commitment)
    assert len(lines) == 3
    for line in lines:
        line_link = ObjectLink.objects.get(item_type="line_item", origin_id=line.origin_id)
        assert (line_link.state, line_link.procore_id) == ("synced", line.id)

    # SC-901 leaves the ERP: its staged record is archived; nothing else is sent again.
    gone.delete()
    calls_before = run.api_calls
    _refresh_commitments(world["company"])
    again = SyncRun.objects.filter(entity="commitments").latest("id")
    assert (again.created, again.archived, again.skipped) == (0, 1, 1)
    assert StagedRecord.objects.get(origin_id=str(gone.guid)).status == "archived"
    assert again.api_calls <= calls_before


def _many_erp_commitments(world, count: int) -> None:
    """``count`` subcontracts of one line each on job J-100, in two queries."""
    tenant = world["tenant"]
    job = DemoJob.objects.get(tenant=tenant, code="J-100")
    vendor = DemoVendor.objects.get(tenant=tenant, procore_id=world["vendor"].id)
    opened = DemoJobCostCode.objects.get(job=job, cost_code__code="03-300")
    labor = DemoCostType.objects.get(tenant=tenant, code="L")
    documents = DemoCommitment.objects.bulk_create(
        DemoCommitment(
            tenant=tenant,
            job=job,
            vendor=vendor,
            kind=CommitmentKind.SUBCONTRACT,
            number=f"SC-{n:05d}",
            status=CommitmentStatus.APPROVED,
        )
        for n in range(count)
    )
    DemoCommitmentLine.objects.bulk_create(
        DemoCommitmentLine(
            tenant=tenant,
            commitment=document,
            job_cost_code=opened,
            cost_code=opened.cost_code,
            cost_type=labor,
            amount=Decimal("100.00"),
        )
        for document in documents
    )


def _sync_command(provisioned) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "sync",
        "--company",
        str(provisioned.company.procore_company_id),
        "--entity",
        "commitments",
        stdout=out,
    )
    return out.getvalue()


def test_manage_py_sync_stages_commitments_in_few_calls_resumes_and_skips_the_unchanged(
    world, provisioned
):
    """The guarantees of every import: ceil(N/1000) staging calls for N new documents (each
    with its lines nested), none for an unchanged list, and a run that dies resumes where its
    last committed batch ended."""
    from django.core.management.base import CommandError

    from integrations.procore import ProcoreClient, RetryableError

    _many_erp_commitments(world, 2100)
    real = ProcoreClient.sync_staged_records
    calls = []

    def second_call_fails(self, updates):
        calls.append(len(updates))
        if len(calls) == 2:
            raise RetryableError("Procore is busy")
        return real(self, updates)

    with (
        mock.patch.object(ProcoreClient, "sync_staged_records", second_call_fails),
        pytest.raises(CommandError, match="resumes when this command runs again"),
    ):
        _sync_command(provisioned)
    paused = SyncRun.objects.filter(entity="commitments").latest("id")
    assert (paused.state, paused.created) == (SyncRun.State.PENDING, 1000)

    out = _sync_command(provisioned)  # resumes the paused run

    resumed = SyncRun.objects.filter(entity="commitments").latest("id")
    assert resumed.pk == paused.pk and resumed.state == SyncRun.State.SUCCEEDED, out
    assert (resumed.created, resumed.failed, resumed.skipped) == (2100, 0, 0)
    assert resumed.api_calls == 3  # 1 before the pause, 2 on resume: ceil(2100 / 1000)
    staged = StagedRecord.objects.filter(item_type="work_order_contract", status="staged")
    assert staged.count() == 2100  # none twice
    assert StagedRecord.objects.filter(item_type="line_item").count() == 2100

    _sync_command(provisioned)
    unchanged = SyncRun.objects.filter(entity="commitments").latest("id")
    assert (unchanged.api_calls, unchanged.unchanged, unchanged.created) == (0, 2100, 0)
