"""The search index of a built site made again (sitesearch.index_search, every index made, none
reused), with a timeline: when each index's pages were cut (and this thread's CPU for it) and when
its Pagefind run started and ended, in seconds from the start.

    .venv/bin/python benchmarks/bench_index_timeline.py SITE

SITE's pagefind/ is replaced by the new index (the same bytes for the same pages). Run it with
PYTHONPATH set to a frozen copy of an older src/ to compare; prints the whole wall time, this
process's CPU and Pagefind's (user) CPU.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from incidentbook import sitesearch


def main() -> None:
    site = Path(sys.argv[1])
    start = time.time()
    rows: list[tuple] = []
    mirror, run = sitesearch._mirror, sitesearch._run

    def timed_mirror(root, rels, folder, digests=None):
        began, cpu = time.time(), time.thread_time()
        mirror(root, rels, folder, digests)
        rows.append((folder.name, "cut", began - start, time.time() - start, time.thread_time() - cpu, len(rels)))

    def timed_run(folder, output):
        began = time.time()
        run(folder, output)
        rows.append((output.name, "Pagefind", began - start, time.time() - start, None, None))

    sitesearch._mirror, sitesearch._run = timed_mirror, timed_run
    made = sitesearch.index_search(site)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{made}: {time.time() - start:.1f} s wall; this process {time.process_time():.1f} s CPU; "
          f"Pagefind {children.ru_utime:.1f} s user, {children.ru_stime:.1f} s system")
    for name, what, began, ended, cpu, pages in sorted(rows, key=lambda row: row[2]):
        extra = f"  {pages:,} pages, {cpu:.1f} s CPU" if pages is not None else ""
        print(f"{name:18} {what:8} {began:6.1f} -> {ended:6.1f} s{extra}")


if __name__ == "__main__":
    main()
