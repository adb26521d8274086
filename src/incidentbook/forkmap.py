"""Run a function over a list in several forked processes (issue 8): rendering 177,000 pages of
Markdown with Jinja took 656 s of CPU in one process at 100,000 incidents.

`fork_map(items, work, workers)` calls `work(item)` for every item and returns the results in the
items' order. Item i goes to process i % workers (or see `shares`); the calling process takes share 0 and each
forked worker one other share, sending its results back through a pipe as a pickle (so `work` must
return values pickle can carry, and its side effects stay in the worker unless they are files). A worker that
fails, for any reason, is not trusted: the calling process does its share again itself, so an
error (a broken template, say) is raised here, where the caller handles it, exactly as in one
process. A worker never returns into the caller: it ends with os._exit, and any worker still
running when the caller leaves is killed.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import Any


def shares(count: int, workers: int, caller_share: float | None = None) -> list[list[int]]:
    """The indices of `count` items each process takes: share 0 is the calling process's. Item i
    goes to process i % workers; with `caller_share` (a fraction), the caller takes that fraction
    of the items, spread evenly through the list, and the workers the others in turn."""
    if caller_share is None:
        return [list(range(share, count, workers)) for share in range(workers)]
    mine = [i for i in range(count) if int((i + 1) * caller_share) > int(i * caller_share)]
    taken = set(mine)
    rest = [i for i in range(count) if i not in taken]
    return [mine] + [rest[share::workers - 1] for share in range(workers - 1)]


def fork_map(items: Sequence, work: Callable[[Any], Any], workers: int, caller_share: float | None = None,
             meanwhile: Callable[[], None] | None = None) -> list:
    """`meanwhile`, when given, is called once in the calling process, while the workers start on
    their shares and before its own (work that is not per item: exports.data_files makes its
    tables so); `caller_share` then gives the caller a smaller share of the items to balance it."""
    if workers <= 1 or not hasattr(os, "fork") or len(items) < 2:
        if meanwhile is not None:
            meanwhile()
        return [work(item) for item in items]
    workers = min(workers, len(items))
    split = shares(len(items), workers, caller_share)
    children: list[tuple[int, int, int]] = []  # (share, pid, read end of its pipe)
    frozen = False
    try:
        # What exists now is shared with the workers until written; the collector's full
        # collections would write to every object, so it leaves them alone (gc.freeze).
        gc.freeze()
        frozen = True
        for share in range(1, workers):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: its share, then exit without unwinding into the caller
                code = 1
                try:
                    os.close(read_end)
                    for _, _, other in children:
                        os.close(other)
                    data = pickle.dumps([work(items[i]) for i in split[share]], protocol=5)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(write_end, view):]
                    code = 0
                finally:
                    os._exit(code)
            os.close(write_end)
            children.append((share, pid, read_end))
        if meanwhile is not None:
            meanwhile()
        results: list = [None] * len(items)
        for i in split[0]:
            results[i] = work(items[i])
        while children:
            share, pid, read_end = children.pop(0)
            chunks = []
            with contextlib.suppress(OSError):
                while chunk := os.read(read_end, 1 << 20):
                    chunks.append(chunk)
            os.close(read_end)
            _, status = os.waitpid(pid, 0)
            done = None
            if os.waitstatus_to_exitcode(status) == 0:
                with contextlib.suppress(pickle.UnpicklingError, EOFError, ValueError):
                    done = pickle.loads(b"".join(chunks))  # from a process of this build: its own bytes
            if not isinstance(done, list) or len(done) != len(split[share]):
                done = [work(items[i]) for i in split[share]]  # raises here what the worker met
            for i, result in zip(split[share], done):
                results[i] = result
        return results
    finally:
        for _, pid, read_end in children:
            stop(pid, read_end)
        if frozen:
            gc.unfreeze()


def stop(pid: int, read_end: int) -> None:
    """Kill a worker still running (the caller is leaving on an error), close its pipe, reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.close(read_end)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
