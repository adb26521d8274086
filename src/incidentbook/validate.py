"""Cross-record checks: references resolve, vocabulary is respected, every quote is verified."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from .datasets import row_number
from .evidence import IndexedText, closest_passage, normalise
from .load import Publication, load_publication
from .gcpause import gc_paused
from .model import (Actor, Area, CasualtyReport, ContextFigure, Evidence, Incident, Involvement, Leader,
                    Place, PlaceRef, Related, Relationship, Responsibility)
from .problems import Problem, ProblemsFound, field_path

# (model class, field) -> kind of record the field refers to
REFERENCES: dict[tuple[type, str], str] = {
    (Evidence, "source"): "source",
    (CasualtyReport, "said_by"): "actor",
    (Responsibility, "actor"): "actor",
    (Responsibility, "said_by"): "actor",
    (Responsibility, "via"): "actor",
    (Involvement, "actor"): "actor",
    (Relationship, "actor"): "actor",
    (Relationship, "said_by"): "actor",
    (Leader, "person"): "actor",
    (Leader, "said_by"): "actor",
    (Actor, "parent"): "actor",
    (ContextFigure, "said_by"): "actor",
    (ContextFigure, "area"): "place",
    (PlaceRef, "id"): "place",
    (Area, "place"): "place",
    (Place, "parent"): "place",
    (Related, "incident"): "incident",
    (Incident, "context_figures"): "context",
}


@dataclass
class Verification:
    """Where each verified quote was found: (source id, quote) -> line in the seed."""

    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    rows: set[tuple[str, int, str]] = field(default_factory=set)  # (dataset source id, row, quote) verified

    def line(self, evidence: Evidence) -> int | None:
        return self.lines.get((evidence.source, evidence.quote))

    @property
    def count(self) -> int:
        return len(self.lines) + len(self.rows)


def _may_hold_models(annotation) -> bool:
    """Whether a field's type can hold a model (directly, in a list or in an optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_models(arg) for arg in typing.get_args(annotation))


@functools.lru_cache(maxsize=None)
def _model_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that can hold models; walk skips the others (text, numbers,
    dates), which makes it several times faster on records with thousands of entries."""
    return tuple(name for name, info in cls.model_fields.items()
                 if info.annotation is None or _may_hold_models(info.annotation))


def walk(obj: BaseModel, loc: tuple = ()) -> Iterator[tuple[tuple, BaseModel]]:
    """(location, model) for the object and every model nested inside it, depth first.

    Collected into a list by plain recursive calls: nested generators cost a frame switch per
    level for every model yielded, which dominated builds of records with 10,000 entries."""
    out: list[tuple[tuple, BaseModel]] = []
    _collect(obj, loc, out)
    return iter(out)


def _collect(obj: BaseModel, loc: tuple, out: list) -> None:
    out.append((loc, obj))
    for name in _model_fields(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            _collect(value, loc + (name,), out)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _collect(item, loc + (name, i), out)


def _records(pub: Publication) -> Iterator[tuple[str, str, BaseModel]]:
    for kind, store in (("source", pub.sources), ("incident", pub.incidents), ("actor", pub.actors),
                        ("place", pub.places), ("context", pub.context)):
        for record_id, record in store.items():
            yield kind, record_id, record


@functools.lru_cache(maxsize=None)
def _references(cls: type) -> tuple[tuple[str, str], ...]:
    """(field, kind of record it refers to) for a model class: REFERENCES looked up once per class."""
    return tuple((name, target) for (owner, name), target in REFERENCES.items() if issubclass(cls, owner))


MIN_RECORDS = 2_000  # below this, one process: a fork would not pay for itself


@gc_paused
def validate(pub: Publication) -> Verification:
    """Check the whole publication; raise ProblemsFound listing every problem, in the records' order.

    From MIN_RECORDS records on, the records are checked in several processes (forkmap.fork_map,
    as many as parallelpages.workers_for allows): about 1.2 s in one at 10,000 incidents, most of it
    walking 220,000 nested models."""
    from .forkmap import fork_map
    from .parallelpages import workers_for

    records = list(_records(pub))
    workers = workers_for(len(records)) if len(records) >= MIN_RECORDS else 1
    problems: list[Problem] = list(pub.problems)
    verification = Verification()
    for found, lines, rows in fork_map(records, _Checks(pub).of, workers):
        problems.extend(found)
        verification.lines.update(lines)
        verification.rows.update(rows)
    if problems:
        raise ProblemsFound(problems)
    return verification


class _Checks:
    """The checks of one record against the publication (validate)."""

    def __init__(self, pub: Publication):
        self.pub = pub
        self.known = {"source": pub.sources, "actor": pub.actors, "place": pub.places,
                      "incident": pub.incidents, "context": pub.context}
        self.event_types = {t.id for t in pub.vocabulary.event_types}
        # articles normalised before the records are shared out: each process would otherwise do nearly all
        self.indexed = {sid: IndexedText.build(seed.text) for sid, seed in pub.seeds.items() if seed.rows is None}
        self.normal_rows: dict[tuple[str, int], str] = {}  # dataset rows, normalised when first cited

    def of(self, item: tuple[str, str, BaseModel]) -> tuple[list[Problem], dict[tuple[str, str], int], set[tuple[str, int, str]]]:
        """(problems, verified quotes' lines, verified dataset rows) of one record."""
        kind, record_id, record = item
        pub, known = self.pub, self.known
        origin = pub.origin(kind, record_id)
        problems: list[Problem] = []
        lines: dict[tuple[str, str], int] = {}
        rows_verified: set[tuple[str, int, str]] = set()

        def problem(loc: tuple, message: str) -> None:
            problems.append(Problem(origin.path, origin.line(loc), field_path(loc), message))

        if isinstance(record, Incident) and record.event_type not in self.event_types:
            problem(("event_type",), f"unknown event type {record.event_type!r}; known: {', '.join(sorted(self.event_types)) or 'none'} (data/vocabulary.yaml)")
        for loc, obj in walk(record):
            for name, target in _references(type(obj)):
                value = getattr(obj, name)
                values = value if isinstance(value, list) else [value]
                for i, ref in enumerate(values):
                    if ref is not None and ref not in known[target] and (target, ref) not in pub.failed:
                        at = loc + ((name, i) if isinstance(value, list) else (name,))
                        problem(at, f"unknown {target} {ref!r}")
            if isinstance(obj, Evidence) and obj.source in pub.seeds and pub.seeds[obj.source].rows is not None:
                rows = pub.seeds[obj.source].rows
                number = row_number(obj.locator)
                if number is None or not 1 <= number <= len(rows):
                    problem(loc + ("locator",), f"a dataset quote needs `locator: row N` with N from 1 to {len(rows)} (data rows, the header not counted); found {obj.locator!r}")
                else:
                    key = (obj.source, number)
                    if key not in self.normal_rows:
                        self.normal_rows[key] = normalise(rows[number - 1])
                    if normalise(obj.quote) in self.normal_rows[key]:
                        rows_verified.add((obj.source, number, obj.quote))
                    else:
                        problem(loc + ("quote",), f"quote not found in row {number} of dataset {obj.source!r} ({pub.sources[obj.source].seed}): {obj.quote!r}")
            elif isinstance(obj, Evidence) and (text := self.indexed.get(obj.source)) is not None:
                found = text.find(obj.quote)
                if found is None:
                    problem(loc + ("quote",), broken_quote_message(pub, record, loc, obj, text))
                else:
                    lines[(obj.source, obj.quote)] = found[0]
            if isinstance(obj, (CasualtyReport, ContextFigure)) and normalise(obj.phrase) not in normalise(obj.evidence.quote):
                problem(loc + ("phrase",), f"the phrase {obj.phrase!r} does not occur in its quote")
            if isinstance(obj, Responsibility) and obj.named_as:
                if not any(normalise(obj.named_as) in normalise(e.quote) for e in obj.evidence):
                    problem(loc + ("named_as",), f"{obj.named_as!r} does not occur in any of the quotes")
        if isinstance(record, Actor):
            _check_chain(pub.actors, record, problem)
        if isinstance(record, Place):
            _check_chain(pub.places, record, problem)
        return problems, lines, rows_verified


def broken_quote_message(pub: Publication, record: BaseModel, loc: tuple, evidence: Evidence, text: IndexedText) -> str:
    """'quote of the killed figure "at least 30" not found in source …; closest passage now (99% similar): "…"'."""
    what = "quote"
    if len(loc) >= 2 and loc[0] == "casualties" and isinstance(record, Incident):
        report = record.casualties[loc[1]]
        what = f"quote of the {report.category} figure {report.phrase!r}"
    message = f"{what} not found in source {evidence.source!r} (seeds/{pub.sources[evidence.source].seed}): {evidence.quote!r}"
    suggestion = closest_passage(text, evidence.quote)
    if suggestion:
        message += f"; closest passage now ({suggestion[1]}% similar): {suggestion[0]!r}"
    return message


def _check_chain(store: dict, record, problem) -> None:
    """A parent chain (actors or places) must not loop."""
    seen = {record.id}
    current = record.parent
    while current and current in store:
        if current in seen:
            problem(("parent",), f"parent chain loops back to {current!r}")
            return
        seen.add(current)
        current = store[current].parent


def load_and_validate(root: Path) -> tuple[Publication, Verification]:
    pub = load_publication(root)
    return pub, validate(pub)
