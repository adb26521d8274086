"""The site's chart images of a publication, drawn one by one: time per kind of chart (issue 8).

    .venv/bin/python benchmarks/bench_chart_images.py ROOT

Loads the publication at ROOT, builds every chart's spec (charts.build_charts) and draws the
static SVG of each chart that has a site image (chartkit.Chart.site_image) with
chartfiles.render_svg, in this process; prints, per kind (the id's first word and last word),
how many, their total, the slowest and the median. The first chart drawn also pays for
vl-convert's start (~0.5 s).
"""

from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

from incidentbook.build import check
from incidentbook.chartfiles import render_svg
from incidentbook.charts import build_charts
from incidentbook.views import Views


def main() -> None:
    pub, verification = check(Path(sys.argv[1]))
    charts = build_charts(Views(pub, verification))
    by_kind: dict[str, list[tuple[float, str]]] = collections.defaultdict(list)
    for chart_id, chart in charts.items():
        if not chart.site_image:
            continue
        started = time.perf_counter()
        render_svg(chart.spec)
        by_kind[f"{chart_id.split('-')[0]}-{chart_id.rsplit('-', 1)[1]}"].append((time.perf_counter() - started, chart_id))
    out = {}
    for kind, times in sorted(by_kind.items(), key=lambda item: -sum(t for t, _ in item[1])):
        times.sort(reverse=True)
        out[kind] = {"charts": len(times), "seconds": round(sum(t for t, _ in times), 1),
                     "slowest_ms": round(times[0][0] * 1000), "slowest": times[0][1],
                     "median_ms": round(times[len(times) // 2][0] * 1000)}
    out["all"] = {"charts": sum(v["charts"] for v in out.values()), "seconds": round(sum(v["seconds"] for v in out.values()), 1)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
