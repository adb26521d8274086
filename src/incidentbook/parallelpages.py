"""Convert the pages of a large build in several processes (issue 8).

MkDocs converts pages one after another: Python-Markdown, then the theme's templates, about 40 ms
of CPU a page, four fifths of a clean build at 10,000 incidents. A page's HTML depends only on its
own Markdown, the configuration, the navigation and the theme, so pages can be converted in
separate processes and come out with the same bytes (a test compares the trees).

Inside `parallel_pages(workers, messages)`, MkDocs's build forks when it starts reading pages.
Every process reads the pages of the navigation (their titles make the navigation every page
shows); each converts and writes its share of the pages, chosen by a hash of the page's path. Only
the first process copies static files and writes the theme's own files (sitemap, 404 page). Each
other process then sends back, through a pipe, the warnings it logged and, for every page it
converted, the anchors the page has and the links it makes to anchors of other pages; the first
process logs those warnings as its own (so strict mode and the build's warning list see them) and
checks every anchor link, as a single process would. A worker never returns into the caller: it
ends with os._exit, and the first process kills any worker still running when it leaves.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import zlib
from collections.abc import Iterator

from .forkmap import stop

MIN_PAGES = 400  # below this, one process: a worker's share would not pay for reading the navigation again
MAX_WORKERS = 8


def workers_for(pages: int) -> int:
    """How many processes render or convert `pages` pages (site.render_pages, MkDocs), or share
    other work of as many items (parsing data files ahead, the cross-record checks, the
    per-incident downloads, each with its own threshold): INCIDENTBOOK_MKDOCS_WORKERS when set,
    else one per CPU (at most MAX_WORKERS) from MIN_PAGES pages on, as many as the memory
    available allows (memory_allows). Always 1 where os.fork is missing."""
    if not hasattr(os, "fork"):
        return 1
    setting = os.environ.get("INCIDENTBOOK_MKDOCS_WORKERS", "")
    if setting.isdigit():
        return max(1, int(setting))
    workers = min(os.cpu_count() or 1, MAX_WORKERS) if pages >= MIN_PAGES else 1
    while workers > 1 and not memory_allows(workers):
        workers -= 1
    return workers


def memory_allows(workers: int) -> bool:
    """A forked worker shares the first process's memory only until it touches it, and Python's
    reference counts touch every object read: rendering the pages of 100,000 incidents, the one
    worker's own memory grew to about half of the first process's 6.2 GB. So each worker is
    counted at this process's resident size, against nine tenths of the memory available (Linux's
    MemAvailable; where it cannot be read, any number of workers is allowed)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            resident = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return True
    return fits(resident * (workers - 1))


def fits(kb: float) -> bool:
    """Whether processes needing `kb` more memory fit in nine tenths of what is available
    (available_kb; where it cannot be read, they do)."""
    available = available_kb()
    return available is None or kb <= available * 0.9


def available_kb() -> int | None:
    """Linux's MemAvailable in kB; None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            return next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return None


@contextlib.contextmanager
def parallel_pages(workers: int, messages: list[str], stream: bool = False) -> Iterator[None]:
    """Make mkdocs.commands.build.build convert pages in `workers` processes. `messages` is the
    list the caller's log handler collects MkDocs's warnings into (what a worker sends back).

    With `stream` (only where no plugin is configured), a clean build writes each page outside
    the navigation as soon as it is converted and lets go of its HTML, instead of converting every
    page before writing any: MkDocs otherwise holds the whole site's HTML in memory (tens of KB a
    page). The pages of the navigation, which every page shows, are converted first."""
    if workers <= 1 and not stream:
        yield
        return
    import mkdocs.commands.build as mkbuild
    from mkdocs.exceptions import MkDocsException
    from mkdocs.structure.files import Files, InclusionLevel
    from mkdocs.structure.pages import Page

    originals = {name: getattr(mkbuild, name) for name in
                 ("_populate_page", "_build_page", "_build_theme_template", "_build_extra_template", "get_navigation")}
    copy_static, validate = Files.copy_static_files, Page.validate_anchor_links
    state: dict = {"me": None if workers > 1 else 0, "children": [], "converted": [], "first_message": 0,
                   "in_nav": set(), "nav": None, "ready": None, "built": set()}

    def mine(page) -> bool:
        return zlib.crc32(page.file.src_uri.encode("utf-8")) % workers == state["me"]

    def worker_exit(payload: dict, code: int) -> None:
        data = json.dumps(payload).encode("utf-8")
        with contextlib.suppress(OSError):
            view = memoryview(data)
            while view:
                view = view[os.write(state["pipe"], view):]
        os._exit(code)

    def guarded(function):
        """In a worker, an exception ends the worker (the first process reports it), never the caller's code."""
        def call(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except BaseException as exc:
                if state["me"]:  # a worker must not unwind into the build
                    worker_exit({"error": f"{type(exc).__name__}: {exc}"}, 1)
                raise
        return call

    def start() -> None:
        state["first_message"] = len(messages)
        # Objects made before the fork (the publication, its views, MkDocs's files) go to the
        # collector's permanent generation: a worker's collections would otherwise write to every
        # one of them and so copy the parent's memory page by page (Python's gc.freeze advice).
        state["froze"] = workers > 1
        if state["froze"]:
            gc.freeze()
        for number in range(1, workers):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                for _, other in state["children"]:
                    os.close(other)
                state.update(me=number, pipe=write_end, children=[])
                return
            os.close(write_end)
            state["children"].append((pid, read_end))
        state["me"] = 0

    def ready(config, files, dirty) -> dict:
        """Before the first page is written as it is converted: the navigation's pages converted
        (their titles are in every page), and what writing a page takes, made once."""
        if state["ready"] is None:
            for nav_page in state["nav"].pages:
                originals["_populate_page"](nav_page, config, files, dirty)
            state["ready"] = {"doc_files": files.documentation_pages(inclusion=InclusionLevel.is_included),
                              "env": config.theme.get_env()}
        return state["ready"]

    def write(page, config, doc_files, nav, env, dirty=False, excluded=False):
        originals["_build_page"](page, config, doc_files, nav, env, dirty, excluded=excluded)
        state["built"].add(page.file.src_uri)
        if page.present_anchor_ids is not None:
            state["converted"].append(page)

    @guarded
    def populate(page, config, files, dirty=False):
        if state["me"] is None:
            start()
        in_nav = page.file.src_uri in state["in_nav"]
        if stream and not dirty and state["nav"] is not None:
            made = ready(config, files, dirty)  # the navigation's pages, converted first
            if mine(page) and not in_nav:
                originals["_populate_page"](page, config, files, dirty)
                write(page, config, made["doc_files"], state["nav"], made["env"], excluded=page.file.inclusion.is_excluded())
                page.content = None  # written: its HTML is not needed again (its anchors are kept)
        elif mine(page) or in_nav:
            originals["_populate_page"](page, config, files, dirty)

    @guarded
    def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        if mine(page) and page.file.src_uri not in state["built"]:
            write(page, config, doc_files, nav, env, dirty, excluded=excluded)

    def first_only(function):
        def call(*args, **kwargs):
            if not state["me"]:
                return function(*args, **kwargs)
            return None
        return call

    def join(files) -> None:
        """In the first process: wait for the workers, take their warnings and anchors."""
        logger = logging.getLogger("mkdocs.commands.build")
        failures = []
        for pid, read_end in state["children"]:
            chunks = []
            while chunk := os.read(read_end, 1 << 20):
                chunks.append(chunk)
            os.close(read_end)
            _, status = os.waitpid(pid, 0)
            try:
                payload = json.loads(b"".join(chunks) or b"{}")
            except ValueError:
                payload = {}
            if os.waitstatus_to_exitcode(status) != 0 or "error" in payload or "pages" not in payload:
                failures.append(payload.get("error") or f"a page worker ended with status {os.waitstatus_to_exitcode(status)}")
                continue
            for message in payload["warnings"]:
                logger.warning(message)
            for src_uri, seen in payload["pages"].items():
                page = files.get_file_from_path(src_uri).page
                page.present_anchor_ids = set(seen["anchors"])
                page.links_to_anchors = {files.get_file_from_path(target): links for target, links in seen["links"].items()}
        state["children"] = []
        if failures:
            raise MkDocsException("Converting pages failed: " + "; ".join(failures))

    def validate_links(page, *, files, log_level):
        if state["me"]:  # a worker has converted its pages: report and end
            worker_exit({"warnings": messages[state["first_message"]:], "pages": {
                done.file.src_uri: {"anchors": sorted(done.present_anchor_ids),
                                    "links": {target.src_uri: links for target, links in (done.links_to_anchors or {}).items()}}
                for done in state["converted"]}}, 0)
        if state["children"]:
            join(files)
        return validate(page, files=files, log_level=log_level)

    def navigation(files, config):
        nav = originals["get_navigation"](files, config)
        state["in_nav"] = {page.file.src_uri for page in nav.pages}
        state["nav"] = nav
        return nav

    mkbuild._populate_page, mkbuild._build_page, mkbuild.get_navigation = populate, build_page, navigation
    mkbuild._build_theme_template = first_only(originals["_build_theme_template"])
    mkbuild._build_extra_template = first_only(originals["_build_extra_template"])
    Files.copy_static_files = first_only(copy_static)
    Page.validate_anchor_links = validate_links
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(mkbuild, name, function)
        Files.copy_static_files, Page.validate_anchor_links = copy_static, validate
        for pid, read_end in state["children"]:  # the build failed in the first process: stop the workers
            stop(pid, read_end)
        if state.get("froze") and state["me"] == 0:
            gc.unfreeze()
