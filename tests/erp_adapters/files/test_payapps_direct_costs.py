"""The files adapter's pay applications and direct costs beyond the contract: the outbox file
(one row per line, the ERP's decimal separator, the ERP ids the payload does not name), the
acknowledgement's line ids becoming Procore's line links, and how an unlink reads the ERP's
status export when it is missing or has a bad row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from erp_adapters.base import (
    ConstraintViolation,
    DocumentState,
    Entity,
    ERPPending,
    ERPUnavailable,
    ExternalLink,
)
from erp_adapters.files.models import FileExport
from erp_adapters.registry import get_adapter
from tests.erp_adapters.contract.adapters.files import FilesContractERP
from tests.erp_adapters.contract.billing_exports import direct_cost_export, pay_app_export
from tests.erp_adapters.contract.books import billing_books, oid, sample_books
from tests.erp_adapters.files.conftest import acknowledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp(tmp_path) -> FilesContractERP:
    return FilesContractERP(tmp_path / "erp", billing_books())


def outbox_rows(erp: FilesContractERP, name: str, delimiter: str = ",") -> list[dict[str, str]]:
    with (erp.folders["outbox"] / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_a_pay_application_file_has_a_row_per_line_in_the_erps_number_format(tmp_path):
    books = sample_books()
    erp = FilesContractERP(tmp_path / "erp", books)
    adapter = get_adapter("files", {**erp.settings, "decimal_separator": ","})
    with pytest.raises(ERPPending, match=r"payment_applications-77-123-1\.csv"):
        adapter.payment_applications.create(pay_app_export(books))
    rows = outbox_rows(erp, "payment_applications-77-123-1.csv")
    assert [
        (row["line_procore_id"], row["line_description"], row["line_amount"]) for row in rows
    ] == [("901", "General Conditions", "250,10"), ("902", "Sitework", "0,10")]
    head = rows[0]
    assert (head["procore_id"], head["number"], head["job_erp_id"], head["status"]) == (
        "77",
        "7",
        oid("j1"),  # the job whose code is Procore's project number
        "Approved",
    )
    assert (head["billed_this_period"], head["amount_due"], head["billing_date"]) == (
        "250,20",
        "250,20",
        "2023-05-01",
    )
    # The ERP imports it and answers with its ids, its lines' in the file's order.
    (erp.folders["inbox"] / "acks.csv").write_text(
        "file,status,erp_id,erp_code,message,line_erp_ids\r\n"
        "payment_applications-77-123-1.csv,success,PA-9,9,,PA-9-1|PA-9-2\r\n"
    )
    (answer,) = adapter.answers_collect()
    assert (answer.entity, answer.procore_id, answer.status) == (
        Entity.PAYMENT_APPLICATIONS,
        77,
        "success",
    )
    result = adapter.payment_applications.create(pay_app_export(books))
    assert (result.origin_id, result.origin_code, result.created) == ("PA-9", "9", True)
    assert result.links == (
        ExternalLink("payment_application", 77, "PA-9"),
        ExternalLink("payment_application_line_item", 901, "PA-9-1"),
        ExternalLink("payment_application_line_item", 902, "PA-9-2"),
    )


def test_a_direct_cost_file_names_each_lines_job_cost_code_and_cost_type(erp):
    books = billing_books()
    with pytest.raises(ERPPending):
        erp.adapter.direct_costs.create(direct_cost_export(books, "1000", 0.125))
    rows = outbox_rows(erp, "company_level_direct_costs-88-1-1.csv")
    assert [
        (
            row["line_job_erp_id"],
            row["line_cost_code_erp_id"],
            row["line_cost_type_erp_id"],
            row["line_quantity"],
            row["line_uom"],
            row["line_amount"],
        )
        for row in rows
    ] == [
        (oid("j1"), oid("cc-03-300"), oid("ct-M"), "1.0000", "ea", "1000.00"),
        (oid("j1"), oid("cc-03-300"), oid("ct-M"), "1.0000", "ea", "0.13"),
    ]
    assert {(row["kind"], row["vendor_erp_id"], row["total"]) for row in rows} == {
        ("invoice", oid("v1"), "1000.13")
    }


def test_the_erps_refusal_is_the_accountants_and_a_new_export_sends_again(erp):
    books = billing_books()
    with pytest.raises(ERPPending):
        erp.adapter.direct_costs.create(direct_cost_export(books))
    acknowledge(
        erp.folders["inbox"],
        "acks.csv",
        [("company_level_direct_costs-88-1-1.csv", "failed", "", "", "Period 2025-06 is closed")],
    )
    erp.adapter.answers_collect()
    with pytest.raises(ConstraintViolation) as refused:
        erp.adapter.direct_costs.create(direct_cost_export(books))
    assert refused.value.messages == ["The ERP refused it: Period 2025-06 is closed"]
    with pytest.raises(ERPPending, match=r"company_level_direct_costs-88-1-2\.csv"):
        erp.adapter.direct_costs.create(direct_cost_export(books))


def test_a_missing_status_export_is_an_outage_never_a_gone_document(erp):
    (erp.folders["import"] / "payment_applications.csv").unlink()
    with pytest.raises(ERPUnavailable, match=r"payment_applications\.csv"):
        erp.adapter.payment_applications.standing({"procore_id": 1, "origin_id": oid("pa1")})


def test_an_unreadable_row_of_the_document_is_retried_and_the_others_still_read(erp):
    path: Path = erp.folders["import"] / "company_level_direct_costs.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"{oid('dc-bad')},INV-77,invoice,,Void,12;50,,,,,,,\r\n")
    with pytest.raises(ERPUnavailable) as unreadable:
        erp.adapter.direct_costs.standing({"procore_id": 2, "origin_id": oid("dc-bad")})
    assert "company_level_direct_costs.csv, line 4 cannot be read (column total:" in str(
        unreadable.value
    )
    standing = erp.adapter.direct_costs.standing({"procore_id": 3, "origin_id": oid("dc1")})
    assert standing.state is DocumentState.APPROVED


def test_a_void_documents_unlink_releases_its_files_and_the_next_is_numbered_after(erp):
    books = billing_books()
    first = erp.create(Entity.PAYMENT_APPLICATIONS, pay_app_export(books))
    erp.void(Entity.PAYMENT_APPLICATIONS, first.origin_id)
    standing = erp.adapter.payment_applications.standing({"procore_id": 77, "origin_id": None})
    assert standing.state is DocumentState.VOID
    assert standing.line_procore_ids == (901, 902)
    assert FileExport.objects.get().state == FileExport.State.RELEASED
    assert [(link.item_type, link.item_id) for link in standing.dropped] == [
        ("payment_application", 77),
        ("payment_application_line_item", 901),
        ("payment_application_line_item", 902),
    ]
    with pytest.raises(ERPPending, match=r"payment_applications-77-123-2\.csv"):
        erp.adapter.payment_applications.create(pay_app_export(books))
    # Waiting for the ERP: the new one is open, the void one keeps its state.
    assert (
        erp.adapter.payment_applications.standing({"procore_id": 77, "origin_id": None}).state
        is DocumentState.OPEN
    )
