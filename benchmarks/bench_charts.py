"""Chart generation benchmark: build every chart spec for a synthetic corpus, and measure spec sizes.

    .venv/bin/python benchmarks/bench_charts.py --incidents 10000 [--keep DIR] [--svg-sample 40]

1. `demo-corpus` writes N synthetic incidents into a fresh folder (or --keep DIR reuses one);
2. load + validate + Views (not timed: that is the build's job before charts);
3. `charts.build_charts(views)` timed twice: cold (first in the process: Altair skeletons are
   compiled and the border topologies cut and simplified) and warm;
4. the largest spec (bytes of JSON) per chart kind, against the 100 KB limit;
5. SVG rendering with vl-convert for a sample of charts (a cold build renders every chart once;
   later builds render only the charts whose spec changed).
Also times the example publication. Prints one JSON object; BENCHMARKS.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from incidentbook.build import check
from incidentbook.chartfiles import static_spec
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


def measure(root: Path, svg_sample: int) -> dict:
    started = time.perf_counter()
    pub, verification = check(root)
    views = Views(pub, verification)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    charts = build_charts(views)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    charts = build_charts(views)
    warm = time.perf_counter() - started
    largest: dict[str, tuple[int, str]] = {}
    for chart in charts.values():
        size = len(spec_json(chart.spec).encode("utf-8"))
        kind = kind_of(chart.id)
        if size > largest.get(kind, (0, ""))[0]:
            largest[kind] = (size, chart.id)
    result = {
        "incidents": len(views.published), "charts": len(charts), "load_validate_views_s": round(prepared, 2),
        "build_charts_cold_s": round(cold, 2), "build_charts_warm_s": round(warm, 2),
        "largest_spec_bytes": {k: v[0] for k, v in sorted(largest.items())},
        "all_specs_under_100kb": all(size < LIMIT for size, _ in largest.values()),
    }
    if svg_sample:
        import vl_convert

        vl_convert.vegalite_to_svg(static_spec(next(iter(charts.values())).spec))  # start the engine
        sample = sorted(charts)[:: max(1, len(charts) // svg_sample)][:svg_sample]
        started = time.perf_counter()
        for chart_id in sample:
            vl_convert.vegalite_to_svg(static_spec(charts[chart_id].spec))
        per_chart = (time.perf_counter() - started) / len(sample)
        result["svg_ms_per_chart"] = round(per_chart * 1000, 1)
        result["svg_all_charts_estimate_s"] = round(per_chart * len(charts), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="reuse (or create) the synthetic corpus in this folder")
    parser.add_argument("--svg-sample", type=int, default=40)
    args = parser.parse_args()
    from incidentbook.democorpus import write_corpus

    out = {"example": measure(REPO, args.svg_sample)}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.keep or Path(tmp) / "corpus"
        if not (corpus / "data").is_dir():
            started = time.perf_counter()
            write_corpus(corpus, args.incidents)
            out["corpus_written_s"] = round(time.perf_counter() - started, 1)
        out["synthetic"] = measure(corpus, args.svg_sample)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
