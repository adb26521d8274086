"""Generate the site's Markdown pages from the validated model.

Each page kind is a small generator yielding Page(path, template, context). Rendering is pure;
writing happens in one place (`write_pages`), which touches a file only when its bytes change
and removes generated pages whose record is gone.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import __version__
from .attribution import DatasetCredits
from .chartkit import Chart, chart_block
from .evidence import NORMALISATION_RULES
from .load import Publication
from .model import MODEL_CLASSES, Evidence
from .pdf import pdf_path
from .phrases import READING_RULES
from .reconcile import RULE
from .render import Citations, environment, md_escape
from .views import CATEGORIES, GRADE_DEFINITION, GRADE_LABEL, PRECISION_LABEL, STANCE_VERB, Views, reading_label, report_rows

GENERATED_DIRS = ("incidents", "actors", "places", "sources")
GENERATED_FILES = ("index.md", "context.md", "methodology.md", "map.md")
KIND_DIR = {"incident": "incidents", "actor": "actors", "place": "places", "source": "sources", "context": "context"}


@dataclass
class Page:
    path: str  # relative to docs/, posix
    template: str
    context: dict = field(default_factory=dict)


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
    directory = KIND_DIR[kind]
    return f"{directory}/{record_id}.md" if record_id else f"{directory}/index.md"


def home_pages(views: Views) -> Iterator[Page]:
    yield Page("index.md", "home.md.j2")
    yield Page("context.md", "context.md.j2")
    yield Page("methodology.md", "methodology.md.j2")


def incident_pages(views: Views) -> Iterator[Page]:
    yield Page(page_url("incident"), "incidents.md.j2")
    for incident in views.incidents_by_date():
        yield Page(page_url("incident", incident.id), "incident.md.j2", {"incident": incident})


def actor_pages(views: Views) -> Iterator[Page]:
    yield Page(page_url("actor"), "actors.md.j2")
    for actor in views.actors_sorted():
        yield Page(page_url("actor", actor.id), "actor.md.j2", {"actor": actor})


def place_pages(views: Views) -> Iterator[Page]:
    yield Page(page_url("place"), "places.md.j2")
    for place in sorted(views.pub.places.values(), key=lambda p: p.id):
        yield Page(page_url("place", place.id), "place.md.j2", {"place": place})


def source_pages(views: Views) -> Iterator[Page]:
    yield Page(page_url("source"), "sources.md.j2")
    for source in sorted(views.pub.sources.values(), key=lambda s: s.id):
        yield Page(page_url("source", source.id), "source.md.j2", {"source": source})


def map_pages(views: Views) -> Iterator[Page]:
    yield Page(page_url("map"), "map.md.j2")


GENERATORS = (home_pages, map_pages, incident_pages, actor_pages, place_pages, source_pages)


def all_pages(views: Views) -> list[Page]:
    return [page for generator in GENERATORS for page in generator(views)]


class PageRenderer:
    def __init__(self, pub: Publication, views: Views, pdf_links: bool = False, charts: Mapping[str, Chart] | None = None):
        self.pub = pub
        self.views = views
        self.pdf_links = pdf_links  # link each brief and profile to its PDF (built by build.publish_pdfs)
        self.charts = charts or {}  # chart id -> Chart (charts.build_charts); a page shows those it names
        self.env = environment(pub.root / "templates", "site")
        self.credits = DatasetCredits(views)  # a dataset's licence credit on every page built from it

    def render(self, page: Page) -> str:
        here = posixpath.dirname(page.path)

        def url(kind: str, record_id: str | None = None, anchor: str = "") -> str:
            target = posixpath.relpath(page_url(kind, record_id), here or ".")
            return target + (f"#{anchor}" if anchor else "")

        def pdf_url(kind: str, record_id: str | None = None) -> str:
            """Relative address of the record's PDF, or '' when PDFs are not built."""
            return posixpath.relpath(f"assets/generated/pdf/{pdf_path(kind, record_id)}", here or ".") if self.pdf_links else ""

        def chart(chart_id: str) -> Markup:
            """The chart's block (view, static SVG, caption, data table), or nothing when there is no such chart."""
            found = self.charts.get(chart_id)
            return chart_block(found, site_root(page.path)) if found else Markup("")

        def ref(kind: str, record_id: str, text: str | None = None) -> Markup:
            if text is None:
                store = {"incident": self.pub.incidents, "actor": self.pub.actors, "place": self.pub.places,
                         "source": self.pub.sources}[kind]
                record = store[record_id]
                text = getattr(record, "title", None) or getattr(record, "name", record_id)
            return Markup(f"[{md_escape(text)}]({url(kind, record_id)})")

        def describe(evidence: Evidence) -> Markup:
            source = self.pub.sources[evidence.source]
            line = self.views.verification.line(evidence)
            where = f"[line {line}]({url('source', source.id, f'L{line}')})" if line else "quote"
            if source.kind == "dataset":
                where = f"[{md_escape(evidence.locator or 'row')}]({url('source', source.id)})"
            return Markup(
                f"{md_escape(source.publisher)}, {source.published.strftime('%-d %b %Y')}, {where}: "
                f"“{md_escape(evidence.quote)}” "
                f"<span class=\"ib-verified\" title=\"Found in the source text at build time\">✓ verified</span>"
            )

        citations = Citations(describe)
        context = {
            "pub": self.pub, "info": self.pub.info, "v": self.views, "url": url, "ref": ref, "pdf_url": pdf_url, "chart": chart,
            "cite": citations.cite, "cite_all": citations.cite_all, "footnotes": citations.definitions,
            "CATEGORIES": CATEGORIES, "STANCE_VERB": STANCE_VERB, "GRADE_LABEL": GRADE_LABEL,
            "GRADE_DEFINITION": GRADE_DEFINITION, "PRECISION_LABEL": PRECISION_LABEL,
            "report_rows": report_rows, "reading_label": reading_label, "version": __version__, "source_text": self.source_text,
            "READING_RULES": READING_RULES, "NORMALISATION_RULES": NORMALISATION_RULES,
            "RECONCILE_RULE": RULE, "MODEL_CLASSES": MODEL_CLASSES, "field_rows": field_rows,
            **page.context,
        }
        return self.env.get_template(page.template).render(context) + self.credits.notice(page.context)

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


def site_root(page_path: str) -> str:
    """Relative path from a page, as served with directory URLs (a/b.md -> a/b/), to the site root."""
    parts = page_path[:-3].split("/")
    depth = len(parts) - 1 if parts[-1] == "index" else len(parts)
    return "../" * depth


def render_pages(pub: Publication, views: Views, pdf_links: bool = False,
                 charts: Mapping[str, Chart] | None = None) -> dict[str, str]:
    renderer = PageRenderer(pub, views, pdf_links, charts)
    return {page.path: renderer.render(page) for page in all_pages(views)}


def write_pages(docs: Path, pages: dict[str, str]) -> tuple[int, int]:
    """Write pages whose bytes changed; remove stale generated pages. Returns (written, removed)."""
    written = removed = 0
    for rel, text in pages.items():
        target = docs / rel
        data = text.encode("utf-8")
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        written += 1
    for directory in GENERATED_DIRS:
        for stale in sorted((docs / directory).glob("*.md")) if (docs / directory).is_dir() else []:
            if f"{directory}/{stale.name}" not in pages:
                stale.unlink()
                removed += 1
    return written, removed
