"""Incremental site builds: MkDocs converts only the pages whose Markdown changed.

A clean build converts every page (Python-Markdown, then the theme's templates): about 45 ms a
page, so minutes for a publication of 10,000 incidents, where one revised article changes a few
pages. An incremental build:

1. starts the staging folder as hard links to the published site's files (no bytes copied);
2. runs MkDocs in its "dirty" mode, told exactly which pages changed: those whose Markdown hash
   differs from the one recorded for the published site (build/site-state.json). MkDocs's own
   modification-time test is used only for static files, where it compares the docs/ file with
   the published copy;
3. makes every write replace the file instead of writing into it, so a hard-linked file of the
   published site is never modified in place (the published site stays intact until the swap);
4. removes from the staging folder every file the clean build would not have produced (pages
   and assets whose source is gone).

It is used only when it gives the same bytes as a clean build: the state must have been written
by a build with the same configuration, theme, tool versions and timestamp (`site_key`) and
without MkDocs warnings, and no plugin may need to see every page (Material's search plugin
builds its index from the pages it converts; the site's search is Pagefind, run on the whole
staging folder). Otherwise the build is clean. The state is deleted before the swap and written
after it, so a build killed in between leaves no state and the next build is clean.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

STATE = "site-state.json"
FORMAT = 1
# Written by MkDocs after the pages, never hard-linked: the sitemap's gzip is written in place.
REWRITTEN = {"sitemap.xml", "sitemap.xml.gz", "404.html", "search", "pagefind"}
PLUGINS_NEEDING_EVERY_PAGE = {"search", "material/search", "blog", "material/blog", "tags", "material/tags",
                              "social", "material/social", "privacy", "material/privacy", "offline", "material/offline"}


def site_key(root: Path, overrides: dict | None) -> str:
    """Everything besides a page's own Markdown that shapes its HTML."""
    from importlib import metadata, resources

    digest = hashlib.sha256()
    digest.update(f"format {FORMAT}\0".encode())
    for package in ("incidentbook", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2"):
        try:
            digest.update(f"{package} {metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} -\0".encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    digest.update((root / "mkdocs.yml").read_bytes() if (root / "mkdocs.yml").is_file() else b"")
    theme = Path(str(resources.files("incidentbook").joinpath("builtin/theme")))
    # the package's theme folder by name, not by where this copy of the package is installed: its
    # files are hashed below
    settings = json.loads(json.dumps(overrides or {}, default=str))
    if isinstance(settings.get("theme"), dict) and settings["theme"].get("custom_dir") == str(theme):
        settings["theme"]["custom_dir"] = "(incidentbook's theme)"
    digest.update(json.dumps(settings, sort_keys=True).encode())
    custom = [theme] + [root / "overrides"]  # the package's theme override, and a publication's own
    for folder in custom:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def page_hashes(docs: Path, previous: dict[str, list] | None = None) -> dict[str, list]:
    """{page path under docs/: [size, mtime_ns, sha256]} of every Markdown page; a file whose size
    and modification time equal the previous record keeps its hash without being read."""
    previous = previous or {}
    out: dict[str, list] = {}
    for path in docs.rglob("*.md"):
        rel = path.relative_to(docs).as_posix()
        stat = path.stat()
        known = previous.get(rel)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            out[rel] = known
        else:
            out[rel] = [stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()]
    return out


def read_state(root: Path) -> dict | None:
    try:
        state = json.loads((root / "build" / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("format") == FORMAT else None


def clear_state(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (root / "build" / STATE).unlink()


def write_state(root: Path, key: str, pages: dict[str, list], clean: bool) -> None:
    path = root / "build" / STATE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "key": key, "clean": clean, "pages": pages}, sort_keys=True),
                   encoding="utf-8")
    os.replace(tmp, path)


def plan(root: Path, key: str, published: Path) -> tuple[set[str] | None, dict[str, list]]:
    """(pages to convert, or None for a clean build; the current page hashes)."""
    state = read_state(root)
    usable = state is not None and state.get("key") == key and state.get("clean") and published.is_dir()
    pages = page_hashes(root / "docs", state.get("pages") if state else None)
    if not usable:
        return None, pages
    before = state["pages"]
    return {rel for rel, entry in pages.items() if rel not in before or before[rel][2] != entry[2]}, pages


def link_tree(published: Path, fresh: Path) -> int:
    """Fill the staging folder with hard links to the published files (MkDocs's rewritten files
    excepted). Returns how many files were linked."""
    linked = 0
    published, fresh = os.fspath(published), os.fspath(fresh)
    for directory, folders, files in os.walk(published):
        rel = os.path.relpath(directory, published)
        if rel == ".":
            folders[:] = [f for f in folders if f not in REWRITTEN]
            files = [f for f in files if f not in REWRITTEN]
        target = os.path.join(fresh, rel)
        os.makedirs(target, exist_ok=True)
        for name in files:
            os.link(os.path.join(directory, name), os.path.join(target, name))
            linked += 1
    return linked


def _replace_not_overwrite(write):
    """A MkDocs writer that unlinks its target first: a hard link to the published file is
    replaced, never written through."""

    def wrapper(source, output_path: str, *args, **kwargs):
        target = output_path
        if os.path.isdir(target) and not isinstance(source, bytes):  # copy_file into a folder
            target = os.path.join(target, os.path.basename(source))
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(target)
        return write(source, output_path, *args, **kwargs)

    return wrapper


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


@contextlib.contextmanager
def dirty_mkdocs(changed: set[str]) -> Iterator[dict]:
    """Patch MkDocs for one dirty build (see the module's description). Yields a dict that receives
    "files", MkDocs's list of the site's files, for `remove_stale`."""
    from mkdocs import utils
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.structure.files import File

    captured: dict = {}
    original = (utils.write_file, utils.copy_file, File.is_modified, mkdocs_build.get_files)

    def is_modified(self: File) -> bool:
        if self.is_documentation_page() and self._content is None:
            return self.src_uri in changed or not os.path.isfile(self.abs_dest_path)
        return original[2](self)

    def get_files(config):
        captured["files"] = original[3](config)
        return captured["files"]

    quiet = _DropDirtyWarning()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    utils.write_file = _replace_not_overwrite(original[0])
    utils.copy_file = _replace_not_overwrite(original[1])
    File.is_modified = is_modified
    mkdocs_build.get_files = get_files
    try:
        yield captured
    finally:
        utils.write_file, utils.copy_file, File.is_modified, mkdocs_build.get_files = original
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)


def remove_stale(fresh: Path, files) -> int:
    """Delete what a clean build would not have written: files of the previous site whose source
    is gone. Returns how many files were removed."""
    expected = {os.path.normpath(f.abs_dest_path) for f in files}
    removed = 0
    for directory, folders, names in os.walk(fresh, topdown=False):
        here = Path(directory)
        if here == fresh:
            names = [n for n in names if n not in REWRITTEN]
        for name in names:
            path = here / name
            if os.path.normpath(path) not in expected:
                path.unlink()
                removed += 1
        if here != fresh and not any(here.iterdir()):
            here.rmdir()
    return removed


def needs_every_page(config) -> bool:
    return any(name in PLUGINS_NEEDING_EVERY_PAGE for name in config.plugins)



@contextlib.contextmanager
def lean_pages(config) -> Iterator[None]:
    """MkDocs converts every page before it writes any, and keeps each page's Markdown beside its
    HTML until the build ends: at 10,000 incidents, over a gigabyte of page sources that nothing
    reads again. With no plugin configured (that might read `page.markdown` later), a page's
    Markdown is dropped once it is converted. `page.title` stays what it was: it comes from the
    page's metadata or its rendered heading once the page has content."""
    from mkdocs.structure.pages import Page

    if config.plugins:
        yield
        return
    original = Page.render

    def render(self, config, files):
        original(self, config, files)
        self.markdown = ""  # not None: MkDocs reads None as "not read yet"

    Page.render = render
    try:
        yield
    finally:
        Page.render = original
