"""The build, top to bottom: load → validate → verify evidence → derive views → render → publish.

Side effects (writing pages, running MkDocs, swapping the published site) happen here only.
"""

from __future__ import annotations

import gc
import os
import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2

from . import fastmarkdown, htmlpages, incremental, parallelpages, publish, rendermemo, themecache
from .chartfiles import CHART_DIR, PDF_CHART_DIR, chart_svgs, write_scripts, write_svgs
from .charts import build_charts
from .exports import JsonMemo, data_files
from .load import Publication, load_publication
from .model import PublicationInfo
from .yamlio import load_yaml
from .mkdocs_config import config_overrides, read_mkdocs_yml
from .pdf import Edition, all_documents, chart_images
from .pdf import environment as pdf_environment
from .pdf import render as render_pdf
from .problems import ProblemsFound
from .render import template_problem
from . import manifest
from .history import History
from .site import feed_files, history_citations, render_pages, write_pages
from .sitesearch import index_search
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
    pdfs_compiled: int = 0
    pdfs_unchanged: int = 0


class SiteBuildFailed(Exception):
    """MkDocs failed or (in strict mode) warned; the previous site is left as it was."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def check(root: Path) -> tuple[Publication, Verification]:
    """Everything build validates; writes nothing. Raises ProblemsFound."""
    pub = load_publication(root, save_cache=False)
    verification = validate(pub)
    read_mkdocs_yml(root)  # a broken mkdocs.yml is a problem of the publication too
    return pub, verification


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "publication"


def generate(root: Path, pub: Publication, verification: Verification, pdf_links: bool = False,
             views: Views | None = None, info: Edition | None = None) -> tuple[int, int]:
    """Write the generated Markdown and assets into docs/ (only files whose bytes change).
    views and info are computed here unless the caller (the build) already has them."""
    views = views or Views(pub, verification)
    charts = build_charts(views)
    info = info or edition(root, pub)
    json_memo = JsonMemo(root)
    downloads = {f"data/{path}": data for path, data in
                 data_files(views, _slug(pub.info.title), pub.info.title, pub.info.version, json_memo,
                            write_to=root / "docs" / "data").items()}
    json_memo.forget()  # until the downloads below are written
    citations = history_citations(pub, views)
    history = History(root, citations)
    dependencies: dict[str, set[str]] = {}
    # record pages whose inputs are those of the Markdown already in docs/ are not rendered again
    inputs = manifest.Inputs(pub)
    context = rendermemo.context_key(inputs, info, pdf_links, history)
    hashes = rendermemo.record_hashes(pub, inputs, history)
    keep = rendermemo.reusable(root, pub, inputs, context, rendermemo.load(root), hashes)
    rendermemo.forget(root)  # until the pages below are written: a killed build leaves no memo
    pages = render_pages(pub, views, pdf_links, charts, {k[len("data/"):]: len(v) for k, v in downloads.items()},
                         info, history, dependencies, keep, write_to=root / "docs")
    pages.update(downloads)
    pages.update(feed_files(pub, views, history))
    staged = manifest.build_manifest(pub, citations, pages, dependencies, inputs)
    manifest.stage(root, staged)
    css = resources.files("incidentbook").joinpath("builtin/assets/incidentbook.css").read_text(encoding="utf-8")
    pages["assets/generated/incidentbook.css"] = css
    # before the PDFs, which embed them (chartfiles.chart_svgs); a chart without a site image is
    # drawn only when the PDFs are made
    write_svgs(root / "docs" / CHART_DIR, {k: chart for k, chart in charts.items() if chart.site_image})
    if pdf_links:
        write_svgs(root / PDF_CHART_DIR, {k: chart for k, chart in charts.items() if not chart.site_image})
    write_scripts(root / "docs")
    written, removed = write_pages(root / "docs", pages)
    written += sum(1 for value in pages.values() if isinstance(value, rendermemo.Kept) and value.written)
    rendermemo.save(root, context, hashes, staged["outputs"])
    json_memo.save()
    return written, removed


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(root: Path, site_dir: Path, strict: bool, overrides: dict | None = None,
               changed: set[str] | None = None, published: Path | None = None) -> list[str]:
    """Build the MkDocs site into site_dir; returns MkDocs's warnings. Raises SiteBuildFailed.

    changed: the pages (paths under docs/) whose Markdown differs from the published site's in
    `published`; site_dir then starts as hard links to that site and only those pages are
    converted (incremental.py). None, or a plugin that needs every page, or a file system without
    hard links: a clean build."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=strict, **(overrides or {}))
        if changed is not None and published is not None and not incremental.needs_every_page(config):
            try:
                incremental.link_tree(published, site_dir)
            except OSError:  # no hard links here (another file system, a sandbox): build clean
                publish.discard(site_dir)
                changed = None
        else:
            changed = None
        to_convert = len(changed) if changed is not None else sum(
            1 for _, _, names in os.walk(root / "docs") for name in names if name.endswith(".md"))
        workers = parallelpages.workers_for(to_convert) if not config.plugins else 1
        if changed is None:
            with htmlpages.installed(), themecache.installed(config), incremental.lean_pages(config), fastmarkdown.installed(), \
                    parallelpages.parallel_pages(workers, handler.messages, stream=not config.plugins):
                mkdocs_build(config)
        else:
            with incremental.dirty_mkdocs(changed) as captured, htmlpages.installed(), themecache.installed(config), \
                    incremental.lean_pages(config), fastmarkdown.installed(), parallelpages.parallel_pages(workers, handler.messages):
                mkdocs_build(config, dirty=True)
            incremental.remove_stale(site_dir, captured["files"])
    except (MkDocsException, SystemExit, OSError) as exc:
        raise SiteBuildFailed(handler.messages + [f"MkDocs: {exc}"]) from None
    finally:
        logger.removeHandler(handler)
    return handler.messages


def publish_site(root: Path, strict: bool = False, overrides: dict | None = None) -> tuple[Path, list[str]]:
    """Build into build/site.new, then swap it in atomically (publish.swap_in); a failed or killed
    build leaves build/site untouched. Only pages whose Markdown changed since the published site
    are converted again, when that gives the bytes of a clean build (incremental.py)."""
    final = root / "build" / "site"
    fresh = publish.staging(final)
    key = incremental.site_key(root, overrides)
    changed, pages = incremental.plan(root, key, final)
    try:
        warnings = run_mkdocs(root, fresh, strict, overrides, changed, final)
        # Pagefind's index into fresh/pagefind/, before the swap; unchanged parts from the published site (sitesearch.py)
        index_search(fresh, final if final.is_dir() else None, root / "build" / "cache" / "page-digests.json")
    except SiteBuildFailed:
        publish.discard(fresh)
        raise
    keep_unchanged_mtimes(final, fresh)
    incremental.clear_state(root)  # a build killed between the swap and write_state leaves no state: next build is clean
    published = publish.swap_in(fresh, final)
    incremental.write_state(root, key, pages, clean=not warnings)
    return published, warnings


def keep_unchanged_mtimes(previous: Path, fresh: Path) -> int:
    """Give every file of the fresh site whose bytes equal the previous site's its previous
    modification time, so a rebuild changes the mtime only of outputs that really changed
    (web servers, rsync and CDNs then resend only those). Returns how many were kept.
    (os.scandir and string paths: 65,000 files at 10,000 incidents.)"""
    import os

    if not previous.is_dir():
        return 0
    kept = 0
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = list(os.scandir(os.path.join(fresh, rel)))
        except OSError:
            continue
        for entry in entries:
            name = os.path.join(rel, entry.name) if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                pending.append(name)
                continue
            old = os.path.join(previous, name)
            try:
                new_stat, old_stat = entry.stat(follow_symlinks=False), os.stat(old)
                if (new_stat.st_ino, new_stat.st_dev) == (old_stat.st_ino, old_stat.st_dev):
                    continue  # a hard link to the published file (incremental build): already the same
                if old_stat.st_size == new_stat.st_size and Path(old).read_bytes() == Path(entry.path).read_bytes():
                    os.utime(entry.path, ns=(old_stat.st_atime_ns, old_stat.st_mtime_ns))
                    kept += 1
            except OSError:
                continue
    return kept


# Typst's bundled fonts plus Debian's fonts-noto-core (`make site` installs it) for Arabic script;
# Typst takes font folders, not files. With Noto present, other system fonts are ignored so every
# machine renders alike; without it, system fonts are the fallback for Arabic script.
NOTO_DIR = Path("/usr/share/fonts/truetype/noto")


def edition(root: Path, pub: Publication) -> Edition:
    """Version, commit and date for the PDFs: from git and the data, never the wall clock."""
    import datetime as dt
    import os
    import subprocess

    from . import __version__

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip() or "uncommitted"
    except (OSError, subprocess.SubprocessError):
        commit = "uncommitted"
    date = pub.info.published
    if date is None and os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        date = dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC).date()
    return Edition(__version__, commit, date)


def publish_pdfs(root: Path, pub: Publication, verification: Verification,
                 chart_files: Mapping[str, Path] | None = None, views: Views | None = None,
                 info: Edition | None = None) -> tuple[int, int]:
    """Compile the report and per-record PDFs into build/pdf/ (copied to docs/assets/generated/pdf/).

    chart_files: {chart id: SVG inside root} to embed (summary charts, and each record's charts).

    A PDF is compiled only when the hash of its Typst source and images differs from the one in
    build/pdf/.manifest.json. Returns (compiled, unchanged). Raises SiteBuildFailed on a Typst error.
    """
    import calendar
    import hashlib
    import json
    import os

    import typst

    views = views or Views(pub, verification)
    charts = chart_images(root, chart_files or {})
    info = info or edition(root, pub)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    timestamp = int(epoch) if epoch.isdigit() else calendar.timegm(info.date.timetuple()) if info.date else 0
    fonts = [str(NOTO_DIR)] if (NOTO_DIR / "NotoNaskhArabic-Regular.ttf").is_file() else []
    published, docs_dir = root / "build" / "pdf", root / "docs" / "assets" / "generated" / "pdf"
    out_dir = publish.staging(published)  # swapped in whole at the end: build/pdf/ is never half-written
    out_dir.mkdir()
    manifest_path = published / ".manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    fresh: dict[str, str] = {}
    env, compiler = pdf_environment(root / "templates"), None
    compiled = unchanged = 0
    image_digests: dict[str, bytes] = {}
    for doc in all_documents(views, charts):
        source = render_pdf(views, doc, info, env, charts)
        digest = hashlib.sha256(f"typst {typst.__version__}\0{fonts}\0{timestamp}\0{source}".encode())
        for image in doc.images:  # a record's charts are in its own PDF and in the report: hashed once
            if image not in image_digests:
                image_digests[image] = hashlib.sha256((root / image.lstrip("/")).read_bytes()).digest()
            digest.update(image_digests[image])
        fresh[doc.path] = digest.hexdigest()
        target, previous = out_dir / doc.path, published / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if manifest.get(doc.path) != fresh[doc.path] or not previous.is_file():
            if compiler is None:  # scanning the font folder costs ~0.15 s: only when something needs compiling
                compiler = typst.Compiler(root=str(root), font_paths=fonts, ignore_system_fonts=bool(fonts))
            try:
                data = compiler.compile(input=source.encode("utf-8"), timestamp=timestamp)
            except typst.TypstError as exc:
                raise SiteBuildFailed([f"PDF {doc.path} (template {doc.template}): {exc}"]) from None
            target.write_bytes(data)
            compiled += 1
        else:
            publish.carry_over(previous, target)
            unchanged += 1
        copy = docs_dir / doc.path
        if not copy.is_file() or copy.read_bytes() != target.read_bytes():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, copy)
    for stale in docs_dir.rglob("*.pdf"):  # out_dir is new and holds only this build's PDFs
        if stale.relative_to(docs_dir).as_posix() not in fresh:
            stale.unlink()
    (out_dir / ".manifest.json").write_text(json.dumps(fresh, indent=1, sort_keys=True), encoding="utf-8")
    publish.swap_in(out_dir, published)
    return compiled, unchanged


def source_date_epoch(root: Path) -> str:
    """The build's notion of "now", for reproducible outputs: SOURCE_DATE_EPOCH when set, else the
    publication's edition date (data/publication.yaml `published`), else the time of the commit
    being built, else 1970. The edition date comes first so that a new commit does not change
    every output (sitemap dates, PDF metadata) when the edition has not changed."""
    import calendar
    import os
    import subprocess

    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return os.environ["SOURCE_DATE_EPOCH"]
    try:  # only publication.yaml: loading every record here would double the build's load time
        data, _ = load_yaml(root / "data" / "publication.yaml", "data/publication.yaml")
        published = PublicationInfo.model_validate(data).published
    except Exception:  # a broken publication.yaml is reported by the build itself
        published = None
    if published:
        return str(calendar.timegm(published.timetuple()))
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "0"


def build(root: Path, strict: bool = False, progress=None, pdf: bool = True) -> BuildResult:
    """The whole build, with SOURCE_DATE_EPOCH fixed for its duration (see source_date_epoch)."""
    import os

    root = root.resolve()
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch(root)
    try:
        return _build(root, strict, progress, pdf)
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _build(root: Path, strict: bool, progress, pdf: bool) -> BuildResult:
    """Raises ProblemsFound (bad inputs) or SiteBuildFailed; never leaves a half site."""
    step = progress or (lambda message: None)
    step("Loading seeds and records")
    pub = load_publication(root)
    step("Validating records and verifying quotes")
    verification = validate(pub)
    read_mkdocs_yml(root)  # before anything is written
    step("Writing pages")
    views, info = Views(pub, verification), edition(root, pub)  # once for the pages and the PDFs
    compiled = unchanged = 0
    try:
        written, removed = generate(root, pub, verification, pdf_links=pdf, views=views, info=info)
        if pdf:
            step("Making the PDFs with Typst")
            compiled, unchanged = publish_pdfs(root, pub, verification, chart_svgs(root), views=views, info=info)
    except jinja2.TemplateError as exc:  # a publication's own template (templates/): named, no traceback
        raise ProblemsFound([template_problem(exc, root)]) from None
    step("Building the site with MkDocs")
    overrides = config_overrides(root, pub, info.version)
    del views  # its indexes and caches are not needed any more, and MkDocs's page workers are forked from here
    gc.collect()
    site_dir, warnings = publish_site(root, strict, overrides)
    manifest.commit(root)
    return BuildResult(pub, verification, written, removed, site_dir, warnings, compiled, unchanged)
