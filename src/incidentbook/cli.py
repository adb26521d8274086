"""The `incidentbook` command. Exit codes: 0 ok, 1 problems in the data, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from . import __version__, importcli, publish
from .build import SiteBuildFailed, build, check
from .draftcli import add_arguments, run_add, run_draft
from .problems import ProblemsFound

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with a one-line message, no traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="incidentbook", description="Build incident publications from seeds, curated data and templates.")
    parser.add_argument("--version", action="version", version=f"incidentbook {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."), help="the publication's folder (default: current folder)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = commands.add_parser("build", help="validate, verify evidence, generate pages and build the site into build/site/")
    b.add_argument("--strict", action="store_true", help="fail on any MkDocs warning (broken links, missing pages)")
    b.add_argument("--no-pdf", action="store_true", help="skip the PDFs (build/pdf/report.pdf and one per brief and profile)")
    commands.add_parser("check", help="validate everything build validates; write nothing")
    commands.add_parser("status", help="sources added, changed or removed since the last build, what they affect, and quotes that broke")
    commands.add_parser("linkcheck", help="check every internal link and anchor of the built site in build/site/")
    s = commands.add_parser("serve", help="live preview on localhost, rebuilding when data, seeds or templates change")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1")
    i = commands.add_parser("init", help="create a new, empty publication that builds")
    i.add_argument("directory", type=Path)
    add_arguments(commands)
    importcli.add_arguments(commands)
    return parser


def _report_problems(console: Console, exc: ProblemsFound) -> int:
    for problem in exc.problems:
        console.print(str(problem), markup=False, highlight=False)
    n = len(exc.problems)
    console.print(f"[bold red]{n} problem{'s' if n != 1 else ''} found.[/] Nothing was built; build/site/ is unchanged.")
    return EXIT_PROBLEMS


def _print_held_back(console: Console, pub) -> None:
    """Drafts the build validated but did not publish, each with file:line, so none is forgotten."""
    from .views import held_back

    drafts = held_back(pub)
    if not drafts:
        return
    incidents = sum(1 for d in drafts if d.what.startswith("draft incident "))
    entries = len(drafts) - incidents
    counts = [f"{n} draft {one if n == 1 else many}" for n, one, many in
              ((incidents, "incident", "incidents"), (entries, "entry", "entries")) if n]
    console.print(f"[yellow]Held back[/] (checked, not published): {' and '.join(counts)}; "
                  "remove `draft: true` from each once checked:", highlight=False)
    for item in drafts:
        console.print(f"  {item}", markup=False, highlight=False)


def _print_status(root: Path, console: Console) -> int:
    from .status import status

    report = status(root)
    if not report.has_manifest:
        console.print("No previous build recorded (build/manifest.json); every source counts as added.")
    if not report.changes:
        console.print("[green]No source has changed since the last build.[/]")
    for change in report.changes:
        fingerprints = f"{(change.old_sha256 or '-')[:12]} → {(change.new_sha256 or '-')[:12]}"
        console.print(f"[bold]{change.change}[/] source {change.source_id} (seeds/{change.seed}) {fingerprints}", highlight=False)
        if change.records:
            console.print("  records citing it: " + ", ".join(change.records), highlight=False)
        if change.pages:
            console.print("  pages showing them: " + ", ".join(change.pages), highlight=False)
    for problem in report.broken_quotes:
        console.print(str(problem), markup=False, highlight=False)
    if report.broken_quotes:
        n = len(report.broken_quotes)
        console.print(f"[bold red]{n} quote{'s' if n != 1 else ''} no longer found in {'their sources' if n != 1 else 'its source'}.[/] "
                      "Update the records (the closest passage is suggested), then build.")
    if report.other_problems:
        console.print(f"{len(report.other_problems)} other problem(s): run `incidentbook check` for the list.")
    return EXIT_PROBLEMS if report.broken_quotes else EXIT_OK


def _root(args: argparse.Namespace, console: Console) -> Path | None:
    root = args.root.resolve()
    if not (root / "data").is_dir() or not (root / "mkdocs.yml").is_file():
        console.print(f"[red]{root} is not an incidentbook publication[/] (no data/ folder or mkdocs.yml); "
                      "run `incidentbook init DIR` to create one, or pass --root.")
        return None
    return root


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)
    if args.command == "init":
        from .scaffold import init

        try:
            created = init(args.directory)
        except FileExistsError as exc:
            console.print(f"[red]{exc}[/]")
            return EXIT_USAGE
        console.print(f"Created a new publication in {created}. Next: cd {created} && incidentbook build")
        return EXIT_OK
    if args.command == "demo-corpus":
        return importcli.run_demo_corpus(args, console)
    if args.command == "import" and args.into is not None:
        args.root = args.into
    root = _root(args, console)
    if root is None:
        return EXIT_USAGE
    for published in ("site", "pdf"):  # a build killed mid-swap (where the swap takes two renames)
        publish.recover(root / "build" / published)
    if args.command == "import":
        return importcli.run_import(root, args, console)
    if args.command in ("add", "draft"):
        try:
            return (run_add if args.command == "add" else run_draft)(root, args, console)
        except ProblemsFound as exc:
            for problem in exc.problems:
                console.print(str(problem), markup=False, highlight=False)
            console.print("[bold red]Nothing was written.[/]")
            return EXIT_PROBLEMS
    try:
        if args.command == "check":
            pub, verification = check(root)
            console.print(f"[green]OK[/]: {len(pub.incidents)} incidents, {len(pub.actors)} actors, "
                          f"{len(pub.places)} places, {len(pub.sources)} sources; {verification.count} quotes verified.")
            _print_held_back(console, pub)
            return EXIT_OK
        if args.command == "status":
            return _print_status(root, console)
        if args.command == "linkcheck":
            from .linkcheck import check_links

            site = root / "build" / "site"
            if not site.is_dir():
                console.print("[red]build/site/ does not exist[/]: run `incidentbook build` first.")
                return EXIT_USAGE
            checked, broken = check_links(site)
            for link in broken:
                console.print(f"build/site/{link}", markup=False, highlight=False)
            console.print(f"{checked} internal links checked, [{'red' if broken else 'green'}]{len(broken)} broken[/].")
            return EXIT_PROBLEMS if broken else EXIT_OK
        if args.command == "build":
            with console.status("Building") as status:
                result = build(root, strict=args.strict, progress=lambda m: status.update(m), pdf=not args.no_pdf)
            for warning in result.warnings:
                console.print(f"[yellow]warning[/]: {warning}", markup=True, highlight=False)
            console.print(f"[green]Built[/] {result.site_dir.relative_to(root)}/: {len(result.pub.incidents)} incidents, "
                          f"{len(result.pub.actors)} actors, {result.verification.count} quotes verified; "
                          f"{result.pages_written} pages written, {result.pages_removed} removed.")
            _print_held_back(console, result.pub)
            if not args.no_pdf:
                console.print(f"PDFs in build/pdf/: {result.pdfs_compiled} compiled, {result.pdfs_unchanged} unchanged.")
            return EXIT_OK
        if args.command == "serve":
            from .serve import serve

            from .serve import regenerate

            regenerate(root, console)  # on problems, the preview opens on a page listing them
            serve(root, args.host, args.port, console)
            return EXIT_OK
    except ProblemsFound as exc:
        return _report_problems(console, exc)
    except SiteBuildFailed as exc:
        for message in exc.messages:
            console.print(f"[red]site build[/]: {message}", highlight=False)
        console.print("[bold red]The site build failed.[/] build/site/ is unchanged.")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
