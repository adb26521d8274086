"""Data downloads: the publication's records as CSV, JSON and GeoJSON, described by a Frictionless
data package: views in, {path: bytes} out (paths relative to the site's data/ folder); with
`write_to`, the per-incident JSON files and incidents.json are written as they are made (in several
processes for a large publication), and a JsonMemo may read back, unchanged, JSON files the last
build wrote into docs/.

One row per thing a researcher counts: an incident, an actor, a source, one source's casualty
figure, one responsibility statement. Ranges keep their open ends (an empty high means "no upper
bound") and every figure row carries its quote.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .model import Incident
from .rendermemo import Kept
from .views import CATEGORIES, Views, reading_label

LICENCE_NOTE = ("Curated records of this publication. Quotes are short excerpts of the cited sources, "
                "whose own licences apply to their texts.")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless type: string, integer, number, boolean, date
    description: str
    get: Callable


def _date(d):
    return d.isoformat() if d else None


INCIDENT_COLUMNS: list[Column] = [
    Column("id", "string", "Stable identifier of the incident.", lambda v, i: i.id),
    Column("title", "string", "Analyst's title.", lambda v, i: i.title),
    Column("event_type", "string", "Event type from the publication's vocabulary.", lambda v, i: i.event_type),
    Column("date_earliest", "date", "Earliest possible day.", lambda v, i: _date(i.date.earliest)),
    Column("date_latest", "date", "Latest possible day.", lambda v, i: _date(i.date.latest)),
    Column("date_precision", "string", "day, days, week, month or year.", lambda v, i: i.date.precision),
    Column("time_of_day", "string", "Time of day as the source gives it.", lambda v, i: i.date.time_of_day),
    Column("date_inferred", "boolean", "True when the analyst inferred the date.", lambda v, i: i.date.inferred),
    Column("place_id", "string", "Gazetteer id of the place.", lambda v, i: i.place.id),
    Column("place", "string", "Place with its administrative parents.", lambda v, i: v.place_label(i.place.id)),
    Column("place_precision", "string", "exact, near, city, district, province or country.", lambda v, i: i.place.precision),
    Column("country_iso", "string", "ISO 3166-1 alpha-2 code of the country.", lambda v, i: v.country_code(i.place.id)),
    Column("lat", "number", "WGS84 latitude of the gazetteer place.", lambda v, i: v.pub.places[i.place.id].lat),
    Column("lon", "number", "WGS84 longitude of the gazetteer place.", lambda v, i: v.pub.places[i.place.id].lon),
    *[
        Column(f"{category}_{bound}", "integer" if bound != "open_ended" else "boolean",
               f"Reconciled {category}: {text}.", (lambda c, b: lambda v, i: _bound(v, i, c, b))(category, bound))
        for category in CATEGORIES
        for bound, text in (("low", "lower bound"), ("best", "best estimate"), ("high", "upper bound (empty when open-ended)"),
                            ("open_ended", "true when a source gives no upper bound"))
    ],
    Column("responsibility", "string", "Who claimed, was blamed or denied, in one line.", lambda v, i: v.perpetrator_status(i)),
    Column("grade", "string", "Sourcing grade.", lambda v, i: i.grade),
    Column("sources", "integer", "Number of sources cited.", lambda v, i: v.quality(i).sources),
    Column("publishers", "integer", "Number of independent publishers cited.", lambda v, i: v.quality(i).publishers),
    Column("quotes_verified", "integer", "Distinct quotes verified in their sources at build time.", lambda v, i: v.quality(i).quotes_verified),
    Column("inferred_values", "integer", "Values the analyst inferred rather than read in a source.", lambda v, i: v.quality(i).inferred_values),
    Column("disagreements", "string", "Categories whose sources' figures cannot all be true, separated by semicolons.",
           lambda v, i: ";".join(v.quality(i).disagreements)),
    Column("needs_attention", "string", "Why the incident needs attention (single source; disagreeing figures), separated by semicolons.",
           lambda v, i: ";".join(v.quality(i).needs_attention)),
    Column("tags", "string", "Tags, separated by semicolons.", lambda v, i: ";".join(i.tags)),
]


def _bound(views: Views, incident: Incident, category: str, bound: str):
    rec = views.figures[incident.id].get(category)
    if rec is None:
        return None
    return {"low": rec.low, "best": rec.best, "high": rec.high, "open_ended": rec.open_ended}[bound]


REPORT_COLUMNS = [
    Column("incident_id", "string", "The incident the figure is about.", lambda v, row: row[0].id),
    Column("category", "string", "killed, wounded, abducted or missing.", lambda v, row: row[1].category),
    Column("phrase", "string", "The figure in the source's words.", lambda v, row: row[1].phrase),
    Column("reading", "string", "The figure as read by incidentbook's rules.", lambda v, row: reading_label(row[1].reading)),
    Column("low", "integer", "Lower bound of the reading.", lambda v, row: row[1].reading.low),
    Column("high", "integer", "Upper bound of the reading (empty: none).", lambda v, row: row[1].reading.high),
    Column("best", "integer", "Best estimate of the reading.", lambda v, row: row[1].reading.best),
    Column("group", "string", "Who the figure counts.", lambda v, row: row[1].group),
    Column("said_by", "string", "Actor id of whoever gave the figure (empty: the source itself).", lambda v, row: row[1].said_by),
    Column("source_id", "string", "Id of the source.", lambda v, row: row[1].evidence.source),
    Column("quote", "string", "The quote containing the figure, verified in the source.", lambda v, row: row[1].evidence.quote),
    Column("quote_line", "integer", "Line of the source text where the quote begins.", lambda v, row: v.verification.line(row[1].evidence)),
]

CLAIM_COLUMNS = [
    Column("incident_id", "string", "The incident the statement is about.", lambda v, row: row[0].id),
    Column("actor_id", "string", "The actor named.", lambda v, row: row[1].actor),
    Column("stance", "string", "claimed, denied, attributed or suspected.", lambda v, row: row[1].stance),
    Column("named_as", "string", "How the source names the actor.", lambda v, row: row[1].named_as),
    Column("said_by", "string", "Actor id of whoever made the statement.", lambda v, row: row[1].said_by),
    Column("via", "string", "Outlet of the statement.", lambda v, row: row[1].via),
    Column("date_earliest", "date", "Earliest day the statement can have been made.", lambda v, row: _date(row[1].date.earliest) if row[1].date else None),
    Column("date_latest", "date", "Latest day the statement can have been made.", lambda v, row: _date(row[1].date.latest) if row[1].date else None),
    Column("inferred", "boolean", "True when the identification of the actor is the analyst's inference.", lambda v, row: row[1].inferred),
    Column("source_id", "string", "Id of the first source reporting the statement.", lambda v, row: row[1].evidence[0].source),
    Column("quote", "string", "The first quote reporting the statement, verified in the source.", lambda v, row: row[1].evidence[0].quote),
]

ACTOR_COLUMNS = [
    Column("id", "string", "Stable identifier of the actor.", lambda v, a: a.id),
    Column("name", "string", "Name used in the publication.", lambda v, a: a.name),
    Column("kind", "string", "Kind of actor.", lambda v, a: a.kind),
    Column("parent", "string", "Id of the organisation the actor belongs to.", lambda v, a: a.parent),
    Column("role", "string", "For a person, their role.", lambda v, a: a.role),
    Column("aliases", "string", "Other names and spellings, separated by semicolons.", lambda v, a: ";".join(x.name for x in a.aliases)),
    Column("incidents", "integer", "Incidents naming the actor or its branches.", lambda v, a: len(v.actor_incidents(a.id))),
]

SOURCE_COLUMNS = [
    Column("id", "string", "Stable identifier of the source.", lambda v, s: s.id),
    Column("title", "string", "Title or first line as received.", lambda v, s: s.title),
    Column("publisher", "string", "Publisher.", lambda v, s: s.publisher),
    Column("author", "string", "Author, if given.", lambda v, s: s.author),
    Column("published", "date", "Publication date.", lambda v, s: _date(s.published)),
    Column("url", "string", "Address of the original, if known.", lambda v, s: s.url),
    Column("language", "string", "ISO 639-1 language code.", lambda v, s: s.language),
    Column("sha256", "string", "SHA-256 fingerprint of the text as received.", lambda v, s: v.pub.seeds[s.id].sha256),
    Column("quotes_verified", "integer", "Distinct quotes from the source verified at build time.", lambda v, s: len(v.quotes_in(s.id))),
]


def _csv(columns: list[Column], views: Views, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        values = []
        for c in columns:
            value = c.get(views, row)
            values.append("" if value is None else ("true" if value is True else "false" if value is False else value))
        writer.writerow(values)
    return out.getvalue().encode("utf-8")


def _json(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


class KeptBytes(bytes):
    """A download's bytes read back from docs/ because its data is the last build's (JsonMemo): the file
    is already what it should be, and its SHA-256 is known (manifest.digest)."""

    sha256: str


class JsonMemo:
    """The JSON downloads of the last build, by the SHA-256 of the repr of their data (build/cache/
    export-memo.json). json.dumps with indent runs Python's pure-Python encoder, 0.16 ms per incident
    record (measured 7 December): 1.6 s of a rebuild at 10,000 incidents for files that did not
    change. repr is exact for JSON data (str, int, float, bool, None, list, dict), so equal keys
    mean equal bytes; a file in docs/ whose SHA-256 is not the recorded one is encoded again."""

    FILE = Path("build") / "cache" / "export-memo.json"

    def __init__(self, root: Path | None):
        self.root, self.before, self.now = root, {}, {}
        if root is not None:
            try:
                self.before = json.loads((root / self.FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.before = {}

    def encode(self, path: str, data) -> bytes:
        key = hashlib.sha256(repr(data).encode("utf-8")).hexdigest()
        known = self.before.get(path)
        if self.root is not None and isinstance(known, list) and known[0] == key:
            try:
                old = (self.root / "docs" / "data" / path).read_bytes()
            except OSError:
                old = None
            if old is not None and hashlib.sha256(old).hexdigest() == known[1]:
                kept = KeptBytes(old)
                kept.sha256 = known[1]
                self.now[path] = known
                return kept
        out = _json(data)
        self.now[path] = [key, hashlib.sha256(out).hexdigest()]
        return out

    def save(self) -> None:
        """After the downloads are written to docs/data/."""
        if self.root is None:
            return
        target = self.root / self.FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(self.now, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, target)

    def forget(self) -> None:
        if self.root is not None:
            (self.root / self.FILE).unlink(missing_ok=True)


def _json_list(encoded: list[bytes]) -> bytes:
    """_json of a list, from the _json of each item: the same bytes without encoding every record twice."""
    with _JsonList(None) as out:
        for one in encoded:
            out.add(one)
    return out.result


class Written(Kept):
    """A download written to docs/ while it was made (data_files(write_to=...)): a rendermemo.Kept
    (its SHA-256, what manifest.digest reads, and whether its bytes changed) with its size (len)."""

    __slots__ = ("size",)

    def __init__(self, sha256: str, size: int, written: bool):
        super().__init__(sha256, written)
        self.size = size

    def __len__(self) -> int:
        return self.size

    @classmethod
    def write(cls, target: Path, data: bytes) -> Written:
        """Write data to target when its bytes changed. A KeptBytes was just read from target, its
        SHA-256 checked (JsonMemo): it is not read again."""
        from .publish import write_if_changed

        if isinstance(data, KeptBytes):
            return cls(data.sha256, len(data), False)
        return cls(hashlib.sha256(data).hexdigest(), len(data), write_if_changed(target, data))


class _JsonList:
    """_json of a list, made from the _json of each item as it comes (JSON strings hold no raw line
    breaks, so each item's lines just move one space in), into memory or into a file. A file is
    written beside its target and renamed over it only when its bytes differ (as write_if_changed);
    `result` is then a Written, else the bytes."""

    def __init__(self, target: Path | None):
        self.target, self.count, self.size = target, 0, 0
        self.digest = hashlib.sha256()
        if target is None:
            self.out = io.BytesIO()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = target.with_name(target.name + ".tmp")
            self.out = self.tmp.open("wb")
        self.result: bytes | Written | None = None

    def _put(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.size += len(data)

    def add(self, one: bytes) -> None:
        self._put(b"[\n" if self.count == 0 else b",\n")
        self._put(b"\n".join(b" " + line for line in one.rstrip(b"\n").split(b"\n")))
        self.count += 1

    def __enter__(self) -> _JsonList:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.out.close()
            if self.target is not None:
                self.tmp.unlink(missing_ok=True)
            return
        self._put(b"\n]\n" if self.count else _json([]))
        if self.target is None:
            self.result = self.out.getvalue()
            return
        self.out.close()
        sha256 = self.digest.hexdigest()
        unchanged = self.target.is_file() and self.target.stat().st_size == self.size and _file_sha256(self.target) == sha256
        if unchanged:
            self.tmp.unlink()
        else:
            os.replace(self.tmp, self.target)
        self.result = Written(sha256, self.size, not unchanged)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def incident_record(views: Views, incident: Incident) -> dict:
    """One incident as JSON: the curated record plus the reconciled figures and page address."""
    data = incident.model_dump(mode="json")
    data["reconciled"] = {c: {"low": r.low, "best": r.best, "high": r.high, "open_ended": r.open_ended,
                              "label": r.label(), "rule": r.rule}
                          for c, r in views.figures[incident.id].reconciled.items()}
    data["place_label"] = views.place_label(incident.place.id)
    return data


def geojson(views: Views) -> dict:
    features = []
    for incident in views.incidents_by_date(newest_first=False):
        place = views.pub.places[incident.place.id]
        killed = views.figures[incident.id].get("killed")
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]} if place.lat is not None else None,
            "properties": {
                "id": incident.id, "title": incident.title, "date_earliest": _date(incident.date.earliest),
                "date_latest": _date(incident.date.latest), "date_precision": incident.date.precision,
                "place": views.place_label(place.id), "place_precision": incident.place.precision,
                "killed": killed.label() if killed else None, "killed_low": killed.low if killed else None,
                "killed_high": killed.high if killed else None,
            },
        })
    return {"type": "FeatureCollection", "features": features}


TABLES = (
    ("incidents", "Incidents, one row each, with reconciled figures.", INCIDENT_COLUMNS, lambda v: v.incidents_by_date(newest_first=False)),
    ("casualty_reports", "One row per source figure, with its quote.", REPORT_COLUMNS,
     lambda v: [(i, r) for i in v.incidents_by_date(newest_first=False) for r in i.casualties]),
    ("claims", "One row per claim, denial, attribution or suspicion.", CLAIM_COLUMNS,
     lambda v: [(i, r) for i in v.incidents_by_date(newest_first=False) for r in v.timeline(i)]),
    ("actors", "Actors, one row each.", ACTOR_COLUMNS, lambda v: sorted(v.pub.actors.values(), key=lambda a: a.id)),
    ("sources", "Sources, one row each, with fingerprints.", SOURCE_COLUMNS, lambda v: sorted(v.pub.sources.values(), key=lambda s: s.id)),
)


MIN_FORKED = 1_000  # incidents from which their JSON files are made in several processes


# The CSV tables cost about half as much as the per-incident JSON files (10,000 incidents, one
# process: 2.3 s against 4.6 s), and the calling process makes them while the workers make their
# share of the files: so it takes a smaller share, (1 - TABLES_COST * (workers - 1)) / workers of
# the files (a quarter with two processes), and the processes end together.
TABLES_COST = 0.5


def _incident_files(views: Views, memo: JsonMemo, write_to: Path | None,
                    meanwhile: Callable[[], None]) -> list[tuple[str, bytes | Written, list]]:
    """(path, the JSON bytes or, with write_to, the file written, the memo's entry) of every incident,
    by date. With write_to, from MIN_FORKED incidents on, in several processes (forkmap.fork_map, as
    many as parallelpages.workers_for allows), each writing its share of the files: encoding JSON
    with indent is pure Python, about 0.2 ms an incident, and writing a file as much. `meanwhile`
    (the tables) is done by the calling process while the workers start."""
    from .forkmap import fork_map
    from .parallelpages import workers_for

    def one(incident: Incident) -> tuple[str, bytes | Written, list]:
        path = f"incidents/{incident.id}.json"
        data = memo.encode(path, incident_record(views, incident))
        return path, (Written.write(write_to / path, data) if write_to is not None else data), memo.now[path]

    incidents = views.incidents_by_date(newest_first=False)
    workers = workers_for(len(incidents)) if write_to is not None and len(incidents) >= MIN_FORKED else 1
    caller_share = max(0.0, (1 - TABLES_COST * (workers - 1)) / workers)
    return fork_map(incidents, one, workers, caller_share=caller_share, meanwhile=meanwhile)


def data_files(views: Views, name: str, title: str, version: str, memo: JsonMemo | None = None,
               write_to: Path | None = None) -> dict[str, bytes | Written]:
    """Every download, keyed by its path under the site's data/ folder. With a memo, JSON files whose
    data is the last build's are read back instead of encoded (their bytes are the same).

    With write_to (the site's data/ folder in docs/), the per-incident JSON files and incidents.json
    are written there as they are made, and stand in the result as `Written` (their SHA-256 and size):
    at 100,000 incidents they are about 1 GB, which a build held until every page was written."""
    memo = memo or JsonMemo(None)
    files: dict[str, bytes | Written] = {}
    resources = []

    def tables() -> None:
        for table, description, columns, rows in TABLES:
            files[f"{table}.csv"] = _csv(columns, views, rows(views))
            resources.append({
                "name": table.replace("_", "-"), "path": f"{table}.csv", "format": "csv", "mediatype": "text/csv",
                "encoding": "utf-8", "description": description,
                "schema": {"fields": [{"name": c.name, "type": c.type, "description": c.description} for c in columns]},
            })

    with _JsonList(write_to / "incidents.json" if write_to else None) as every:
        for path, one, entry in _incident_files(views, memo, write_to, meanwhile=tables):
            memo.now[path] = entry
            every.add(one if write_to is None else (write_to / path).read_bytes())  # as written, or kept, just now
            files[path] = one
    files["incidents.json"] = every.result
    files["actors.json"] = memo.encode("actors.json", [a.model_dump(mode="json") for a in sorted(views.pub.actors.values(), key=lambda a: a.id)])
    files["incidents.geojson"] = memo.encode("incidents.geojson", geojson(views))
    for path, description in (("incidents.json", "Incidents as JSON: curated records with reconciled figures."),
                              ("actors.json", "Actors as JSON."),
                              ("incidents.geojson", "Incidents as GeoJSON points at gazetteer coordinates.")):
        resources.append({"name": path.replace(".", "-").replace("_", "-"), "path": path,
                          "format": path.rsplit(".", 1)[1], "mediatype": "application/geo+json" if path.endswith("geojson") else "application/json",
                          "description": description})
    package = {
        "name": name, "title": title, "version": version,
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "description": LICENCE_NOTE,
        "resources": resources,
    }
    files["datapackage.json"] = _json(package)
    return files
