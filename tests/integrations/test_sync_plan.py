"""Diff planning: what an import run decides to send, from the ERP's list and our links."""

from __future__ import annotations

import pytest

from integrations.sync_plan import Action, LinkInfo, Mode, list_hash, plan_diff


def link(state: str, content_hash: str = "h", procore_id=None, staged_record_id=None):
    return LinkInfo(state, content_hash, procore_id, staged_record_id)


def test_new_changed_unchanged_and_removed_vendors():
    current = {"new": "h1", "same": "h2", "edited": "h3-new", "approved-edited": "h4-new"}
    links = {
        "same": link("staged", "h2", staged_record_id=1),
        "edited": link("staged", "h3", staged_record_id=2),
        "approved-edited": link("synced", "h4", procore_id=40),
        "gone-staged": link("staged", "h5", staged_record_id=5),
        "gone-synced": link("synced", "h6", procore_id=60),
        "gone-archived": link("archived", "h7", staged_record_id=7),
    }

    plan = plan_diff(Mode.STAGED, current, links)

    assert plan.actions == {
        "new": Action.CREATE,
        "edited": Action.RESTAGE,
        "approved-edited": Action.UPDATE,
    }
    assert plan.unchanged == 1
    assert plan.listed == 4
    # Only a record still waiting on Ready to Import is archived; a Procore vendor stays.
    assert plan.archive == ["gone-staged"]
    assert plan.work == 4


def test_an_unchanged_list_plans_no_work():
    current = {f"v{n}": f"h{n}" for n in range(50)}
    links = {f"v{n}": link("staged", f"h{n}", staged_record_id=n) for n in range(50)}

    plan = plan_diff(Mode.STAGED, current, links)

    assert plan.work == 0
    assert plan.unchanged == 50


def test_refused_objects_wait_for_a_change_before_being_sent_again():
    links = {
        "refused-new": link("failed", "h1"),
        "refused-restage": link("failed", "h2", staged_record_id=9),
        "refused-update": link("failed", "h3", procore_id=30),
    }
    same = plan_diff(
        Mode.STAGED, {"refused-new": "h1", "refused-restage": "h2", "refused-update": "h3"}, links
    )
    fixed = plan_diff(
        Mode.STAGED, {"refused-new": "x", "refused-restage": "y", "refused-update": "z"}, links
    )

    assert same.work == 0
    assert fixed.actions == {
        "refused-new": Action.CREATE,
        "refused-restage": Action.RESTAGE,
        "refused-update": Action.UPDATE,
    }


def test_an_object_back_in_the_erp_after_archiving_is_staged_again():
    plan = plan_diff(
        Mode.STAGED, {"back": "h"}, {"back": link("archived", "h", staged_record_id=3)}
    )

    assert plan.actions == {"back": Action.RESTAGE}


def test_objects_that_never_reached_procore_are_forgotten_without_a_call():
    links = {"never-sent": link("pending", ""), "refused": link("failed", "h")}

    plan = plan_diff(Mode.STAGED, {}, links)

    assert plan.archive == []
    assert sorted(plan.forget) == ["never-sent", "refused"]
    assert plan.work == 0


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (None, Action.CREATE),
        (link("synced", "old", procore_id=5), Action.UPDATE),
        (link("failed", "old"), Action.CREATE),
        (link("synced", "h", procore_id=5), None),
    ],
)
def test_direct_entities_upsert_new_and_changed_objects(existing, expected):
    links = {} if existing is None else {"cc": existing}

    plan = plan_diff(Mode.DIRECT, {"cc": "h"}, links)

    assert plan.actions.get("cc") == expected


def test_direct_entities_never_archive_anything_in_procore():
    plan = plan_diff(Mode.DIRECT, {}, {"cc": link("synced", "h", procore_id=5)})

    assert plan.archive == [] and plan.forget == []


def test_the_list_hash_ignores_listing_order_but_not_content():
    assert list_hash({"a": "1", "b": "2"}) == list_hash({"b": "2", "a": "1"})
    assert list_hash({"a": "1", "b": "2"}) != list_hash({"a": "1", "b": "3"})
    assert list_hash({"a": "1"}) != list_hash({"a": "1", "b": "2"})


def test_an_unlinked_vendor_is_staged_again_not_updated_as_if_synced():
    """After unlink_vendor the link forgets its Procore id: a change in the ERP stages it for
    approval instead of updating a Procore vendor that is no longer tied to it."""
    unlinked = {"V1": LinkInfo("pending", "old", None, None)}
    plan = plan_diff(Mode.STAGED, {"V1": "new"}, unlinked)
    assert plan.actions == {"V1": Action.CREATE}


def test_a_vendor_merged_into_another_is_never_sent_again():
    merged = {"V2": LinkInfo("merged", "old", None, None)}
    plan = plan_diff(Mode.STAGED, {"V2": "changed"}, merged)
    assert (plan.actions, plan.archive, plan.forget) == ({}, [], [])
    gone = plan_diff(Mode.STAGED, {}, merged)
    assert (gone.actions, gone.archive, gone.forget) == ({}, [], [])
