"""The export-file ledger in the admin: readable by support, changed by nobody."""

from __future__ import annotations

from django.utils import timezone

from erp_adapters.files.models import FileExport


def test_support_finds_a_waiting_export_by_its_file_name(admin_client_logged_in):
    FileExport.objects.create(
        outbox="/srv/erp/out",
        file_name="vendors-35-1-1.csv",
        entity="vendors",
        procore_id=35,
        state=FileExport.State.WAITING,
        written_at=timezone.now(),
    )
    FileExport.objects.create(
        outbox="/srv/erp/out", file_name="jobs-7-2-1.csv", entity="jobs", procore_id=7
    )
    url = "/admin/files_erp/fileexport/"
    page = admin_client_logged_in.get(url, {"q": "vendors-35-1-1.csv"})
    assert page.status_code == 200
    assert b"vendors-35-1-1.csv" in page.content and b"jobs-7-2-1.csv" not in page.content
    waiting = admin_client_logged_in.get(url, {"state__exact": "waiting"})
    assert b"Waiting for the ERP" in waiting.content
    assert admin_client_logged_in.get(f"{url}add/").status_code == 403
