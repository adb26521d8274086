"""The `add` and `draft` commands: argument handling and messages around ingest, draft and draftyaml."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from rich.console import Console

from .build import check
from .draft import draft
from .draftyaml import render_draft, replace_bytes, write_draft
from .ingest import add_article
from .load import MAX_SEED_BYTES, load_publication
from .problems import Problem, ProblemsFound


def iso_date(text: str) -> dt.date:
    """argparse type for --published."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2016-10-26") from None


def add_arguments(commands: argparse._SubParsersAction) -> None:
    a = commands.add_parser("add", help="copy a new article into seeds/ unchanged and register it as a source")
    a.add_argument("file", help="the article as a UTF-8 text file, or - to read it from standard input")
    a.add_argument("--publisher", required=True, help="who published it")
    a.add_argument("--published", required=True, type=iso_date, help="publication date, YYYY-MM-DD")
    a.add_argument("--title", help="headline (default: the first line of the text)")
    a.add_argument("--url", help="address of the original")
    a.add_argument("--author", help="author, if given")
    a.add_argument("--language", default="en", help="ISO 639-1 code of the text's language (default: en)")
    a.add_argument("--id", dest="source_id", help="source id (default: publisher-date-title words)")
    d = commands.add_parser("draft", help="propose records from a source as YAML, every value with its quote")
    d.add_argument("source", help="id of the source (data/sources/<id>.yaml)")
    d.add_argument("--write", action="store_true",
                   help="write new incidents to data/incidents/ and add proposed entries to the matched incidents' files, all marked draft: true")


def run_add(root: Path, args: argparse.Namespace, console: Console) -> int:
    """Raises ProblemsFound for bad input; returns the exit code otherwise."""
    if args.file == "-":
        raw, display = sys.stdin.buffer.read(MAX_SEED_BYTES + 1), "<stdin>"  # enough to tell it is too long
    else:
        path = Path(args.file)
        display = args.file
        if not path.is_file():
            raise ProblemsFound([Problem(display, None, "", "no such file" if not path.exists() else "not a file")])
        if path.stat().st_size > MAX_SEED_BYTES:  # before reading: a huge file is refused without loading it
            raise ProblemsFound([Problem(display, None, "", f"file is {path.stat().st_size:,} bytes; the limit for an article is {MAX_SEED_BYTES:,}")])
        raw = path.read_bytes()
    added = add_article(root, raw, display, title=args.title, publisher=args.publisher, published=args.published,
                        url=args.url, author=args.author, language=args.language, source_id=args.source_id)
    console.print(f"[green]Added[/] source {added.source.id}: seeds/{added.seed_path.name} "
                  f"(sha256 {added.sha256}), data/sources/{added.source_path.name}", highlight=False)
    if added.debris:
        console.print("Scraping debris (do not quote these lines):", highlight=False)
        for item in added.debris:
            console.print(f"  {item}", markup=False, highlight=False)
    console.print(f"Next: incidentbook draft {added.source.id}", highlight=False)
    return 0


def run_draft(root: Path, args: argparse.Namespace, console: Console) -> int:
    """Print the draft (or write it with --write). Raises ProblemsFound; returns the exit code otherwise."""
    pub = load_publication(root)
    if args.source not in pub.sources:
        console.print(f"[red]unknown source {args.source!r}[/]; known: {', '.join(sorted(pub.sources)) or 'none'}", highlight=False)
        return 2
    proposal = draft(pub, args.source)
    if not args.write:
        sys.stdout.write(render_draft(proposal))
        return 0
    written = write_draft(root, proposal, pub)
    try:
        check(root)
    except ProblemsFound:
        for item in written:  # undo: remove new files, restore edited ones byte for byte
            if item.created:
                item.path.unlink()
            else:
                replace_bytes(item.path, item.old)
        raise
    for item in written:
        where = item.path.relative_to(root)
        if item.created:
            console.print(f"[green]Wrote[/] {where} (a new incident, marked draft: true)", highlight=False)
        else:
            parts = [f"{n} {what if n == 1 else what + 's'}" for key, what in
                     (("casualties", "casualty report"), ("responsibility", "responsibility statement"))
                     if (n := item.entries.get(key))]
            total = sum(item.entries.values())
            console.print(f"[green]Added[/] {total} draft entr{'y' if total == 1 else 'ies'} to {where}: "
                          f"{' and '.join(parts)}", highlight=False)
    if not written and (proposal.additions or proposal.incidents):
        console.print("Nothing new to write: the source adds nothing to the existing incidents.")
    elif not written:
        console.print("Nothing to write: no casualty figure or statement of responsibility was found in the source.")
    if any(item.created for item in written):
        console.print("Draft incidents are checked but not published: remove `draft: true` from each once checked.")
    if any(not item.created for item in written):
        console.print("Draft entries are checked but not published: remove `draft: true` from each entry once checked.")
    return 0
