"""Site search with Pagefind (PyPI `pagefind[bin]`), in place of Material's built-in search.

Material's search writes `search/search_index.json`, which a browser downloads whole before the
first result (10 MB at 1,000 incidents, 52 MB at 10,000 pages). Pagefind splits its index into
chunks fetched per query (about 0.2 MB per query at 1,000 incidents: BENCHMARKS.md).

`index_search` runs after MkDocs has built the site into its staging folder and before that folder
is swapped in (build.publish_site), so the published site always carries a complete index and a
failed index leaves the previous site as it was. Pagefind indexes only each page's article
(`data-pagefind-body`, builtin/theme/main.html); a record's title is its h1, without the permalink
mark. Its output is deterministic: the same pages give the same bytes (chunk names are content
hashes), so two builds of the same commit stay byte-identical.

The search box that queries the index is builtin/theme/partials/pagefind.html with
builtin/theme/assets/incidentbook/search.{js,css}.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .site import record_at

OUTPUT_SUBDIR = "pagefind"
# Inside the article but not what a reader searches for: permalink marks (¶), the footnotes (the
# quotes, with their sources' names, "✓ verified": each quote is in its source's page), the chart
# blocks and their data tables (the same sentence on every page where a chart is drawn; numbers) and
# the "Cite this page" box (the publication's title on every page). Indexed, they made every page
# a result for "verified", "browser", "cite" or any word of the title, and the index of incident
# briefs a third larger (8.4 against 5.6 MB for 2,442 briefs; 15 against 12 s of CPU). Nor a source
# text's line numbers (`.ib-ln`): Pagefind joins inline elements without a space, so each line's
# first word was indexed as "4ISLAMABAD" and could not be found; nor the note above a paged list.
# The record templates mark with data-pagefind-ignore="all" what they print on every page alike
# (explanations, the sourcing box), lists of other records (those citing a source) and what repeats
# the page's own words (the casualty ledger, which key facts sum up; a source's quotes, where its
# page shows the text that holds them): BENCHMARKS.md, "What the search index holds".
EXCLUDE_SELECTORS = ".headerlink, .footnote, figure.ib-chart, .ib-chart-data, .ib-cite, .ib-ln, .ib-pager-note"
# Pagefind keeps a whole index in memory while it writes it, and re-indexes everything on each
# run. Above SHARD_PAGES pages, incident briefs and source pages are split by a hash of their id
# into buckets of at most about SHARD_PAGES pages, each its own index (pagefind/part-<name>/),
# which the search box merges into the primary one (Pagefind's mergeIndex; results are ranked
# together). A rebuild re-indexes only the indexes whose pages changed; the others are taken from
# the published site (see index_search). A power of two buckets, so a growing publication
# re-buckets rarely.
SHARD_PAGES = int(os.environ.get("INCIDENTBOOK_SEARCH_PART_PAGES", "2500"))  # benchmarks/bench_search.py tries others
SHARDED_SECTIONS = ("incidents", "sources")
SHARDS_FILE = "ib-shards.json"  # the merged indexes the search box loads, with each one's input key
KEY_FORMAT = "1"
# Pagefind's peak memory per page it indexes, to decide how many parts are indexed at a time
# (index_workers). An incident part of 2,442 pages took 602 MB on 27 November, 434 MB on 7 December
# and 254 MB since the repeated parts are left out (BENCHMARKS.md): the figure keeps that margin.
PAGEFIND_KB_PER_PAGE = 300
# Pagefind's own UIs, not used by the search box (assets/incidentbook/search.js uses its API):
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


def _prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up here, not in the forked child


def _die_with_the_build() -> None:
    """In the forked child (Linux): PR_SET_PDEATHSIG, so that a build killed while indexing (even
    with SIGKILL) takes Pagefind with it, and no orphan writes into a later build's staging folder."""
    import signal

    _PRCTL(1, signal.SIGKILL)


def pagefind_command(site: Path, output: Path | None = None) -> list[str]:
    """One Pagefind run of the build: index the pages under `site` into `output` (by default
    site/pagefind)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--exclude-selectors", EXCLUDE_SELECTORS, "--quiet"]
    return command + (["--output-path", str(output)] if output else ["--output-subdir", OUTPUT_SUBDIR])


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "-"


def shards(pages: list[str]) -> dict[str, list[str]]:
    """The site's pages (paths of its HTML files) by index: "" is the primary index, the others
    are buckets of a section's record pages ("incidents-3"). Everything is one index up to
    SHARD_PAGES pages."""
    groups: dict[str, list[str]] = {"": []}
    if len(pages) <= SHARD_PAGES:
        groups[""] = list(pages)
        return groups
    records: dict[str, list[tuple[str, str]]] = {section: [] for section in SHARDED_SECTIONS}
    for rel in pages:
        record = record_at(rel) if rel.endswith("/index.html") else None
        section = rel.split("/", 1)[0]
        if record is not None and section in records:
            records[section].append((record[1], rel))
        else:
            groups[""].append(rel)
    for section, found in records.items():
        buckets = 1
        while buckets * SHARD_PAGES < len(found):
            buckets *= 2
        for record_id, rel in found:
            bucket = int(hashlib.sha256(record_id.encode()).hexdigest()[:8], 16) % buckets
            groups.setdefault(f"{section}-{bucket}", []).append(rel)
    return groups


class _Digests:
    """SHA-256 of the site's pages, remembered across builds by (inode, size, mtime) in `cache` (a
    JSON file): an incremental build's unchanged pages are hard links to the published ones, so
    only changed pages are read (1.2 GB of HTML at 10,000 incidents)."""

    def __init__(self, cache: Path | None):
        self.cache, self.known, self.now = cache, {}, {}
        try:
            self.known = json.loads(cache.read_text(encoding="utf-8")) if cache else {}
        except (OSError, ValueError):
            self.known = {}

    @staticmethod
    def _stamp(stat: os.stat_result) -> list[int]:
        return [stat.st_ino, stat.st_size, stat.st_mtime_ns]

    def __call__(self, path: Path, rel: str) -> str:
        stamp = self._stamp(path.stat())
        for entry in (self.now.get(rel), self.known.get(rel)):
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp:
                sha = entry[1]
                break
        else:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        self.now[rel] = [stamp, sha]
        return sha

    def read(self, path: Path, rel: str) -> bytes:
        """The page's bytes, its digest remembered on the way (a clean build reads each page once)."""
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
        self.now[rel] = [self._stamp(stat), hashlib.sha256(data).hexdigest()]
        return data

    def taken(self, path: Path, rel: str) -> str:  # (the signature _key calls a _Digests with)
        """The digest `read` took of the page just now (no second look at the file)."""
        return self.now[rel][1]

    def save(self) -> None:
        if self.cache is None:
            return
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache.with_name(self.cache.name + ".tmp")
        tmp.write_text(json.dumps(self.now, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.cache)


def _key(site: Path, pages: list[str], digests) -> str:
    """What an index is made from: its pages' paths and bytes, Pagefind's version and options."""
    digest = hashlib.sha256(f"{KEY_FORMAT}\0{_version()}\0{EXCLUDE_SELECTORS}\0".encode())
    for rel in sorted(pages):
        digest.update(f"{rel}\0{digests(site / rel, rel)}".encode())
    return digest.hexdigest()


_ARTICLE = b"<article "
_ARTICLE_END = b"</article>"
_TITLE = re.compile(rb"<title>.*?</title>", re.DOTALL)


def _selectors(text: str) -> list[tuple[str, str]]:
    """EXCLUDE_SELECTORS as (tag or "", class): each is `.class` or `tag.class`."""
    found = []
    for selector in text.split(","):
        tag, _, css = selector.strip().partition(".")
        if not css or "." in css or not re.fullmatch(r"[a-z][a-z0-9]*|", tag) or not re.fullmatch(r"[\w-]+", css):
            raise ValueError(f"not a selector searchable() can apply: {selector!r}")
        found.append((tag, css))
    return found


# The elements whose content searchable() takes out: those Pagefind leaves out with much inside
# (not the permalink marks and line numbers, thousands of small elements a page: emptying them
# took longer in Python than Pagefind takes to skip them).
EMPTIED = [(tag, css) for tag, css in _selectors(EXCLUDE_SELECTORS) if css not in ("headerlink", "ib-ln")]
_MARK = re.compile(rb'\sdata-pagefind-ignore="all"|\sclass="(?:[^"]*\s)?(?:'
                   + "|".join(re.escape(css) for _, css in EMPTIED).encode() + rb')[\s"]')
_NAME = re.compile(rb"<([a-z][a-z0-9]*)\s")
_CLASSES = re.compile(rb'\sclass="([^"]*)"')
_SAME: dict[bytes, re.Pattern] = {}  # per tag: its opening and closing tags
_RAW = re.compile(rb"<(?:script|style|!--|textarea|template|!\[CDATA\[)")


def _emptied(article: bytes) -> bytes | None:
    """The article with the content of the elements Pagefind leaves out (data-pagefind-ignore="all",
    EMPTIED) taken out; the element's own tags stay (Pagefind records the id of an excluded
    element as an anchor, not those inside it). None where that cannot be done safely: an element
    whose end is not found by counting its tag, or that holds a script, style or comment or an
    attribute of Pagefind's other than data-pagefind-ignore."""
    parts, position, search = [], 0, 0
    while (mark := _MARK.search(article, search)) is not None:
        search = mark.end()
        start = article.rfind(b"<", 0, mark.start())
        opening_end = article.find(b">", mark.start())
        named = _NAME.match(article, start)
        if start < position or named is None or opening_end < 0 or article.find(b">", start, mark.start()) >= 0:
            continue  # inside an element already emptied, or not in a tag
        tag, opening = named[1], article[start:opening_end + 1]
        if b' data-pagefind-ignore="all"' not in opening:
            classes = _CLASSES.search(opening)
            names, tag_name = (classes[1].decode().split() if classes else []), tag.decode()
            if not any(css in names and wanted in ("", tag_name) for wanted, css in EMPTIED):
                continue
        same = _SAME.get(tag) or _SAME.setdefault(tag, re.compile(rb"<(/?)" + re.escape(tag) + rb"[\s>]"))
        depth, cursor, inner = 1, opening_end + 1, opening_end + 1
        while depth:
            found = same.search(article, cursor)
            if found is None:
                return None
            depth += -1 if found[1] else 1
            cursor = found.end()
        end = found.start()
        if _RAW.search(article, inner, end) or \
                article.count(b"data-pagefind-", inner, end) != article.count(b"data-pagefind-ignore", inner, end):
            return None
        parts.append(article[position:inner])
        position = search = end
    parts.append(article[position:])
    return b"".join(parts)


def searchable(page: bytes) -> bytes:
    """What Pagefind is given of a page: the page cut down to its `<html …>` tag, its title and its
    article, when the article is what Pagefind indexes (`data-pagefind-body` on its opening tag) and
    no other `data-pagefind-*` attribute is outside it; otherwise the page as it is. Inside the
    article, the elements Pagefind leaves out are emptied (_emptied).

    Pagefind reads only those parts of such a page (the language from `<html lang>`, the record
    from the article), so the index it writes is byte for byte the one of the whole pages (tested:
    test_search); the navigation, header, footer and scripts it would parse and drop are about a
    third of a brief's bytes and a sixth to a quarter of Pagefind's CPU, the elements it leaves out
    four fifths of what is left of a brief (the casualty ledger, the footnotes' quotes, the charts'
    data tables) and a fifth of Pagefind's CPU on briefs (BENCHMARKS.md)."""
    start, end, head = page.find(_ARTICLE), page.rfind(_ARTICLE_END), page.find(b"<head>")
    if start < 0 or end < start or head < 0 or head > start:
        return page
    end += len(_ARTICLE_END)
    opening = page[start:page.find(b">", start) + 1]
    if b" data-pagefind-body" not in opening or page.count(b"data-pagefind-") != page.count(b"data-pagefind-", start, end):
        return page
    title = _TITLE.search(page, head, start)
    article = page[start:end]
    article = _emptied(article) or article
    return b"".join((page[:head], b'<head><meta charset="utf-8">', title.group(0) if title else b"",
                     b"</head><body>", article, b"</body></html>\n"))


def _mirror(site: Path, rels: list[str], mirror: Path, digests: _Digests | None = None) -> None:
    """The pages `rels` of `site`, as Pagefind is given them (searchable), in the folder `mirror`
    (with `digests`, each page's digest taken from the bytes read)."""
    mirror.mkdir(parents=True, exist_ok=True)  # Pagefind runs in it, even with no pages
    for rel in rels:
        page = digests.read(site / rel, rel) if digests is not None else (site / rel).read_bytes()
        cut = searchable(page)
        if cut is page:
            _link(site / rel, mirror / rel)
        else:
            (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
            (mirror / rel).write_bytes(cut)


def _folder(name: str) -> str:
    return OUTPUT_SUBDIR if not name else f"{OUTPUT_SUBDIR}/part-{name}"


def _previous_keys(previous: Path | None) -> dict[str, str]:
    try:
        return json.loads((previous / OUTPUT_SUBDIR / SHARDS_FILE).read_text(encoding="utf-8"))["keys"]
    except (TypeError, OSError, ValueError, KeyError):
        return {}


def _link(source: Path, target: Path) -> None:
    """A hard link (a copy where the file system has none)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _link_copy(source: Path, dest: Path, skip=lambda rel: False) -> None:
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        if skip(rel):
            continue
        target = dest / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        _link(path, target)


def _run(site: Path, output: Path) -> None:
    from .build import SiteBuildFailed  # here, not at the top: build imports this module

    try:
        # cwd is the folder indexed, so that no pagefind.yml of the caller's folder changes the index
        result = subprocess.run(pagefind_command(site, output), cwd=site, capture_output=True, text=True, check=False,
                                preexec_fn=_die_with_the_build if _PRCTL is not None else None)
    except OSError as exc:
        raise SiteBuildFailed([f"Pagefind could not run: {exc}"]) from None
    if result.returncode != 0:
        output_lines = (result.stdout + result.stderr).strip().splitlines()
        raise SiteBuildFailed(["Pagefind could not index the site:", *output_lines[-20:]])


def index_workers(largest: int) -> int:
    """Pagefind runs at a time for the parts of a large site's index: INCIDENTBOOK_SEARCH_WORKERS
    when set, else one per CPU up to 2, as many as the memory available allows (each run counted
    at PAGEFIND_KB_PER_PAGE for each page of the largest part: parallelpages.fits).
    Pagefind uses more than one thread itself, so two runs do not halve the time."""
    from .parallelpages import fits

    setting = os.environ.get("INCIDENTBOOK_SEARCH_WORKERS", "")
    if setting.isdigit():
        return max(1, int(setting))
    workers = min(os.cpu_count() or 1, 2)
    while workers > 1 and not fits(workers * largest * PAGEFIND_KB_PER_PAGE):
        workers -= 1
    return workers


def index_search(site_dir: Path, previous: Path | None = None, digest_cache: Path | None = None) -> dict[str, int]:
    """Write Pagefind's index of the built site into site_dir/pagefind/ (and, for a large site,
    its parts into pagefind/part-*/, listed in pagefind/ib-shards.json). An index whose pages are
    byte for byte those of the published site `previous` is taken from it (hard links) instead of
    being made again: Pagefind's output is deterministic (the same pages give the same bytes), so
    the result equals a clean build's. Returns how many indexes were made and reused. Raises
    SiteBuildFailed. digest_cache: a file remembering the pages' SHA-256 between builds (_Digests)."""
    from .build import SiteBuildFailed

    if importlib.util.find_spec("pagefind") is None or importlib.util.find_spec("pagefind_bin") is None:
        raise SiteBuildFailed(["Pagefind is not installed: `pip install 'pagefind[bin]==1.5.2'` "
                               "(a dependency of incidentbook; `make site` installs it)."])
    site = Path(site_dir).resolve()
    out = site / OUTPUT_SUBDIR
    work = site.parent / (site.name + ".pagefind-work")
    # A fresh index every time. Removing (not overwriting) also keeps an incremental build's hard
    # links to the published site's files from being written through.
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if p.relative_to(site).parts[0] != OUTPUT_SUBDIR)
    groups = shards(pages)
    digests = _Digests(digest_cache)
    before = _previous_keys(previous)
    # Which indexes are made again is decided by their pages' digests, when there is a published
    # index to reuse; in a clean build every index is made, and each page's digest is taken from
    # the bytes read for Pagefind (the site is read once: 1.1 GB at 10,000 incidents).
    keys = {name: _key(site, rels, digests) for name, rels in groups.items()} if before else {}

    def mirror(name: str) -> Path:
        """The index's pages, cut down, in a folder of their own (Pagefind indexes a folder)."""
        folder = work / (name or "primary")
        _mirror(site, groups[name], folder, digests if name not in keys else None)
        if name not in keys:  # a clean build's: from the digests just taken
            keys[name] = _key(site, groups[name], digests.taken)
        return folder

    def index(name: str, folder: Path) -> None:
        dest = site / _folder(name)
        _run(folder, dest)
        shutil.rmtree(folder, ignore_errors=True)
        for unused in UNUSED:
            (dest / unused).unlink(missing_ok=True)

    to_make = []
    try:
        for name in sorted(groups):  # the primary ("") first: the parts go inside its folder
            kept = previous / _folder(name) if previous is not None else None
            if name in keys and before.get(name) == keys[name] and kept is not None \
                    and (kept / "pagefind-entry.json").is_file():
                _link_copy(kept, site / _folder(name),
                           skip=lambda rel: not name and (rel == SHARDS_FILE or rel.startswith("part-")))
            else:
                to_make.append(name)
        # This thread cuts the pages of one index after another (Python: one CPU) while Pagefind
        # indexes those already cut, `workers` runs at a time (each its own folder: Pagefind leaves
        # what else is in its output folder, the primary's parts among them, as it is). Cutting
        # every part's pages first, or each run its own before indexing, left the CPUs idle by turns.
        workers = max(1, min(len(to_make), index_workers(max((len(groups[name]) for name in to_make), default=0))))
        with ThreadPoolExecutor(workers) as pool:
            runs = []
            try:
                for name in to_make:
                    for run in runs:  # a run that failed stops the cutting too (result() raises its error)
                        if run.done():
                            run.result()
                    waiting = [run for run in runs if not run.done()]
                    if len(waiting) > workers:  # at most one index cut ahead of the runs
                        waiting[0].result()
                    runs.append(pool.submit(index, name, mirror(name)))
                for run in runs:
                    run.result()
            except BaseException:  # the first failure is raised; runs not started are not
                pool.shutdown(cancel_futures=True)
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    digests.save()
    made, reused = len(to_make), len(groups) - len(to_make)
    listing = {"format": KEY_FORMAT, "parts": [f"part-{name}/" for name in sorted(groups) if name], "keys": keys}
    (out / SHARDS_FILE).write_text(json.dumps(listing, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {"made": made, "reused": reused}
