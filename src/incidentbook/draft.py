"""`incidentbook draft`: propose records from one source, every value with the quote it came from.

Reading order: drop scraping debris → split sentences → in each sentence find places (gazetteer),
actors (alias table), dates (resolved against the publication date), casualty figures and
statements of responsibility → group what was found into incidents by place → match each group
against the existing incidents (same place within the gazetteer hierarchy, dates within a day):
a match becomes additions to that incident, anything else a new draft incident.
The analyst edits the result; lines marked CHECK need a decision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .datetext import DateMention, find_dates
from .debris import Debris, find_debris
from .evidence import IndexedText, normalise
from .extract import Figure, Statement, figures, speaker, statements
from .load import Publication
from .lookup import ActorTable, Gazetteer, Mention, Sentence, sentences
from .model import Incident

EVENT = re.compile(r"\b(?:attack\w*|bomb\w*|blast\w*|explosion\w*|raid\w*|ambush\w*|bloodshed|massacr\w*|kill\w*|"
                   r"executi?\w*|abduct\w*|kidnap\w*|shoot\w*|shot|gunmen|suicide|assault\w*|wounded|injured|dead|died|"
                   r"captured|incident|clash\w*|fighting)\b", re.IGNORECASE)
EVENT_TYPES = [  # (vocabulary id, pattern over the incident's sentences); used only when the id is in the vocabulary
    ("complex-suicide-attack", r"suicide\s+(?:raid|assault|squad|attackers)|gunmen\s+and\s+suicide"),
    ("abduction-and-killing", r"(?=.*\b(?:abduct|kidnap|captur))(?=.*\b(?:kill|execut|massacr))"),
    ("bombing", r"\b(?:bomb|blast|explosi|IED|suicide)"),
    ("targeted-killing", r"\bassassinat"),
    ("armed-assault", r"\b(?:gunmen|opened fire|shot|shooting|stormed)"),
]


class Note:
    """A comment line in the draft YAML, used as a key in the record dicts (see draftyaml).

    `pending` holds a value the draft could not write as a record (e.g. a claim by an actor the
    publication does not have yet), so that it can still be counted and listed.
    """

    def __init__(self, text: str, pending: dict | None = None):
        self.text = text
        self.pending = pending


@dataclass
class SentenceFacts:
    """What one sentence says: dates, actors, figures, statements, and whether it tells of violence."""

    sentence: Sentence
    dates: list[DateMention]
    actors: list[Mention]
    figures: list[Figure]
    statements: list[Statement]
    eventful: bool


@dataclass
class Group:
    """What the article says about one incident."""

    place: str | None
    anchors: list[tuple[Sentence, Mention, bool]] = field(default_factory=list)  # (sentence, place mention, near)
    figures: list[tuple[Sentence, Figure, str | None]] = field(default_factory=list)
    statements: list[tuple[Sentence, Statement, DateMention | None]] = field(default_factory=list)
    dates: list[tuple[Sentence, DateMention]] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Draft:
    source_id: str
    seed: str
    debris: list[Debris]
    incidents: list[dict]  # new incident records (with Note keys)
    additions: list[dict]  # {"incident": id, "casualties": [...], "responsibility": [...]}


def _evidence(source_id: str, sentence: Sentence) -> dict:
    return {"source": source_id, "quote": sentence.text}


def _date_record(source_id: str, sentence: Sentence, mention: DateMention) -> dict:
    record: dict = {"earliest": mention.earliest}
    if mention.latest != mention.earliest:
        record["latest"] = mention.latest
    record["precision"] = mention.precision
    if mention.time_of_day:
        record["time_of_day"] = mention.time_of_day
    if mention.inferred:
        record["inferred"] = True
        record["reasoning"] = mention.reasoning
    record["evidence"] = [_evidence(source_id, sentence)]
    return record


class _Reader:
    def __init__(self, pub: Publication, source_id: str):
        self.pub, self.source_id = pub, source_id
        self.source = pub.sources[source_id]
        self.text = pub.seeds[source_id].text
        self.gazetteer = Gazetteer(pub.places)
        self.actors = ActorTable(pub.actors)
        self.debris = find_debris(self.text)
        self.sentences = sentences(self.text, {d.line for d in self.debris})

    def groups(self) -> list[Group]:
        """Facts grouped into incidents: a sentence telling of violence at a gazetteer place anchors a
        group (a province joins the nearest group at a city inside it); other sentences belong to the
        group anchored last before them (the article's current topic), or first after them."""
        facts: list[SentenceFacts] = []
        anchors: list[tuple[Sentence, Mention, bool]] = []
        for s in self.sentences:
            dates = find_dates(s.text, self.source.published)
            actors = self.actors.find(s.text)
            places = [p for p in self.gazetteer.find(s.text) if not any(a.start < p.end and p.start < a.end for a in actors)]
            figs = figures(s.text, [(d.start, d.end) for d in dates])
            stmts = statements(s.text, actors, self.actors)
            eventful = bool(figs) or bool(EVENT.search(s.text))
            if eventful and places:
                best = max(places, key=lambda p: (self.gazetteer.depth(p.id), -p.start))
                near = bool(re.search(r"\bnear(?:by)?\s+(?:the\s+)?$", s.text[:best.start]))
                anchors.append((s, best, near))
            facts.append(SentenceFacts(s, dates, actors, figs, stmts, eventful))
        groups: list[Group] = []
        for anchor in sorted(anchors, key=lambda a: (-self.gazetteer.depth(a[1].id), a[0].index)):
            related = [g for g in groups if self.gazetteer.related(g.place, anchor[1].id)]
            if related:
                min(related, key=lambda g: min(abs(a[0].index - anchor[0].index) for a in g.anchors)).anchors.append(anchor)
            else:
                groups.append(Group(anchor[1].id, [anchor]))
        by_sentence = {a[0].index: g for g in groups for a in g.anchors}
        if not groups:
            groups.append(Group(None))

        def group_of(index: int) -> Group:
            if index in by_sentence:
                return by_sentence[index]
            before = [i for i in by_sentence if i < index]
            after = [i for i in by_sentence if i > index]
            return by_sentence[max(before)] if before else by_sentence[min(after)] if after else groups[0]

        for fact in facts:
            if not (fact.eventful or fact.statements):
                continue
            s = fact.sentence
            group = group_of(s.index)
            said = speaker(s.text, fact.actors)
            group.sentences.append(s)
            group.figures += [(s, f, said) for f in fact.figures]
            stated = next((d for d in fact.dates if d.statement), None)
            group.statements += [(s, st, stated) for st in fact.statements]
            group.dates += [(s, d) for d in fact.dates if not d.statement and fact.eventful]
        return [g for g in groups if g.figures or g.statements]

    # ---- records ----
    def _actor_field(self, record: dict, key: str, actor_id: str | None, notes: list[str]) -> None:
        if not actor_id:
            return
        entry = self.actors.get(actor_id)
        if entry.known:
            record[key] = actor_id
        else:
            notes.append(f"CHECK: {key} would be {entry.name!r} (id {actor_id}), which is not in data/actors/; add the actor first")

    def casualty(self, s: Sentence, figure: Figure, said: str | None) -> dict:
        record: dict = {"category": figure.category, "phrase": figure.phrase}
        notes: list[str] = []
        if figure.group:
            record["group"] = figure.group
        self._actor_field(record, "said_by", said, notes)
        record["evidence"] = _evidence(self.source_id, s)
        return {**{Note(n): None for n in notes}, **record}

    def responsibility(self, s: Sentence, st: Statement, stated: DateMention | None) -> dict:
        entry = self.actors.get(st.actor.id)
        if not entry.known:
            return {Note(f"CHECK: {st.stance} {st.actor.text!r} ({entry.name}, id {st.actor.id}) is not in data/actors/; "
                         f"add the actor, then this entry. Quote: {s.text}",
                         {"actor": st.actor.id, "stance": st.stance, "evidence": [_evidence(self.source_id, s)]}): None}
        notes = [f"CHECK: the publication also has {', '.join(b)} under {st.actor.id}; is a branch meant?"
                 for b in [self.actors.branches(st.actor.id)] if b]
        record: dict = {"actor": st.actor.id, "stance": st.stance}
        if st.actor.text != entry.name:
            record["named_as"] = st.actor.text
        self._actor_field(record, "said_by", st.said_by, notes)
        self._actor_field(record, "via", st.via, notes)
        if stated:
            record["date"] = _date_record(self.source_id, s, stated)
        record["evidence"] = [_evidence(self.source_id, s)]
        return {**{Note(n): None for n in notes}, **record}

    def date(self, group: Group) -> tuple[dict, list[str]]:
        published = self.source.published
        if not group.dates:
            week_before = published - dt.timedelta(days=7)
            return ({"earliest": week_before, "latest": published, "precision": "days", "inferred": True,
                     "reasoning": f"The article does not date the incident; it was published on {published.isoformat()}."},
                    ["CHECK: no date found for this incident; the span is a placeholder"])
        order = {"day": 0, "days": 1, "week": 2, "month": 3, "year": 4}
        with_figures = {s.index for s, _, _ in group.figures}
        s, best = min(group.dates, key=lambda d: (d[0].index not in with_figures, order[d[1].precision], d[0].index))
        notes = [f"CHECK: the article also gives {d.phrase!r} ({d.earliest.isoformat()})" for _, d in group.dates
                 if (d.earliest, d.latest) != (best.earliest, best.latest)]
        return _date_record(self.source_id, s, best), notes


def _overlaps(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    one = dt.timedelta(days=1)
    return a[0] - one <= b[1] and b[0] - one <= a[1]


def _family(pub: Publication, actor_id: str) -> set[str]:
    chain, current = set(), actor_id
    while current and current not in chain:
        chain.add(current)
        current = pub.actors[current].parent if current in pub.actors else None
    return chain


def _already(pub: Publication, incident: Incident, source_id: str, record: dict) -> bool:
    """True when the incident already records this value from this source (an actor's branch counts as the actor)."""
    if "category" in record:
        return any(r.evidence.source == source_id and r.category == record["category"]
                   and normalise(r.phrase).lower() == normalise(record["phrase"]).lower() for r in incident.casualties)
    if "actor" not in record:
        return False
    return any(r.stance == record["stance"] and any(e.source == source_id for e in r.evidence)
               and (r.actor in _family(pub, record["actor"]) or record["actor"] in _family(pub, r.actor))
               for r in incident.responsibility)


def draft(pub: Publication, source_id: str) -> Draft:
    """Propose new incidents and additions to existing ones from one source. Deterministic."""
    reader = _Reader(pub, source_id)
    indexed = IndexedText.build(reader.text)
    new, additions, used_ids = [], [], set(pub.incidents)
    for group in reader.groups():
        casualties = [reader.casualty(s, f, said) for s, f, said in group.figures]
        responsibility = [reader.responsibility(s, st, d) for s, st, d in group.statements]
        date, date_notes = reader.date(group)
        span = (date["earliest"], date.get("latest", date["earliest"]))
        matches = sorted((inc for inc in pub.incidents.values()
                          if group.place and reader.gazetteer.related(group.place, inc.place.id)
                          and _overlaps(span, (inc.date.earliest, inc.date.latest))),
                         key=lambda inc: (abs((inc.date.earliest - span[0]).days), inc.id))
        if matches:
            target = matches[0]
            where = (f"the same place ({group.place})" if group.place == target.place.id
                     else f"{group.place} and {target.place.id}, one within the other in the gazetteer")
            notes = [f"Matched: {where}; the article dates it {span[0].isoformat()}, within a day of {target.date.label()}."]
            notes += [f"CHECK: also close: {other.id}" for other in matches[1:]]
            fresh = [c for c in casualties if not _already(pub, target, source_id, c)]
            fresh_resp = [r for r in responsibility if not _already(pub, target, source_id, r)]
            skipped = len(casualties) + len(responsibility) - len(fresh) - len(fresh_resp)
            if skipped:
                notes.append(f"{skipped} value(s) from this source are already recorded on the incident and are left out.")
            additions.append({**{Note(n): None for n in notes}, "incident": target.id, "casualties": fresh,
                              "responsibility": fresh_resp})
            continue
        new.append(_new_incident(reader, group, date, date_notes, casualties, responsibility, used_ids))
    for record in [*new, *additions]:
        for quote in _quotes(record):
            assert indexed.find(quote) is not None, f"draft quote not in the source: {quote!r}"
    return Draft(source_id, reader.source.seed, reader.debris, new, additions)


def _new_incident(reader: _Reader, group: Group, date: dict, date_notes: list[str], casualties: list[dict],
                  responsibility: list[dict], used_ids: set[str]) -> dict:
    source_id, pub = reader.source_id, reader.pub
    if group.place:
        place_name = pub.places[group.place].name
        _, mention, near = next(((s, m, n) for s, m, n in group.anchors if m.id == group.place), group.anchors[0])
        evidence = [_evidence(source_id, s) for s, _, _ in group.anchors[:2]]
        place = {"id": group.place, "precision": reader.gazetteer.precision(group.place, near), "evidence": evidence}
        if mention.text not in (pub.places[group.place].name, *pub.places[group.place].alt_names):
            place = {"id": group.place, "precision": place["precision"], "inferred": True,
                     "reasoning": f'The article says "{mention.text}"; the gazetteer resolves it to {place_name}.',
                     "evidence": evidence}
    else:
        place_name = "unknown place"
        place = {Note("CHECK: no gazetteer place found; add the place to data/places.yaml and set its id"): None,
                 "id": "unknown-place", "precision": "country"}
    base = f"{group.place or 'unknown-place'}-{date['earliest'].isoformat()}"
    incident_id, n = base, 2
    while incident_id in used_ids:
        incident_id, n = f"{base}-{n}", n + 1
    used_ids.add(incident_id)
    joined = " ".join(s.text for s in group.sentences)
    vocabulary = [t.id for t in pub.vocabulary.event_types]
    event_type = next((t for t, pattern in EVENT_TYPES if t in vocabulary and re.search(pattern, joined, re.IGNORECASE | re.DOTALL)),
                      vocabulary[0] if vocabulary else "unknown")
    claimed = any(r.get("stance") == "claimed" for r in responsibility)
    targets = [{"description": f.group, "evidence": [_evidence(source_id, s)]}
               for s, f, _ in group.figures[:1] if f.group and f.group != "attackers"]
    return {
        Note(f"Draft proposed from {source_id}; remove `draft: true` once checked."): None,
        "id": incident_id,
        "draft": True,
        Note("CHECK: title and summary are placeholders"): None,
        "title": f"Incident {'near' if place.get('precision') == 'near' else 'in'} {place_name}, {date['earliest'].strftime('%-d %b %Y')}",
        "summary": f"Draft read from source {source_id}; replace with the analyst's summary.",
        Note("CHECK: event type guessed from the wording"): None,
        "event_type": event_type,
        **{Note(n): None for n in date_notes},
        "date": date,
        "place": place,
        "targets": targets,
        "casualties": casualties,
        "responsibility": responsibility,
        Note("CHECK: grade"): None,
        "grade": "confirmed-by-perpetrator" if claimed else "single-source",
    }


def _quotes(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [value["quote"]] if isinstance(value.get("quote"), str) else []
        return found + [q for v in value.values() for q in _quotes(v)]
    if isinstance(value, list):
        return [q for v in value for q in _quotes(v)]
    return []
