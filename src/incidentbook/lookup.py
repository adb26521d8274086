"""What `incidentbook draft` reads a text with: sentences, the gazetteer and the actor alias table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml

from .model import Actor, Place

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "gen", "col", "lt", "capt", "sgt", "maj", "gov", "sen", "rep", "st", "no", "vs",
                  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k"}
_END = re.compile(r"[.!?…]+[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int  # offsets into the article text
    end: int
    text: str  # white space collapsed; occurs in the article under evidence matching


@dataclass(frozen=True)
class Mention:
    start: int  # offsets into the sentence text
    end: int
    id: str
    text: str


def _blocks(text: str, skip_lines: set[int]) -> list[tuple[int, int]]:
    """(start, end) offsets of runs of lines that belong together (paragraphs, or single headings)."""
    blocks: list[tuple[int, int]] = []
    offset, start = 0, None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if number in skip_lines or not stripped:
            if start is not None:
                blocks.append((start, offset))
            start = None
        else:
            start = offset if start is None else start
            if re.search(r"[.!?…][\"'”’)]*$", stripped) or len(stripped) < 60:
                blocks.append((start, offset + len(line)))
                start = None
        offset += len(line) + 1
    if start is not None:
        blocks.append((start, len(text)))
    return blocks


def sentences(text: str, skip_lines: set[int] = frozenset()) -> list[Sentence]:
    """Split into sentences; lines in skip_lines (1-based, e.g. scraping debris) are left out.

    A line break ends a sentence when the line ends with closing punctuation or is short (a
    heading); otherwise the sentence runs on to the next line, as in hard-wrapped text.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _blocks(text, skip_lines):
        pos = start
        for m in _END.finditer(text, start, end):
            word = re.search(r"([\w.]+)\W*$", text[pos:m.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue  # "Gen. Nicholson", "Oct. 25", "U.S. forces"
            spans.append((pos, m.end()))
            pos = m.end()
        spans.append((pos, end))
    out: list[Sentence] = []
    for a, b in spans:
        piece = text[a:b]
        if piece.strip():
            a += len(piece) - len(piece.lstrip())
            b = a + len(piece.strip())
            out.append(Sentence(len(out), a, b, " ".join(piece.split())))
    return out


def _find_names(text: str, names: list[tuple[str, str]]) -> list[Mention]:
    """Non-overlapping mentions of the names (longest first), case-sensitive, at word boundaries."""
    found: list[Mention] = []
    for name, ident in names:
        for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text):
            if not any(m.start() < f.end and f.start < m.end() for f in found):
                found.append(Mention(m.start(), m.end(), ident, m.group(0)))
    return sorted(found, key=lambda f: f.start)


def _by_length(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(set(pairs), key=lambda p: (-len(p[0]), p[0], p[1]))


class Gazetteer:
    """The publication's places: names and alternate spellings, and the admin hierarchy."""

    def __init__(self, places: dict[str, Place]):
        self.places = places
        pairs = []
        for place in places.values():
            for name in [place.name, *place.alt_names]:
                pairs.append((name, place.id))
                if place.kind == "province" and "province" not in name.lower():
                    pairs += [(f"{name} province", place.id), (f"{name} Province", place.id)]
        self.names = _by_length(pairs)
        region_names = "|".join(re.escape(n) for n, i in self.names if places[i].kind in ("province", "country", "region", "district"))
        self._capital = re.compile(r"\b(?:the\s+)?capital\s+of\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}?(?P<name>" + region_names
                                   + r")(?:\s+[Pp]rovince)?(?![\w-])") if region_names else None

    def ancestors(self, place_id: str) -> list[str]:
        """The place and every place it lies in, most specific first."""
        chain: list[str] = []
        current: str | None = place_id
        while current and current in self.places and current not in chain:
            chain.append(current)
            current = self.places[current].parent
        return chain

    def depth(self, place_id: str) -> int:
        return len(self.ancestors(place_id))

    def related(self, a: str, b: str) -> bool:
        return a in self.ancestors(b) or b in self.ancestors(a)

    def capital(self, region_id: str) -> str | None:
        """The one city or town in the gazetteer directly under the region, if there is exactly one."""
        cities = sorted(p.id for p in self.places.values() if p.parent == region_id and p.kind in ("city", "town"))
        return cities[0] if len(cities) == 1 else None

    def find(self, text: str) -> list[Mention]:
        """Places named in the text; 'the capital of Ghor province' resolves to the province's city."""
        capitals: list[Mention] = []
        if self._capital:
            lookup = dict(self.names)
            for m in self._capital.finditer(text):
                city = self.capital(lookup[m.group("name")])
                if city:
                    capitals.append(Mention(m.start(), m.end(), city, m.group(0)))
        plain = [m for m in _find_names(text, self.names)
                 if not any(c.start <= m.start and m.end <= c.end and self.related(m.id, c.id) for c in capitals)]
        return sorted(capitals + plain, key=lambda f: f.start)

    def precision(self, place_id: str, near: bool) -> str:
        if near:
            return "near"
        kind = self.places[place_id].kind
        return {"city": "city", "town": "city", "village": "city", "district": "district", "province": "province",
                "region": "province", "country": "country", "site": "exact", "border": "near"}[kind]


@dataclass(frozen=True)
class ActorEntry:
    id: str
    name: str
    known: bool  # a record in the publication (data/actors/)
    kind: str | None
    parent: str | None
    outlet_of: str | None


class ActorTable:
    """Actor names and aliases: the built-in table, overridden by the publication's own actors."""

    def __init__(self, actors: dict[str, Actor]):
        builtin = yaml.safe_load(resources.files("incidentbook").joinpath("builtin/aliases.yaml").read_text(encoding="utf-8"))
        self.entries: dict[str, ActorEntry] = {}
        pairs: dict[str, str] = {}
        for item in builtin["actors"]:
            self.entries[item["id"]] = ActorEntry(item["id"], item["name"], False, "media-outlet" if item.get("outlet_of") else "armed-group",
                                                  item.get("outlet_of"), item.get("outlet_of"))
            for name in [item["name"], *item.get("aliases", [])]:
                pairs[name] = item["id"]
        for actor in sorted(actors.values(), key=lambda a: a.id):
            outlet = actor.parent if actor.kind == "media-outlet" else None
            self.entries[actor.id] = ActorEntry(actor.id, actor.name, True, actor.kind, actor.parent, outlet)
        for actor in sorted(actors.values(), key=lambda a: a.id):  # the publication's names win
            for name in [actor.name, *(alias.name for alias in actor.aliases)]:
                pairs[name] = actor.id
        self.names = _by_length(list(pairs.items()))

    def find(self, text: str) -> list[Mention]:
        return _find_names(text, self.names)

    def get(self, actor_id: str) -> ActorEntry:
        return self.entries[actor_id]

    def is_group(self, actor_id: str) -> bool:
        return self.entries[actor_id].kind == "armed-group"

    def branches(self, actor_id: str) -> list[str]:
        """Known armed groups whose parent is the actor (e.g. a regional branch)."""
        return sorted(e.id for e in self.entries.values() if e.known and e.parent == actor_id and e.kind == "armed-group")
