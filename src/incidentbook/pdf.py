"""Typst sources for the PDF exports: the full report and one PDF per brief and profile.

Pure: views in, Typst text out; compiling and writing happen in build.py.

Every value a template prints with `{{ }}` goes through `typst_text`, which turns it into a
Typst string literal (`#"…";`). A Typst string prints as plain text, so `#read("/etc/passwd")`,
`$x$`, `*bold*`, `<label>` or `@ref` in a record or an article can never become markup or code.
Template text itself (layout, styling) is trusted; only `Markup` made by the helpers below is
printed unescaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)
from markupsafe import Markup

from . import __version__
from .evidence import NORMALISATION_RULES
from .ledger import count_label, grouped_statements, ledger, phrase_summary
from .model import SLUG, Evidence
from .validate import walk
from .phrases import READING_RULES
from .reconcile import RULE
from .views import (
    CATEGORIES,
    GRADE_DEFINITION,
    GRADE_LABEL,
    PRECISION_LABEL,
    STANCE_VERB,
    Views,
    reading_label,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def typst_str(value: object) -> Markup:
    """A Typst string literal holding the value exactly (for code positions: arguments, titles)."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = _CONTROL.sub(lambda m: f"\\u{{{ord(m.group()):x}}}", text)
    return Markup(f'"{text}"')


def typst_text(value: object) -> Markup:
    """Text for markup positions: whitespace collapsed, printed literally as a Typst string.

    The trailing semicolon ends the embedded expression, so template text that follows
    (e.g. `.` or `(`) cannot continue it as a method call.
    """
    text = re.sub(r"\s+", " ", "" if value is None else str(value))
    return Markup(f"#{typst_str(text)};") if text else Markup("")


def _finalize(value: object) -> object:
    return value if isinstance(value, Markup) else typst_text(value)


def paragraphs(value: object) -> Markup:
    """Escaped text keeping blank-line paragraph breaks."""
    parts = [typst_text(p.strip()) for p in re.split(r"\n\s*\n", str(value or "")) if p.strip()]
    return Markup("\n\n".join(parts))


def label(kind: str, record_id: str) -> Markup:
    """A Typst label for a record (`<incident-ghor-2016-10-25>`); ids are validated slugs."""
    if not SLUG.fullmatch(kind) or not SLUG.fullmatch(record_id):
        raise ValueError(f"{kind!r}/{record_id!r} is not a slug")
    return Markup(f"<{kind}-{record_id}>")


def environment(publication_templates: Path) -> Environment:
    """Templates from the publication's templates/pdf/ first, then the built-in ones."""
    loaders = []
    if (publication_templates / "pdf").is_dir():
        loaders.append(FileSystemLoader(str(publication_templates / "pdf")))
    loaders.append(PackageLoader("incidentbook", "builtin/pdf"))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=False, finalize=_finalize,
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(str=typst_str, text=typst_text, paragraphs=paragraphs)
    env.globals.update(ledger=ledger, phrase_summary=phrase_summary, grouped_statements=grouped_statements,
                       count_label=count_label)
    return env


@dataclass
class Edition:
    """What the cover and footers say about this build; no wall-clock time (reproducible)."""

    version: str = __version__
    commit: str = "uncommitted"
    date: dt.date | None = None  # publication date, or SOURCE_DATE_EPOCH's day

    @property
    def date_label(self) -> str:
        return self.date.strftime("%-d %B %Y") if self.date else "undated"


@dataclass
class PdfDocument:
    path: str  # relative to build/pdf/, posix
    template: str
    context: dict = field(default_factory=dict)
    targets: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) records inside this PDF
    images: list[str] = field(default_factory=list)  # root-relative paths (with a leading /) of images used


def pdf_path(kind: str, record_id: str | None = None) -> str:
    """Where a record's PDF lives under build/pdf/ (and docs/assets/generated/pdf/)."""
    if record_id is None:
        return "report.pdf"
    return {"incident": "incidents", "actor": "actors"}[kind] + f"/{record_id}.pdf"


@dataclass
class ChartImage:
    path: str  # root-relative, with a leading slash (Typst resolves it against the publication root)
    caption: str
    width: str = "85%"  # of the text width; maps and networks are drawn smaller


CHART_WIDTHS = {"locator": "50%", "network": "65%", "incidents": "70%"}
CHART_WORDS = {"ledger": "Casualty figures as ranges, source by source", "locator": "Location",
               "timeline": "Claims and attributions over time", "network": "Relationships with other actors"}


def chart_images(root: Path, svgs: dict[str, Path]) -> dict[str, ChartImage]:
    """{chart id: image} for chart SVGs inside the publication root; the caption is said in words."""
    out = {}
    for chart_id, svg in sorted(svgs.items()):
        kind = chart_id.rsplit("-", 1)[-1]
        words = chart_id.removeprefix("home-").replace("map-", "map of ").replace("-", " ")
        caption = CHART_WORDS.get(kind) if chart_id.startswith(("incident-", "actor-")) else None
        path = "/" + svg.resolve().relative_to(root.resolve()).as_posix()
        out[chart_id] = ChartImage(path, caption or words.capitalize(), CHART_WIDTHS.get(kind, "85%"))
    return out


def summary_charts(charts: dict[str, ChartImage]) -> list[ChartImage]:
    return [c for chart_id, c in charts.items() if chart_id.startswith(("home-", "map-"))]


def record_charts(charts: dict[str, ChartImage], kind: str, record_id: str) -> list[ChartImage]:
    names = {"incident": ("locator", "ledger"), "actor": ("timeline", "network")}[kind]
    return [charts[f"{kind}-{record_id}-{name}"] for name in names if f"{kind}-{record_id}-{name}" in charts]


def _source_targets(ids) -> set[tuple[str, str]]:
    return {("source", s) for s in ids}


def report_document(views: Views, charts: dict[str, ChartImage]) -> PdfDocument:
    pub = views.pub
    targets = ({("incident", i) for i in views.published} | {("actor", a) for a in pub.actors}
               | _source_targets(pub.sources) | {("context", c) for c in pub.context} | {("section", "methodology")})
    used = summary_charts(charts) + [c for i in views.published for c in record_charts(charts, "incident", i)]
    used += [c for a in pub.actors for c in record_charts(charts, "actor", a)]
    return PdfDocument(pdf_path("report"), "report.typ.j2", {"charts": summary_charts(charts)}, targets, [c.path for c in used])


def incident_documents(views: Views, charts: dict[str, ChartImage]) -> Iterator[PdfDocument]:
    for incident in views.incidents_by_date():
        targets = {("incident", incident.id)} | _source_targets(views.sources_of(incident))
        images = [c.path for c in record_charts(charts, "incident", incident.id)]
        yield PdfDocument(pdf_path("incident", incident.id), "incident.typ.j2", {"incident": incident}, targets, images)


def _actor_sources(views: Views, actor_id: str) -> list[str]:
    """Sources the actor's own record cites, and those of its statements (one walk of the record,
    not a scan of every citation per actor)."""
    own = {obj.source for _, obj in walk(views.pub.actors[actor_id]) if isinstance(obj, Evidence)}
    return sorted(own | {st.evidence.source for st in views.statements_by(actor_id)})


def actor_documents(views: Views, charts: dict[str, ChartImage]) -> Iterator[PdfDocument]:
    for actor in views.actors_sorted():
        sources = _actor_sources(views, actor.id)
        yield PdfDocument(pdf_path("actor", actor.id), "actor.typ.j2", {"actor": actor, "actor_sources": sources},
                          {("actor", actor.id)} | _source_targets(sources), [c.path for c in record_charts(charts, "actor", actor.id)])


def all_documents(views: Views, charts: dict[str, ChartImage]) -> list[PdfDocument]:
    return [report_document(views, charts), *incident_documents(views, charts), *actor_documents(views, charts)]


class Footnotes:
    """Numbered source notes for one document; the same quote cited again points at the first note."""

    def __init__(self, views: Views, targets: set[tuple[str, str]]):
        self.views = views
        self.targets = targets
        self._labels: dict[tuple[str, str], str] = {}

    def note(self, evidence: Evidence) -> Markup:
        key = (evidence.source, evidence.quote)
        if key in self._labels:
            return Markup(f"#footnote({self._labels[key]})")
        name = f"<note-{len(self._labels) + 1}>"
        self._labels[key] = name
        source = self.views.pub.sources[evidence.source]
        line = self.views.verification.line(evidence)
        where = f", line {line}" if line else ""
        head = typst_text(f"{source.publisher}, {source.published.strftime('%-d %b %Y')}{where}")
        if ("source", source.id) in self.targets:
            head = Markup(f"#link({label('source', source.id)})[{head}]")
        return Markup(f"#footnote[{head}: {typst_text('“' + evidence.quote + '”')}]{name}")

    def notes(self, evidence_list) -> Markup:
        # A comma between adjacent marks, so notes 19 and 20 do not read as note 1920.
        return Markup("#super[,]".join(self.note(e) for e in evidence_list))


def render(views: Views, doc: PdfDocument, edition: Edition, env: Environment, charts: dict[str, ChartImage]) -> str:
    """The Typst source of one document."""
    pub = views.pub
    footnotes = Footnotes(views, doc.targets)

    def ref(kind: str, record_id: str, text: object = None) -> Markup:
        """The record's name, linked when the record is inside this PDF."""
        if text is None:
            store = pub.store(kind)
            record = store[record_id]
            text = getattr(record, "title", None) or getattr(record, "name", record_id)
        if (kind, record_id) in doc.targets:
            return Markup(f"#link({label(kind, record_id)})[{typst_text(text)}]")
        return typst_text(text)

    context = {
        "pub": pub, "info": pub.info, "v": views, "edition": edition, "ref": ref, "label": label,
        "cite": footnotes.note, "cite_all": footnotes.notes, "doc": doc,
        "CATEGORIES": CATEGORIES, "STANCE_VERB": STANCE_VERB, "GRADE_LABEL": GRADE_LABEL,
        "GRADE_DEFINITION": GRADE_DEFINITION, "PRECISION_LABEL": PRECISION_LABEL,
        "reading_label": reading_label, "record_charts": lambda kind, record_id: record_charts(charts, kind, record_id),
        "READING_RULES": READING_RULES, "NORMALISATION_RULES": NORMALISATION_RULES, "RECONCILE_RULE": RULE,
        **doc.context,
    }
    return env.get_template(doc.template).render(context)
