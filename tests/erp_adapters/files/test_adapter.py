"""The files adapter with real files in temporary folders: what an import reads (and refuses),
what an export writes, and how the ERP's acknowledgement files answer it."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from erp_adapters.base import (
    AdapterSettingsError,
    ConstraintViolation,
    EntityNotSupported,
    ERPNoAnswer,
    ERPPending,
    ERPUnavailable,
    ExternalLink,
    HealthState,
    ListingProblems,
)
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import FileRefused
from erp_adapters.registry import get_adapter
from tests.erp_adapters.demo.conftest import request_data
from tests.erp_adapters.files.conftest import (
    VENDOR_HEADER,
    acknowledge,
    files_settings,
    write,
)

# -- settings and health ------------------------------------------------------------------------


def test_settings_need_three_absolute_folders_and_know_their_formats(folders):
    with pytest.raises(AdapterSettingsError) as refused:
        get_adapter("files", {"import_folder": "relative/path", "delimiter": "|"})
    problems = "\n".join(refused.value.problems)
    assert "'outbox_folder' is a required property" in problems
    assert "'inbox_folder' is a required property" in problems
    assert "import_folder: 'relative/path' does not match '^/'" in problems
    assert "delimiter: '|' is not one of [',', ';']" in problems
    adapter = get_adapter("files", files_settings(folders))
    assert (adapter.settings["encoding"], adapter.settings["delimiter"]) == ("utf-8", ",")
    assert adapter.settings["stale_after_hours"] == 24


def test_health_fails_naming_a_missing_or_read_only_folder(db, folders, tmp_path):
    settings = files_settings(folders, inbox_folder=str(tmp_path / "not-mounted"))
    status = get_adapter("files", settings).health_check()
    assert status.state is HealthState.FAILING
    assert f"the inbox folder {tmp_path / 'not-mounted'} does not exist" in status.message
    if os.geteuid() != 0:  # root writes everywhere
        folders["outbox"].chmod(0o555)
        status = get_adapter("files", files_settings(folders)).health_check()
        folders["outbox"].chmod(0o755)
        assert "the outbox folder" in status.message and "is not writable" in status.message


def test_health_is_ok_once_the_erp_has_exported_every_file(adapter, folders):
    assert adapter.health_check().state is HealthState.DEGRADED
    for stem in ("vendors", "jobs", "cost_codes", "cost_types"):
        write(folders["import"] / f"{stem}.csv", "erp_id,code,name\n")
    for stem in (
        "commitments",
        "commitment_change_orders",
        "prime_contracts",
        "prime_contract_change_orders",
    ):
        write(folders["import"] / f"{stem}.csv", "erp_id,number,job_erp_id\n")
    write(folders["import"] / "requisitions.csv", "erp_id,number,commitment_erp_id\n")
    write(
        folders["import"] / "contract_payments.csv",
        "erp_id,number,requisition_erp_id,amount,payment_date\n",
    )
    for stem in ("payment_applications", "company_level_direct_costs"):
        write(folders["import"] / f"{stem}.csv", "erp_id,number,status\n")

    write(folders["import"] / "sub_jobs.csv", "erp_id,code,name,job_erp_id\n")
    write(folders["import"] / "job_costs.csv", "job_erp_id,cost_code_erp_id\n")
    status = adapter.health_check()
    assert status.state is HealthState.OK, status.message
    assert status.message == "File exchange: the folders are ready; 0 export(s) wait for the ERP."


def test_an_erp_that_exchanges_some_entities_is_healthy_without_the_other_files(db, folders):
    settings = files_settings(folders, entities=["vendors", "jobs"])
    adapter = get_adapter("files", settings)
    write(folders["import"] / "vendors.csv", "erp_id,code,name\n")
    status = adapter.health_check()
    assert status.state is HealthState.DEGRADED
    assert status.message.endswith("has not exported jobs.csv yet.")
    write(folders["import"] / "jobs.csv", "erp_id,code,name\n")
    assert adapter.health_check().state is HealthState.OK
    assert adapter.supports("vendors") and not adapter.supports("commitments")
    with pytest.raises(EntityNotSupported, match="does not handle commitments"):
        adapter.entity("commitments")


def test_an_entity_the_adapter_does_not_know_is_a_settings_error(db, folders):
    with pytest.raises(AdapterSettingsError, match="entities"):
        get_adapter("files", files_settings(folders, entities=["vendors", "invoices"]))


# -- import ------------------------------------------------------------------------------------


def test_vendors_are_listed_in_procore_shape(adapter, folders):
    write(
        folders["import"] / "vendors.csv",
        VENDOR_HEADER + "\r\nE-1,V-000001,Acme Paving Inc,1 Main St,Austin,tx,78701,,512,"
        "ap@acme.example,,\r\nE-2,V-000002,Old Co,,,,,CA,,,,false\r\n",
    )
    first, second = adapter.vendors.list()
    assert (first.item_type, first.origin_id, first.origin_code) == ("vendor", "E-1", "V-000001")
    assert first.data == {
        "name": "Acme Paving Inc",
        "address": "1 Main St",
        "city": "Austin",
        "state_code": "TX",
        "zip": "78701",
        "country_code": "US",
        "business_phone": "512",
        "email_address": "ap@acme.example",
        "website": "",
        "is_active": True,
    }
    assert second.data["is_active"] is False and second.data["country_code"] == "CA"


def test_a_file_with_good_and_bad_rows_lists_the_good_and_reports_the_bad(adapter, folders):
    write(
        folders["import"] / "jobs.csv",
        "erp_id,code,name,start_date,estimated_value\n"
        "J1,J-1001,Riverside Clinic,2026-03-01,1250000.00\n"
        "J2,J-1002,Hillcrest School,03/01/2026,\n"
        'J3,J-1003,Lakeside Depot,,"1,250,000"\n'
        "J4,J-1004,Harbor Pier,,99.5\n",
    )
    jobs = list(adapter.jobs.list())
    assert [job.origin_code for job in jobs] == ["J-1001", "J-1004"]
    assert jobs[0].data["estimated_start_date"] == "2026-03-01"
    assert jobs[0].data["estimated_value"] == "1250000.00"
    assert jobs[1].data["estimated_value"] == "99.50"
    problems = adapter.jobs.listing_problems
    assert problems.count == 2
    assert [(p.where, p.reason.split(":")[0]) for p in problems.samples] == [
        ("jobs.csv, line 3", "column start_date"),
        ("jobs.csv, line 4", "column estimated_value"),
    ]
    assert "'03/01/2026' is not a date written YYYY-MM-DD" in problems.samples[0].reason


def test_problems_keep_a_few_samples_and_count_them_all(adapter, folders):
    bad = "".join(f"E-{n},,No Code {n},,,,,,,,,\n" for n in range(50))
    write(
        folders["import"] / "vendors.csv", VENDOR_HEADER + "\n" + bad + "E-ok,V-1,Fine,,,,,,,,,\n"
    )
    assert [v.origin_id for v in adapter.vendors.list()] == ["E-ok"]
    assert adapter.vendors.listing_problems.count == 50
    assert len(adapter.vendors.listing_problems.samples) == ListingProblems.SAMPLES


def test_a_malformed_file_is_refused_whole_naming_what_to_fix(adapter, folders):
    write(folders["import"] / "vendors.csv", "erp_id;code;name\nE-1;V-1;Acme\n")
    with pytest.raises(FileRefused) as refused:
        list(adapter.vendors.list())
    assert str(refused.value).startswith(
        "vendors.csv: the header lacks the column(s) erp_id, code, name; "
        "the column(s) erp_id;code;name are not in the layout"
    )


def test_a_missing_file_or_folder_is_an_outage_not_an_empty_erp(adapter, folders):
    with pytest.raises(ERPUnavailable, match=r"vendors\.csv .* is not in the import folder"):
        list(adapter.vendors.list())
    folders["import"].rmdir()
    with pytest.raises(ERPUnavailable, match=r"is the share mounted"):
        list(adapter.vendors.list())


def test_csv_and_xlsx_of_the_same_entity_are_ambiguous(adapter, folders):
    write(folders["import"] / "vendors.csv", VENDOR_HEADER + "\n")
    write(folders["import"] / "vendors.xlsx", "")
    with pytest.raises(FileRefused, match=r"both vendors\.csv and vendors\.xlsx"):
        list(adapter.vendors.list())


def test_cost_types_from_an_xlsx_export(adapter, folders):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["erp_id", "code", "name"])
    workbook.active.append(["ct-L", "L", "Labor"])
    workbook.active.append(["ct-M", "M", "Materials"])
    workbook.save(folders["import"] / "cost_types.xlsx")
    assert [(o.item_type, o.origin_id, o.data) for o in adapter.standard_categories.list()] == [
        ("line_item_type", "ct-L", {"name": "Labor", "csv_import_code": "L"}),
        ("line_item_type", "ct-M", {"name": "Materials", "csv_import_code": "M"}),
    ]


def test_cost_codes_come_parents_first_with_their_own_segment(adapter, folders):
    write(
        folders["import"] / "cost_codes.csv",
        "erp_id,code,name,parent_erp_id,is_active\n"
        "c3,03-300,Cast-in-Place Concrete,c03,\n"
        "c03,03,Concrete,,\n"
        "c9,09-100,Orphan,c09,\n"
        "c01,01,General Requirements,,false\n",
    )
    listed = [(o.origin_code, o.data) for o in adapter.standard_cost_codes.list()]
    assert listed == [
        ("03", {"name": "Concrete", "code": "03", "parent_origin_id": None}),
        ("03-300", {"name": "Cast-in-Place Concrete", "code": "300", "parent_origin_id": "c03"}),
    ]
    (problem,) = adapter.standard_cost_codes.listing_problems.samples
    assert problem.where == "cost_codes.csv, line 4"
    assert (
        problem.reason
        == "column parent_erp_id: the parent 'c09' is not an active cost code of the file"
    )


# -- export ------------------------------------------------------------------------------------


def export_file(folders) -> Path:
    (path,) = [p for p in folders["outbox"].iterdir() if p.is_file()]
    return path


def test_an_export_is_written_atomically_and_waits_for_the_erp(adapter, folders):
    with pytest.raises(ERPPending) as pending:
        adapter.vendors.create(request_data("create_vendor"))
    path = export_file(folders)
    assert path.name == "vendors-35-1-1.csv"  # <entity>-<Procore id>-<Request Detail>-<n>
    assert str(pending.value) == (
        "Handed to the ERP as vendors-35-1-1.csv; waiting for the ERP to import it and acknowledge."
    )
    assert pending.value.check_again_in == 300
    header, row, end = path.read_bytes().decode().split("\r\n")
    assert header.startswith("procore_id,code,name,address,city")
    assert row.startswith("35,origin_code,Test Vendor,") and end == ""
    # Asked again before the ERP answers: still pending, and no second file.
    assert adapter.vendors.check_create(request_data("create_vendor")) == []
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    assert export_file(folders) == path
    assert FileExport.objects.get().state == FileExport.State.WAITING


def test_a_vendor_without_a_name_is_refused_before_any_file(adapter, folders):
    data = request_data("create_vendor")
    data["vendor"]["name"] = data["vendor"]["company"] = ""
    assert adapter.vendors.check_create(data) == ["Vendor name is required."]
    with pytest.raises(ConstraintViolation):
        adapter.vendors.create(data)
    assert list(folders["outbox"].iterdir()) == []


def test_the_erps_success_gives_its_id_and_the_link_for_procore(adapter, folders):
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    acknowledge(
        folders["inbox"],
        "acks-0001.csv",
        [("vendors-35-1-1.csv", "success", "E-77", "V-000077", "")],
    )
    (answer,) = adapter.answers_collect()
    assert (answer.entity, answer.procore_id, answer.request_detail_id, answer.status) == (
        "vendors",
        35,
        1,
        "success",
    )
    result = adapter.vendors.create(request_data("create_vendor"))
    assert (result.origin_id, result.origin_code, result.created) == ("E-77", "V-000077", True)
    assert result.links == (ExternalLink("vendor", 35, "E-77"),)
    # Processed files are moved aside and never read again.
    assert [p.name for p in folders["inbox"].iterdir()] == ["processed"]
    (moved,) = (folders["inbox"] / "processed").iterdir()
    assert moved.name.endswith("-acks-0001.csv")
    assert adapter.answers_collect() == []


def test_the_erps_refusal_closes_with_its_message_and_a_new_export_sends_again(adapter, folders):
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    acknowledge(
        folders["inbox"],
        "acks.csv",
        [("vendors-35-1-1.csv", "failed", "", "", "Vendor class is required")],
    )
    adapter.answers_collect()
    with pytest.raises(ConstraintViolation) as refused:
        adapter.vendors.create(request_data("create_vendor"))
    assert refused.value.messages == ["The ERP refused it: Vendor class is required"]
    # Fixed in the ERP, exported again (support's retry, or a new export): a new file.
    with pytest.raises(ERPPending, match=r"vendors-35-1-2\.csv"):
        adapter.vendors.create(request_data("create_vendor"))
    assert sorted(p.name for p in folders["outbox"].iterdir()) == [
        "vendors-35-1-1.csv",
        "vendors-35-1-2.csv",
    ]


def test_a_half_written_acknowledgement_is_left_alone_until_renamed(adapter, folders):
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    partial = write(
        folders["inbox"] / "acks.csv.partial",
        "file,status,erp_id,erp_code,message\r\nvendors-35-1-1.csv,success,E-1,",
    )
    dotted = write(folders["inbox"] / ".acks2.csv", "garbage")
    assert adapter.answers_collect() == []
    assert partial.exists() and dotted.exists()
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))

    write(partial, partial.read_text() + "V-1,\r\n")
    partial.rename(folders["inbox"] / "acks.csv")
    assert [a.status for a in adapter.answers_collect()] == ["success"]
    assert adapter.vendors.create(request_data("create_vendor")).origin_id == "E-1"


def test_an_acknowledgement_arriving_after_a_restart_still_answers(db, folders):
    """Nothing of an export lives in a process: a new adapter (a restarted worker) reads the
    answer and returns it."""
    before = get_adapter("files", files_settings(folders))
    with pytest.raises(ERPPending):
        before.vendors.create(request_data("create_vendor"))
    del before

    acknowledge(folders["inbox"], "acks.csv", [("vendors-35-1-1.csv", "success", "E-9", "", "")])
    after = get_adapter("files", files_settings(folders))
    assert len(after.answers_collect()) == 1
    result = after.vendors.create(request_data("create_vendor"))
    assert (result.origin_id, result.origin_code) == ("E-9", "E-9")


def test_an_export_without_an_answer_in_time_is_stale_and_a_late_answer_still_counts(db, folders):
    adapter = get_adapter("files", files_settings(folders, stale_after_hours=2))
    with pytest.raises(ERPPending) as pending:
        adapter.vendors.create(request_data("create_vendor"))
    assert pending.value.check_again_in == 300
    FileExport.objects.update(written_at=timezone.now() - timedelta(hours=2, seconds=1))
    with pytest.raises(ERPNoAnswer) as stale:
        adapter.vendors.create(request_data("create_vendor"))
    assert str(stale.value).startswith(
        "The ERP did not acknowledge vendors-35-1-1.csv within 2 hours; it is closed as stale."
    )
    # The ERP imports it late: the answer is recorded, and the export succeeds.
    acknowledge(folders["inbox"], "late.csv", [("vendors-35-1-1.csv", "success", "E-5", "V-5", "")])
    assert len(adapter.answers_collect()) == 1
    assert adapter.vendors.create(request_data("create_vendor")).origin_id == "E-5"


def test_a_stale_export_re_driven_without_an_answer_sends_the_file_again(db, folders):
    adapter = get_adapter("files", files_settings(folders, stale_after_hours=1))
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    FileExport.objects.update(written_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(ERPNoAnswer):
        adapter.vendors.create(request_data("create_vendor"))
    with pytest.raises(ERPPending, match=r"vendors-35-1-2\.csv"):
        adapter.vendors.create(request_data("create_vendor"))


def test_a_deadline_sooner_than_the_next_check_is_checked_at_the_deadline(db, folders):
    settings = files_settings(folders, stale_after_hours=0.1, check_every_seconds=600)
    adapter = get_adapter("files", settings)
    with pytest.raises(ERPPending) as pending:
        adapter.vendors.create(request_data("create_vendor"))
    assert 350 < pending.value.check_again_in <= 361  # 6 minutes to the deadline, not 10


def test_unusable_acknowledgements_are_set_aside_and_the_good_rows_count(adapter, folders):
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    acknowledge(
        folders["inbox"],
        "acks.csv",
        [
            ("vendors-35-1-1.csv", "done", "E-1", "", ""),  # not a status
            ("vendors-35-1-1.csv", "success", "", "", ""),  # no id
            ("somebody-elses.csv", "success", "E-3", "", ""),  # not ours
            ("vendors-35-1-1.csv", "success", "E-4", "", ""),
        ],
    )
    write(folders["inbox"] / "notes.csv", "hello,world\n1,2\n")
    answers = adapter.answers_collect()
    assert [a.status for a in answers] == ["success"]
    assert adapter.vendors.create(request_data("create_vendor")).origin_id == "E-4"
    assert [p.name.split("-", 1)[1] for p in (folders["inbox"] / "rejected").iterdir()] == [
        "notes.csv"
    ]
    assert [p.name.split("-", 1)[1] for p in (folders["inbox"] / "processed").iterdir()] == [
        "acks.csv"
    ]


def test_semicolons_and_a_byte_order_mark_for_a_windows_importer(db, folders):
    adapter = get_adapter(
        "files", files_settings(folders, delimiter=";", write_bom=True, encoding="utf-8")
    )
    data = request_data("create_vendor")
    data["vendor"]["name"] = "Ångström; Söhne"
    with pytest.raises(ERPPending):
        adapter.vendors.create(data)
    raw = export_file(folders).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfprocore_id;code;name;")
    assert '"Ångström; Söhne"'.encode() in raw


def test_a_name_the_erps_encoding_cannot_hold_is_refused(db, folders):
    adapter = get_adapter("files", files_settings(folders, encoding="latin-1"))
    data = request_data("create_vendor")
    data["vendor"]["name"] = "Łódź Builders"
    with pytest.raises(ConstraintViolation, match=r"cannot hold: 'Ł'"):
        adapter.vendors.create(data)
    assert not FileExport.objects.exists()
    assert [p for p in folders["outbox"].iterdir() if not p.name.startswith(".")] == []


def test_an_unreachable_outbox_is_retried(adapter, folders):
    folders["outbox"].rmdir()
    with pytest.raises(ERPUnavailable, match=r"outbox folder .* does not exist"):
        adapter.vendors.create(request_data("create_vendor"))


def test_cost_codes_export_item_by_item_once_their_parent_is_in_the_erp(adapter, folders):
    item = request_data("create_standard_cost_codes")[0]
    write(folders["import"] / "cost_codes.csv", "erp_id,code,name\n")
    assert adapter.standard_cost_codes.check_create(item) == [
        "Cost code 01-100: its parent is not in the ERP's cost code list; export the parent first."
    ]
    write(folders["import"] / "cost_codes.csv", "erp_id,code,name\nscc_parent_origin_id,01,Site\n")
    with pytest.raises(ERPPending):
        adapter.standard_cost_codes.create(item)
    path = export_file(folders)
    assert path.name.startswith(f"cost_codes-{item['id']}-")
    header, row = path.read_text().splitlines()
    assert header == "procore_id,code,name,parent_erp_id,parent_procore_id"
    assert row.startswith(f"{item['id']},01-100,Pvmt Repair/Sealing,scc_parent_origin_id,")
