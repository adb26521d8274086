"""Live preview: MkDocs' dev server, with generated pages rewritten when data, seeds or templates change."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.console import Console

from .build import check, edition, generate
from .mkdocs_config import config_overrides
from .problems import ProblemsFound

WATCHED = ("seeds", "data", "templates")


def _regenerate(root: Path, console: Console) -> None:
    try:
        pub, verification = check(root)
    except ProblemsFound as exc:
        for problem in exc.problems:
            console.print(str(problem), markup=False, highlight=False)
        console.print(f"[bold red]{len(exc.problems)} problem(s)[/]: the preview keeps the last good pages until they are fixed.")
        return
    written, removed = generate(root, pub, verification)
    console.print(f"[green]Regenerated[/]: {written} pages written, {removed} removed.")


def serve(root: Path, host: str, port: int, console: Console) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from watchfiles import watch

    stop = threading.Event()
    paths = [root / name for name in WATCHED if (root / name).is_dir()]

    def loop() -> None:
        for _changes in watch(*paths, stop_event=stop, debounce=300):
            _regenerate(root, console)

    watcher = threading.Thread(target=loop, name="incidentbook-watch", daemon=True)
    watcher.start()
    console.print(f"Serving on http://{host}:{port}/ — watching {', '.join(p.name + '/' for p in paths)} and docs/. Ctrl-C stops.")
    try:
        pub, _ = check(root)
        info = edition(root, pub)
        overrides = config_overrides(root, pub, info.commit, info.version)
        mkdocs_serve(config_file=str(root / "mkdocs.yml"), livereload=True, dev_addr=f"{host}:{port}", **overrides)
    finally:
        stop.set()
