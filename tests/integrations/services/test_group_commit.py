"""Group commit: concurrent callers share one write, and each still learns its own outcome."""

import threading

import pytest

from integrations.services.group_commit import GroupCommit


def run_concurrently(group: GroupCommit, items: list, start_after: threading.Event | None = None):
    results: dict = {}

    def call(item):
        try:
            results[item] = group.submit(item)
        except Exception as error:
            results[item] = error

    threads = [threading.Thread(target=call, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    return threads, results


def test_a_lone_caller_is_written_at_once_in_its_own_batch():
    batches = []
    group = GroupCommit(lambda items: batches.append(list(items)) or [i * 10 for i in items])
    assert group.submit(4) == 40
    assert group.submit(5) == 50
    assert batches == [[4], [5]]


def test_callers_arriving_during_a_write_share_the_next_one():
    """The first caller leads; the eight that arrive while it writes go together next."""
    batches = []
    first_write_started = threading.Event()
    release_first_write = threading.Event()

    def write(items):
        batches.append(list(items))
        if len(batches) == 1:
            first_write_started.set()
            assert release_first_write.wait(5)
        return [f"stored {item}" for item in items]

    group = GroupCommit(write)
    leader, leader_results = run_concurrently(group, ["a"])
    assert first_write_started.wait(5)
    followers, results = run_concurrently(group, list(range(8)))
    while len(group._waiting) < 8:  # all eight are waiting behind the leader's write
        threading.Event().wait(0.001)
    release_first_write.set()
    for thread in leader + followers:
        thread.join(5)
    assert batches[0] == ["a"]
    assert sorted(batches[1]) == list(range(8))  # one write for all eight
    assert leader_results == {"a": "stored a"}
    assert results == {i: f"stored {i}" for i in range(8)}


def test_a_failed_write_fails_every_caller_of_that_batch_and_no_other():
    release = threading.Event()
    calls = []

    def write(items):
        calls.append(list(items))
        if len(calls) == 1:
            assert release.wait(5)
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return ["ok"] * len(items)

    group = GroupCommit(write)
    leader, leader_results = run_concurrently(group, ["first"])
    while not calls:
        threading.Event().wait(0.001)
    followers, results = run_concurrently(group, ["x", "y"])
    while len(group._waiting) < 2:
        threading.Event().wait(0.001)
    release.set()
    for thread in leader + followers:
        thread.join(5)
    assert leader_results == {"first": "ok"}
    assert all(isinstance(results[item], ConnectionError) for item in ("x", "y"))
    assert group.submit("later") == "ok"  # the next batch is written as usual


def test_a_result_that_is_an_exception_is_raised_in_its_own_caller_only():
    group = GroupCommit(lambda items: [ValueError(f"bad {i}") if i < 0 else i for i in items])
    assert group.submit(3) == 3
    with pytest.raises(ValueError, match="bad -1"):
        group.submit(-1)


def test_more_waiting_callers_than_a_batch_holds_are_all_written():
    batches = []
    started, release = threading.Event(), threading.Event()

    def write(items):
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            assert release.wait(5)
        return list(items)

    group = GroupCommit(write, max_batch=3)
    leader, _ = run_concurrently(group, [-1])
    assert started.wait(5)
    followers, results = run_concurrently(group, list(range(7)))
    while len(group._waiting) < 7:
        threading.Event().wait(0.001)
    release.set()
    for thread in leader + followers:
        thread.join(5)
    assert results == {i: i for i in range(7)}
    assert [len(batch) for batch in batches] == [1, 3, 3, 1]


def test_a_write_that_returns_the_wrong_number_of_results_fails_loudly():
    group = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        group.submit("x")
