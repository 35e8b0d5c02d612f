"""``files_erp_import``: the demo ERP's importer run by hand."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from erp_adapters.base import ERPPending
from tests.erp_adapters.demo.conftest import request_data


def test_it_answers_the_outbox_and_says_what_it_did(adapter, folders):
    with pytest.raises(ERPPending):
        adapter.vendors.create(request_data("create_vendor"))
    out = StringIO()
    call_command(
        "files_erp_import",
        import_folder=folders["import"],
        outbox_folder=folders["outbox"],
        inbox_folder=folders["inbox"],
        stdout=out,
    )
    assert "vendors-35-1-1.csv: imported as origin_code (VEND-" in out.getvalue()
    assert "1 file(s) answered" in out.getvalue()
    assert adapter.answers_collect()[0].status == "success"


def test_a_folder_that_is_not_there_is_named(folders, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command(
            "files_erp_import",
            import_folder=tmp_path / "nope",
            outbox_folder=folders["outbox"],
            inbox_folder=folders["inbox"],
        )
