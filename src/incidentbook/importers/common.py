"""What every importer shares: a row read into plain values, reasons a row is rejected, and the
gazetteer and actor index that turn names into ids of the target publication.

An importer reads a row into a `ParsedRow` (or raises `Unreadable` naming the column and value);
`records.RecordMaker` turns parsed rows into ordinary records. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import pycountry

from ..datasets import cell_quote, locator
from ..model import Actor, Place

REFERENCE_MARK = re.compile(r"\[(?:\d+|[a-z]|note \d+|[a-z][a-z ]{2,40})\]")  # [13], [a], [citation needed], [not in citation given]


def strip_references(text: str) -> str:
    """Remove Wikipedia reference markers such as [13] or [citation needed]."""
    return " ".join(REFERENCE_MARK.sub("", text).split())


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:limit].rstrip("-") or "x"


class Unreadable(Exception):
    """A cell the importer cannot read without guessing."""

    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class Rejection:
    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column!r}, value {self.value!r}: {self.reason}"


@dataclass
class Cited:
    """A value with the row it was read from: makes the Evidence that cites it."""

    row: int
    quote: str  # 'column: value' (or a run of such pairs) exactly as in the row text

    def evidence(self, source_id: str) -> dict:
        return {"source": source_id, "quote": self.quote, "locator": locator(self.row)}


def cite(row: int, column: str, value: str) -> Cited:
    return Cited(row, cell_quote(column, value))


def cite_span(row: int, header: list[str], values: list[str], columns: list[str]) -> Cited:
    """One quote covering several columns: the row text from the first named column to the last."""
    positions = sorted(header.index(c) for c in columns)
    first, last = positions[0], positions[-1]
    pairs = [cell_quote(header[i], values[i] if i < len(values) else "") for i in range(first, last + 1)]
    return Cited(row, "; ".join(pairs))


@dataclass
class Figure:
    category: str  # killed, wounded, ...
    phrase: str
    cited: Cited
    low: int | None = None
    high: int | None = None
    group: str | None = None
    note: str | None = None


@dataclass
class Perpetrator:
    name: str  # as the row names it, reference markers removed
    stance: str  # attributed or suspected
    cited: Cited


@dataclass
class PlaceLevel:
    name: str
    kind: str  # province, district, city, region, site
    lat: float | None = None
    lon: float | None = None
    note: str | None = None


@dataclass
class ParsedRow:
    row: int
    earliest: dt.date
    latest: dt.date
    precision: str
    date_cited: Cited
    country: str | None  # ISO 3166-1 alpha-2, when the row names a country
    levels: list[PlaceLevel]  # below the country, broadest first
    geo_precision: str
    place_cited: Cited
    event_type: str
    title: str
    summary: str
    figures: list[Figure] = field(default_factory=list)
    perpetrators: list[Perpetrator] = field(default_factory=list)
    time_of_day: str | None = None
    tags: list[str] = field(default_factory=list)


# Country names that pycountry does not look up, and constituent countries read as regions of one.
COUNTRY_ALIASES = {
    "russia": "RU", "turkey": "TR", "palestine": "PS", "state of palestine": "PS", "democratic republic of the congo": "CD",
    "dr congo": "CD", "republic of the congo": "CG", "ivory coast": "CI", "cote d'ivoire": "CI", "macedonia": "MK",
    "republic of macedonia": "MK", "burma": "MM", "republic of ireland": "IE", "ireland": "IE", "east timor": "TL",
    "the gambia": "GM", "gambia": "GM", "the bahamas": "BS", "cape verde": "CV", "swaziland": "SZ", "vatican city": "VA",
    "uk": "GB", "united kingdom": "GB", "us": "US", "united states of america": "US", "south korea": "KR", "north korea": "KP",
}
PART_OF_COUNTRY = {"northern ireland": "GB", "england": "GB", "scotland": "GB", "wales": "GB"}


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 for a country name, or None when it is not a current country."""
    key = " ".join(name.lower().split())
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


ADMIN_WORDS = re.compile(r"\b(province|district|governorate|region|state|county|oblast|department)$")


def place_key(name: str) -> str:
    """Like name_key, without a trailing 'province', 'district', ... ('Ghor Province' = 'Ghor')."""
    return ADMIN_WORDS.sub("", name_key(name)).strip() or name_key(name)


def name_key(name: str) -> str:
    """Spellings that differ only in case, hyphens, accents or a leading 'the' share a key."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"[-_'’.]", " ", ascii_text)
    ascii_text = re.sub(r"^the ", "", " ".join(ascii_text.split()))
    return ascii_text


class Gazetteer:
    """The target publication's places, extended with the places a dataset names."""

    def __init__(self, places: dict[str, Place]):
        self.places = dict(places)
        self.new: dict[str, Place] = {}
        self.by_key: dict[tuple[str, str | None], str] = {}
        for place in places.values():
            for name in [place.name, *place.alt_names]:
                self.by_key.setdefault((place_key(name), self._country_of(place.id)), place.id)
            if place.kind == "country" and place.iso_code:
                self.by_key.setdefault(("iso:" + place.iso_code, None), place.id)

    def _country_of(self, place_id: str) -> str | None:
        seen = set()
        current = self.places.get(place_id)
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.kind == "country":
                return current.id
            current = self.places.get(current.parent) if current.parent else None
        return None

    def _unique_id(self, name: str, parent: str | None) -> str:
        base = slugify(name)
        candidate = base
        if candidate in self.places and parent:
            candidate = f"{base}-{parent}"[:80].rstrip("-")
        n = 2
        while candidate in self.places:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _add(self, place: Place, country: str | None) -> str:
        self.places[place.id] = place
        self.new[place.id] = place
        self.by_key[(place_key(place.name), country)] = place.id
        return place.id

    def country(self, code: str) -> str:
        found = self.by_key.get(("iso:" + code, None))
        if found:
            return found
        name = country_name(code)
        place = Place(id=self._unique_id(name, None), name=name, kind="country", iso_code=code)
        self._add(place, place.id)
        self.by_key[("iso:" + code, None)] = place.id
        return place.id

    def resolve(self, country: str | None, levels: list[PlaceLevel]) -> str:
        """Id of the narrowest level (created with its parents when new); the country when there are no levels."""
        if not country and not levels:
            raise ValueError("a place needs a country or at least one level")
        parent = self.country(country) if country else None
        country_id = parent
        for level in levels:
            key = (place_key(level.name), country_id)
            found = self.by_key.get(key)
            if found is not None and level.kind != "site":
                parent = found
                continue
            label = f"{self.places[parent].name} {level.name}" if level.kind == "site" and parent else level.name
            place = Place(id=self._unique_id(label, parent), name=level.name, kind=level.kind, parent=parent,
                          lat=level.lat, lon=level.lon, coordinates_note=level.note if level.lat is not None else None)
            parent = self._add(place, country_id)
        return parent


# Spellings of one group found across datasets; the first is the name given to a new actor.
SYNONYMS = [
    ["Islamic State", "IS", "ISIS", "ISIL", "Daesh", "Daish", "Islamic State of Iraq and the Levant",
     "Islamic State of Iraq and Syria", "Islamic State group", "Islamic State of Iraq and al-Sham"],
    ["Tehrik-i-Taliban Pakistan", "TTP", "Pakistani Taliban", "Tehreek-e-Taliban", "Tehreek-e-Taliban Pakistan",
     "Tehrik-e-Taliban Pakistan"],
    ["Taliban", "Afghan Taliban", "Islamic Emirate of Afghanistan"],
    ["Al-Shabaab", "Al Shabaab", "al-Shabab", "Harakat al-Shabaab al-Mujahideen"],
    ["Al-Qaeda", "Al Qaeda", "al-Qaida", "Al-Qaida"],
    ["Al-Qaeda in the Arabian Peninsula", "AQAP"],
    ["Al-Qaeda in the Islamic Maghreb", "AQIM"],
    ["Boko Haram", "Jama'atu Ahlis Sunna Lidda'awati wal-Jihad"],
    ["Kurdistan Workers' Party", "PKK"],
    ["Provisional Irish Republican Army", "PIRA", "Provisional IRA"],
    ["Lashkar-e-Jhangvi", "LeJ", "Lashkar-e-Jhangvi al-Alami"],
    ["Lashkar-e-Taiba", "LeT", "Lashkar-e-Toiba"],
    ["Jaish-e-Mohammed", "JeM", "Jaish-e-Muhammad"],
    ["Tahrir al-Sham", "Hayat Tahrir al-Sham", "HTS"],
    ["Al-Nusra Front", "Jabhat al-Nusra", "Nusra Front"],
    ["Revolutionary Armed Forces of Colombia", "FARC"],
    ["National Liberation Army (Colombia)", "ELN"],
    ["Movement for Oneness and Jihad in West Africa", "MUJAO"],
    ["Al-Qaeda in Bosnia and Herzegovina"],
]
SYNONYM_GROUP = {name_key(name): group for group in SYNONYMS for name in group}
NOT_AN_ACTOR = {"", "unknown", "none", "n/a", "na", "?", "-", "unidentified", "unknown perpetrators"}


@dataclass
class ResolvedActor:
    id: str
    name: str


class ActorIndex:
    """Resolves the spellings in a dataset to one actor each: the publication's own first, then new ones."""

    def __init__(self, actors: dict[str, Actor]):
        self.ids = set(actors)
        self.names = {a.id: a.name for a in actors.values()}
        self.by_key: dict[str, str] = {}
        for actor in actors.values():
            for name in [actor.name, *(alias.name for alias in actor.aliases)]:
                self.by_key.setdefault(name_key(name), actor.id)
        self.new: dict[str, dict] = {}  # id -> actor record (plain data) for actors this import creates

    def resolve(self, spelling: str, source_id: str, cited: Cited) -> ResolvedActor:
        key = name_key(spelling)
        group = SYNONYM_GROUP.get(key, [spelling])
        keys = [key] + [name_key(name) for name in group]
        actor_id = next((self.by_key[k] for k in keys if k in self.by_key), None)
        if actor_id is None:
            name = group[0]
            actor_id = slugify(name)
            n = 2
            while actor_id in self.ids:
                actor_id, n = f"{slugify(name)}-{n}", n + 1
            self.ids.add(actor_id)
            self.names[actor_id] = name
            self.new[actor_id] = {
                "id": actor_id, "name": name, "kind": "armed-group", "aliases": [],
                "description": "Named as a perpetrator in an imported dataset; kind and description not yet reviewed by an analyst.",
            }
        for k in keys:
            self.by_key.setdefault(k, actor_id)
        record = self.new.get(actor_id)
        if record is not None and spelling != record["name"] and all(a["name"] != spelling for a in record["aliases"]):
            record["aliases"].append({"name": spelling, "evidence": [cited.evidence(source_id)]})
        return ResolvedActor(actor_id, self.names[actor_id])
