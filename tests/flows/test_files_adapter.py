"""The file-exchange ERP end to end over real HTTP against the local Procore sandbox: a vendor
exported through the outbox and closed by the ERP's acknowledgement file (written here as the
ERP would), one that never gets an answer, and vendors imported from the ERP's CSV with a bad
row reported to the approver."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from erp_adapters.files.models import FileExport
from integrations.models import ERPRequest, ObjectLink, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_retry
from integrations.services.sweeper import process_pending
from tests.erp_adapters.files.conftest import VENDOR_HEADER, acknowledge, files_settings, write
from tests.flows.conftest import detail_of, export_vendor
from tests.flows.test_sandbox_import import closed_out, press


@pytest.fixture
def folders(tmp_path):
    paths = {name: tmp_path / name for name in ("import", "outbox", "inbox")}
    for path in paths.values():
        path.mkdir()
    return paths


@pytest.fixture
def files_connection(sandbox_connection, folders):
    """The sandbox company's connection switched to the files adapter on temporary folders."""
    sandbox_connection.adapter_key = "files"
    sandbox_connection.adapter_settings = files_settings(folders, stale_after_hours=1)
    sandbox_connection.save()
    return sandbox_connection


@pytest.fixture
def provisioned_files(files_connection):
    from integrations.services.provisioning import connection_provision

    connection_provision(company=files_connection.company, actor_label="test")
    files_connection.refresh_from_db()
    return files_connection


def test_an_exported_vendor_waits_in_progress_until_the_erp_acknowledges_it(
    provisioned_files, sandbox_company, folders
):
    vendor, request = export_vendor(sandbox_company, name="Acme Concrete", city="Austin")
    process_pending()

    detail = detail_of(request)
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    (exported,) = folders["outbox"].iterdir()
    assert exported.name == f"vendors-{vendor.id}-{detail.id}-1.csv"
    assert f"\r\n{vendor.id},,Acme Concrete,,Austin," in exported.read_bytes().decode()
    assert detail.status == "in_progress", detail.messages
    assert detail.messages == [
        f"Handed to the ERP as {exported.name}; waiting for the ERP to import it and acknowledge."
    ]
    assert ours.state == WorkState.WAITING
    vendor.refresh_from_db()
    assert not vendor.origin_id

    # The ERP imports the file and answers in its inbox; the next scan closes the request.
    acknowledge(
        folders["inbox"], "acks-0001.csv", [(exported.name, "success", "E-4411", "V-77", "")]
    )
    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == ["Created in the ERP as V-77."]
    vendor.refresh_from_db()
    assert vendor.origin_id == "E-4411"  # synced in Procore with the ERP's id
    link = ObjectLink.objects.get(company=provisioned_files.company, item_type="vendor")
    assert (link.state, link.procore_id, link.origin_id) == ("synced", vendor.id, "E-4411")
    ours.refresh_from_db()
    assert ours.state == WorkState.SUCCEEDED
    assert [p.name for p in folders["inbox"].iterdir()] == ["processed"]


def test_the_erps_refusal_reaches_the_approver(provisioned_files, sandbox_company, folders):
    _vendor, request = export_vendor(sandbox_company, name="Granite Works")
    process_pending()
    (exported,) = folders["outbox"].iterdir()
    acknowledge(
        folders["inbox"],
        "acks.csv",
        [(exported.name, "failed", "", "", "Vendor 'Granite Works' already exists as V-000012")],
    )
    process_pending()

    detail = detail_of(request)
    assert (detail.status, detail.messages) == (
        "failed",
        ["The ERP refused it: Vendor 'Granite Works' already exists as V-000012"],
    )
    assert ERPRequest.objects.get(procore_request_id=request.id).state == WorkState.FAILED


def test_an_export_the_erp_never_answers_closes_stale_and_a_late_answer_closes_it(
    provisioned_files, sandbox_company, folders
):
    vendor, request = export_vendor(sandbox_company, name="Silent Steel")
    process_pending()
    assert detail_of(request).status == "in_progress"

    # An hour later (the connection's stale_after_hours) the check finds no answer.
    FileExport.objects.update(written_at=timezone.now() - timedelta(hours=1, seconds=5))
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    ERPRequest.objects.filter(pk=ours.pk).update(next_attempt_at=timezone.now())
    process_pending()

    detail = detail_of(request)
    assert detail.status == "stale"
    assert detail.messages[0].startswith(
        f"The ERP did not acknowledge vendors-{vendor.id}-{detail.id}-1.csv within 1 hours"
    )
    ours.refresh_from_db()
    assert ours.state == WorkState.STALE

    # The ERP catches up and answers after all: the request is taken up and closes success.
    acknowledge(
        folders["inbox"],
        "late.csv",
        [(f"vendors-{vendor.id}-{detail.id}-1.csv", "success", "E-1", "V-1", "")],
    )
    process_pending()
    assert detail_of(request).status == "success"
    vendor.refresh_from_db()
    assert vendor.origin_id == "E-1"


def test_support_re_drives_a_stale_export_and_the_file_is_sent_again(
    provisioned_files, sandbox_company, folders
):
    _vendor, request = export_vendor(sandbox_company, name="Lost File Co")
    process_pending()
    FileExport.objects.update(written_at=timezone.now() - timedelta(hours=2))
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    ERPRequest.objects.filter(pk=ours.pk).update(next_attempt_at=timezone.now())
    process_pending()
    assert detail_of(request).status == "stale"

    erp_request_retry(erp_request=ours)
    process_pending()

    assert sorted(p.name.rsplit("-", 1)[1] for p in folders["outbox"].iterdir()) == [
        "1.csv",
        "2.csv",
    ]
    assert detail_of(request).status == "in_progress"


@pytest.fixture
def files_erp(files_connection, sandbox_company):
    """The ERP connection in the sandbox, as provisioning makes it (see test_sandbox_import)."""
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    erp_connection = erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id="e2e-app"),
        service_url="http://portal.test",
        metadata={},
    )
    files_connection.standard_cost_code_list_id = erp_connection.standard_cost_code_list_id
    files_connection.save()
    return files_connection


def test_vendors_imported_from_the_erps_csv_with_a_bad_row_reported(
    client, files_erp, sandbox_company, folders
):
    from procore_sandbox.models import StagedRecord

    write(
        folders["import"] / "vendors.csv",
        "\ufeff"
        + VENDOR_HEADER.replace(",", ";")
        + "\r\nE-1;V-000001;Acme Paving Inc;;Austin;TX;;;;;;\r\n"
        + "E-2;V-000002;Ångström Electric;;Malmö;;;SE;;;;\r\n"
        + "E-3;;No Code Ltd;;;;;;;;;\r\n"
        + "E-4;V-000004;Baker & Sons;;;;;;;;;ja\r\n"
        + "E-5;V-000005;Cedar Roofing;;;;;;;;;no\r\n",
    )
    files_erp.adapter_settings = {**files_erp.adapter_settings, "delimiter": ";"}
    files_erp.save()

    (request,) = press(client, sandbox_company, "refresh_vendors")

    status, messages = closed_out(request)
    assert status == "failed"  # the approver has rows to fix in the ERP
    assert messages == [
        "Staged 3 new vendors; 0 unchanged. 2 vendors in the ERP could not be read and were "
        "left as they were; correct them in the ERP.",
        "vendors.csv, line 4: column code: a value is required",
        "vendors.csv, line 5: column is_active: 'ja' is not true or false (write true/false, "
        "yes/no or 1/0)",
    ]
    staged = StagedRecord.objects.filter(company=sandbox_company, item_type="vendor")
    assert sorted(staged.values_list("origin_code", flat=True)) == [
        "V-000001",
        "V-000002",
        "V-000005",
    ]
    assert staged.get(origin_id="E-2").data["city"] == "Malmö"
    run = SyncRun.objects.get(entity="vendors")
    assert (run.state, run.created, run.unreadable, run.failed) == ("partial", 3, 2, 0)

    # The ERP fixes its rows and exports again: the next refresh stages them, nothing else.
    write(
        folders["import"] / "vendors.csv",
        VENDOR_HEADER.replace(",", ";")
        + "\nE-1;V-000001;Acme Paving Inc;;Austin;TX;;;;;;\n"
        + "E-2;V-000002;Ångström Electric;;Malmö;;;SE;;;;\n"
        + "E-3;V-000003;No Code Ltd;;;;;;;;;\n"
        + "E-4;V-000004;Baker & Sons;;;;;;;;;yes\n"
        + "E-5;V-000005;Cedar Roofing;;;;;;;;;no\n",
    )
    (second,) = press(client, sandbox_company, "refresh_vendors")
    assert closed_out(second) == ("success", ["Staged 2 new vendors; 3 unchanged."])


def test_a_malformed_import_file_fails_the_import_and_archives_nothing(
    client, files_erp, sandbox_company, folders
):
    from procore_sandbox.models import StagedRecord

    write(folders["import"] / "vendors.csv", VENDOR_HEADER + "\nE-1,V-1,Acme,,,,,,,,,\n")
    press(client, sandbox_company, "refresh_vendors")
    write(folders["import"] / "vendors.csv", "erp_id,vendor_code,name\nE-1,V-1,Acme\n")

    (request,) = press(client, sandbox_company, "refresh_vendors")

    status, messages = closed_out(request)
    assert status == "failed"
    assert messages[0].startswith(
        "The vendor import failed: vendors.csv: the header lacks the column(s) code; the "
        "column(s) vendor_code are not in the layout"
    )
    record = StagedRecord.objects.get(company=sandbox_company, origin_id="E-1")
    assert record.status == "staged"  # not archived
