"""Clean builds of one corpus with MkDocs converting pages in 1, 2, … processes (parallelpages.py, issue 8).

    .venv/bin/python benchmarks/bench_workers.py --reuse /tmp/bench1k/pub --workers 1,2 --keep /tmp/bw1k [--stub-chart-images]

For each number of workers, the corpus's inputs (data/, seeds/, templates/, mkdocs.yml, hand-written
docs) are copied to a fresh folder and built clean with `incidentbook build --no-pdf` and
INCIDENTBOOK_MKDOCS_WORKERS set, under /usr/bin/time -v (wall clock, CPU seconds of the build and
its workers, peak RSS of the largest single process); then the sites are compared file by file.
--stub-chart-images: as in bench_rebuild.py (every chart image a stand-in, so the chart images'
hour of vl-convert does not hide what changes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_rebuild  # noqa: E402
from bench_build import timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True, help="a publication (e.g. a demo corpus)")
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of MkDocs processes")
    parser.add_argument("--keep", type=Path, required=True, help="work in this folder")
    parser.add_argument("--stub-chart-images", action="store_true")
    args = parser.parse_args()
    bench_rebuild.STUB_IMAGES = args.stub_chart_images
    out: dict = {"corpus": str(args.reuse), "chart_images": "stand-in" if args.stub_chart_images else "vl-convert"}
    trees = {}
    for workers in [int(n) for n in args.workers.split(",")]:
        root = args.keep / f"workers-{workers}"
        shutil.rmtree(root, ignore_errors=True)
        bench_rebuild.copy_inputs(args.reuse, root)
        os.environ["INCIDENTBOOK_MKDOCS_WORKERS"] = str(workers)
        command = ([sys.executable, "-c", bench_rebuild.STUB] if args.stub_chart_images
                   else [str(bench_rebuild.BIN / "incidentbook")])
        out[f"workers_{workers}"] = timed([*command, "--root", str(root), "build", "--no-pdf"], root)
        trees[workers] = bench_rebuild.tree(root / "build" / "site")
    first, *others = trees.values()
    out["files"] = len(first)
    out["identical"] = all(tree == first for tree in others)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
