"""The `incidentbook` command. Exit codes: 0 ok, 1 problems in the data, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from . import __version__, importcli
from .build import SiteBuildFailed, build, check, generate
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
            return EXIT_OK
        if args.command == "build":
            with console.status("Building") as status:
                result = build(root, strict=args.strict, progress=lambda m: status.update(m), pdf=not args.no_pdf)
            for warning in result.warnings:
                console.print(f"[yellow]warning[/]: {warning}", markup=True, highlight=False)
            console.print(f"[green]Built[/] {result.site_dir.relative_to(root)}/: {len(result.pub.incidents)} incidents, "
                          f"{len(result.pub.actors)} actors, {result.verification.count} quotes verified; "
                          f"{result.pages_written} pages written, {result.pages_removed} removed.")
            if not args.no_pdf:
                console.print(f"PDFs in build/pdf/: {result.pdfs_compiled} compiled, {result.pdfs_unchanged} unchanged.")
            return EXIT_OK
        if args.command == "serve":
            from .serve import serve

            pub, verification = check(root)
            generate(root, pub, verification)
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
