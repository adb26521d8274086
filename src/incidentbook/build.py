"""The build, top to bottom: load → validate → verify evidence → derive views → render → publish.

Side effects (writing pages, running MkDocs, swapping the published site) happen here only.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .chartfiles import write_scripts, write_svgs
from .charts import build_charts
from .load import Publication, load_publication
from .site import render_pages, write_pages
from .validate import Verification, validate
from .views import Views


@dataclass
class BuildResult:
    pub: Publication
    verification: Verification
    pages_written: int = 0
    pages_removed: int = 0
    site_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)


class SiteBuildFailed(Exception):
    """MkDocs failed or (in strict mode) warned; the previous site is left as it was."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def check(root: Path) -> tuple[Publication, Verification]:
    """Everything build validates; writes nothing. Raises ProblemsFound."""
    pub = load_publication(root)
    return pub, validate(pub)


def generate(root: Path, pub: Publication, verification: Verification) -> tuple[int, int]:
    """Write the generated Markdown and assets into docs/ (only files whose bytes change)."""
    views = Views(pub, verification)
    charts = build_charts(views)
    pages = render_pages(pub, views, charts=charts)
    css = resources.files("incidentbook").joinpath("builtin/assets/incidentbook.css").read_text(encoding="utf-8")
    pages["assets/generated/incidentbook.css"] = css
    write_svgs(root / "docs", charts)  # before the PDFs, which embed them (chartfiles.chart_svgs)
    write_scripts(root / "docs")
    return write_pages(root / "docs", pages)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(root: Path, site_dir: Path, strict: bool) -> list[str]:
    """Build the MkDocs site into site_dir; returns MkDocs warnings. Raises SiteBuildFailed."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=strict)
        mkdocs_build(config)
    except (MkDocsException, SystemExit, OSError) as exc:
        raise SiteBuildFailed(handler.messages + [f"MkDocs: {exc}"]) from None
    finally:
        logger.removeHandler(handler)
    return handler.messages


def publish_site(root: Path, strict: bool = False) -> tuple[Path, list[str]]:
    """Build into build/site.new, then swap it in; a failed build leaves build/site untouched."""
    build_dir = root / "build"
    final, fresh, old = build_dir / "site", build_dir / "site.new", build_dir / "site.old"
    build_dir.mkdir(exist_ok=True)
    if old.exists() and not final.exists():
        old.rename(final)  # a previous swap was interrupted: restore the last good site
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    try:
        warnings = run_mkdocs(root, fresh, strict)
    except SiteBuildFailed:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final, warnings


def build(root: Path, strict: bool = False, progress=None) -> BuildResult:
    """The whole build. Raises ProblemsFound (bad inputs) or SiteBuildFailed; never leaves a half site."""
    step = progress or (lambda message: None)
    root = root.resolve()
    step("Loading seeds and records")
    pub = load_publication(root)
    step("Validating records and verifying quotes")
    verification = validate(pub)
    step("Writing pages")
    written, removed = generate(root, pub, verification)
    step("Building the site with MkDocs")
    site_dir, warnings = publish_site(root, strict)
    return BuildResult(pub, verification, written, removed, site_dir, warnings)
