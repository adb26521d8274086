"""Build benchmark on a synthetic corpus: our build versus the plain mkdocs-material set-up.

    .venv/bin/python benchmarks/bench_build.py --incidents 1000 [--plain] [--keep DIR]

1. `incidentbook demo-corpus --incidents N` into a fresh folder;
2. load + validate in this process (seconds);
3. `/usr/bin/time -v incidentbook build --no-pdf` (wall time, CPU, peak RSS, site bytes, search index bytes:
   Pagefind's whole index, of which a browser fetches only what a query needs);
4. with --plain, the same generated Markdown built the way a user would first write it: every
   page in the nav, the built-in search, no incidentbook (wall time, peak RSS, bytes).
Prints one JSON object; BENCHMARKS.md records the figures with the command.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> dict:
    """Run under /usr/bin/time -v: wall seconds and peak RSS in MB."""
    result = subprocess.run(["/usr/bin/time", "-v", *command], check=False, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1)) for kind in ("User", "System"))
    return {"seconds": round(hours * 3600 + minutes * 60 + seconds, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mb": round(rss / 1024)}


def tree_bytes(path: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in path.rglob(pattern) if p.is_file())


def plain_site(root: Path, work: Path) -> dict:
    """The generated pages built with every page in the nav and the built-in search."""
    docs = work / "docs"
    shutil.copytree(root / "docs", docs)
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    config = {"site_name": "plain", "docs_dir": "docs", "site_dir": "site", "theme": {"name": "material", "font": False},
              "plugins": ["search"], "markdown_extensions": ["tables", "footnotes", "admonition", "attr_list", "md_in_html",
                                                           "pymdownx.details"],
              "nav": pages}
    (work / "mkdocs.yml").write_text(json.dumps(config), encoding="utf-8")
    figures = timed([str(BIN / "mkdocs"), "build", "-q"], work)
    figures["site_mb"] = round(tree_bytes(work / "site") / 1e6, 1)
    index = work / "site" / "search" / "search_index.json"
    figures["search_index_mb"] = round(index.stat().st_size / 1e6, 1) if index.exists() else None
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, required=True)
    parser.add_argument("--plain", action="store_true", help="also build the plain mkdocs-material set-up")
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    parser.add_argument("--no-charts", action="store_true",
                        help="build with charts.build_charts replaced by an empty function (records that charts were skipped)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ib-bench-"))
    root = work / "pub"
    out: dict = {"incidents": args.incidents}
    started = time.perf_counter()
    subprocess.run([str(BIN / "incidentbook"), "demo-corpus", "--incidents", str(args.incidents), "--out", str(root)], check=True)
    out["corpus_seconds"] = round(time.perf_counter() - started, 1)

    from incidentbook.load import load_publication
    from incidentbook.validate import validate

    started = time.perf_counter()
    pub = load_publication(root)
    out["load_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    verification = validate(pub)
    out["validate_seconds"] = round(time.perf_counter() - started, 1)
    out["quotes_verified"] = verification.count
    out["sources"] = len(pub.sources)
    del pub, verification

    command = [str(BIN / "incidentbook"), "--root", str(root), "build", "--no-pdf"]
    if args.no_charts:
        out["charts"] = "skipped (--no-charts)"
        stub = ("import sys, incidentbook.build as b; from incidentbook.cli import main; "
                "b.build_charts = lambda views: {}; sys.exit(main(sys.argv[1:]))")
        command = [sys.executable, "-c", stub, *command[1:]]
    out["build"] = timed(command, root)
    site = root / "build" / "site"
    out["build"]["pages"] = sum(1 for _ in site.rglob("index.html"))
    out["build"]["site_mb"] = round(tree_bytes(site) / 1e6, 1)
    out["build"]["html_bytes_per_incident"] = round(tree_bytes(site, "*.html") / args.incidents)
    index = site / "search" / "search_index.json"
    out["build"]["search_index_mb"] = round(index.stat().st_size / 1e6, 1) if index.exists() else None
    # Pagefind's index, all of it (a browser fetches only a query's chunks: bench_search.py)
    out["build"]["pagefind_index_mb"] = round(tree_bytes(site / "pagefind") / 1e6, 1) if (site / "pagefind").is_dir() else None
    if args.plain:
        out["plain"] = plain_site(root, work / "plain")
        out["ratio_time_ours_over_plain"] = round(out["build"]["seconds"] / out["plain"]["seconds"], 2)
        out["ratio_bytes_ours_over_plain"] = round(out["build"]["site_mb"] / out["plain"]["site_mb"], 2)
    print(json.dumps(out, indent=1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
