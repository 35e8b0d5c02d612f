"""The import schedules' admin: support edits the cadence and runs an import now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from integrations.models import AuditEntry, ImportSchedule, ObjectLink, SyncRun
from integrations.services.import_schedules import TASK, import_schedule_set
from tests.integrations.conftest import seed_vendors

pytestmark = pytest.mark.django_db


def import_schedules():
    return Schedule.objects.filter(func=TASK)


def test_support_edits_the_cadence_in_the_admin(admin_client_logged_in, company):
    url = reverse("admin:integrations_importschedule_add")
    response = admin_client_logged_in.post(
        url, {"company": company.pk, "entity": "vendors", "every_minutes": 45, "enabled": "on"}
    )
    assert response.status_code == 302, response.content
    row = ImportSchedule.objects.get()
    assert Schedule.objects.get(pk=row.schedule_id).minutes == 45

    change = reverse("admin:integrations_importschedule_change", args=[row.pk])
    response = admin_client_logged_in.post(change, {"every_minutes": 90, "enabled": "on"})
    assert response.status_code == 302, response.content
    assert Schedule.objects.get(pk=row.schedule_id).minutes == 90
    assert AuditEntry.objects.filter(object_type="integrations.ImportSchedule").count() == 2

    page = admin_client_logged_in.get(reverse("admin:integrations_importschedule_changelist"))
    assert page.status_code == 200
    assert b"Vendors" in page.content

    delete = reverse("admin:integrations_importschedule_delete", args=[row.pk])
    admin_client_logged_in.post(delete, {"post": "yes"})
    assert not ImportSchedule.objects.exists() and not import_schedules().exists()


def test_support_can_run_an_import_now_from_the_admin(
    admin_client_logged_in, company, procore, monkeypatch, django_capture_on_commit_callbacks
):
    seed_vendors(3)
    row = import_schedule_set(company=company, entity="vendors")
    ObjectLink.objects.create(
        company=company, item_type="vendor", origin_id="refused", state="failed", content_hash="h"
    )
    queued = []
    monkeypatch.setattr(
        "integrations.enqueue.async_task", lambda func, *args, **kw: queued.append((func, args))
    )
    url = reverse("admin:integrations_importschedule_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            url, {"action": "run_now_retrying_refused", "_selected_action": [row.pk]}
        )

    assert response.status_code == 302
    assert queued == [("integrations.tasks.import_task", (company.pk, "vendors", "admin"))]
    assert ObjectLink.objects.get(origin_id="refused").content_hash == ""
    func, args = queued[0]
    assert import_string(func)(*args) == "Staged 3 new vendors; 0 unchanged."
    assert SyncRun.objects.get().trigger == "admin"


def test_a_runs_pause_note_refusals_and_holder_are_shown(admin_client_logged_in, populated):
    run = populated["run"]
    until = timezone.now() + timedelta(minutes=5)
    SyncRun.objects.filter(pk=run.pk).update(
        failed=7,
        pause_note="Paused, will resume: Procore is unavailable",
        refusals=[
            {"item": "V-000002", "reason": "name: <b>taken</b>"},
            {"item": None, "reason": "?"},
        ],
        lease_owner="worker-3:77/abc123",
        lease_expires_at=until,
    )

    page = admin_client_logged_in.get(
        reverse("admin:integrations_syncrun_change", args=[run.pk])
    ).content.decode()

    assert "Paused, will resume: Procore is unavailable" in page
    assert "V-000002: name: &lt;b&gt;taken&lt;/b&gt;<br>an item: ?<br>… and 5 more" in page
    assert f"worker-3:77/abc123 until {until:%Y-%m-%d %H:%M:%S} UTC" in page


def test_support_accepts_an_ambiguous_proposal_by_choosing_its_erp_record(
    admin_client_logged_in, populated
):
    proposal = populated["proposal"]
    url = reverse("admin:integrations_linkproposal_change", args=[proposal.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert "Acme Steel Inc" in page and 'name="verdict"' in page

    response = admin_client_logged_in.post(url, {"choice": "G1", "verdict": "accept"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.origin_id, proposal.origin_code) == (
        "accepted",
        "G1",
        "V-1",
    )
    assert AuditEntry.objects.filter(changes__action="accept").exists()
