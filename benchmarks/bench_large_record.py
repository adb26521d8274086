"""Issue 7: one incident with many casualty reports, built whole (`incidentbook build`, PDFs included).

    .venv/bin/python benchmarks/bench_large_record.py [--reports 10000] [--profile OUT.prof] [--keep DIR]

Copies the example publication to a temporary folder and gives the Ghor incident N extra
casualty reports, cycling through figures whose quotes occur in its seed (different categories,
phrases, speakers and groups, so the ledger is not one row repeated), then runs the whole build
in a child process and prints its wall-clock and CPU seconds (user + system of the child and
its children) and peak RSS. With --profile the build runs under cProfile instead (in this
process) and the profile is written to OUT.prof; the 25 most expensive functions are printed.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARTS = ("seeds", "data", "templates", "mkdocs.yml", "docs/about.md")
GHOR = "data/incidents/ghor-2016-10-25.yaml"
SOURCE = "voa-2016-10-26-ghor-quetta"

# (category, phrase, said_by, quote): every quote occurs in the seed and contains its phrase.
FIGURES = [
    ("killed", "at least 30", "afghan-government",
     "Authorities in Afghanistan said Wednesday that extremists linked to Islamic State have abducted and massacred at least 30 civilians"),
    ("abducted", "at least 30", "afghan-government",
     "Authorities in Afghanistan said Wednesday that extremists linked to Islamic State have abducted and massacred at least 30 civilians"),
    ("killed", "nearly 30", "amnesty-international",
     "Amnesty International demanded Afghan authorities carry out an independent investigation into the abduction and killing of nearly 30 civilians"),
    ("killed", "at least 30", None, "abducted and massacred at least 30 civilians in a remote central region"),
]
GROUPS = ["civilians", "civilians", "woodcutters", None]


def report(n: int) -> str:
    """The n-th extra report, as YAML list item (indented under `casualties:`)."""
    category, phrase, said_by, quote = FIGURES[n % len(FIGURES)]
    group = GROUPS[(n // len(FIGURES)) % len(GROUPS)]
    lines = [f"  - category: {category}", f"    phrase: {phrase}"]
    if group:
        lines.append(f"    group: {group}")
    if said_by:
        lines.append(f"    said_by: {said_by}")
    lines += ["    evidence:", f"      source: {SOURCE}", f"      quote: {quote}"]
    return "\n".join(lines) + "\n"


def add_reports(root: Path, count: int, make=report) -> None:
    path = root / GHOR
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("casualties:\n", "casualties:\n" + "".join(make(n) for n in range(count)), 1),
                    encoding="utf-8")


def copy_example(dest: Path) -> Path:
    for part in PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_example(args.keep or Path(tmp) / "pub")
        add_reports(root, args.reports)
        print(f"{args.reports:,} extra casualty reports on {GHOR} ({root})")
        if args.profile:
            import cProfile
            import pstats

            from incidentbook.build import build

            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.runcall(build, root, False, None, not args.no_pdf)
            print(f"build under cProfile: {time.perf_counter() - started:.1f} s wall")
            profiler.dump_stats(args.profile)
            pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(25)
            pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)
            return 0
        command = [str(Path(sys.executable).parent / "incidentbook"), "--root", str(root), "build"]
        command += ["--no-pdf"] if args.no_pdf else []
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(" ".join(command[1:]))
        print(f"exit {result.returncode}: {wall:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU "
              f"(user {usage.ru_utime:.1f}, system {usage.ru_stime:.1f}), peak RSS {usage.ru_maxrss / 1024:.0f} MB")
        if result.returncode:
            print(result.stderr[-3000:])
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
