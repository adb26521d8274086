"""Generate the site's Markdown pages from the validated model.

Each page kind is a small generator yielding Page(path, template, context). Rendering is pure;
writing happens in one place (`write_pages`), which touches a file only when its bytes change
and removes generated pages whose record is gone.
"""

from __future__ import annotations

import html
import json
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from pathlib import Path

from markupsafe import Markup

from . import __version__
from .attribution import DatasetCredits
from .chartkit import Chart, chart_block
from .evidence import NORMALISATION_RULES
from .load import Publication
from .mkdocs_config import directory_urls
from .model import MODEL_CLASSES, Evidence
from .pdf import pdf_path
from .publish import write_if_changed
from .phrases import READING_RULES
from .reconcile import RULE
from .ledger import grouped_statements
from .htmlpages import Headings
from .render import Citations, HtmlCitations, environment, html_text, md_escape
from .views import CATEGORIES, GRADE_DEFINITION, GRADE_LABEL, PRECISION_LABEL, STANCE_VERB, Views, reading_label

GENERATED_DIRS = ("incidents", "actors", "places", "sources", "data", "feeds", "quality")
GENERATED_PAGES = ("index.md", "context.md", "methodology.md", "map.md", "quality.md", "changes.md")  # in docs/ itself
KIND_DIR = {"incident": "incidents", "actor": "actors", "place": "places", "source": "sources", "context": "context"}


@dataclass
class Page:
    path: str  # relative to docs/, posix
    template: str
    context: dict = field(default_factory=dict)


def relative(path: str, start: str) -> str:
    """posixpath.relpath(path, start or ".") for the generator's own paths (relative to docs/, no
    "." or ".." parts), without its abspath calls: ~16 links a page, 280,000 at 10,000 incidents."""
    parts = path.split("/")
    base = start.split("/") if start and start != "." else []
    common = 0
    while common < len(base) and common < len(parts) and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


def page_url(kind: str, record_id: str | None = None) -> str:
    """Path (relative to docs/) of a record's page, or of a section index when record_id is None."""
    if kind == "context":
        return "context.md"
    if kind == "home":
        return "index.md"
    if kind == "methodology":
        return "methodology.md"
    if kind == "map":
        return "map.md"
    if kind == "data":
        return "data/index.md"
    if kind == "quality":
        return "quality.md"
    directory = KIND_DIR[kind]
    return f"{directory}/{record_id}.md" if record_id else f"{directory}/index.md"


RECORD_KINDS = ("incident", "actor", "place", "source")  # kinds with a page of their own
_KIND_OF_DIR = {KIND_DIR[kind]: kind for kind in RECORD_KINDS}


def record_at(path: str) -> tuple[str, str] | None:
    """(kind, id) when `path` is a record's own page: its Markdown under docs/
    ("incidents/<id>.md", page_url) or its HTML in the built site ("incidents/<id>/index.html").
    None for a section's listing pages, the later pages of a record's lists and every other page.
    (An underscore never occurs in a record id, so "page_2" is never one.)"""
    parts = path.split("/")
    if len(parts) == 2 and parts[1].endswith(".md"):
        folder, name = parts[0], parts[1][:-3]
    elif len(parts) == 3 and parts[2] == "index.html":
        folder, name = parts[0], parts[1]
    else:
        return None
    kind = _KIND_OF_DIR.get(folder)
    if kind is None or name == "index" or name.startswith("page_"):
        return None
    return kind, name


def home_pages(views: Views) -> Iterator[Page]:
    yield Page("index.md", "home.md.j2")
    yield Page("context.md", "context.md.j2")
    yield Page("methodology.md", "methodology.md.j2")


LISTING_PAGE_SIZE = 100  # records per page of a section's listing: every listing page stays this size as N grows


def listing_url(kind: str, number: int = 1) -> str:
    """Path (relative to docs/) of page `number` of a section's listing: page 1 is the section index
    (incidents/index.md), later pages sit beside it as incidents/page_2.md, … An underscore never
    occurs in a record id (a slug), so a listing page cannot take a record's address."""
    return page_url(kind) if number == 1 else f"{KIND_DIR.get(kind, kind)}/page_{number}.md"


def record_list_url(kind: str, record_id: str, name: str, number: int = 1) -> str:
    """Path (relative to docs/) of page `number` of a list on a record's page (an actor's
    incidents, a source's quotes, …): page 1 is the record's own page, later pages sit in a folder
    named after the record and the list (actors/<id>/incidents/page_2.md)."""
    return page_url(kind, record_id) if number == 1 else f"{KIND_DIR[kind]}/{record_id}/{name}/page_{number}.md"


@dataclass(frozen=True)
class Pager:
    """Where one page of a list sits among the list's pages: the `pager` of a section's listing
    template, or of a list on a record's page (`record` and `name` set; its page 1 is the record's
    page, where the list starts at its heading, RECORD_LISTS)."""

    kind: str
    number: int  # this page, from 1
    count: int  # pages in the listing (1 when everything fits on one)
    total: int  # records in the whole listing
    first: int  # position of this page's first record in the whole listing, from 1 (0 when empty)
    last: int  # position of its last record
    record: str = ""  # the record whose list this is ("" for a section's listing)
    name: str = ""  # which of its lists ("incidents", "statements", "citations", "quotes": RECORD_LISTS)

    def titled(self, name: str) -> str:
        """The listing's title on this page ("Incidents, page 2 of 3"; just the name on page 1)."""
        return name if self.number == 1 else f"{name}, page {self.number} of {self.count}"

    def path(self, number: int) -> str:
        return (record_list_url(self.kind, self.record, self.name, number) if self.record
                else listing_url(self.kind, number))

    def href(self, number: int) -> str:
        """Link from this page to page `number` (a section's pages share a folder; the quality
        page's first page, quality.md, has the others in quality/; a record's list starts on the
        record's page, at its heading)."""
        target = posixpath.relpath(self.path(number), posixpath.dirname(self.path(self.number)) or ".")
        return target + (f"#{self.list.anchor}" if self.record and number == 1 else "")

    @property
    def list(self) -> RecordList | None:
        """What the list is, for a list on a record's page (RECORD_LISTS)."""
        return RECORD_LISTS.get((self.kind, self.name)) if self.record else None

    @property
    def nav_id(self) -> str:
        """Id of the page links (a record's page can hold two lists, each with its own)."""
        return f"ib-pages-{self.name}" if self.record else "ib-pages"

    def shown(self, radius: int) -> list[int]:
        """Page numbers a control of this `radius` shows: the first, the last and `radius` pages
        either side of this one; a gap of a single page shows that page instead."""
        numbers = {1, self.count} | set(range(max(1, self.number - radius), min(self.count, self.number + radius) + 1))
        return sorted(numbers | {n + 1 for n in numbers if n + 2 in numbers and n + 1 not in numbers})

    def items(self) -> list[tuple[int | None, str]]:
        """The control's entries, (page number or None for a gap, css): two pages either side of
        this one on a wide screen; on a narrow one the "far" pages are hidden, one either side
        remain, and a "narrow" gap (hidden on wide screens) stands where they were."""
        narrow = set(self.shown(1))
        out: list[tuple[int | None, str]] = []
        previous = previous_narrow = 0
        gap = False  # a gap shown on both since the last page a narrow screen shows
        for number in self.shown(2):
            if number - previous > 1:
                out.append((None, ""))
                gap = True
            if number in narrow:
                if number - previous_narrow > 1 and not gap:
                    out.append((None, "narrow"))
                out.append((number, ""))
                previous_narrow, gap = number, False
            else:
                out.append((number, "far"))
            previous = number
        return out


def _slices(rows: list, size: int) -> Iterator[tuple[int, int, list, int]]:
    """A list `size` rows a page: (page number from 1, page count, the page's rows, the position of
    its first row from 1, 0 when empty). An empty list still has its page 1."""
    count = max(1, -(-len(rows) // size))
    for number in range(1, count + 1):
        part = rows[(number - 1) * size:number * size]
        yield number, count, part, (number - 1) * size + 1 if part else 0


def _pager(kind: str, rows: list, number: int, count: int, part: list, first: int, record: str = "",
           name: str = "") -> Pager:
    return Pager(kind, number, count, len(rows), first, first + len(part) - 1 if part else 0, record, name)


def listing_pages(kind: str, template: str, records: list, size: int | None = None) -> Iterator[Page]:
    """A section's listing, `size` records a page in the given order (LISTING_PAGE_SIZE by default);
    each page's template gets its `rows` and its `pager`. An empty section still has its page 1."""
    for number, count, rows, first in _slices(records, size or LISTING_PAGE_SIZE):
        yield Page(listing_url(kind, number), template, {"rows": rows, "pager": _pager(kind, records, number, count, rows, first)})


class RecordList(NamedTuple):
    anchor: str  # id of the list's heading on the record's page
    heading: str  # that heading
    nouns: str  # what the list holds
    order: str  # in what order


# The lists on record pages that are split into pages (record_list.html.j2 renders pages 2, 3, …).
RECORD_LISTS = {
    ("actor", "incidents"): RecordList("incidents", "Incidents", "incidents", "newest first"),
    ("actor", "statements"): RecordList("statements", "Statements", "statements",
                                        "by incident, newest first, then about actors and context figures"),
    ("place", "incidents"): RecordList("incidents-here", "Incidents here", "incidents", "newest first"),
    ("source", "citations"): RecordList("records-citing-this-source", "Records citing this source", "records",
                                        "by kind, then identifier"),
    ("source", "quotes"): RecordList("verified-quotes", "Verified quotes", "quotes", "by line"),
}


def paged(kind: str, record_id: str, name: str, rows: list, size: int | None = None) -> tuple[list, Pager]:
    """Page 1 of a list on a record's page: its first `size` rows (LISTING_PAGE_SIZE by default)
    and its pager. The other pages are record_list_pages; no page grows with the publication."""
    number, count, part, first = next(_slices(rows, size or LISTING_PAGE_SIZE))
    return part, _pager(kind, rows, number, count, part, first, record_id, name)


def record_list_pages(kind: str, record, name: str, rows: list, size: int | None = None) -> Iterator[Page]:
    """Pages 2, 3, … of a list on a record's page (page 1 is the record's page: `paged`)."""
    for number, count, part, first in _slices(rows, size or LISTING_PAGE_SIZE):
        if number > 1:
            pager = _pager(kind, rows, number, count, part, first, record.id, name)
            yield Page(pager.path(number), "record_list.html.j2",
                       {kind: record, "record": record, "rows": part, "pager": pager, "list_name": name})


def source_citations(views: Views, source_id: str) -> list[tuple[str, str, list[str]]]:
    """The records citing a source, in the order its page lists them (by kind, then id): (kind,
    record id, the fields citing it)."""
    out: list[tuple[str, str, list[str]]] = []
    for kind, record_id, field_path in views.citations.get(source_id, []):
        if out and out[-1][:2] == (kind, record_id):
            if field_path not in out[-1][2]:
                out[-1][2].append(field_path)
        else:
            out.append((kind, record_id, [field_path]))
    return out


def record_template(pub: Publication, name: str) -> str:
    """The template of a record's page or a section's listing, written in HTML (`incident` ->
    incident.html.j2, `incidents` -> incidents.html.j2), unless the publication has its own
    Markdown template of that name (templates/site/incident.md.j2). The later pages of a record's
    lists are HTML either way (record_list.html.j2)."""
    if (pub.root / "templates" / "site" / f"{name}.md.j2").is_file():
        return f"{name}.md.j2"
    return f"{name}.html.j2"


def incident_pages(views: Views) -> Iterator[Page]:
    incidents = views.incidents_by_date()
    yield from listing_pages("incident", record_template(views.pub, "incidents"), incidents)
    template = record_template(views.pub, "incident")
    for incident in incidents:
        yield Page(page_url("incident", incident.id), template, {"incident": incident})


def actor_pages(views: Views) -> Iterator[Page]:
    actors = views.actors_sorted()  # by kind, then name: the listing groups them by kind
    yield from listing_pages("actor", record_template(views.pub, "actors"), actors)
    template = record_template(views.pub, "actor")
    for actor in actors:
        yield Page(page_url("actor", actor.id), template, {"actor": actor})
        yield from record_list_pages("actor", actor, "incidents", views.actor_incidents(actor.id))
        yield from record_list_pages("actor", actor, "statements", grouped_statements(views.statements_by(actor.id)))


def place_pages(views: Views) -> Iterator[Page]:
    # the listing's order is the one its template used before pagination (Jinja's `sort`: by name, case-insensitive, stable)
    yield from listing_pages("place", record_template(views.pub, "places"), sorted(views.pub.places.values(), key=lambda p: p.name.lower()))
    template = record_template(views.pub, "place")
    for place in sorted(views.pub.places.values(), key=lambda p: p.id):
        yield Page(page_url("place", place.id), template, {"place": place})
        yield from record_list_pages("place", place, "incidents", views.incidents_in(place.id))


def source_pages(views: Views) -> Iterator[Page]:
    newest = sorted(views.pub.sources.values(), key=lambda s: s.published, reverse=True)
    yield from listing_pages("source", record_template(views.pub, "sources"), newest)
    template = record_template(views.pub, "source")
    for source in sorted(views.pub.sources.values(), key=lambda s: s.id):
        yield Page(page_url("source", source.id), template, {"source": source})
        yield from record_list_pages("source", source, "citations", source_citations(views, source.id))
        yield from record_list_pages("source", source, "quotes", views.quotes_in(source.id))


def map_pages(views: Views) -> Iterator[Page]:
    yield Page(page_url("map"), "map.md.j2")


def data_pages(views: Views) -> Iterator[Page]:
    yield Page("data/index.md", "data.md.j2")
    # incidents that need attention, a page of LISTING_PAGE_SIZE at a time: quality.md, then quality/page_2.md, …
    attention = [i for i in views.incidents_by_date() if views.quality(i).needs_attention]
    yield from listing_pages("quality", record_template(views.pub, "quality"), attention)
    yield Page("changes.md", "changes.md.j2")


GENERATORS = (data_pages, home_pages, map_pages, incident_pages, actor_pages, place_pages, source_pages)


def all_pages(views: Views) -> list[Page]:
    return [page for generator in GENERATORS for page in generator(views)]


class _Recorded(Mapping):
    """One of the publication's record stores as a template sees it: every look-up is noted in the
    page's dependencies ("actor/<id>"), going through the whole store as "actor/*" (rendermemo.py)."""

    __slots__ = ("_store", "_kind", "_deps")

    def __init__(self, store: Mapping, kind: str, deps: set[str]):
        self._store, self._kind, self._deps = store, kind, deps

    def __getitem__(self, key):
        self._deps.add(f"{self._kind}/{key}")
        return self._store[key]

    def __contains__(self, key) -> bool:
        self._deps.add(f"{self._kind}/{key}")
        return key in self._store

    def __iter__(self):
        self._deps.add(f"{self._kind}/*")
        return iter(self._store)

    def __len__(self) -> int:
        self._deps.add(f"{self._kind}/*")
        return len(self._store)


class _RecordingPub:
    """The Publication as a page's template sees it (`pub`): its record stores are _Recorded."""

    _KINDS = {"incidents": "incident", "actors": "actor", "places": "place", "sources": "source", "seeds": "source",
              "context": "context"}

    def __init__(self, pub: Publication, deps: set[str]):
        self._pub, self._deps = pub, deps

    def __getattr__(self, name: str):
        value = getattr(self._pub, name)
        kind = self._KINDS.get(name)
        return _Recorded(value, kind, self._deps) if kind else value


class PageRenderer:
    def __init__(self, pub: Publication, views: Views, pdf_links: bool = False, charts: Mapping[str, Chart] | None = None):
        self.pub = pub
        self.views = views
        self.charts = charts or {}  # chart id -> Chart (charts.build_charts); a page shows those it names
        self.pdf_links = pdf_links  # link each brief and profile to its PDF (built by build.publish_pdfs)
        self.env = environment(pub.root / "templates", "site")
        self.html_env = None  # for pages written in HTML (htmlpages.py), made when first needed
        self.directory_urls = directory_urls(pub.root)  # how MkDocs will serve the pages (site_root)
        self.credits = DatasetCredits(views)  # a dataset's licence credit on every page built from it
        self.downloads: Mapping[str, int] = {}  # data download path (under data/) -> size in bytes
        self.jsonld = None  # callable (kind, record) -> Markup script block, set by render_pages
        self.edition = None  # pdf.Edition: version, commit and date of this build, for citations
        self.history = None  # history.History: revisions from git
        self.dependencies: dict[str, set[str]] = {}  # page path -> "kind/id" of records it shows or links

    def render(self, page: Page) -> str:
        here = posixpath.dirname(page.path)
        as_html = page.template.endswith(".html.j2")  # a page written in HTML (htmlpages.py)
        escape_text = html_text if as_html else md_escape

        def url(kind: str, record_id: str | None = None, anchor: str = "") -> str:
            target = relative(page_url(kind, record_id), here)
            return target + (f"#{anchor}" if anchor else "")

        def pdf_url(kind: str, record_id: str | None = None) -> str:
            """Relative address of the record's PDF, or '' when PDFs are not built."""
            return relative(f"assets/generated/pdf/{pdf_path(kind, record_id)}", here) if self.pdf_links else ""

        def chart(chart_id: str) -> Markup:
            """The chart's block (view, static SVG, caption, data table), or nothing when there is no such chart."""
            found = self.charts.get(chart_id)
            return chart_block(found, site_root(page.path, self.directory_urls), html=as_html) if found else Markup("")

        deps = self.dependencies.setdefault(page.path, set())
        for kind in ("incident", "actor", "place", "source"):
            if kind in page.context:
                deps.add(f"{kind}/{page.context[kind].id}")

        def hyperlink(text: object, target: str) -> str:
            return f'<a href="{target}">{escape_text(text)}</a>' if as_html else f"[{md_escape(text)}]({target})"

        def ref(kind: str, record_id: str, text: str | None = None) -> Markup:
            deps.add(f"{kind}/{record_id}")
            if text is None:
                record = self.pub.store(kind)[record_id]
                text = getattr(record, "title", None) or getattr(record, "name", record_id)
            return Markup(hyperlink(text, url(kind, record_id)))

        def describe(evidence: Evidence) -> Markup:
            deps.add(f"source/{evidence.source}")
            source = self.pub.sources[evidence.source]
            line = self.views.verification.line(evidence)
            # a source page shows the text, with line anchors, only when its licence allows (show_text)
            anchor = f"L{line}" if source.show_text else ""
            where = hyperlink(f"line {line}", url('source', source.id, anchor)) if line else "quote"
            if source.kind == "dataset":
                where = hyperlink(evidence.locator or "row", url("source", source.id))
            return Markup(
                f"{escape_text(source.publisher)}, {source.published.strftime('%-d %b %Y')}, {where}: "
                f"“{escape_text(evidence.quote)}” "
                f"<span class=\"ib-verified\" title=\"Found in the source text at build time\">✓ verified</span>"
            )

        citations = (HtmlCitations if as_html else Citations)(describe)
        context = {
            "pub": _RecordingPub(self.pub, deps), "page_size": LISTING_PAGE_SIZE, "paged": paged,
            "source_citations": lambda source_id: source_citations(self.views, source_id), "info": self.pub.info, "v": self.views, "url": url, "ref": ref, "pdf_url": pdf_url, "chart": chart,
            "cite": citations.cite, "cite_all": citations.cite_all, "footnotes": citations.definitions,
            "CATEGORIES": CATEGORIES, "STANCE_VERB": STANCE_VERB, "GRADE_LABEL": GRADE_LABEL,
            "GRADE_DEFINITION": GRADE_DEFINITION, "PRECISION_LABEL": PRECISION_LABEL,
            "reading_label": reading_label, "version": __version__, "source_text": self.source_text,
            "READING_RULES": READING_RULES, "NORMALISATION_RULES": NORMALISATION_RULES,
            "RECONCILE_RULE": RULE, "MODEL_CLASSES": MODEL_CLASSES, "field_rows": field_rows,
            "downloads": self.downloads, "data_url": lambda rel: relative(f"data/{rel}", here),
            "jsonld": self.jsonld, "size_label": size_label, "edition": self.edition, "page_path": page.path,
            "history": self.history, "feed_url": lambda name: relative(f"feeds/{name}.xml", here),
            "record_name": self.views.record_name, "record_exists": self.views.record_exists,
            "page_edition": lambda: self.page_edition(page.path),
            "is_draft": lambda kind, rid: kind == "incident" and rid in self.pub.incidents and self.pub.incidents[rid].draft,
            **page.context,
        }
        if not as_html:
            return self.env.get_template(page.template).render(context) + self.credits.notice(page.context)
        if self.html_env is None:
            self.html_env = environment(self.pub.root / "templates", "site", html=True)
        context["heading"] = Headings()
        text = self.html_env.get_template(page.template).render(context)
        notice = self.credits.notice(page.context, html=True)
        if notice:  # before the footnotes, which Python-Markdown puts last
            at = text.find('<div class="footnote">')
            text = text[:at] + notice + text[at:] if at >= 0 else text + notice
        return text

    def page_edition(self, path: str) -> str:
        """Commit label of a page's content (see History.page_edition); the build's commit without git history."""
        if self.history is not None:
            return self.history.page_edition(self.dependencies.get(path, set()))
        return self.edition.commit if self.edition else "uncommitted"

    def source_text(self, source_id: str) -> Markup:
        """The article as received, one anchored line per line, lines with verified quotes marked."""
        seed = self.pub.seeds[source_id]
        cited = {line for line, _ in self.views.quotes_in(source_id)}
        rows = []
        for number, text in enumerate(seed.text.split("\n"), 1):
            css = "ib-line ib-cited" if number in cited else "ib-line"
            rows.append(f'<div class="{css}" id="L{number}"><a class="ib-ln" href="#L{number}" aria-label="line {number}">{number}</a>'
                        f'<span class="ib-lt">{html.escape(text)}</span></div>')
        return Markup('<div class="ib-source-text" markdown="0">\n' + "\n".join(rows) + "\n</div>")


def field_rows(model: type) -> list[tuple[str, str, str]]:
    """(field, required?, description) for the methodology page."""
    rows = []
    for name, info in model.model_fields.items():
        rows.append((name, "required" if info.is_required() else "optional", info.description or ""))
    return rows


def site_root(page_path: str, directory_urls: bool = True) -> str:
    """Relative path from a page to the site root, as MkDocs serves the page: with directory URLs
    (mkdocs.yml's use_directory_urls, the default) a/b.md is a/b/, without them a/b.html.
    (For the raw HTML of a page, which MkDocs does not rewrite: the chart images.)"""
    parts = page_path[:-3].split("/")
    depth = len(parts) - 1 if parts[-1] == "index" or not directory_urls else len(parts)
    return "../" * depth


def history_citations(pub: Publication, views: Views) -> dict[tuple[str, str], set[str]]:
    """What history.History needs to link revisions: sources each record cites, and each seed's sources."""
    from .validate import walk

    out: dict[tuple[str, str], set[str]] = {}
    for incident in pub.incidents.values():  # a published incident's sources, not those only its drafts cite
        out[("incident", incident.id)] = set(views.sources_of(views.published.get(incident.id, incident)))
    for actor in pub.actors.values():
        out[("actor", actor.id)] = {obj.source for _, obj in walk(actor) if isinstance(obj, Evidence)}
    for source in pub.sources.values():
        out.setdefault(("seed", source.seed), set()).add(source.id)
    return out


def feed_files(pub: Publication, views: Views, history) -> dict[str, bytes]:
    """Atom feeds: feeds/all.xml for the whole publication, feeds/actors/<id>.xml per actor."""
    from .feeds import atom

    base = (pub.info.site_url or "").rstrip("/")
    from .build import _slug

    feed_root = f"{base}/" if base else f"urn:incidentbook:{_slug(pub.info.title)}:"
    updated = views.pub.info.published.isoformat() + "T00:00:00Z" if pub.info.published else "1970-01-01T00:00:00Z"

    def href(feed_path: str, kind: str, record_id: str) -> str:
        page = page_url(kind, record_id)[:-3] + "/"
        return f"{base}/{page}" if base else posixpath.relpath(page, posixpath.dirname(feed_path)) + "/"

    def entries(feed_path: str, revisions) -> list:
        return [(r, views.record_name(r.kind, r.record_id), href(feed_path, r.kind, r.record_id))
                for r in revisions if views.record_exists(r.kind, r.record_id)]

    files = {"feeds/all.xml": atom(feed_root + "feeds/all", f"{pub.info.title}: what changed",
                                   f"{base}/feeds/all.xml" if base else "all.xml", base + "/changes/" if base else "../changes/",
                                   updated, entries("feeds/all.xml", history.recent(50)))}
    for actor in sorted(pub.actors.values(), key=lambda a: a.id):
        path = f"feeds/actors/{actor.id}.xml"
        revisions = list(history.of("actor", actor.id))
        for row in views.actor_incidents(actor.id):
            revisions += history.of("incident", row.incident.id)
        revisions.sort(key=lambda r: (r.commit.order, r.kind, r.record_id), reverse=True)
        files[path] = atom(feed_root + path[:-4], f"{actor.name}: changes in {pub.info.title}",
                           f"{base}/{path}" if base else f"{actor.id}.xml",
                           href(path, "actor", actor.id), updated, entries(path, revisions[:50]))
    return files


def size_label(size: int) -> str:
    return f"{size:,} bytes" if size < 10_000 else f"{size / 1024:,.0f} KB" if size < 10_000_000 else f"{size / 1048576:,.1f} MB"


def render_pages(pub: Publication, views: Views, pdf_links: bool = False,
                 charts: Mapping[str, Chart] | None = None, downloads: Mapping[str, int] | None = None,
                 edition=None, history=None, dependencies: dict | None = None,
                 keep: Mapping[str, dict] | None = None, write_to: Path | None = None) -> dict:
    """Every page's Markdown, by path under docs/. A page in `keep` (rendermemo.reusable: path ->
    memo entry) is not rendered: its value is a rendermemo.Kept, and its dependencies are the ones
    it had when it was rendered. With `write_to` (docs/), each page is written there as soon as it
    is rendered (when its bytes changed) and its value is a Kept too: the publication's Markdown
    (1.3 GB as Python strings at 10,000 incidents) is never all in memory at once."""
    import hashlib

    from .metadata import jsonld_block
    from .rendermemo import Kept

    keep = keep or {}

    renderer = PageRenderer(pub, views, pdf_links, charts)
    renderer.downloads = downloads or {}
    renderer.edition = edition
    renderer.history = history
    renderer.jsonld = lambda kind, record: jsonld_block(views, kind, record)
    def render(page: Page) -> str:
        text = renderer.render(page)
        if text.startswith("---\n"):  # the commit this page's content comes from, shown in its footer
            text = f"---\nedition: {json.dumps(renderer.page_edition(page.path))}\n" + text[4:]
        return text

    def render_and_write(page: Page) -> list:
        """[sha256, written, shows]: what the page is and shows, for the page rendered and written
        here or in a worker process (forkmap)."""
        data = render(page).encode("utf-8")
        return [hashlib.sha256(data).hexdigest(), write_if_changed(write_to / page.path, data),
                sorted(renderer.dependencies.get(page.path, ()))]

    pages = {}
    todo = []
    for page in all_pages(views):
        if page.path in keep:
            pages[page.path] = Kept(keep[page.path]["sha256"])
            renderer.dependencies[page.path] = set(keep[page.path]["shows"])
        elif write_to is None:
            pages[page.path] = render(page)
        else:
            pages[page.path] = None  # its place in the order of pages
            todo.append(page)
    if todo:
        # written as rendered, in one process per CPU for a large build (forkmap; the same files)
        from .forkmap import fork_map
        from .parallelpages import workers_for

        for page, (sha256, written, shows) in zip(todo, fork_map(todo, render_and_write, workers_for(len(todo)))):
            pages[page.path] = Kept(sha256, written)
            renderer.dependencies[page.path] = set(shows)
    if dependencies is not None:
        dependencies.update(renderer.dependencies)
    return pages


def write_pages(docs: Path, pages: Mapping[str, str | bytes]) -> tuple[int, int]:
    """Write files whose bytes changed; remove stale generated files. Returns (written, removed)."""
    written = removed = 0
    for rel, text in pages.items():
        if not isinstance(text, (str, bytes)) or hasattr(text, "sha256"):
            continue  # rendermemo.Kept (exports.Written is one), exports.KeptBytes: the file is already what it should be
        target = docs / rel
        written += write_if_changed(target, text.encode("utf-8") if isinstance(text, str) else text)
    for directory in GENERATED_DIRS:
        for stale in sorted((docs / directory).rglob("*")) if (docs / directory).is_dir() else []:
            if stale.is_file() and stale.relative_to(docs).as_posix() not in pages:
                stale.unlink()
                removed += 1
    # A build killed between writing `<file>.tmp` and renaming it leaves the temporary file; MkDocs
    # would publish it as a static file, so the site would differ from a clean build's.
    for leftover in sorted(docs.rglob("*.tmp")) if docs.is_dir() else []:
        rel = leftover.relative_to(docs).as_posix()
        if rel[:-len(".tmp")] in pages or rel.startswith("assets/generated/"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return written, removed
