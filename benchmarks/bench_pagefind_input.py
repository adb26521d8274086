"""What Pagefind is given of each page (sitesearch.searchable), with and without the content of
the elements it leaves out taken out (sitesearch._emptied), alternating, on a built site.

    .venv/bin/python benchmarks/bench_pagefind_input.py SITE [--section incidents] [--pages 2500] [--runs 3]

For each run and each way ("article": the page cut down to its title and article, as before
8 December; "emptied": that article with the content of data-pagefind-ignore="all" elements and
of the excluded selectors taken out), the first --pages pages of the section (its record pages,
`<section>/<id>/index.html`; --section all: every page of the site) are cut in this process
(CPU timed), written into a folder, and indexed by one Pagefind run with the build's options
(sitesearch.pagefind_command): its user and system CPU, wall time and the bytes it was given.
The two indexes must be byte for byte the same (checked after each pair). SITE is not changed.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from incidentbook import sitesearch


def pages_of(site: Path, section: str, limit: int) -> list[Path]:
    if section == "all":
        found = sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != sitesearch.OUTPUT_SUBDIR)
    else:
        found = [p for p in sorted((site / section).glob("*/index.html")) if not p.parent.name.startswith("page_")]
    return found[:limit]


def one(site: Path, pages: list[Path], way: str, work: Path) -> dict:
    original = sitesearch._emptied
    if way == "article":
        sitesearch._emptied = lambda article: None
    try:
        texts = [p.read_bytes() for p in pages]
        started = time.process_time()
        cut = [sitesearch.searchable(text) for text in texts]
        cut_cpu = time.process_time() - started
    finally:
        sitesearch._emptied = original
    mirror, output = work / f"{way}-pages", work / f"{way}-index"
    for path, data in zip(pages, cut):
        target = mirror / path.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    before, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    subprocess.run(sitesearch.pagefind_command(mirror, output), cwd=mirror, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"way": way, "pages": len(pages), "bytes_given": sum(map(len, cut)), "cut_cpu_s": round(cut_cpu, 2),
            "pagefind_wall_s": round(time.time() - wall, 2), "pagefind_user_s": round(after.ru_utime - before.ru_utime, 2),
            "pagefind_sys_s": round(after.ru_stime - before.ru_stime, 2)}


def same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / rel, b / rel, shallow=False) for rel in files_a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--section", default="incidents")
    parser.add_argument("--pages", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pages = pages_of(args.site, args.section, args.pages)
    if not pages:
        sys.exit(f"no pages of {args.section!r} under {args.site}")
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-pagefind-input-") as folder:
            work = Path(folder)
            pair = [one(args.site, pages, way, work) for way in (("article", "emptied") if run % 2 == 0 else ("emptied", "article"))]
            identical = same_tree(work / "article-index", work / "emptied-index")
            for result in pair:
                result.update(run=run + 1, identical_index=identical)
                print(json.dumps(result), flush=True)
            results += pair
            shutil.rmtree(work, ignore_errors=True)
    for way in ("article", "emptied"):
        mine = [r for r in results if r["way"] == way]
        print(f"{way}: {mine[0]['pages']:,} pages, {mine[0]['bytes_given'] / 1e6:.1f} MB given; Pagefind user CPU median "
              f"{statistics.median(r['pagefind_user_s'] for r in mine):.2f} s, wall median "
              f"{statistics.median(r['pagefind_wall_s'] for r in mine):.2f} s; cutting "
              f"{statistics.median(r['cut_cpu_s'] for r in mine):.2f} s CPU")
    if not all(r["identical_index"] for r in results):
        sys.exit("the indexes differ")


if __name__ == "__main__":
    main()
