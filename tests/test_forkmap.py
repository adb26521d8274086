"""forkmap.fork_map: a function over a list in several processes, results in order, and a worker's
failure raised in the calling process as in one process (issue 8)."""

from __future__ import annotations

import os

import pytest

from incidentbook.forkmap import fork_map


def test_results_in_order_from_several_processes():
    items = list(range(101))
    results = fork_map(items, lambda n: [n * n, os.getpid()], 3)
    assert [square for square, _ in results] == [n * n for n in items]
    assert len({pid for _, pid in results}) == 3  # each share in its own process
    assert {pid for n, (_, pid) in zip(items, results) if n % 3 == 0} == {os.getpid()}


def test_a_failing_worker_is_done_again_here_and_its_error_raised_here():
    parent = os.getpid()

    def work(n):
        if n == 4:
            raise ValueError(f"bad item {n}")
        return n

    with pytest.raises(ValueError, match="bad item 4"):
        fork_map(list(range(10)), work, 2)  # 4 is in share 0: raised here directly
    with pytest.raises(ValueError, match="bad item 5"):
        fork_map(list(range(10)), lambda n: (_ for _ in ()).throw(ValueError(f"bad item {n}")) if n == 5 else n, 2)
    assert os.getpid() == parent

    def dies_in_a_worker(n):
        if os.getpid() != parent:
            os._exit(3)  # a worker killed without a word: its share is done again here
        return n + 1

    assert fork_map(list(range(9)), dies_in_a_worker, 3) == [n + 1 for n in range(9)]


def test_one_process_or_a_short_list_forks_nothing():
    parent = os.getpid()
    assert fork_map([1, 2, 3], lambda n: os.getpid(), 1) == [parent] * 3
    assert fork_map([1], lambda n: os.getpid(), 4) == [parent]
    assert fork_map([], lambda n: n, 4) == []


def test_a_smaller_share_for_the_caller_and_its_other_work_meanwhile():
    """exports.data_files makes its tables in the calling process while the workers make the
    per-incident files: the caller takes a quarter of the items, spread through the list."""
    from incidentbook.forkmap import shares

    assert shares(8, 2, 0.25) == [[3, 7], [0, 1, 2, 4, 5, 6]]
    assert shares(9, 3, 0.0) == [[], [0, 2, 4, 6, 8], [1, 3, 5, 7]]
    assert shares(7, 3) == [[0, 3, 6], [1, 4], [2, 5]]
    for count, workers, share in ((101, 2, 0.25), (50, 3, 0.1), (7, 4, 0.5)):
        split = shares(count, workers, share)
        assert sorted(i for part in split for i in part) == list(range(count))
    parent = os.getpid()
    done = []
    items = list(range(40))
    results = fork_map(items, lambda n: [n + 1, os.getpid()], 2, caller_share=0.25, meanwhile=lambda: done.append(os.getpid()))
    assert [value for value, _ in results] == [n + 1 for n in items]
    assert done == [parent]  # once, here
    assert sum(pid == parent for _, pid in results) == 10
    done.clear()
    assert fork_map(items, lambda n: n, 1, caller_share=0.25, meanwhile=lambda: done.append(1)) == items and done == [1]
