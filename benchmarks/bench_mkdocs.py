"""MkDocs's step of a clean build alone (run_mkdocs), with and without the theme cache
(themecache.py), alternating, in one process each time: user and system CPU seconds and wall.

    .venv/bin/python benchmarks/bench_mkdocs.py ROOT [--runs 4] [--workers 1] [--modes theme,cached]

Modes: `theme` (no cache: Material's templates make every page), `partials` (the cached partials,
each record page's frame made by the templates: PAGE_FRAME off), `cached` (everything: the
partials and the record pages' frames filled, PageFrame).

ROOT is a publication built once already (its docs/ is reused: the build's other steps find
everything unchanged); every run removes build/site first, so MkDocs converts every page. Each run
is a fresh process (`python bench_mkdocs.py ROOT --one MODE`). User CPU is the figure to
compare: on this machine, writing tens of thousands of files makes the system time and the wall
clock vary by a quarter from one run to the next.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def one(root: Path, mode: str) -> dict:
    from incidentbook import build, themecache

    if mode == "theme":
        themecache.eligible = lambda config: False
    elif mode == "partials":  # the partials cached, each page's frame made by the templates (as before 8 December)
        themecache.PAGE_FRAME = False
    original = build.run_mkdocs
    result: dict = {"mode": mode}

    def timed(*args, **kwargs):
        before, wall = resource.getrusage(resource.RUSAGE_SELF), time.time()
        out = original(*args, **kwargs)
        after = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # forked workers, once they are waited for
        result.update(wall=round(time.time() - wall, 2), user=round(after.ru_utime - before.ru_utime, 2),
                      sys=round(after.ru_stime - before.ru_stime, 2),
                      workers_user=round(children.ru_utime, 2), workers_sys=round(children.ru_stime, 2))
        return out

    build.run_mkdocs = timed
    build.index_search = lambda *args, **kwargs: None  # Pagefind is not what this measures
    shutil.rmtree(root / "build" / "site", ignore_errors=True)
    build.build(root, pdf=False)
    result["pages"] = sum(1 for _ in (root / "build" / "site").rglob("*.html"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--one", choices=("cached", "theme", "partials"))
    parser.add_argument("--modes", default="theme,cached", help="which to alternate: theme, partials, cached")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.root, args.one)), flush=True)
        return
    env = {**os.environ, "INCIDENTBOOK_MKDOCS_WORKERS": str(args.workers)}
    rows = []
    modes = args.modes.split(",")
    for number in range(args.runs):
        for mode in modes[::-1] if number % 2 else modes:
            out = subprocess.run([sys.executable, __file__, str(args.root), "--one", mode], env=env,
                                 capture_output=True, text=True, check=True).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), flush=True)
    for mode in modes:
        mine = [r for r in rows if r["mode"] == mode]
        mean = {k: round(sum(r[k] + (r["workers_" + k] if k in ("user", "sys") else 0) for r in mine) / len(mine), 2)
                for k in ("user", "sys", "wall")}
        print(f"{mode}: mean of {len(mine)} runs, {mine[0]['pages']} pages: {mean}")


if __name__ == "__main__":
    main()
