"""A column-mapping file (YAML) that tells `incidentbook import` how to read any other CSV.

The format is documented, with UCDP GED as the worked example, in README.md ("Importing datasets"); the
example file is src/incidentbook/builtin/mappings/ucdp-ged.yaml. A mapping names columns; it never computes values:
a cell the mapping cannot read is reported and its row skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from ..phrases import PhraseError, read_phrase
from .common import (
    Figure,
    ParsedRow,
    Perpetrator,
    PlaceLevel,
    Unreadable,
    cite,
    cite_span,
    country_code,
    name_key,
)
from .records import EVENT_TYPES, DatasetInfo, RowParser

DATE_PRECISIONS = {"day", "days", "week", "month", "year"}
GEO_PRECISIONS = {"exact", "near", "city", "district", "province", "country"}
PLACE_KINDS = {"province", "district", "city", "town", "village", "site", "region"}


class MappingError(ValueError):
    pass


def _need(table: dict, key: str, where: str):
    if not isinstance(table, dict) or key not in table:
        raise MappingError(f"{where}: `{key}` is required")
    return table[key]


def _codes(table: dict, key: str, allowed: set[str], where: str) -> dict[str, str]:
    codes = {str(k): str(v) for k, v in (table.get(key) or {}).items()}
    bad = sorted(v for v in codes.values() if v not in allowed)
    if bad:
        raise MappingError(f"{where}.{key}: {', '.join(bad)} not one of {', '.join(sorted(allowed))}")
    return codes


def _coded(cells: dict, column: str | None, codes: dict[str, str], default: str | None) -> str | None:
    if not column:
        return default
    value = cells.get(column, "").strip()
    if value in codes:
        return codes[value]
    if value in codes.values():
        return value
    raise Unreadable(column, value, f"not one of the codes the mapping lists ({', '.join(codes) or 'none'})")


def _date(column: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise Unreadable(column, value, "not a date YYYY-MM-DD") from None


def _template(text: str, cells: dict) -> str:
    return re.sub(r"\{([^{}]+)\}", lambda m: " ".join(cells.get(m.group(1), "").split()), text).strip()


def load_mapping(path: Path) -> tuple[DatasetInfo, RowParser]:
    """Read and check a mapping file; returns the dataset's registration and a row reader."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: malformed YAML: {exc}") from None
    where = str(path)
    meta = _need(spec, "dataset", where)
    extra_types = {t["id"]: (t["label"], t["definition"]) for t in spec.get("event_types", [])}
    published = _need(meta, "published", f"{where}: dataset")
    info = DatasetInfo(
        source_id=_need(meta, "id", f"{where}: dataset"), title=_need(meta, "title", f"{where}: dataset"),
        publisher=_need(meta, "publisher", f"{where}: dataset"),
        published=published if isinstance(published, dt.date) else dt.date.fromisoformat(str(published)),
        licence=_need(meta, "licence", f"{where}: dataset"), attribution=_need(meta, "attribution", f"{where}: dataset"),
        id_prefix=_need(meta, "id_prefix", f"{where}: dataset"), url=meta.get("url"),
        encoding=meta.get("encoding", "utf-8"), note=meta.get("note"), event_types=extra_types,
    )
    date = _need(spec, "date", where)
    date_codes = _codes(date, "precision_codes", DATE_PRECISIONS, f"{where}: date")
    place = _need(spec, "place", where)
    place_codes = _codes(place, "precision_codes", GEO_PRECISIONS, f"{where}: place")
    levels = place.get("levels", [])
    kinds = place.get("level_kinds", ["region"] * (len(levels) - 1) + ["city"] if levels else [])
    if len(kinds) != len(levels) or any(k not in PLACE_KINDS for k in kinds):
        raise MappingError(f"{where}: place.level_kinds must give one of {', '.join(sorted(PLACE_KINDS))} for each of place.levels")
    event = _need(spec, "event_type", where)
    known_types = set(EVENT_TYPES) | set(extra_types)
    event_codes = _codes(event, "codes", known_types, f"{where}: event_type")
    if event.get("value") and event["value"] not in known_types:
        raise MappingError(f"{where}: event_type.value {event['value']!r} is not a known event type; declare it under event_types")
    casualties = spec.get("casualties", [])
    perpetrators = spec.get("perpetrators", [])
    for p in perpetrators:
        if p.get("stance", "attributed") not in ("attributed", "suspected"):
            raise MappingError(f"{where}: perpetrators: stance must be attributed or suspected")
    title, summary = _need(spec, "title", where), spec.get("summary", "")

    def parse_row(row: int, header: list[str], values: list[str]) -> ParsedRow:
        cells = dict(zip(header, values))
        start_col = _need(date, "start", f"{where}: date")
        earliest = _date(start_col, cells.get(start_col, ""))
        latest = _date(date["end"], cells.get(date["end"], "")) if date.get("end") and cells.get(date["end"], "").strip() else earliest
        precision = _coded(cells, date.get("precision"), date_codes, "day" if latest == earliest else "days")
        if precision == "day" and latest != earliest:
            precision = "days"
        date_cols = [c for c in (start_col, date.get("end"), date.get("precision")) if c]
        country_col = place.get("country")
        country = country_code(cells.get(country_col, "")) if country_col else None
        if country_col and country is None:
            raise Unreadable(country_col, cells.get(country_col, ""), "not a country name or code pycountry knows")
        lat = cells.get(place.get("latitude", ""), "").strip()
        lon = cells.get(place.get("longitude", ""), "").strip()
        chain = [PlaceLevel(" ".join(cells[c].split()), kind) for c, kind in zip(levels, kinds) if cells.get(c, "").strip()]
        chain = [lvl for i, lvl in enumerate(chain) if i == 0 or name_key(lvl.name) != name_key(chain[i - 1].name)]
        if chain and lat and lon:
            try:
                chain[-1].lat, chain[-1].lon = float(lat), float(lon)
            except ValueError:
                raise Unreadable(place["latitude"], f"{lat}, {lon}", "not a coordinate") from None
            chain[-1].note = f"Coordinates as the dataset gives them (row {row})."
        geo = _coded(cells, place.get("precision"), place_codes, "city" if chain else "country")
        if not chain and not country:
            raise Unreadable(levels[0] if levels else country_col or "place", "", "no place named")
        place_cols = [c for c in [country_col, *levels, place.get("latitude"), place.get("longitude"), place.get("precision")] if c]
        figures = []
        for spec_c in casualties:
            figures += _figures(row, header, values, cells, spec_c)
        named = []
        for p in perpetrators:
            value = " ".join(cells.get(p["column"], "").split())
            if value and name_key(value) not in {name_key(i) for i in p.get("ignore", [])} | {"unknown", ""}:
                named.append(Perpetrator(value, p.get("stance", "attributed"), cite(row, p["column"], cells[p["column"]])))
        event_type = _coded(cells, event.get("column"), event_codes, event.get("value"))
        return ParsedRow(
            row=row, earliest=earliest, latest=latest, precision=precision,
            date_cited=cite_span(row, header, values, date_cols), country=country, levels=chain, geo_precision=geo,
            place_cited=cite_span(row, header, values, place_cols), event_type=event_type,
            title=_template(title, cells)[:150] or f"Row {row}", summary=_template(summary, cells) or "The dataset gives no description.",
            figures=figures, perpetrators=named,
        )

    return info, parse_row


def _figures(row: int, header: list[str], values: list[str], cells: dict, spec: dict) -> list[Figure]:
    category = spec.get("category", "killed")
    if spec.get("phrase"):
        column = spec["phrase"]
        value = " ".join(cells.get(column, "").split())
        if not value or value.lower() == "unknown":
            return []
        try:
            read_phrase(value)
        except PhraseError:
            raise Unreadable(column, value, "not a casualty figure") from None
        return [Figure(category, value, cite(row, column, cells[column]))]
    numbers = {}
    for key in ("best", "low", "high"):
        column = spec.get(key)
        value = cells.get(column, "").strip() if column else ""
        if value:
            if not re.fullmatch(r"\d+", value):
                raise Unreadable(column, value, "not a whole number")
            numbers[key] = int(value)
    if not numbers:
        return []
    if set(numbers) == {"best"}:
        return [Figure(category, str(numbers["best"]), cite(row, spec["best"], cells[spec["best"]]))]
    low, high, best = numbers.get("low", numbers.get("best")), numbers.get("high", numbers.get("best")), numbers.get("best")
    if low is not None and high is not None and low > high:
        raise Unreadable(spec.get("high", ""), str(high), f"the high estimate is below the low one ({low})")
    cited = cite_span(row, header, values, [spec[k] for k in ("best", "low", "high") if spec.get(k)])
    note = f"The dataset's best estimate is {best}." if best is not None else None
    return [Figure(category, cited.quote, cited, low=low, high=high, group=spec.get("group"), note=note)]
