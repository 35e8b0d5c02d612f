"""Import runs against a Procore faked at the HTTP layer: what is sent, how often, and what the
portal remembers afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connections, transaction

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoVendor
from integrations.models import Connection, ObjectLink, ObjectListVersion, SyncRun
from integrations.procore import ProcoreClient, RetryableError, RetryPolicy
from integrations.procore.ratelimit import RateLimitRegistry
from integrations.selectors.sync_runs import sync_run_resumable
from integrations.services.leases import Busy
from integrations.services.sync_run_summaries import sync_run_refusals, sync_run_summary
from integrations.services.sync_runs import (
    ImportBusy,
    sync_run_create,
    sync_run_execute,
    sync_run_start,
)
from tests.factories import ConnectionFactory, ObjectLinkFactory, SyncRunFactory
from tests.integrations.conftest import API, BASE, seed_vendors

pytestmark = pytest.mark.django_db


def run_import(company, entity="vendors", client=None, trigger="command"):
    run = sync_run_create(company=company, entity=entity, trigger=trigger)
    return sync_run_execute(sync_run_id=run.pk, client=client)


def vendor_links(company):
    return ObjectLink.objects.filter(company=company, item_type="vendor")


def test_first_run_stages_every_vendor_in_batches(company, procore, small_batches):
    seed_vendors(7)

    run = run_import(company)

    staged = procore.calls("staged_records")
    assert [len(batch) for batch in staged] == [3, 3, 1]
    first = staged[0][0]
    vendor = DemoVendor.objects.get(code="V-000001")
    assert first["item_type"] == "vendor"
    assert first["origin_id"] == str(vendor.guid)
    assert first["origin_code"] == "V-000001"
    assert first["status"] == "staged"
    assert first["data"]["name"] == vendor.name
    assert run.state == SyncRun.State.SUCCEEDED
    assert (run.listed, run.created, run.updated, run.unchanged, run.failed) == (7, 7, 0, 0, 0)
    # One call reads what Procore holds already (the link review: nothing here), then three
    # batches; the token request is not an API call.
    assert run.api_calls == 4
    assert (run.progress_done, run.progress_total) == (7, 7)
    assert vendor_links(company).filter(state="staged").count() == 7
    link = vendor_links(company).get(origin_id=str(vendor.guid))
    assert link.staged_record_id == procore.records[("staged_records", str(vendor.guid))]["id"]
    assert sync_run_summary(run) == "Staged 7 new vendors; 0 unchanged."


def test_links_keep_each_objects_name_and_the_runs_calls_name_the_run(company, procore):
    """Support finds a vendor's link by its name, and walks from the run to its API calls."""
    seed_vendors(2)
    vendor = DemoVendor.objects.get(code="V-000002")

    run = run_import(company)

    assert vendor_links(company).get(origin_id=str(vendor.guid)).name == vendor.name
    paths = [a.path for a in run.api_attempts.order_by("id")]
    assert len(paths) == run.api_calls + 1  # and the token request
    assert paths[-1].endswith("/staged_records/sync")


def test_an_unchanged_list_makes_no_procore_call(company, procore):
    seed_vendors(5)
    run_import(company)
    requests_before = len(procore.mock.calls)

    again = run_import(company)

    assert len(procore.mock.calls) == requests_before  # not even a token request
    assert again.state == SyncRun.State.SUCCEEDED
    assert (again.unchanged, again.created, again.api_calls) == (5, 0, 0)
    assert again.list_version_id == SyncRun.objects.exclude(pk=again.pk).get().list_version_id
    assert ObjectListVersion.objects.filter(company=company).count() == 1
    assert sync_run_summary(again) == (
        "No changes: all 5 vendors in the ERP are up to date in Procore."
    )


def test_changes_restage_staged_vendors_update_synced_ones_and_archive_the_gone(company, procore):
    seed_vendors(4)
    run_import(company)
    v1, v2, v3, v4 = DemoVendor.objects.order_by("code")
    # The approver imported v2: Procore created the vendor (create_vendor_in_procore).
    vendor_links(company).filter(origin_id=str(v2.guid)).update(state="synced", procore_id=222)
    procore.records[("vendors", str(v2.guid))] = {"id": 222, "origin_id": str(v2.guid)}
    DemoVendor.objects.filter(pk__in=[v1.pk, v2.pk]).update(city="Springfield")
    v3.delete()
    procore.sent.clear()

    run = run_import(company)

    assert procore.origin_ids("vendors") == [str(v2.guid)]
    update = procore.calls("vendors")[0][0]
    assert update["city"] == "Springfield" and update["origin_code"] == v2.code
    staged = {item["origin_id"]: item["status"] for item in procore.calls("staged_records")[0]}
    assert staged == {str(v1.guid): "staged", str(v3.guid): "archived"}
    assert len(procore.calls()) == 2
    assert (run.created, run.updated, run.archived, run.unchanged) == (0, 2, 1, 1)
    assert vendor_links(company).get(origin_id=str(v3.guid)).state == "archived"
    synced = vendor_links(company).get(origin_id=str(v2.guid))
    assert (synced.state, synced.procore_id) == ("synced", 222)
    assert sync_run_summary(run) == "Updated 2 vendors, archived 1; 1 unchanged."
    assert ObjectListVersion.objects.filter(company=company).count() == 2
    assert v4.code == "V-000004"


def test_refused_vendors_are_recorded_on_their_links(company, procore):
    seed_vendors(3)
    bad = DemoVendor.objects.get(code="V-000002")
    procore.refuse[str(bad.guid)] = {"name": ["has already been taken"]}

    run = run_import(company)

    assert run.state == SyncRun.State.PARTIAL
    assert (run.created, run.failed) == (2, 1)
    link = vendor_links(company).get(origin_id=str(bad.guid))
    assert link.state == ObjectLink.State.FAILED
    assert link.last_error == "name: has already been taken"
    assert run.refusals == [{"item": "V-000002", "reason": "name: has already been taken"}]
    assert sync_run_refusals(run) == ["V-000002: name: has already been taken"]
    assert (run.error, run.pause_note) == ("", "")
    assert sync_run_summary(run) == "Staged 2 new vendors; 0 unchanged. Procore refused 1 vendor."

    # Sending the same data again would be refused the same way: the next run leaves it.
    procore.sent.clear()
    assert run_import(company).state == SyncRun.State.SUCCEEDED
    assert procore.sent == []
    # Once the ERP fixes the vendor, it is staged.
    del procore.refuse[str(bad.guid)]
    DemoVendor.objects.filter(pk=bad.pk).update(name="Renamed Vendor LLC")
    fixed = run_import(company)
    assert procore.origin_ids("staged_records") == [str(bad.guid)]
    assert fixed.created == 1
    assert vendor_links(company).get(origin_id=str(bad.guid)).state == "staged"


def test_a_retryable_failure_pauses_the_run_and_the_resume_sends_only_the_rest(
    company, procore, small_batches, make_client
):
    seed_vendors(8)
    # From the 2nd call on, Procore is down (the client's own retries fail too).
    procore.fail_call = {n: lambda: (503, {"Retry-After": "0"}, "busy") for n in range(2, 9)}
    run = sync_run_create(company=company, entity="vendors", trigger="schedule")

    with pytest.raises(RetryableError):
        sync_run_execute(sync_run_id=run.pk, client=make_client())

    run.refresh_from_db()
    first_batch = procore.calls("staged_records")[0]
    assert run.state == SyncRun.State.PENDING
    assert (run.created, run.progress_done, run.progress_total) == (3, 3, 8)
    assert run.pause_note.startswith("Paused, will resume:") and "503" in run.pause_note
    assert (run.error, run.refusals, run.lease_owner) == ("", [], "")
    assert sync_run_resumable(company=company, entity="vendors") == run
    assert vendor_links(company).count() == 3

    procore.fail_call = {}
    procore.sent.clear()
    resumed = sync_run_execute(sync_run_id=run.pk, client=make_client())

    resent = procore.origin_ids("staged_records")
    assert len(resent) == 5
    assert not set(resent) & {item["origin_id"] for item in first_batch}
    assert resumed.state == SyncRun.State.SUCCEEDED
    assert (resumed.pause_note, resumed.error) == ("", "")
    assert (resumed.created, resumed.unchanged, resumed.progress_done) == (8, 0, 8)
    # the link review's look at Procore, 1, the refused 2nd call, then 2 on resume
    assert resumed.api_calls == 5
    assert vendor_links(company).filter(state="staged").count() == 8


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the run gets to clean up."""


def test_a_run_whose_worker_died_resumes_after_its_lease_expires(
    company, procore, small_batches, make_client
):
    seed_vendors(8)

    def die():
        raise WorkerKilled

    procore.fail_call = {2: die}
    run = sync_run_create(company=company, entity="vendors", trigger="schedule")
    with pytest.raises(WorkerKilled):
        sync_run_execute(sync_run_id=run.pk, client=make_client())
    run.refresh_from_db()
    assert run.state == SyncRun.State.RUNNING and run.progress_done == 3

    # While the lease runs, nobody else may run this entity for the company, nor make a second
    # run of it: every door leads to the held run, and says to come back in a minute.
    procore.fail_call = {}
    procore.sent.clear()
    with pytest.raises(ImportBusy) as busy:
        sync_run_start(company=company, entity="vendors", trigger="admin", client=make_client())
    assert isinstance(busy.value, Busy) and busy.value.retry_after == 60
    assert f"run #{run.pk}" in str(busy.value) and run.lease_owner in str(busy.value)
    with pytest.raises(ImportBusy):
        sync_run_execute(sync_run_id=run.pk, client=make_client())
    assert sync_run_create(company=company, entity="vendors", trigger="admin") == run
    assert sync_run_resumable(company=company, entity="vendors") is None
    assert SyncRun.objects.count() == 1 and procore.sent == []

    SyncRun.objects.filter(pk=run.pk).update(lease_expires_at="2000-01-01T00:00:00Z")
    assert sync_run_resumable(company=company, entity="vendors") == run
    resumed = sync_run_start(
        company=company, entity="vendors", trigger="admin", client=make_client()
    )

    first = set(procore.records) - {
        ("staged_records", o) for o in procore.origin_ids("staged_records")
    }
    assert len(first) == 3
    assert len(procore.origin_ids("staged_records")) == 5
    assert resumed.state == SyncRun.State.SUCCEEDED
    assert resumed.pk == run.pk and resumed.trigger == "schedule"  # the run keeps its origin
    assert resumed.created == 8


def test_a_permanent_procore_refusal_fails_the_run_with_the_reason(company, procore):
    seed_vendors(2)
    procore.fail_call = {
        1: lambda: (
            403,
            {"Content-Type": "application/json"},
            '{"error": "App is not connected to this company"}',
        )
    }

    run = run_import(company)

    assert run.state == SyncRun.State.FAILED
    assert "App is not connected to this company" in run.error
    assert sync_run_summary(run).startswith("The vendor import failed: Procore refused the import")
    assert run.finished_at is not None and run.lease_owner == ""


def test_a_finished_run_is_not_run_again(company, procore):
    seed_vendors(2)
    run = run_import(company)
    procore.sent.clear()

    again = sync_run_execute(sync_run_id=run.pk)

    assert again.state == SyncRun.State.SUCCEEDED and procore.sent == []


def test_standard_cost_codes_are_upserted_into_the_connections_list(company, procore):
    seeding.seed_cost_codes("books")

    run = run_import(company, "standard_cost_codes")

    codes = list(DemoCostCode.objects.filter(tenant="books").order_by("code"))
    sent = procore.calls("standard_cost_codes")
    assert len(sent) == 1 and len(sent[0]) == len(codes)
    parent = next(c for c in codes if c.parent_id is None)
    child = next(c for c in codes if c.parent_id == parent.pk)
    by_origin = {item["origin_id"]: item for item in sent[0]}
    assert by_origin[str(child.guid)]["parent_origin_id"] == str(parent.guid)
    order = [item["origin_id"] for item in sent[0]]
    assert order.index(str(parent.guid)) < order.index(str(child.guid))
    body = procore.mock.calls[-1].request.body
    assert b'"standard_cost_code_list_id": 77' in body
    assert run.created == len(codes) and run.state == SyncRun.State.SUCCEEDED
    links = ObjectLink.objects.filter(company=company, item_type="standard_cost_code")
    assert links.filter(state="synced", procore_id__isnull=False).count() == len(codes)

    DemoCostCode.objects.filter(pk=child.pk).update(name="Renamed scope")
    procore.sent.clear()
    again = run_import(company, "standard_cost_codes")
    assert procore.origin_ids("standard_cost_codes") == [str(child.guid)]
    assert (again.updated, again.unchanged) == (1, len(codes) - 1)
    assert sync_run_summary(again) == f"Updated 1 standard cost code; {len(codes) - 1} unchanged."


def test_standard_cost_codes_need_a_list_from_provisioning(company, connection, procore):
    seeding.seed_cost_codes("books")
    connection.standard_cost_code_list_id = None
    connection.save()

    run = run_import(company, "standard_cost_codes")

    assert run.state == SyncRun.State.FAILED
    assert "provision" in run.error
    assert procore.sent == []


def test_cost_types_are_synced_as_line_item_types(company, procore):
    seeding.seed_cost_types("books")

    run = run_import(company, "standard_categories")

    types = DemoCostType.objects.filter(tenant="books")
    sent = procore.calls("line_item_types")
    assert len(sent) == 1
    assert {(i["origin_id"], i["csv_import_code"], i["name"]) for i in sent[0]} == {
        (str(t.guid), t.code, t.name) for t in types
    }
    assert run.created == types.count()
    assert sync_run_summary(run) == f"Added {types.count()} new cost types; 0 unchanged."


def test_links_of_vendors_that_never_reached_procore_are_forgotten_quietly(company, procore):
    ObjectLinkFactory(company=company, origin_id="ghost", state="failed", content_hash="x")

    run = run_import(company)

    assert procore.sent == []
    assert vendor_links(company).get(origin_id="ghost").state == "archived"
    assert run.archived == 0


def test_a_company_without_a_connection_fails_its_run(procore):
    run = SyncRunFactory(entity="vendors")

    ended = sync_run_execute(sync_run_id=run.pk)

    assert ended.state == SyncRun.State.FAILED
    assert "has no connection" in ended.error


def test_an_unreachable_erp_pauses_the_run(company, connection, procore):
    connection.adapter_settings = {"tenant": "books", "offline": True}
    connection.save()
    run = sync_run_create(company=company, entity="vendors", trigger="event")

    from erp_adapters.base import ERPUnavailable

    with pytest.raises(ERPUnavailable):
        sync_run_execute(sync_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == SyncRun.State.PENDING
    assert "offline" in run.pause_note and run.error == ""


def test_unknown_entities_are_refused_when_the_run_is_created(company):
    with pytest.raises(ValueError, match="cannot be imported"):
        sync_run_create(company=company, entity="invoices", trigger="command")


def test_the_fake_procore_refuses_calls_it_does_not_answer(procore):
    """Guards the fake itself: a call to an endpoint it does not answer is refused by the mock,
    naming the call, rather than reaching whatever listens on the port or passing unnoticed."""
    import requests

    unknown = f"{API}/unknown"
    unanswered_sync = f"{API}/projects/sync"  # a sync endpoint, but not one the fake answers
    for method, url in (("GET", unknown), ("PATCH", unanswered_sync)):
        with pytest.raises(requests.exceptions.ConnectionError) as refused:
            requests.request(method, url, json={"updates": []}, timeout=1)
        assert "Connection refused by Responses" in str(refused.value)
        assert f"{method} {url}" in str(refused.value)
    assert [call.request.url for call in procore.mock.calls] == [unknown, unanswered_sync]
    assert procore.sent == []  # neither call reached the fake's answers


def test_refusals_before_a_pause_are_kept_by_the_resumed_run(
    company, procore, small_batches, make_client
):
    seed_vendors(6)
    bad = DemoVendor.objects.get(code="V-000001")
    procore.refuse[str(bad.guid)] = {"name": ["is reserved"]}
    procore.fail_call = {n: lambda: (503, {"Retry-After": "0"}, "busy") for n in range(2, 9)}
    run = sync_run_create(company=company, entity="vendors", trigger="command")
    with pytest.raises(RetryableError):
        sync_run_execute(sync_run_id=run.pk, client=make_client())
    run.refresh_from_db()
    assert sync_run_summary(run).startswith(
        "The vendor import is not finished (3 of 6 sent). Paused, will resume:"
    )
    assert run.refusals == [{"item": "V-000001", "reason": "name: is reserved"}]
    assert sync_run_refusals(run) == []  # shown once the run has finished

    procore.fail_call = {}
    resumed = sync_run_execute(sync_run_id=run.pk, client=make_client())

    assert resumed.state == SyncRun.State.PARTIAL
    assert (resumed.created, resumed.failed) == (5, 1)
    assert resumed.refusals == [{"item": "V-000001", "reason": "name: is reserved"}]
    assert sync_run_refusals(resumed) == ["V-000001: name: is reserved"]
    assert (resumed.error, resumed.pause_note) == ("", "")


def test_only_the_latest_list_versions_are_kept(company, procore):
    seed_vendors(2)
    vendor = DemoVendor.objects.first()
    runs = []
    for n in range(7):
        DemoVendor.objects.filter(pk=vendor.pk).update(city=f"City {n}")
        runs.append(run_import(company))

    versions = ObjectListVersion.objects.filter(company=company, entity="vendors")
    assert versions.count() == 5
    assert versions.order_by("-id").first().hashes[str(vendor.guid)] == (
        ObjectLink.objects.get(origin_id=str(vendor.guid)).content_hash
    )
    runs[0].refresh_from_db()
    assert runs[0].list_version is None and runs[-1].list_version is not None


def test_the_database_refuses_a_second_unfinished_run_of_an_entity(company):
    first = SyncRun.objects.create(company=company, entity="vendors", item_type="vendor")
    # Another entity, or another company, is another import.
    SyncRun.objects.create(company=company, entity="standard_categories", item_type="vendor")
    SyncRunFactory(entity="vendors")

    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(
            company=company, entity="vendors", item_type="vendor", state="running"
        )

    SyncRun.objects.filter(pk=first.pk).update(state=SyncRun.State.PARTIAL)
    SyncRun.objects.create(company=company, entity="vendors", item_type="vendor")
    assert SyncRun.objects.filter(company=company, entity="vendors").count() == 2


def test_a_new_run_is_made_once_the_last_one_finished(company, procore):
    seed_vendors(2)
    first = sync_run_start(company=company, entity="vendors", trigger="command")

    second = sync_run_start(company=company, entity="vendors", trigger="schedule")

    assert first.state == second.state == SyncRun.State.SUCCEEDED
    assert second.pk != first.pk and second.trigger == "schedule"


def test_a_worker_whose_lease_was_taken_over_writes_nothing_more(
    company, procore, small_batches, make_client
):
    seed_vendors(6)
    run = sync_run_create(company=company, entity="vendors", trigger="schedule")

    def taken_over():
        # The lease ran out during this call and another worker took the run.
        SyncRun.objects.filter(pk=run.pk).update(lease_owner="other-host:1/abcdef")
        return (200, {"Content-Type": "application/json"}, '{"entities": [], "errors": []}')

    procore.fail_call = {2: taken_over}

    ended = sync_run_execute(sync_run_id=run.pk, client=make_client())

    assert len(procore.calls("staged_records")) == 2  # it stopped after the batch it lost
    assert (ended.state, ended.lease_owner) == (SyncRun.State.RUNNING, "other-host:1/abcdef")
    assert (ended.created, ended.progress_done) == (3, 3)  # the lost batch was rolled back
    assert vendor_links(company).count() == 3


def test_refusals_keep_a_few_samples_and_name_unmatched_ones(company, procore):
    seed_vendors(8)
    for vendor in DemoVendor.objects.all():
        procore.refuse[str(vendor.guid)] = {"name": ["is reserved"]}

    run = run_import(company)

    assert (run.state, run.failed) == (SyncRun.State.PARTIAL, 8)
    assert [r["item"] for r in run.refusals] == [f"V-00000{n}" for n in range(1, 6)]
    assert sync_run_refusals(run)[0] == "V-000001: name: is reserved"
    assert sync_run_refusals(
        SyncRun(state="partial", refusals=[{"item": None, "reason": "unreadable"}])
    ) == ["an item: unreadable"]


# -- races between workers (PostgreSQL: in-memory SQLite is one connection) ---------------------

JOIN_SECONDS = 30


def _needs_real_connections() -> None:
    database = connections["default"]
    if database.vendor == "sqlite" and database.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("in-memory SQLite is one connection; the race is proven on PostgreSQL")


def _race(workers: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Start every worker at the same moment, each in its own thread with its own database
    connection; every wait is bounded, so a deadlock fails the test instead of hanging it."""
    barrier = threading.Barrier(len(workers), timeout=10)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcome: object = work()
        except BaseException as exc:
            outcome = exc
        finally:
            connections.close_all()
        with lock:
            (errors if isinstance(outcome, BaseException) else results).append(outcome)

    threads = [threading.Thread(target=run, args=(work,), daemon=True) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results, errors


def _connected_company(tenant: str = "books"):
    return ConnectionFactory(
        login_base_url=BASE,
        api_base_url=BASE,
        adapter_key="demo",
        adapter_settings={"tenant": tenant},
    ).company


def _client_for(company) -> ProcoreClient:
    # One client per thread, on its own copy of the connection row.
    return ProcoreClient(
        Connection.objects.get(company=company),
        sleep=lambda seconds: None,
        retry=RetryPolicy(max_retries=0, max_wait=0.0),
        rate_limits=RateLimitRegistry(),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_imports_started_at_once_never_both_send(procore, round_):
    _needs_real_connections()
    company = _connected_company()
    seed_vendors(4)
    senders: list[str] = []
    loser_done = threading.Event()

    def hold_the_batch():
        # The winner waits here, mid-send, until the loser has had its go; a second sender
        # would wait here too (and be seen).
        senders.append(threading.current_thread().name)
        loser_done.wait(10)
        return (200, {"Content-Type": "application/json"}, '{"entities": [], "errors": []}')

    procore.fail_call = {n: hold_the_batch for n in range(1, 10)}

    def start(trigger: str) -> Callable[[], object]:
        def work() -> object:
            try:
                return sync_run_start(
                    company=company, entity="vendors", trigger=trigger, client=_client_for(company)
                )
            except ImportBusy:
                loser_done.set()
                raise

        return work

    results, errors = _race([start("schedule"), start("admin")])

    assert len(results) == 1 and results[0].state == SyncRun.State.SUCCEEDED
    assert [type(e) for e in errors] == [ImportBusy], errors
    assert len(set(senders)) == 1
    sent = procore.origin_ids("staged_records")
    assert len(sent) == len(set(sent)) == 4  # every vendor staged once, by one worker
    assert SyncRun.objects.filter(company=company).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_runs_created_at_once_are_one_run(round_):
    _needs_real_connections()
    company = _connected_company()

    def create() -> SyncRun:
        return sync_run_create(company=company, entity="vendors", trigger="schedule")

    results, errors = _race([create] * 6)

    assert errors == []
    assert len({run.pk for run in results}) == 1
    assert SyncRun.objects.filter(company=company).count() == 1
