"""Collecting the late answers of file-exchange ERPs and taking up the requests they answer."""

from __future__ import annotations

import pytest
from django.utils import timezone

from erp_adapters.files.models import FileExport
from integrations.models.erp_requests import WorkState
from integrations.services.erp_answers import erp_answers_collect
from tests.factories import ConnectionFactory, ERPRequestDetailFactory, ERPRequestFactory

pytestmark = pytest.mark.django_db


def files_connection(tmp_path, name: str):
    folders = {f: tmp_path / name / f for f in ("import", "outbox", "inbox")}
    for path in folders.values():
        path.mkdir(parents=True)
    connection = ConnectionFactory(
        adapter_key="files",
        adapter_settings={f"{f}_folder": str(p) for f, p in folders.items()},
    )
    return connection, folders


def waiting_export(connection, folders, *, detail_id: int, state=WorkState.WAITING):
    request = ERPRequestFactory(
        company=connection.company,
        request_name="create_vendor",
        state=state,
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=5),
    )
    ERPRequestDetailFactory(erp_request=request, procore_detail_id=detail_id)
    FileExport.objects.create(
        outbox=str(folders["outbox"]),
        file_name=f"vendors-35-{detail_id}-1.csv",
        entity="vendors",
        procore_id=35,
        request_detail_id=detail_id,
        state=FileExport.State.WAITING,
        written_at=timezone.now(),
    )
    (folders["inbox"] / f"ack-{detail_id}.csv").write_text(
        f"file,status,erp_id,erp_code,message\nvendors-35-{detail_id}-1.csv,success,E-1,,\n"
    )
    return request


def test_an_answer_makes_its_waiting_request_due_now(tmp_path):
    connection, folders = files_connection(tmp_path, "a")
    request = waiting_export(connection, folders, detail_id=5)

    totals = erp_answers_collect()

    assert totals == {"companies": 1, "answers": 1, "requests": 1}
    request.refresh_from_db()
    assert request.state == WorkState.WAITING  # still its first life, not a re-drive
    assert request.next_attempt_at <= timezone.now()
    assert request.redriven_at is None
    assert erp_answers_collect()["answers"] == 0  # read once


def test_an_answer_reopens_a_request_closed_stale(tmp_path):
    connection, folders = files_connection(tmp_path, "a")
    request = waiting_export(connection, folders, detail_id=6, state=WorkState.STALE)
    FileExport.objects.update(state=FileExport.State.STALE, answer_reported=True)

    assert erp_answers_collect()["requests"] == 1

    request.refresh_from_db()
    assert request.state == WorkState.PENDING
    assert FileExport.objects.get().state == FileExport.State.SUCCESS


def test_one_unmounted_share_does_not_stop_the_others(tmp_path, caplog):
    _broken, broken_folders = files_connection(tmp_path, "broken")
    broken_folders["inbox"].rmdir()
    connection, folders = files_connection(tmp_path, "ok")
    waiting_export(connection, folders, detail_id=7)
    ConnectionFactory(adapter_key="demo", adapter_settings={"tenant": "books"})

    totals = erp_answers_collect()

    assert totals == {"companies": 2, "answers": 1, "requests": 1}
    assert "could not collect the ERP's answers" in caplog.text
    assert "is the share mounted?" in caplog.text


def test_an_adapter_that_cannot_be_loaded_does_not_stop_the_collection(tmp_path, settings, caplog):
    settings.ERP_ADAPTERS = {"gone": "acme_erp.adapter.Missing"}
    connection, folders = files_connection(tmp_path, "a")
    waiting_export(connection, folders, detail_id=8)

    assert erp_answers_collect()["requests"] == 1
    assert "ERP adapter 'gone' cannot be loaded" in caplog.text
