"""A bad row in the ERP's import file loses nothing: the record it holds is still in the ERP,
so the import reports the row (file, line, column) and never archives that record in Procore;
a bad row that does not even say which record it is keeps every record the list left out.
Real files in temporary folders, real HTTP to the local Procore sandbox."""

from __future__ import annotations

import pytest

from integrations.models import ObjectLink, SyncRun
from tests.erp_adapters.files.conftest import VENDOR_HEADER, write
from tests.flows.test_files_adapter import files_connection, files_erp, folders  # noqa: F401
from tests.flows.test_sandbox_import import closed_out, press

VENDORS = [
    "VEND-1001,V-1001,Acme Paving Inc,,Austin,TX,,,,,,true",
    "VEND-1002,V-1002,Baker & Sons,,Dallas,TX,,,,,,true",
    "VEND-1003,V-1003,Cedar Roofing,,Waco,TX,,,,,,true",
]


def _vendors(paths, rows: list[str]) -> None:
    write(paths["import"] / "vendors.csv", "\n".join([VENDOR_HEADER, *rows]) + "\n")


def _staged(company, origin_id: str) -> str:
    from procore_sandbox.models import StagedRecord

    return StagedRecord.objects.get(company=company, origin_id=origin_id).status


@pytest.fixture
def staged_vendors(client, files_erp, sandbox_company, folders):  # noqa: F811
    _vendors(folders, VENDORS)
    (request,) = press(client, sandbox_company, "refresh_vendors")
    assert closed_out(request) == ("success", ["Staged 3 new vendors; 0 unchanged."])
    return files_erp


def test_a_vendor_whose_row_is_unreadable_stays_staged_and_the_row_is_reported(
    client,
    staged_vendors,
    sandbox_company,
    folders,  # noqa: F811 - the fixture imported above
):
    _vendors(
        folders,
        [
            VENDORS[0].replace("Austin", "Round Rock"),
            VENDORS[1][: -len("true")] + "maybe",
            VENDORS[2],
        ],
    )

    (request,) = press(client, sandbox_company, "refresh_vendors")

    assert closed_out(request) == (
        "failed",
        [
            "Updated 1 vendor; 1 unchanged. 1 vendor in the ERP could not be read and was left "
            "as it was; correct it in the ERP.",
            "vendors.csv, line 3: column is_active: 'maybe' is not true or false (write "
            "true/false, yes/no or 1/0)",
        ],
    )
    assert _staged(sandbox_company, "VEND-1002") == "staged"  # still in the ERP: not archived
    link = ObjectLink.objects.get(company=staged_vendors.company, origin_id="VEND-1002")
    assert link.state == ObjectLink.State.STAGED
    run = SyncRun.objects.filter(entity="vendors").latest("id")
    assert (run.archived, run.unreadable) == (0, 1)

    # The row is corrected: the vendor is staged again with what the row says now.
    _vendors(folders, [VENDORS[0], VENDORS[1].replace("Dallas", "Plano"), VENDORS[2]])
    (second,) = press(client, sandbox_company, "refresh_vendors")
    assert closed_out(second) == ("success", ["Updated 2 vendors; 1 unchanged."])
    assert _staged(sandbox_company, "VEND-1002") == "staged"


def test_a_row_that_does_not_say_its_erp_id_archives_nothing_and_says_so(
    client,
    staged_vendors,
    sandbox_company,
    folders,  # noqa: F811 - the fixture imported above
):
    # VEND-1003 left the ERP, and a row lost its id: it may be VEND-1003's, so nothing goes.
    _vendors(folders, [VENDORS[0], ",V-1002,Baker & Sons,,Dallas,TX,,,,,,true"])

    (request,) = press(client, sandbox_company, "refresh_vendors")

    status, messages = closed_out(request)
    assert status == "failed"
    assert messages == [
        "No changes: all 1 vendor in the ERP are up to date in Procore. 1 vendor in the ERP "
        "could not be read and was left as it was; correct it in the ERP. Nothing that "
        "left the ERP was archived or deleted in Procore (2 vendors no longer listed were kept): a row whose "
        "ERP id cannot be read may be one of them; correct the file and refresh again.",
        "vendors.csv, line 3: column erp_id: a value is required",
    ]
    assert _staged(sandbox_company, "VEND-1002") == "staged"
    assert _staged(sandbox_company, "VEND-1003") == "staged"

    # The file is corrected: what really left the ERP is archived now.
    _vendors(folders, VENDORS[:2])
    (second,) = press(client, sandbox_company, "refresh_vendors")
    assert closed_out(second) == (
        "success",
        ["Archived 1 staged vendor that left the ERP; 2 unchanged."],
    )
    assert _staged(sandbox_company, "VEND-1003") == "archived"
