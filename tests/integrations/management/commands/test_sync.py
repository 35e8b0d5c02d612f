"""`manage.py sync`: progress and a summary on the terminal, and an exit status scripts can use."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from erp_adapters.demo.models import DemoVendor
from integrations.models import SyncRun
from tests.integrations.conftest import seed_vendors

pytestmark = pytest.mark.django_db


def sync(company, *extra):
    out, err = StringIO(), StringIO()
    call_command(
        "sync",
        "--company",
        str(company.procore_company_id),
        "--entity",
        "vendors",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_prints_the_plan_progress_and_a_summary(company, procore, small_batches):
    seed_vendors(7)

    out, _ = sync(company)

    lines = out.splitlines()
    run = SyncRun.objects.get(company=company)  # ids are not reset between tests on PostgreSQL
    assert lines[0] == f"Importing vendors for {company}…"
    assert lines[1] == f"Run #{run.pk}: 7 listed in the ERP, 7 to send to Procore."
    assert "  7 of 7 sent (100 %)" in lines
    assert "Staged 7 new vendors; 0 unchanged." in lines
    assert lines[-1].startswith(f"Run #{run.pk} succeeded in ")
    assert lines[-1].endswith(
        "listed 7, created 7, updated 0, archived 0, unchanged 0, failed 0; 4 Procore call(s)."
    )


def test_refused_items_are_listed_and_exit_with_status_2(company, procore):
    seed_vendors(2)
    bad = DemoVendor.objects.get(code="V-000001")
    procore.refuse[str(bad.guid)] = {"name": ["is too long"]}

    with pytest.raises(CommandError) as failure:
        sync(company)

    assert failure.value.returncode == 2
    assert "Procore refused 1 item(s)" in str(failure.value)


def test_a_failed_run_exits_with_status_1(company, procore):
    seed_vendors(1)
    procore.fail_call = {1: lambda: (403, {}, '{"error": "App is not connected to this company"}')}

    with pytest.raises(CommandError) as failure:
        sync(company)

    assert failure.value.returncode == 1
    assert SyncRun.objects.get().state == SyncRun.State.FAILED


def test_a_paused_run_exits_with_status_1_and_the_next_command_resumes_it(
    company, connection, procore
):
    seed_vendors(2)
    connection.adapter_settings = {"tenant": "books", "offline": True}
    connection.save()

    with pytest.raises(CommandError) as failure:
        sync(company)
    assert failure.value.returncode == 1
    assert "resumes when this command runs again" in str(failure.value)

    connection.adapter_settings = {"tenant": "books"}
    connection.save()
    out, _ = sync(company)
    assert "Staged 2 new vendors; 0 unchanged." in out
    assert SyncRun.objects.count() == 1


def test_retry_refused_sends_refused_items_again(company, procore):
    seed_vendors(2)
    bad = DemoVendor.objects.get(code="V-000001")
    procore.refuse[str(bad.guid)] = {"name": ["is too long"]}
    with pytest.raises(CommandError):
        sync(company)
    procore.refuse.clear()
    procore.sent.clear()

    out, _ = sync(company, "--retry-refused")

    assert out.splitlines()[0] == "1 refused item(s) will be sent again."
    assert procore.origin_ids("staged_records") == [str(bad.guid)]


def test_an_unknown_company_is_an_error(db):
    with pytest.raises(CommandError, match="No company with Procore company id 42"):
        call_command("sync", "--company", "42", "--entity", "vendors")
