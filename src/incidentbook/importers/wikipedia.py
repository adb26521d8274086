"""The Wikipedia-derived list of terrorist incidents (columns date,type,dead,injured,location,details,perpetrator).

Readings: `62 (+3)` = 62 victims plus 3 attackers, `117+` = at least 117, `5-10` a range,
`Unknown` no figure; `X (suspected)` a suspected attribution, `X or Y` two suspected
perpetrators, `X and Y` two attributed ones; `City, Country` into the gazetteer; reference
markers like `[13]` removed from text; day-, span-, month- and year-level dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..phrases import PhraseError, read_phrase
from .common import (
    NOT_AN_ACTOR,
    PART_OF_COUNTRY,
    SYNONYM_GROUP,
    Figure,
    ParsedRow,
    Perpetrator,
    PlaceLevel,
    Unreadable,
    cite,
    country_code,
    name_key,
    strip_references,
)
from .records import DatasetInfo

INFO = DatasetInfo(
    source_id="wikipedia-terrorist-incidents",
    title="List of terrorist incidents (Wikipedia), 1970–2019, as tabulated by SupChanda/Predicting-perpetrators-of-global-terrorism",
    publisher="Wikipedia contributors",
    published=dt.date(2019, 1, 1),
    url="https://en.wikipedia.org/wiki/Lists_of_terrorist_incidents",
    licence="CC BY-SA (https://creativecommons.org/licenses/by-sa/4.0/)",
    attribution="Wikipedia contributors, “List of terrorist incidents” (monthly lists), CC BY-SA; "
                "rows scraped by the repository SupChanda/Predicting-perpetrators-of-global-terrorism (commit cef500e, 2019).",
    id_prefix="wiki",
    note="A table scraped from Wikipedia's monthly lists; the publication date is the year of the scrape. "
         "Each incident rests on one row: its figures and attributions are Wikipedia's, not independently checked.",
)

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_M = r"([A-Za-z]+)\.?"
_DASH = r"\s*[-–—]\s*"


def _month(name: str) -> int:
    if name.lower() not in MONTHS:
        raise KeyError(name)
    return MONTHS[name.lower()]


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def read_date(value: str) -> tuple[dt.date, dt.date, str]:
    """(earliest, latest, precision) of a date cell, or raise ValueError."""
    t = " ".join(value.replace("*", " ").replace(",", " ").split())
    patterns = (
        (rf"{_M} (\d{{1,2}}) (\d{{4}})", lambda m, d, y: (dt.date(y, _month(m), int(d)),) * 2 + ("day",)),
        (rf"(\d{{1,2}}) {_M} (\d{{4}})", lambda d, m, y: (dt.date(y, _month(m), int(d)),) * 2 + ("day",)),
        (rf"{_M} (\d{{1,2}}){_DASH}(\d{{1,2}}) (\d{{4}})",
         lambda m, a, b, y: (dt.date(y, _month(m), int(a)), dt.date(y, _month(m), int(b)), "days")),
        (rf"(\d{{1,2}}){_DASH}(\d{{1,2}}) {_M} (\d{{4}})",
         lambda a, b, m, y: (dt.date(y, _month(m), int(a)), dt.date(y, _month(m), int(b)), "days")),
        (rf"{_M} (\d{{1,2}}){_DASH}{_M} (\d{{1,2}}) (\d{{4}})",
         lambda m, a, n, b, y: (dt.date(y, _month(m), int(a)), dt.date(y, _month(n), int(b)), "days")),
        (rf"(\d{{1,2}}) {_M}{_DASH}{_M} (\d{{1,2}}) (\d{{4}})",
         lambda m, a, n, b, y: (dt.date(y, _month(a), int(m)), dt.date(y, _month(n), int(b)), "days")),
        (rf"{_M} (\d{{4}})", lambda m, y: (dt.date(y, _month(m), 1), _last_day(y, _month(m)), "month")),
        (r"(\d{4})", lambda y: (dt.date(y, 1, 1), dt.date(y, 12, 31), "year")),
    )
    for pattern, make in patterns:
        m = re.fullmatch(pattern, t)
        if m:
            groups = [int(g) if len(g) == 4 and g.isdigit() and i == len(m.groups()) - 1 else g for i, g in enumerate(m.groups())]
            try:
                earliest, latest, precision = make(*groups)
            except (KeyError, ValueError) as exc:
                raise ValueError(f"not a calendar date ({exc})") from None
            if latest < earliest:
                raise ValueError("the span ends before it starts")
            return earliest, latest, precision
    raise ValueError("not a date in a form the importer reads (e.g. 'October 24 2016', '24 October 2016', 'October 2016', 'May 13-14 2018')")


UNKNOWN_FIGURE = {"", "unknown", "n/a", "?", "-", "--", "none", "not known"}


def read_figure(row: int, column: str, value: str, category: str) -> list[Figure]:
    """Casualty reports for one cell: none when unknown; raise Unreadable when it is not a figure."""
    phrase = strip_references(value)
    lowered = phrase.lower()
    if lowered in UNKNOWN_FIGURE:
        return []
    cited = cite(row, column, value)
    only_attackers = re.fullmatch(r"unknown\s*\(\s*\+\s*(\d+)\s*\)", lowered)
    if only_attackers:
        return [Figure(category, only_attackers.group(1), cited, group="attackers",
                       note="The dataset gives no figure for victims, only for attackers.")]
    try:
        read_phrase(phrase)
    except PhraseError:
        raise Unreadable(column, value, "not a casualty figure the importer reads (N, N+, N-M, N (+M), Unknown)") from None
    return [Figure(category, phrase, cited)]


# '(suspected)', 'are suspected', and the scrape's bare or glued suffix: 'Boko Haram suspected',
# 'Boko HaramSuspected', 'Islamic Statesuspected' (64 rows of the Wikipedia list)
SUSPECTED_SUFFIX = re.compile(r"\s*\((?:both |all )?suspected\)$|\s+(?:are|is|were) suspected$|(?<=[A-Za-z)])\s*suspected$",
                              re.IGNORECASE)
SUSPECTED_PREFIX = re.compile(r"^suspected\s+(?=\S)", re.IGNORECASE)  # 'Suspected Dissident republicans'
# 'Communist Party of India (Maoist)', 'Glenanne gang (UVF)': a name with a qualifier, kept whole;
# not '(claimed)' or anything with 'or', 'and' or a comma inside, which would be a guess.
QUALIFIED_NAME = re.compile(r"[^()]+ \((?!claimed|suspected|alleged|possibly|probably)(?![^()]* (?:or|and) )[^(),]+\)")
SEPARATOR = re.compile(r"(,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)")


def split_names(names: str) -> list[str]:
    """'A, B and C' / 'A or B' -> names; a known name containing 'and' stays whole; a part that is
    not a name (lowercase or a number: 'and co-conspirators', 'and 2 minors') keeps the whole together."""
    pieces = SEPARATOR.split(names)
    words, seps = pieces[::2], pieces[1::2]
    parts, i = [], 0
    while i < len(words):
        j = next((j for j in range(len(words) - 1, i, -1)
                  if name_key("".join(w + s for w, s in zip(words[i:j], seps[i:j])) + words[j]) in SYNONYM_GROUP), i)
        parts.append("".join(w + s for w, s in zip(words[i:j], seps[i:j])) + words[j])
        i = j + 1
    parts = [p.strip() for p in parts if p.strip()]
    if any(not p[0].isupper() and not p[0] in "'\"" for p in parts if not p.lower().startswith("al")):
        return [names.strip()]
    return parts


def read_perpetrators(row: int, column: str, value: str | None) -> list[Perpetrator]:
    """Perpetrators with stances: 'X (suspected)' and 'X or Y' suspected, 'X and Y' attributed."""
    text = strip_references((value or "").replace("|", " ").replace("()", " "))
    if name_key(text) in NOT_AN_ACTOR:
        return []
    cited = cite(row, column, value or "")
    suffix = SUSPECTED_SUFFIX.search(text)
    body = text[:suffix.start()].strip() if suffix else text
    if suffix is None and (prefix := SUSPECTED_PREFIX.match(body)):
        suffix, body = prefix, body[prefix.end():].strip()
    parts = split_names(body)
    either = len(parts) > 1 and re.search(r"\s+or\s+", body) is not None
    suffix_for_all = suffix is not None and (either or len(parts) == 1 or re.search(r"both|all|are|were", suffix.group(0)) is not None)
    out = []
    for i, part in enumerate(parts):
        suspected = either or suffix_for_all or (suffix is not None and i == len(parts) - 1)
        own = SUSPECTED_SUFFIX.search(part)
        if own:
            part, suspected = part[:own.start()].strip(), True
        if name_key(part) in NOT_AN_ACTOR:
            continue
        if ("(" in part or ")" in part) and not QUALIFIED_NAME.fullmatch(part):
            raise Unreadable(column, value or "", "a perpetrator with a parenthesis the importer does not read")
        if re.search(r"suspected", part, re.IGNORECASE):  # 'Boko Haram suspectedChristian mobs': which is suspected?
            raise Unreadable(column, value or "", "'suspected' inside a perpetrator's name, not at its end")
        out.append(Perpetrator(part, "suspected" if suspected else "attributed", cited))
    return out


def read_location(column: str, value: str) -> tuple[str | None, list[PlaceLevel], str]:
    """(country code, levels below it, geo precision) of a 'City, Country' cell."""
    text = strip_references(value)
    near = bool(re.match(r"(?i)near\s+", text))
    parts = [p.strip() for p in re.sub(r"(?i)^near\s+", "", text).split(",") if p.strip()]
    if not parts:
        raise Unreadable(column, value, "no place named")
    code = country_code(parts[-1])
    names = parts[:-1] if code else parts
    if not code and parts[-1].lower() in PART_OF_COUNTRY:
        code = PART_OF_COUNTRY[parts[-1].lower()]
    if names and re.search(r"\band\b|/|&", names[0]):  # several places: keep what they share
        names = names[1:]
        near = False
    levels = []
    for i, name in enumerate(names[::-1]):
        narrowest = i == len(names) - 1
        lowered = name.lower()
        if "province" in lowered:
            kind = "province"
        elif "district" in lowered:
            kind = "district"
        elif narrowest:
            kind = "city"
        else:
            kind = "region"
        levels.append(PlaceLevel(name, kind))
    if not levels:
        precision = "country" if code else "province"
    else:
        precision = {"province": "province", "district": "district", "city": "city", "region": "province"}[levels[-1].kind]
    if near and levels:
        precision = "near"
    if not code and not levels:
        raise Unreadable(column, value, "no place named")
    return code, levels, precision


EVENT_KEYWORDS = (
    ("suicide", "suicide-bombing"), ("hijack", "hijacking"), ("kidnap", "kidnapping"), ("hostage", "kidnapping"),
    ("abduct", "kidnapping"), ("execution", "execution"), ("beheading", "execution"), ("assassinat", "targeted-killing"),
    ("bomb", "bombing"), ("explosi", "bombing"), ("ied", "bombing"), ("grenade", "bombing"), ("mine", "bombing"),
    ("rocket", "bombing"), ("mortar", "bombing"), ("blast", "bombing"), ("arson", "arson"), ("fire", "arson"),
    ("shoot", "armed-assault"), ("gun", "armed-assault"), ("stab", "armed-assault"), ("massacre", "armed-assault"),
    ("assault", "armed-assault"), ("ambush", "armed-assault"), ("raid", "armed-assault"), ("knife", "armed-assault"),
)


def event_type(label: str) -> str:
    """The event type of the first kind the label names ('Shooting, grenade attacks' -> armed assault);
    a suicide attack is a suicide bombing whatever else the label names."""
    lowered = label.lower()
    if "suicide" in lowered:
        return "suicide-bombing"
    hits = [(lowered.find(word), i, type_id) for i, (word, type_id) in enumerate(EVENT_KEYWORDS) if word in lowered]
    return min(hits)[2] if hits else "other-attack"


def parse_row(row: int, header: list[str], values: list[str]) -> ParsedRow:
    cells = dict(zip(header, values))
    date_value = cells.get("date", "")
    try:
        earliest, latest, precision = read_date(date_value)
    except ValueError as exc:
        raise Unreadable("date", date_value, str(exc)) from None
    location = cells.get("location", "")
    code, levels, geo_precision = read_location("location", location)
    figures = read_figure(row, "dead", cells.get("dead", ""), "killed") + read_figure(row, "injured", cells.get("injured", ""), "wounded")
    perpetrators = read_perpetrators(row, "perpetrator", cells.get("perpetrator"))
    kind = strip_references(cells.get("type", "")) or "Attack"
    place_label = strip_references(location)
    details = strip_references(cells.get("details", ""))
    summary = (details or "The dataset gives no description.") + f" (Type in the dataset: {kind}.)"
    return ParsedRow(
        row=row, earliest=earliest, latest=latest, precision=precision, date_cited=cite(row, "date", date_value),
        country=code, levels=levels, geo_precision=geo_precision, place_cited=cite(row, "location", location),
        event_type=event_type(kind), title=f"{kind[:1].upper()}{kind[1:]} in {place_label}"[:150], summary=summary,
        figures=figures, perpetrators=perpetrators,
    )
