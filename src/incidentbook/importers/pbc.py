"""Pakistan Body Count: suicide attacks in Pakistan, 1995 – November 2017.

Dates like `Friday-November-24-2017` (the weekday must agree with the date); `Killed Min/Max`
and `Injured Min/Max` read as a range (a maximum written `40+` has no upper bound); the city
and province into the gazetteer, with the attack's coordinates as a site inside the city.
The file is described as Latin-1; its bytes 0x91–0x94 are Windows-1252 quotation marks, so it
is read as cp1252 (identical to Latin-1 for every other byte in it).
"""

from __future__ import annotations

import datetime as dt
import re

from .common import Figure, ParsedRow, PlaceLevel, Unreadable, cite, cite_span
from .records import DatasetInfo
from .wikipedia import MONTHS

INFO = DatasetInfo(
    source_id="pakistan-body-count-suicide-attacks",
    title="Pakistan Suicide Bombing Attacks Dataset (Pakistan Body Count), v11, 30 November 2017",
    publisher="Pakistan Body Count (Zeeshan-ul-hassan Usmani)",
    published=dt.date(2017, 11, 30),
    url="https://www.kaggle.com/zusmani/pakistansuicideattacks",
    licence="Use, copy and distribution allowed with the citation given.",
    attribution="Zeeshan-ul-hassan Usmani, Pakistan Body Count, Pakistan Suicide Bombing Attacks Dataset, "
                "Kaggle Dataset Repository, Jan 25, 2017.",
    id_prefix="pbc",
    encoding="cp1252",
    note="Copied from the public repository sharmaroshan/Pakistan-Suicide-Bombing-Dataset (commit c071255). "
         "Figures are the dataset's minimum and maximum; the dataset names no perpetrators.",
)

PROVINCES = {
    "kpk": "Khyber Pakhtunkhwa", "fata": "Federally Administered Tribal Areas", "capital": "Islamabad Capital Territory",
    "ajk": "Azad Jammu and Kashmir", "baluchistan": "Balochistan", "balochistan": "Balochistan", "punjab": "Punjab",
    "sindh": "Sindh",
}
DATE = re.compile(r"([A-Za-z]+)-([A-Za-z]+)[- ](\d{1,2})-(\d{4})")
NOT_GIVEN = {"", "na", "n/a", "nil", "unknown"}


def read_date(value: str) -> dt.date:
    m = DATE.fullmatch(value.strip())
    if not m or m.group(2).lower() not in MONTHS:
        raise ValueError("not a date like 'Friday-November-24-2017'")
    day = dt.date(int(m.group(4)), MONTHS[m.group(2).lower()], int(m.group(3)))
    if not day.strftime("%A").lower().startswith(m.group(1).lower()[:3]):
        raise ValueError(f"the weekday {m.group(1)} does not match the date {day.isoformat()} (a {day.strftime('%A')})")
    return day


def _bound(column: str, value: str) -> tuple[int | None, bool]:
    """(number, open-ended?) of a Min/Max cell; (None, False) when empty."""
    text = value.strip()
    if text.lower() in NOT_GIVEN:
        return None, False
    m = re.fullmatch(r"(\d+)\s*(\+?)", text)
    if not m:
        raise Unreadable(column, value, "not a number")
    return int(m.group(1)), bool(m.group(2))


def read_range(row: int, header: list[str], values: list[str], category: str, label: str) -> list[Figure]:
    low_col, high_col = f"{label} Min", f"{label} Max"
    cells = dict(zip(header, values))
    low, _ = _bound(low_col, cells.get(low_col, ""))
    high, open_high = _bound(high_col, cells.get(high_col, ""))
    if low is None and high is None:
        return []
    if open_high:
        high = None
    if low is not None and high is not None and low > high:
        raise Unreadable(high_col, cells[high_col], f"the maximum is below the minimum ({cells[low_col]})")
    cited = cite_span(row, header, values, [low_col, high_col])
    note = None
    if low is None:
        note = "The dataset gives a maximum only."
    elif open_high:
        note = f"The dataset's maximum is '{cells[high_col].strip()}': no upper bound."
    return [Figure(category, cited.quote, cited, low=low, high=high, note=note)]


def _coordinate(column: str, value: str, limit: float) -> float | None:
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise Unreadable(column, value, "not a coordinate") from None
    if not -limit <= number <= limit:
        raise Unreadable(column, value, f"outside ±{limit}")
    return number


def parse_row(row: int, header: list[str], values: list[str]) -> ParsedRow:
    cells = {name: value for name, value in zip(header, values)}
    date_value = cells.get("Date", "")
    try:
        day = read_date(date_value)
    except ValueError as exc:
        raise Unreadable("Date", date_value, str(exc)) from None
    province_value, city_value = cells.get("Province", ""), cells.get("City", "")
    province = PROVINCES.get(province_value.strip().lower())
    if province is None:
        raise Unreadable("Province", province_value, "not a province of Pakistan the importer knows")
    city = " ".join(city_value.split())
    if not city:
        raise Unreadable("City", city_value, "no city given")
    lat = _coordinate("Latitude", cells.get("Latitude", ""), 90)
    lon = _coordinate("Longitude", cells.get("Longitude", ""), 180)
    if (lat is None) != (lon is None):
        raise Unreadable("Longitude" if lon is None else "Latitude", "", "only one of latitude and longitude is given")
    location = " ".join(cells.get("Location", "").split())
    levels = [PlaceLevel(province, "province"), PlaceLevel(city, "city")]
    place_cited = cite_span(row, header, values, ["City", "Province"])
    precision = "city"
    if location and lat is not None:
        levels.append(PlaceLevel(location[:100], "site", lat, lon,
                                 f"Coordinates as Pakistan Body Count gives them for this attack (row {row}); their precision is not stated."))
        place_cited = cite_span(row, header, values, ["City", "Location"])
        precision = "near"
    figures = read_range(row, header, values, "killed", "Killed") + read_range(row, header, values, "wounded", "Injured")
    time_value = cells.get("Time", "").strip()
    target = " ".join(cells.get("Target Type", "").split())
    sect = " ".join(cells.get("Targeted Sect if any", "").split())
    context = " ".join(cells.get("Influencing Event/Event", "").split())
    summary = " ".join(part for part in (
        f"Suicide attack at {location}, {city}." if location else f"Suicide attack in {city}.",
        f"Target: {target}{f' ({sect})' if sect and sect.lower() != 'none' else ''}." if target else "",
        f"Context given by the dataset: {context}." if context else "",
    ) if part)
    return ParsedRow(
        row=row, earliest=day, latest=day, precision="day", date_cited=cite(row, "Date", date_value),
        country="PK", levels=levels, geo_precision=precision, place_cited=place_cited,
        event_type="suicide-bombing", title=f"Suicide attack in {city}" + (f": {location}" if location else "")[:140],
        summary=summary, figures=figures, time_of_day=None if time_value.lower() in NOT_GIVEN else time_value,
    )
