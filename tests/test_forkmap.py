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
