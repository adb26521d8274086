"""The `import` and `demo-corpus` subcommands (registered in cli.py)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from rich.console import Console

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_arguments(commands) -> None:
    from .importers import FORMATS

    i = commands.add_parser("import", help="import rows of a CSV dataset as records (new files only; curated files are never overwritten)")
    i.add_argument("dataset", type=Path, help="the CSV file; it is read where it lies and registered as a source, not copied")
    how = i.add_mutually_exclusive_group(required=True)
    how.add_argument("--format", choices=FORMATS, help="a built-in mapping: wikipedia (list of terrorist incidents) or pbc (Pakistan Body Count)")
    how.add_argument("--mapping", type=Path, help="a column-mapping YAML file for any other CSV (see 'Importing datasets' in README.md)")
    i.add_argument("--into", type=Path, help="the publication to import into (default: --root)")
    i.add_argument("--limit", type=int, help="import only the first N rows")
    i.add_argument("--dry-run", action="store_true", help="read and report; write nothing")
    i.add_argument("--rejected", type=Path, help="also write the rejected rows (file, row, column, value, reason) to this CSV")
    d = commands.add_parser("demo-corpus", help="write a synthetic publication of N incidents for benchmarks (clearly labelled synthetic)")
    d.add_argument("--incidents", type=int, required=True, help="number of incidents")
    d.add_argument("--out", type=Path, required=True, help="a new folder for the publication")
    d.add_argument("--seed", type=int, default=1, help="random seed (the same seed gives the same corpus)")


def run_import(root: Path, args: argparse.Namespace, console: Console) -> int:
    from .importers import import_dataset

    if args.limit is not None and args.limit < 1:
        console.print("[red]--limit must be at least 1[/]")
        return EXIT_USAGE
    if not args.dataset.is_file():
        console.print(f"[red]{args.dataset} not found[/]")
        return EXIT_USAGE
    if args.mapping is not None and not args.mapping.is_file():
        console.print(f"[red]mapping file {args.mapping} not found[/]")
        return EXIT_USAGE
    try:
        report = import_dataset(root, args.dataset, args.format, args.mapping, args.limit, args.dry_run)
    except (ValueError, UnicodeDecodeError) as exc:
        console.print(f"[red]{exc}[/]", markup=False, highlight=False)
        console.print("[bold red]Nothing was written.[/]")
        return EXIT_PROBLEMS
    for rejection in report.rejected:
        console.print(str(rejection), markup=False, highlight=False)
    if args.rejected:
        with open(args.rejected, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "row", "column", "value", "reason"])
            for r in report.rejected:
                writer.writerow([r.file, r.row, r.column, r.value, r.reason])
    for line in report.summary():
        console.print(line, markup=False, highlight=False)
    if args.dry_run:
        console.print("Dry run: nothing was written.")
    return EXIT_OK if report.imported or report.already_present or not report.rows_read else EXIT_PROBLEMS


def run_demo_corpus(args: argparse.Namespace, console: Console) -> int:
    from .democorpus import write_corpus

    if args.incidents < 1:
        console.print("[red]--incidents must be at least 1[/]")
        return EXIT_USAGE
    try:
        counts = write_corpus(args.out, args.incidents, seed=args.seed)
    except FileExistsError as exc:
        console.print(f"[red]{exc}[/]")
        return EXIT_USAGE
    console.print(f"Wrote a SYNTHETIC demo publication in {args.out}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()) + ".")
    return EXIT_OK
