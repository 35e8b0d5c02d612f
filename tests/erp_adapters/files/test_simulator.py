"""The demo's stand-in for the ERP's importer: outbox files become rows of its books and
acknowledgements the adapter reads."""

from __future__ import annotations

import pytest

from erp_adapters.base import ConstraintViolation, ERPPending
from erp_adapters.files.simulator import erp_import_outbox
from tests.erp_adapters.demo.conftest import request_data
from tests.erp_adapters.files.conftest import VENDOR_HEADER, write


def play_erp(folders, **options):
    return erp_import_outbox(
        import_folder=folders["import"],
        outbox_folder=folders["outbox"],
        inbox_folder=folders["inbox"],
        **options,
    )


def test_an_exported_vendor_is_imported_answered_and_then_listed(adapter, folders):
    write(folders["import"] / "vendors.csv", VENDOR_HEADER + "\nE-1,V-000007,Old,,,,,,,,,\n")
    data = request_data("create_vendor")
    data["vendor"]["origin_code"] = None
    with pytest.raises(ERPPending):
        adapter.vendors.create(data)

    (imported,) = play_erp(folders)

    assert (imported.status, imported.erp_code) == ("success", "V-000008")
    assert [p.name for p in folders["outbox"].iterdir()] == ["imported"]
    assert len(adapter.answers_collect()) == 1
    result = adapter.vendors.create(data)
    assert (result.origin_id, result.origin_code) == (imported.erp_id, "V-000008")
    listed = {o.origin_code: o for o in adapter.vendors.list()}
    assert listed["V-000008"].data["name"] == "Test Vendor"
    assert play_erp(folders) == []  # each outbox file imported once


def test_a_refusal_to_show_the_way_back(adapter, folders):
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    (refused,) = play_erp(folders, refuse=("vendors-35",))
    assert refused.status == "failed"
    adapter.answers_collect()
    with pytest.raises(ConstraintViolation, match="Refused by the demo ERP"):
        adapter.vendors.create(request_data("create_vendor"))
