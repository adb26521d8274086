"""Live preview: MkDocs' dev server, with generated pages rewritten when data, seeds or templates change."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from rich.console import Console

from . import htmlpages
from .build import check, edition, generate
from .load import load_publication
from .mkdocs_config import config_overrides
from .problems import ProblemsFound

WATCHED = ("seeds", "data", "templates")  # docs/ is watched by MkDocs itself


def regenerate(root: Path, console: Console) -> None:
    try:
        pub, verification = check(root)
    except ProblemsFound as exc:
        for problem in exc.problems:
            console.print(str(problem), markup=False, highlight=False)
        console.print(f"[bold red]{len(exc.problems)} problem(s)[/]: the preview's home page lists them; "
                      "other pages stay as they were until they are fixed.")
        error_page(root, exc)
        return
    written, removed = generate(root, pub, verification)
    console.print(f"[green]Regenerated[/]: {written} pages written, {removed} removed.")


def error_page(root: Path, exc: ProblemsFound) -> None:
    """Show the problems on the preview's home page (a generated file, rewritten by the next good build)."""
    from .render import md_escape

    lines = ["---", "title: Build problems", "---", "", "# The publication does not build", "",
             "!!! failure \"Fix these problems; the preview rebuilds when you save.\"", ""]
    lines += [f"    - {md_escape(str(problem))}" for problem in exc.problems]
    (root / "docs" / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _stop_on_sigterm(signum, frame):  # (a signal handler's signature)
    raise KeyboardInterrupt  # MkDocs' server stops on it and removes its temporary site folder


def serve(root: Path, host: str, port: int, console: Console) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from watchfiles import watch

    stop = threading.Event()
    paths = [root / name for name in WATCHED if (root / name).is_dir()]

    def loop() -> None:
        for _changes in watch(*paths, stop_event=stop, debounce=300):
            regenerate(root, console)

    # `kill`, a service manager or a test's terminate() sends SIGTERM, which would end Python at once
    # and leave MkDocs' temporary copy of the site in the temp folder; stop as Ctrl-C does instead.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    watcher = threading.Thread(target=loop, name="incidentbook-watch", daemon=True)
    watcher.start()
    console.print(f"Serving on http://{host}:{port}/ — watching {', '.join(p.name + '/' for p in paths)} and docs/. Ctrl-C stops.")
    try:
        pub = load_publication(root)  # problems in records are shown on the error page, not raised here
        info = edition(root, pub)
        overrides = config_overrides(root, pub, info.version, pagefind=False)  # Material's search: no Pagefind index here
        with htmlpages.installed():  # the record pages are HTML already
            mkdocs_serve(config_file=str(root / "mkdocs.yml"), livereload=True, dev_addr=f"{host}:{port}", **overrides)
    finally:
        stop.set()
