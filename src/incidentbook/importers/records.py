"""Turn parsed dataset rows into ordinary records of a publication and write the new ones.

Each imported row becomes one incident file whose evidence cites the dataset row (the dataset
is registered as a source of kind `dataset`). Only new files are written: a record that already
exists — curated, or imported before — is left as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..datasets import read_rows
from ..model import Actor, EventType, Incident, Place, Source, Vocabulary, error_message
from ..problems import ProblemsFound
from ..yamlio import load_yaml
from .common import ActorIndex, Gazetteer, ParsedRow, Rejection, Unreadable, slugify

# Event types an import may use; written to data/event-types/ when the publication lacks them.
EVENT_TYPES = {
    "armed-assault": ("Armed assault", "An attack with firearms or other weapons, without explosives as the main means."),
    "bombing": ("Bombing", "An attack by explosive device without an accompanying armed raid."),
    "suicide-bombing": ("Suicide bombing", "An attack in which the attacker sets off explosives carried on the body or in a vehicle."),
    "kidnapping": ("Kidnapping or hostage taking", "People are seized and held by an armed group."),
    "execution": ("Execution", "Captives are killed by the group holding them."),
    "targeted-killing": ("Targeted killing", "The killing of a specific named person."),
    "arson": ("Arson", "Property is set on fire."),
    "hijacking": ("Hijacking", "A vehicle, vessel or aircraft is seized."),
    "other-attack": ("Other or unspecified attack", "The dataset's own type matches none of the other event types; its wording is kept in the summary."),
}


@dataclass
class DatasetInfo:
    """How a dataset is registered as a source."""

    source_id: str
    title: str
    publisher: str
    published: dt.date
    licence: str
    attribution: str
    id_prefix: str  # incident ids are <prefix>-<row>-<place>-<date>
    url: str | None = None
    encoding: str = "utf-8"
    note: str | None = None
    event_types: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (label, definition), beyond EVENT_TYPES


@dataclass
class ImportReport:
    dataset: str
    rows_read: int = 0
    imported: list[str] = field(default_factory=list)
    already_present: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    new_actors: list[str] = field(default_factory=list)
    new_places: list[str] = field(default_factory=list)
    new_event_types: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def by_reason(self) -> Counter:
        return Counter((r.column, r.reason) for r in self.rejected)

    def summary(self) -> list[str]:
        lines = [(f"{self.dataset}: {self.rows_read:,} rows read, {len(self.imported):,} incidents written, "
                  f"{self.already_present:,} already present (left unchanged), {len(self.rejected):,} rows rejected; "
                  f"{len(self.new_actors):,} new actors, {len(self.new_places):,} new places, "
                  f"{len(self.new_event_types):,} new event types; {self.seconds:.1f} s.")]
        for (column, reason), n in self.by_reason().most_common():
            lines.append(f"  rejected {n:>5,} × column {column!r}: {reason}")
        return lines


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
RowParser = Callable[[int, list[str], list[str]], ParsedRow]


def _dump(path: Path, data: dict, comment: str) -> None:
    text = f"# {comment}\n" + yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)


def _incident(parsed: ParsedRow, info: DatasetInfo, place_id: str, actors: ActorIndex) -> dict:
    sid = info.source_id
    date: dict = {"earliest": parsed.earliest}
    if parsed.latest != parsed.earliest:
        date["latest"] = parsed.latest
    date["precision"] = parsed.precision
    if parsed.time_of_day:
        date["time_of_day"] = parsed.time_of_day
    date["evidence"] = [parsed.date_cited.evidence(sid)]
    casualties = []
    for figure in parsed.figures:
        report: dict = {"category": figure.category, "phrase": figure.phrase}
        if figure.group:
            report["group"] = figure.group
        report["evidence"] = figure.cited.evidence(sid)
        if figure.low is not None:
            report["low"] = figure.low
        if figure.high is not None:
            report["high"] = figure.high
        if figure.note:
            report["note"] = figure.note
        casualties.append(report)
    responsibility, seen = [], set()
    for perpetrator in parsed.perpetrators:
        actor = actors.resolve(perpetrator.name, sid, perpetrator.cited)
        if (actor.id, perpetrator.stance) in seen:
            continue
        seen.add((actor.id, perpetrator.stance))
        entry: dict = {"actor": actor.id, "stance": perpetrator.stance}
        if perpetrator.name != actor.name:
            entry["named_as"] = perpetrator.name
        entry["evidence"] = [perpetrator.cited.evidence(sid)]
        responsibility.append(entry)
    data = {
        "id": f"{info.id_prefix}-{parsed.row}-{slugify(place_id, 40)}-{parsed.earliest.isoformat()}",
        "title": parsed.title,
        "summary": parsed.summary,
        "event_type": parsed.event_type,
        "date": date,
        "place": {"id": place_id, "precision": parsed.geo_precision, "evidence": [parsed.place_cited.evidence(sid)]},
        "casualties": casualties,
        "responsibility": responsibility,
        "grade": "single-source",
        "tags": ["imported", *parsed.tags],
    }
    return {k: v for k, v in data.items() if v != []}


class _Target:
    """What an import needs from the publication — actors, places, event types and its own source —
    read without the incidents, so importing into a large publication stays fast. Records that do
    not validate are left out here; `incidentbook check` reports them."""

    def __init__(self, data_dir: Path, source_id: str):
        def records(folder: str) -> list[object]:
            return [self._read(p) for p in sorted((data_dir / folder).glob("*.yaml"))] if (data_dir / folder).is_dir() else []

        self.actors = {a.id: a for a in (self._valid(Actor, d) for d in records("actors")) if a}
        places_file = self._read(data_dir / "places.yaml") if (data_dir / "places.yaml").is_file() else {}
        place_data = (places_file or {}).get("places") or [] if isinstance(places_file, dict) else []
        self.places = {p.id: p for p in (self._valid(Place, d) for d in [*place_data, *records("places")]) if p}
        vocabulary = self._valid(Vocabulary, self._read(data_dir / "vocabulary.yaml")) if (data_dir / "vocabulary.yaml").is_file() else None
        self.event_types = {t.id for t in vocabulary.event_types} if vocabulary else set()
        self.event_types |= {t.id for t in (self._valid(EventType, d) for d in records("event-types")) if t}
        source_path = data_dir / "sources" / f"{source_id}.yaml"
        self.source = self._valid(Source, self._read(source_path)) if source_path.is_file() else None

    @staticmethod
    def _read(path: Path) -> object:
        try:
            return load_yaml(path, str(path))[0]
        except ProblemsFound:
            return None

    @staticmethod
    def _valid(model, data):
        try:
            return model.model_validate(data) if isinstance(data, dict) else None
        except ValidationError:
            return None


def import_rows(root: Path, dataset: Path, info: DatasetInfo, parse_row: RowParser, limit: int | None = None,
                dry_run: bool = False) -> ImportReport:
    """Import a dataset into the publication at root. Writes only files that do not exist yet."""
    started = time.perf_counter()
    root, dataset = root.resolve(), dataset.resolve()
    report = ImportReport(str(dataset))
    raw, header, rows = read_rows(dataset, info.encoding)
    data_dir = root / "data"
    target = _Target(data_dir, info.source_id)
    gazetteer, actors = Gazetteer(target.places), ActorIndex(target.actors)
    sha256 = hashlib.sha256(raw).hexdigest()
    source_path = data_dir / "sources" / f"{info.source_id}.yaml"
    existing = target.source
    if existing is not None and existing.sha256 != sha256:
        raise ValueError(f"{source_path} records SHA-256 {existing.sha256} but {dataset} now has {sha256}: "
                         "the dataset changed since it was imported; import it under another source id")
    seed = os.path.relpath(dataset, root)
    source = Source(id=info.source_id, kind="dataset", seed=seed, sha256=sha256, encoding=info.encoding, title=info.title,
                    publisher=info.publisher, published=info.published, url=info.url, licence=info.licence,
                    attribution=info.attribution, note=info.note)
    incidents: list[tuple[int, dict]] = []
    for number, values in enumerate(rows[:limit] if limit else rows, 1):
        report.rows_read += 1
        if not any(v.strip() for v in values):
            report.rejected.append(Rejection(str(dataset), number, "(row)", "", "empty row"))
            continue
        try:
            parsed = parse_row(number, header, values)
            place_id = gazetteer.resolve(parsed.country, parsed.levels)
            data = _incident(parsed, info, place_id, actors)
            Incident.model_validate(data)
        except Unreadable as exc:
            report.rejected.append(Rejection(str(dataset), number, exc.column, exc.value, exc.reason))
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            report.rejected.append(Rejection(str(dataset), number, ".".join(map(str, first["loc"])), str(first.get("input", ""))[:80], error_message(first)))
            continue
        incidents.append((number, data))
    vocabulary = target.event_types
    used_types = sorted({data["event_type"] for _, data in incidents} - vocabulary)
    report.new_event_types = used_types
    report.new_actors = sorted(a for a in actors.new if not (data_dir / "actors" / f"{a}.yaml").exists())
    report.new_places = sorted(p for p in gazetteer.new if not (data_dir / "places" / f"{p}.yaml").exists())
    stamp = f"Imported by `incidentbook import` from {info.title}"
    for number, data in incidents:
        if (data_dir / "incidents" / f"{data['id']}.yaml").exists():
            report.already_present += 1
        else:
            report.imported.append(data["id"])
    if not dry_run:
        if existing is None and not source_path.exists():
            _dump(source_path, source.model_dump(mode="json", exclude_defaults=True), stamp)
        for type_id in used_types:
            label, definition = {**EVENT_TYPES, **info.event_types}[type_id]
            _dump(data_dir / "event-types" / f"{type_id}.yaml", {"id": type_id, "label": label, "definition": definition}, stamp)
        for actor_id in report.new_actors:
            _dump(data_dir / "actors" / f"{actor_id}.yaml", actors.new[actor_id], stamp)
        for place_id in report.new_places:
            place = gazetteer.new[place_id].model_dump(mode="json", exclude_defaults=True)
            _dump(data_dir / "places" / f"{place_id}.yaml", place, stamp)
        written = set(report.imported)
        for number, data in incidents:
            if data["id"] in written:
                _dump(data_dir / "incidents" / f"{data['id']}.yaml", data, f"{stamp}, row {number}")
    report.seconds = time.perf_counter() - started
    return report
