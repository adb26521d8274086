"""The two real datasets, whole: import both into one new publication and build its site (issue 8).

    .venv/bin/python benchmarks/bench_datasets.py --keep /tmp/wikipbc [--shared ../shared]

1. `incidentbook init` a new publication in DIR/pub;
2. `incidentbook import` the Wikipedia-derived list (every row), then Pakistan Body Count into the
   same publication, each under /usr/bin/time -v, with the rejected rows written to DIR/rejected-*.csv;
3. `incidentbook build --no-pdf` (every chart image rendered with vl-convert, the search index made);
4. checks what a reader gets: a page for every incident (build/site/incidents/<id>/index.html), the
   chart images and the overview map present; counts pages, charts, search index parts and bytes.

Prints one JSON object: rows read, incidents written, rows rejected by column and reason, and
wall-clock / CPU seconds / peak RSS of each step. Nothing of the datasets is copied into the repo.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import timed, tree_bytes  # noqa: E402

WIKIPEDIA = "datasets/wikipedia-terrorism-list/global_terrorism.csv"
PBC = "datasets/pakistan-suicide-attacks/PakistanSuicideAttacks-v11-2017-11-30.csv"


def rejected(path: Path) -> dict[str, int]:
    """Rejected rows by "column: reason" (the reason without its examples)."""
    with open(path, encoding="utf-8", newline="") as f:
        counts = Counter(f"{row['column']}: {re.sub(r' [(].*$', '', row['reason'])}" for row in csv.DictReader(f))
    return dict(counts.most_common())


def data_rows(path: Path, encoding: str) -> int:
    with open(path, encoding=encoding, newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ib-datasets-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "pub"
    subprocess.run([str(BIN / "incidentbook"), "init", str(root)], check=True, capture_output=True)
    out: dict = {}
    for name, rel, fmt, encoding in (("wikipedia", WIKIPEDIA, "wikipedia", "utf-8"), ("pbc", PBC, "pbc", "latin-1")):
        source, reject_file = args.shared / rel, work / f"rejected-{name}.csv"
        step = timed([str(BIN / "incidentbook"), "import", str(source), "--format", fmt, "--into", str(root),
                      "--rejected", str(reject_file)], work)
        step["rows_read"] = data_rows(source, encoding)
        step["rejected"] = rejected(reject_file) if reject_file.is_file() else {}
        step["rows_rejected"] = sum(step["rejected"].values())
        out[f"import_{name}"] = step
    incidents = sorted(p.stem for p in (root / "data" / "incidents").glob("*.yaml"))
    out["incidents"] = len(incidents)
    out["build"] = timed([str(BIN / "incidentbook"), "--root", str(root), "build", "--no-pdf"], root)
    site = root / "build" / "site"
    missing = [i for i in incidents if not (site / "incidents" / i / "index.html").is_file()]
    charts = site / "assets" / "generated" / "charts"
    out["site"] = {
        "pages": sum(1 for _ in site.rglob("index.html")),
        "incidents_without_a_page": len(missing),
        "chart_images": sum(1 for _ in charts.glob("*.svg")),
        "overview_map": (charts / "map-incidents.svg").is_file(),
        "bytes": tree_bytes(site),
        "search_parts": len(json.loads((site / "pagefind" / "ib-shards.json").read_text())["parts"])
        if (site / "pagefind" / "ib-shards.json").is_file() else 1,
    }
    print(json.dumps(out, indent=1))
    if missing:
        raise SystemExit(f"{len(missing)} incidents have no page, e.g. {missing[:5]}")


if __name__ == "__main__":
    main()
