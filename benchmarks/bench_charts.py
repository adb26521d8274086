"""Chart generation benchmark: build every chart spec for a synthetic corpus, and measure spec sizes.

    .venv/bin/python benchmarks/bench_charts.py --incidents 10000 [--keep DIR] [--svg-sample 40] [--svg-workers 1,2]

1. `demo-corpus` writes N synthetic incidents into a fresh folder (or --keep DIR reuses one);
2. load + validate + Views (not timed: that is the build's job before charts);
3. `charts.build_charts(views)` timed twice, wall clock and CPU seconds of this process: cold
   (first in the process: Altair skeletons are compiled and the border topologies cut and
   simplified) and warm; then the one garbage collection the build deferred (`gc.collect()`);
4. what every build does with the specs besides SVG rendering: the canonical JSON of every spec
   and the hash that decides whether its SVG is rendered again (chartfiles._digest);
5. the largest spec (bytes of JSON) per chart kind, against the 100 KB limit;
6. SVG rendering with vl-convert for a sample of charts, with 1 and with 2 worker processes
   (`chartfiles.render_svgs`; a cold build renders every chart once, later builds only the
   charts whose spec changed). CPU includes the workers' (children's) CPU.
Also times the example publication. Prints one JSON object with the load average before and
after; BENCHMARKS.md records the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from incidentbook import chartfiles
from incidentbook.build import check
from incidentbook.chartfiles import _digest, render_svg, render_svgs
from incidentbook.chartkit import spec_json
from incidentbook.charts import build_charts
from incidentbook.views import Views

LIMIT = 100_000


def kind_of(chart_id: str) -> str:
    """'incident-x-ledger' -> 'incident ledger'; 'home-killed-per-month' -> 'home killed-per-month'."""
    for prefix in ("incident", "actor", "place"):
        if chart_id.startswith(prefix + "-"):
            return prefix + " " + re.sub(r"^.*-(locator|ledger|timeline|network|incidents-per-month|killed-per-month)$",
                                         r"\1", chart_id)
    return chart_id


def timed(function, *args):
    """(result, wall seconds, CPU seconds of this process and its finished children)."""
    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    wall, started = time.perf_counter(), cpu()
    result = function(*args)
    return result, round(time.perf_counter() - wall, 2), round(cpu() - started, 2)


def measure(root: Path, svg_sample: int, svg_workers: list[int]) -> dict:
    started = time.perf_counter()
    pub, verification = check(root)
    views = Views(pub, verification)
    prepared = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    charts, cold, cold_cpu = timed(build_charts, views)
    _, collect, collect_cpu = timed(gc.collect)
    charts, warm, warm_cpu = timed(build_charts, views)
    _, digests, digests_cpu = timed(lambda: [_digest(chart) for chart in charts.values()])
    largest: dict[str, tuple[int, str]] = {}
    for chart in charts.values():
        size = len(spec_json(chart.spec).encode("utf-8"))
        kind = kind_of(chart.id)
        if size > largest.get(kind, (0, ""))[0]:
            largest[kind] = (size, chart.id)
    result = {
        "incidents": len(views.published), "charts": len(charts), "load_validate_views_s": round(prepared, 2),
        "build_charts_cold_s": cold, "build_charts_cold_cpu_s": cold_cpu,
        "gc_collect_after_s": collect, "gc_collect_after_cpu_s": collect_cpu,
        "build_charts_warm_s": warm, "build_charts_warm_cpu_s": warm_cpu,
        "spec_json_and_digest_all_s": digests, "spec_json_and_digest_all_cpu_s": digests_cpu,
        "largest_spec_bytes": {k: v[0] for k, v in sorted(largest.items())},
        "all_specs_under_100kb": all(size < LIMIT for size, _ in largest.values()),
        "load_average_1min": [load_before],
    }
    if svg_sample:
        render_svg(next(iter(charts.values())).spec)  # start this process's engine
        sample = sorted(charts)[:: max(1, len(charts) // svg_sample)][:svg_sample]
        specs = [charts[chart_id].spec for chart_id in sample]
        chartfiles.POOL_MIN = 0  # time the workers even on a small sample (their start included)
        for workers in svg_workers:
            svgs, wall, cpu = timed(lambda n: list(render_svgs(specs, workers=n)), workers)
            result[f"svg_{workers}_workers"] = {
                "charts": len(svgs), "wall_ms_per_chart": round(wall / len(svgs) * 1000, 1),
                "cpu_ms_per_chart": round(cpu / len(svgs) * 1000, 1),
                "all_charts_estimate_wall_s": round(wall / len(svgs) * len(charts), 1),
                "all_charts_estimate_cpu_s": round(cpu / len(svgs) * len(charts), 1)}
    result["load_average_1min"].append(os.getloadavg()[0])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="reuse (or create) the synthetic corpus in this folder")
    parser.add_argument("--svg-sample", type=int, default=40)
    parser.add_argument("--svg-workers", default="1", help="comma-separated worker counts to time, e.g. 1,2")
    args = parser.parse_args()
    workers = [int(n) for n in args.svg_workers.split(",")]
    from incidentbook.democorpus import write_corpus

    out = {"date": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join(sys.argv),
           "example": measure(REPO, args.svg_sample, workers)}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.keep or Path(tmp) / "corpus"
        if not (corpus / "data").is_dir():
            started = time.perf_counter()
            write_corpus(corpus, args.incidents)
            out["corpus_written_s"] = round(time.perf_counter() - started, 1)
        out["synthetic"] = measure(corpus, args.svg_sample, workers)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
