"""One `incidentbook build --no-pdf` of a publication, timed step by step (issue 8), in-process.

    .venv/bin/python benchmarks/bench_phases.py ROOT [--stub-chart-images]

Prints, as each step ends, its wall-clock and CPU seconds (of this process, and apart, of the page
workers forked and the Pagefind runs ended within the step, and how much of it was the kernel's)
and the process's peak RSS so far; the steps inside the
writing of pages (charts, downloads, the Markdown pages, chart images, the other files) are
timed one by one, and so are MkDocs (run_mkdocs) and Pagefind (index_search). ROOT is built where it is: copy a corpus's inputs first for a clean build
(bench_rebuild.copy_inputs). Run it under `/usr/bin/time -v` for the CPU of the whole process tree,
and log the memory of the process group beside it (PSS counts memory shared by forked workers once).
--stub-chart-images: every chart image a stand-in (bench_rebuild.STUB), as in bench_workers.py.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    root = Path(sys.argv[1])
    if "--stub-chart-images" in sys.argv:
        import incidentbook.chartfiles as chartfiles

        def stand_in(specs, workers=None):
            for spec in specs:
                digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
                yield f'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" data-spec="{digest}"></svg>'

        chartfiles.render_svgs = stand_in
    import incidentbook.build as build

    def peak() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def system_time() -> float:
        """System (kernel) CPU seconds of this process and its ended children: writing files, page faults."""
        return resource.getrusage(resource.RUSAGE_SELF).ru_stime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime

    last = [time.time(), time.process_time(), "start"]

    def step(message: str) -> None:
        now, cpu = time.time(), time.process_time()
        print(f"{time.strftime('%T')} {last[2]}: {now - last[0]:.1f} s wall, {cpu - last[1]:.1f} s CPU, "
              f"peak RSS {peak()} MB", flush=True)
        last[:] = [now, cpu, message]

    for name in ("build_charts", "data_files", "history_citations", "History", "render_pages", "feed_files", "write_svgs",
                 "write_scripts", "write_pages", "run_mkdocs", "index_search"):
        function = getattr(build, name)

        def timed(*args, _function=function, _name=name, **kwargs):
            wall, cpu, workers = time.time(), time.process_time(), children()
            system = system_time()
            result = _function(*args, **kwargs)
            print(f"    {_name}: {time.time() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU "
                  f"(+ {children() - workers:.1f} s in workers and Pagefind), peak RSS {peak()} MB; "
                  f"of all that CPU, {system_time() - system:.1f} s in the kernel", flush=True)
            return result

        setattr(build, name, timed)
    result = build.build(root, pdf=False, progress=step)
    step("end")
    print(f"{len(result.pub.incidents)} incidents, {len(result.warnings)} warnings", flush=True)


if __name__ == "__main__":
    main()
