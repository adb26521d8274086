"""Derived views of a validated publication: what pages, charts and exports present.

Pure functions of the model; nothing here reads or writes files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .load import Publication
from .model import Actor, ContextFigure, Evidence, Incident, Place, Responsibility
from .phrases import Reading
from .reconcile import Reconciled, range_label, reconcile
from .validate import Verification, walk

CATEGORIES = ("killed", "wounded", "abducted", "missing")
STANCE_VERB = {"claimed": "Claimed by", "denied": "Denied by", "attributed": "Attributed to", "suspected": "Suspected:"}
PRECISION_LABEL = {
    "exact": "exact location", "near": "near the named place", "city": "within the city",
    "district": "somewhere in the district", "province": "somewhere in the province", "country": "somewhere in the country",
}
GRADE_LABEL = {
    "confirmed-by-perpetrator": "Confirmed by perpetrator",
    "multiple-independent-sources": "Multiple independent sources",
    "single-source": "Single source",
    "contested": "Contested",
}
GRADE_DEFINITION = {
    "confirmed-by-perpetrator": "The perpetrator claimed the incident and no source disputes it.",
    "multiple-independent-sources": "At least two sources from independent publishers report it.",
    "single-source": "Only one source reports it; treat figures with care.",
    "contested": "Sources disagree on what happened or who is responsible.",
}


def reading_label(reading: Reading) -> str:
    label = range_label(reading.low, reading.high, reading.best, reading.open_ended, reading.qualifier == "more-than")
    if reading.of_total is not None:
        label += f" (of {reading.of_total:,})"
    if reading.extra_attackers is not None:
        label += f" (+{reading.extra_attackers:,} attackers)"
    return label


def published_record(incident: Incident) -> Incident:
    """The incident as readers see it: without its draft casualty reports and responsibility entries."""
    if not any(r.draft for r in incident.casualties) and not any(r.draft for r in incident.responsibility):
        return incident
    return incident.model_copy(update={"casualties": [r for r in incident.casualties if not r.draft],
                                       "responsibility": [r for r in incident.responsibility if not r.draft]})


@dataclass(frozen=True)
class HeldBack:
    """A draft the build validated but left out of the publication."""

    path: str
    line: int | None
    what: str  # e.g. "draft incident ghor-2016-10-25", "draft killed figure 'at least 33'"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}" if self.line else f"{self.path}: {self.what}"


def held_back(pub: Publication) -> list[HeldBack]:
    """Draft incidents and draft entries of published incidents, in file order."""
    out = []
    for incident_id, incident in sorted(pub.incidents.items()):
        origin = pub.origin("incident", incident_id)
        if incident.draft:
            out.append(HeldBack(origin.path, origin.line(("draft",)), f"draft incident {incident_id}"))
            continue
        for n, report in enumerate(incident.casualties):
            if report.draft:
                out.append(HeldBack(origin.path, origin.line(("casualties", n)),
                                    f"draft {report.category} figure {report.phrase!r} ({report.evidence.source})"))
        for n, entry in enumerate(incident.responsibility):
            if entry.draft:
                out.append(HeldBack(origin.path, origin.line(("responsibility", n)),
                                    f"draft {entry.stance} {entry.actor} ({entry.evidence[0].source})"))
    return out


@dataclass(frozen=True)
class Quality:
    """How well an incident is sourced, shown on its brief and on the quality page."""

    sources: int
    publishers: int
    single_source: bool
    disagreements: list[str]  # categories whose sources' ranges cannot all be true
    quotes_verified: int
    inferred_values: int

    @property
    def needs_attention(self) -> list[str]:
        reasons = []
        if self.single_source:
            reasons.append("single source")
        if self.disagreements:
            reasons.append("sources disagree on " + ", ".join(self.disagreements))
        return reasons


@dataclass
class IncidentFigures:
    incident: Incident
    reconciled: dict[str, Reconciled]

    def get(self, category: str) -> Reconciled | None:
        return self.reconciled.get(category)


@dataclass
class ActorIncident:
    incident: Incident
    stances: list[tuple[str, Responsibility]]  # (actor id the entry names, entry)
    involvement: list[str] = field(default_factory=list)


@dataclass
class Statement:
    speaker: Actor
    what: str  # e.g. "casualty figure", "denial of responsibility"
    record_kind: str
    record_id: str
    evidence: Evidence
    date_label: str | None = None


class Views:
    """Indexes over the publication, computed once per build."""

    def __init__(self, pub: Publication, verification: Verification):
        self.pub = pub
        self.verification = verification
        # What readers see: draft incidents left out, and draft entries left out of the others. Every
        # page, chart, export, feed and PDF reads incidents from here, never from pub.incidents.
        self.published = {i: published_record(inc) for i, inc in pub.incidents.items() if not inc.draft}
        self.figures = {i: IncidentFigures(inc, {c: r for c in CATEGORIES if (r := reconcile(c, inc.casualties))})
                        for i, inc in self.published.items()}
        self.children: dict[str, list[Actor]] = defaultdict(list)
        for actor in pub.actors.values():
            if actor.parent:
                self.children[actor.parent].append(actor)
        self.place_children: dict[str, list[Place]] = defaultdict(list)
        for place in pub.places.values():
            if place.parent:
                self.place_children[place.parent].append(place)
        self.citations = self._citations()
        self._index()

    def _index(self) -> None:
        """Indexes that keep per-record lookups O(records of that record), not O(all records):
        without them actor, place and source pages made the build quadratic in the corpus size."""
        self._newest = sorted(self.published.values(), key=lambda i: (i.date.earliest, i.id), reverse=True)
        self._rank = {incident.id: n for n, incident in enumerate(self._newest)}
        self._actors_sorted = sorted(self.pub.actors.values(), key=lambda a: (a.kind, a.name.lower()))
        self._at_place: dict[str, list[Incident]] = defaultdict(list)
        self._of_actor: dict[str, list[Incident]] = defaultdict(list)
        for incident in self._newest:
            self._at_place[incident.place.id].append(incident)
            for actor_id in {r.actor for r in incident.responsibility} | {inv.actor for inv in incident.involved}:
                self._of_actor[actor_id].append(incident)
        self._in_area: dict[str, list[Actor]] = defaultdict(list)
        self._inbound: dict[str, list[tuple[Actor, object]]] = defaultdict(list)
        self._led: dict[str, list[tuple[Actor, object]]] = defaultdict(list)
        for actor in self._actors_sorted:
            for place_id in dict.fromkeys(area.place for area in actor.areas):
                self._in_area[place_id].append(actor)
            for rel in actor.relationships:
                self._inbound[rel.actor].append((actor, rel))
            for leader in actor.leaders:
                self._led[leader.person].append((actor, leader))
        self._quotes: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for (sid, quote), line in self.verification.lines.items():
            if (sid, quote) in self._cited_quotes:  # not the quotes only drafts cite
                self._quotes[sid].append((line, quote))
        self._statements: dict[str, list[Statement]] | None = None

    def _in_date_order(self, incidents) -> list[Incident]:
        unique = {i.id: i for i in incidents}
        return sorted(unique.values(), key=lambda i: self._rank[i.id])

    # ---- ordering ----
    def incidents_by_date(self, newest_first: bool = True) -> list[Incident]:
        return list(self._newest) if newest_first else self._newest[::-1]

    def actors_sorted(self) -> list[Actor]:
        return list(self._actors_sorted)

    # ---- places ----
    def place_chain(self, place_id: str) -> list[Place]:
        chain = []
        current = self.pub.places.get(place_id)
        while current is not None:
            chain.append(current)
            current = self.pub.places.get(current.parent) if current.parent else None
        return chain

    def place_label(self, place_id: str) -> str:
        return ", ".join(p.name for p in self.place_chain(place_id))

    def descendants(self, place_id: str) -> set[str]:
        out = {place_id}
        for child in self.place_children.get(place_id, []):
            out |= self.descendants(child.id)
        return out

    def incidents_in(self, place_id: str) -> list[Incident]:
        return self._in_date_order(i for p in self.descendants(place_id) for i in self._at_place.get(p, []))

    def actors_in(self, place_id: str) -> list[Actor]:
        found = {a.id: a for p in self.descendants(place_id) for a in self._in_area.get(p, [])}
        return [a for a in self._actors_sorted if a.id in found]

    # ---- actors ----
    def actor_family(self, actor_id: str) -> set[str]:
        """The actor and every actor below it (branches, members)."""
        out = {actor_id}
        for child in self.children.get(actor_id, []):
            out |= self.actor_family(child.id)
        return out

    def actor_incidents(self, actor_id: str) -> list[ActorIncident]:
        family = self.actor_family(actor_id)
        rows = []
        for incident in self._in_date_order(i for a in family for i in self._of_actor.get(a, [])):
            stances = [(r.actor, r) for r in incident.responsibility if r.actor in family]
            involvement = [inv.role for inv in incident.involved if inv.actor in family]
            if stances or involvement:
                rows.append(ActorIncident(incident, stances, involvement))
        return rows

    def relationships_of(self, actor_id: str) -> list[tuple[str, str, Actor, object]]:
        """(direction, type label, other actor, relationship) for relationships in both directions."""
        labels_out = {"affiliate": "Affiliate of", "ally": "Ally of", "merger": "Merged with", "rival": "Rival of",
                      "split": "Split from", "umbrella": "Umbrella organisation over", "members-joined": "Joined by members of"}
        labels_in = {"affiliate": "Has affiliate", "ally": "Ally of", "merger": "Merged with", "rival": "Rival of",
                     "split": "Splinter group", "umbrella": "Under the umbrella of", "members-joined": "Members joined"}
        rows = []
        actor = self.pub.actors[actor_id]
        for rel in actor.relationships:
            rows.append(("out", labels_out[rel.type], self.pub.actors[rel.actor], rel))
        for other, rel in self._inbound.get(actor_id, []):
            rows.append(("in", labels_in[rel.type], other, rel))
        return rows

    def leaderships_of(self, person_id: str) -> list[tuple[Actor, object]]:
        return list(self._led.get(person_id, []))

    def statements_by(self, actor_id: str) -> list[Statement]:
        """Everything in the publication said by the actor or by its people (spokespeople, commanders)."""
        speakers = {actor_id} | {c.id for c in self.children.get(actor_id, []) if c.kind == "person"}
        if self._statements is None:
            self._statements = self._all_statements()
            self._said: dict[str, list[int]] = defaultdict(list)
            for n, statement in enumerate(self._statements):
                self._said[statement.speaker.id].append(n)
        return [self._statements[n] for n in sorted(n for sp in speakers for n in self._said.get(sp, []))]

    def _all_statements(self) -> list[Statement]:
        """Every statement with a speaker, in page order: incidents newest first, then actors, then context."""
        out: list[Statement] = []
        for incident in self.incidents_by_date():
            for report in incident.casualties:
                if report.said_by:
                    out.append(Statement(self.pub.actors[report.said_by], f"{report.category}: {report.phrase}", "incident", incident.id, report.evidence))
            for entry in incident.responsibility:
                if entry.said_by:
                    what = {"claimed": "claim of responsibility", "denied": "denial of responsibility",
                            "attributed": "attribution", "suspected": "suspicion"}[entry.stance]
                    out.append(Statement(self.pub.actors[entry.said_by], what, "incident", incident.id, entry.evidence[0],
                                         entry.date.label() if entry.date else None))
        for actor in self.actors_sorted():
            for rel in actor.relationships:
                if rel.said_by:
                    out.append(Statement(self.pub.actors[rel.said_by], f"relationship: {rel.type}", "actor", actor.id, rel.evidence[0]))
            for leader in actor.leaders:
                if leader.said_by:
                    out.append(Statement(self.pub.actors[leader.said_by], f"leader: {leader.fate or leader.role}", "actor", actor.id, leader.evidence[0]))
        for figure in sorted(self.pub.context.values(), key=lambda f: f.id):
            if figure.said_by:
                out.append(Statement(self.pub.actors[figure.said_by], f"context figure: {figure.metric}", "context", figure.id, figure.evidence))
        return out

    def perpetrator_status(self, incident: Incident) -> str:
        """One line: who claimed, who is blamed, who denied."""
        if not incident.responsibility:
            return "No claim or attribution"
        parts = []
        for stance in ("claimed", "attributed", "suspected", "denied"):
            names = []
            for entry in incident.responsibility:
                if entry.stance == stance:
                    name = self.pub.actors[entry.actor].name
                    if name not in names:
                        names.append(name)
            if names:
                verb = STANCE_VERB[stance]
                parts.append(f"{verb if not parts else verb.lower()} {', '.join(names)}")
        return "; ".join(parts)

    def timeline(self, incident: Incident) -> list[Responsibility]:
        """Responsibility entries in the order they were made; undated ones last."""
        return sorted(incident.responsibility,
                      key=lambda e: (e.date is None, e.date.earliest.toordinal() if e.date else 0, e.stance, e.actor))

    def quality(self, incident: Incident) -> Quality:
        """Computed once per incident (the brief, the listings and the quality page all ask)."""
        cache = self.__dict__.setdefault("_quality", {})  # by object: a draft-free copy is another record
        if id(incident) not in cache:
            cache[id(incident)] = (incident, self._quality_of(incident))  # the record kept alive with its id
        return cache[id(incident)][1]

    def _quality_of(self, incident: Incident) -> Quality:
        sources = self.sources_of(incident)
        publishers = {self.pub.sources[s].publisher.strip().lower() for s in sources}
        evidence = [obj for _, obj in walk(incident) if isinstance(obj, Evidence)]
        inferred = sum(1 for _, obj in walk(incident) if getattr(obj, "inferred", False))
        disagreements = [c for c, rec in self.figures[incident.id].reconciled.items() if rec.disagreement]
        return Quality(len(sources), len(publishers), len(sources) <= 1, disagreements,
                       len({(e.source, e.quote) for e in evidence}), inferred)

    def quality_summary(self) -> dict[str, int]:
        """Counts for the quality page: incidents, those needing attention, single-sourced, with disagreements."""
        qualities = [self.quality(i) for i in self.published.values()]
        return {"incidents": len(qualities), "attention": sum(1 for q in qualities if q.needs_attention),
                "single_source": sum(1 for q in qualities if q.single_source),
                "disagreements": sum(1 for q in qualities if q.disagreements)}

    def country_code(self, place_id: str) -> str | None:
        for place in self.place_chain(place_id):
            if place.kind == "country" and place.iso_code:
                return place.iso_code
        return None

    def context_for(self, incident: Incident) -> list[ContextFigure]:
        return [self.pub.context[c] for c in incident.context_figures]

    # ---- sources ----
    def _citations(self) -> dict[str, list[tuple[str, str, str]]]:
        """source id -> sorted list of (record kind, record id, field path) citing it."""
        cites: dict[str, set] = defaultdict(set)
        self._cited_quotes: set[tuple[str, str]] = set()
        stores = (("incident", self.published), ("actor", self.pub.actors), ("place", self.pub.places), ("context", self.pub.context))
        for kind, store in stores:
            for record_id, record in store.items():
                for loc, obj in walk(record):
                    if isinstance(obj, Evidence):
                        cites[obj.source].add((kind, record_id, loc[0] if loc else ""))
                        self._cited_quotes.add((obj.source, obj.quote))
        return {s: sorted(v) for s, v in cites.items()}

    def quotes_in(self, source_id: str) -> list[tuple[int, str]]:
        return sorted(self._quotes.get(source_id, []))

    def _store(self, kind: str) -> dict:
        return {"incident": self.published, "actor": self.pub.actors, "source": self.pub.sources,
                "place": self.pub.places}.get(kind, {})

    def record_exists(self, kind: str, record_id: str) -> bool:
        """Whether readers can see the record (a draft incident is not published)."""
        return record_id in self._store(kind)

    def record_name(self, kind: str, record_id: str) -> str:
        """A published record's title or name; its id when it is not published."""
        record = self._store(kind).get(record_id)
        return (getattr(record, "title", None) or getattr(record, "name", None) or record_id) if record else record_id

    def sources_of(self, incident: Incident) -> list[str]:
        cache = self.__dict__.setdefault("_sources_of", {})
        if id(incident) not in cache:
            cache[id(incident)] = (incident, sorted({obj.source for _, obj in walk(incident) if isinstance(obj, Evidence)}))
        return list(cache[id(incident)][1])

    # ---- totals ----
    def total(self, category: str) -> tuple[int, bool, int]:
        """(sum of lower bounds, open-ended?, incidents with a figure) across published incidents."""
        low_sum, open_ended, counted = 0, False, 0
        for figures in self.figures.values():
            rec = figures.get(category)
            if rec is None:
                continue
            counted += 1
            low_sum += rec.low if rec.low is not None else (rec.best or 0)
            open_ended = open_ended or rec.open_ended or rec.high is None or (rec.high or 0) > (rec.low or 0)
        return low_sum, open_ended, counted
