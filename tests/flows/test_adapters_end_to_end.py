"""A vendor and a commitment exported through each real-ERP adapter and imported from each, end
to end over real HTTP against the local Procore sandbox: the sample SQL ERP (SQLite, the layout
of docs/adapters.md) and the sample file-exchange ERP (the CSV files of
``erp_adapters/files/samples``, with the demo's stand-in for the ERP's importer answering).

The project the commitment hangs on is one of the ERP's jobs, linked as a job import leaves it
(the project, its cost codes and the company's cost types carry the ERP's ids); everything else
goes through the buttons and webhooks a company's people use.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import erp_adapters.files
from erp_adapters.base import Adapter, Entity, ERPObject, standard_part_of_cost_code_origin_id
from erp_adapters.files.simulator import erp_import_outbox
from erp_adapters.registry import get_adapter
from erp_adapters.sql.database import dispose_engines
from erp_adapters.sql.sample import create_sample_database, sample_settings
from integrations.models import ObjectLink
from integrations.services.sweeper import process_pending
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.erp_adapters.files.conftest import files_settings
from tests.flows.conftest import detail_of, export_vendor
from tests.flows.test_sandbox_import import approve, closed_out, press

pytestmark = pytest.mark.django_db(transaction=True)
SAMPLES = Path(erp_adapters.files.__file__).parent / "samples"


class SampleERP:
    """One sample ERP behind the sandbox company's connection; ``answer`` plays the ERP's side
    after an export (nothing for a database, the importer for a file drop)."""

    def __init__(self, key: str, settings: dict, answer: Callable[[], None]) -> None:
        self.key, self.settings, self.answer = key, settings, answer

    @property
    def adapter(self) -> Adapter:
        return get_adapter(self.key, self.settings)

    def listed(self, entity: Entity) -> list[ERPObject]:
        return list(self.adapter.entity(entity).list())


@pytest.fixture(params=["sql", "files"])
def erp(request, sandbox_connection, tmp_path):
    if request.param == "sql":
        url = f"sqlite:///{tmp_path / 'sample-erp.sqlite3'}"
        create_sample_database(url)
        sample = SampleERP("sql", sample_settings(url), lambda: None)
    else:
        folders = {name: tmp_path / name for name in ("import", "outbox", "inbox")}
        for path in folders.values():
            path.mkdir()
        for csv_file in SAMPLES.glob("*.csv"):
            shutil.copy(csv_file, folders["import"])

        def importer() -> None:
            erp_import_outbox(
                import_folder=folders["import"],
                outbox_folder=folders["outbox"],
                inbox_folder=folders["inbox"],
            )
            process_pending()  # the portal collects the acknowledgement

        sample = SampleERP("files", files_settings(folders), importer)
    sandbox_connection.adapter_key = sample.key
    sandbox_connection.adapter_settings = sample.settings
    sandbox_connection.save()
    yield sample
    dispose_engines()


def _deliver_and_work() -> None:
    from procore_sandbox.services.delivery import deliveries_run_due

    assert deliveries_run_due() >= 1
    process_pending()


def _linked_job(company, portal_company, job: ERPObject, cost_codes: dict[str, ERPObject]):
    """The ERP's job as Procore holds it after a job import: the project with the ERP's id,
    its cost codes ``<job>|<standard cost code>``, the company's cost types with theirs."""
    from procore_sandbox.services.objects import project_create

    project = project_create(
        company=company,
        name=str(job.data["name"]),
        cost_codes=[(c.origin_code, str(c.data["name"])) for c in cost_codes.values()],
        origin_code=job.origin_code,
    )
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=job.origin_id)
    for std_id, code in cost_codes.items():
        ProcoreObject.objects.filter(
            project=project, item_type="cost_code", data__code=code.origin_code
        ).update(origin_id=f"{job.origin_id}|{std_id}")
    ObjectLink.objects.create(
        company=portal_company,
        item_type="project",
        origin_id=job.origin_id,
        origin_code=job.origin_code,
        procore_id=project.id,
        state=ObjectLink.State.SYNCED,
    )
    project.refresh_from_db()
    return project


def test_a_vendor_and_a_commitment_exported_through_the_adapter_and_imported_from_it(
    erp, provisioned, sandbox_company, client
):
    from procore_sandbox.services.exports import export_accept, export_send
    from procore_sandbox.services.objects import CommitmentLine, commitment_create

    # -- a vendor made in Procore, exported into the ERP ----------------------------------------
    vendor, request = export_vendor(sandbox_company, name="Keystone Framing", city="Boise")
    process_pending()
    erp.answer()
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    vendor.refresh_from_db()
    in_erp = {v.origin_id: v for v in erp.listed(Entity.VENDORS)}
    assert in_erp[vendor.origin_id].data["name"] == "Keystone Framing"  # synced with the ERP's id

    # -- a commitment made in Procore on one of the ERP's jobs, exported ------------------------
    sample = erp.listed(Entity.COMMITMENTS)[0]  # the ERP's own, imported below
    job = next(
        j for j in erp.listed(Entity.JOBS) if j.origin_id == sample.data["project_origin_id"]
    )
    standard = {c.origin_id: c for c in erp.listed(Entity.STANDARD_COST_CODES)}
    used = {
        standard_part_of_cost_code_origin_id(line.data["cost_code_origin_id"])
        for line in sample.children
    }
    project = _linked_job(sandbox_company, provisioned.company, job, {i: standard[i] for i in used})
    for cost_type in erp.listed(Entity.STANDARD_CATEGORIES):
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type", data__code=cost_type.origin_code
        ).update(origin_id=cost_type.origin_id)
    subcontract_type = ProcoreObject.objects.get(
        company=sandbox_company, item_type="line_item_type", data__code="S"
    )
    codes = list(ProcoreObject.objects.filter(project=project, item_type="cost_code"))
    commitment = commitment_create(
        company=sandbox_company,
        project=project,
        vendor=vendor,
        kind="work_order_contract",
        title="Framing, levels 1-3",
        number="SC-101",
        lines=[
            CommitmentLine(
                cost_code_id=code.id,
                line_item_type_id=subcontract_type.id,
                amount=amount,
                description=f"Framing {n}",
            )
            for n, (code, amount) in enumerate(zip(codes, ("12500.10", "1087.80"), strict=False), 1)
        ],
    )
    request = export_accept(export=export_send(obj=commitment))
    _deliver_and_work()
    erp.answer()
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    number = commitment.data["number"]
    assert detail.messages[0].startswith(f"Created in the ERP as subcontract {number} with ")
    commitment.refresh_from_db()
    written = {c.origin_id: c for c in erp.listed(Entity.COMMITMENTS)}[commitment.origin_id]
    assert (written.origin_code, written.data["vendor_origin_id"]) == (number, vendor.origin_id)
    lines = ProcoreObject.objects.filter(parent=commitment, item_type="line_item").order_by("id")
    assert [line.origin_id for line in lines] == [child.origin_id for child in written.children]
    # To the cent what Procore holds.
    assert [Decimal(child.data["amount"]) for child in written.children] == [
        Decimal(line.data["amount"]) for line in lines
    ]
    link = ObjectLink.objects.get(item_type="work_order_contract", procore_id=commitment.id)
    assert (link.state, link.origin_id) == ("synced", commitment.origin_id)

    # -- the ERP's vendors and commitments, imported into Procore -------------------------------
    (refresh,) = press(client, sandbox_company, "refresh_vendors")
    status, messages = closed_out(refresh)
    assert status == "success", messages
    approve(sandbox_company, sample.data["vendor_origin_id"], client)
    process_pending()
    assert ObjectLink.objects.get(
        item_type="vendor", origin_id=sample.data["vendor_origin_id"]
    ).state == ("synced")

    from procore_sandbox.services.buttons import button_press

    (refresh,) = button_press(company=sandbox_company, button="refresh_commitments")
    _deliver_and_work()
    refresh.refresh_from_db()
    record = StagedRecord.objects.get(company=sandbox_company, origin_id=sample.origin_id)
    assert (record.item_type, record.status) == (sample.item_type, "staged")
    assert record.data["project_origin_id"] == job.origin_id
    children = list(record.children.order_by("id"))
    assert [c.origin_id for c in children] == [line.origin_id for line in sample.children]
    assert [Decimal(c.data["amount"]) for c in children] == [
        Decimal(line.data["amount"]) for line in sample.children
    ]
    # The one exported from Procore is already there: not staged again.
    assert not StagedRecord.objects.filter(origin_id=commitment.origin_id).exists()
