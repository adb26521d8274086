"""Charts of the curated model: pure functions of Views → Chart (Vega-Lite spec + the table it plots).

Every chart is aggregated with pandas before it becomes a spec, so a spec holds one row per mark
it draws whatever the number of incidents. Ranges keep the sources' uncertainty: a sum of
"at least" figures stays open-ended. Maps are in maps.py; nothing here writes files.
"""

from __future__ import annotations

import calendar
import math
from functools import lru_cache

import altair as alt
import pandas as pd

from . import actorcharts, maps
from .chartkit import (
    COUNT,
    KILLED,
    NEUTRAL,
    RANGE_NOTE,
    Chart,
    Table,
    category_order,
    compile_chart,
    instantiate,
    integer_ticks,
    range_rows,
    range_skeleton,
    records,
    rows,
    year_labels,
)
from .gcpause import gc_paused
from .model import CasualtyReport
from .phrases import Reading
from .reconcile import Reconciled, range_label
from .views import CATEGORIES, Views, reading_label

TOP = 25  # bars per ranking chart; the description says when more exist
RESPONSIBLE = ("claimed", "attributed", "suspected")
FRAME_COLUMNS = ["id", "title", "date", "month", "country", "province", "place_id", "place", "lat", "lon",
                 "precision", "low", "high", "best", "open", "has_figure",
                 "map_id", "map_place", "map_lat", "map_lon", "map_precision", "map_moved"]
# the precision a location known only to an enclosing place of this kind has
KIND_PRECISION = {"country": "country", "province": "province", "region": "province", "district": "district"}


def _map_location(chain: list, precision: str) -> tuple:
    """Where the overview map draws an incident: (id, name, lat, lon, precision, moved). Its place when
    that has coordinates; else the nearest enclosing place with coordinates, or else the centre of its
    country (Natural Earth), at the precision of that place (a dashed ring: "somewhere in ...")."""
    for depth, place in enumerate(chain):
        if place.lat is not None and place.lon is not None:
            moved = depth > 0
            return (place.id, place.name, place.lat, place.lon,
                    KIND_PRECISION.get(place.kind, "district") if moved else precision, moved)
    country = next((p for p in chain if p.kind == "country"), None)
    point = maps.country_point(getattr(country, "iso_code", None)) if country else None
    if point:
        return country.id, country.name, point[0], point[1], "country", True
    return None, None, None, None, None, False


def _killed(rec: Reconciled | None) -> tuple:
    """(low, high, best, open, has_figure) of an incident's reconciled killed figure."""
    if rec is None:
        return None, None, None, False, False
    open_ended = rec.open_ended or rec.high is None
    return rec.low, None if open_ended else rec.high, rec.best, open_ended, True


def incident_frame(views: Views) -> pd.DataFrame:
    """One row per published incident: when, where, and the reconciled killed range."""
    out = []
    for incident in views.incidents_by_date(newest_first=False):
        chain = views.place_chain(incident.place.id)
        place = chain[0] if chain else None
        country = next((p.name for p in chain if p.kind == "country"), "Unknown country")
        province = next((p.name for p in chain if p.kind in ("province", "region")), "(province not known)")
        low, high, best, open_ended, has_figure = _killed(views.figures[incident.id].get("killed"))
        out.append((incident.id, incident.title, incident.date.earliest, incident.date.earliest.strftime("%Y-%m-01"),
                    country, province, incident.place.id, place.name if place else incident.place.id,
                    place.lat if place else None, place.lon if place else None, incident.place.precision,
                    low, high, best, open_ended, has_figure, *_map_location(chain, incident.place.precision)))
    frame = pd.DataFrame(out, columns=FRAME_COLUMNS)
    for column in ("low", "high", "best", "lat", "lon", "map_lat", "map_lon"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def sum_ranges(frame: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Sum killed ranges per group: low = sum of lower bounds (missing counts 0), high open when any
    incident's is, best = sum of best estimates (the low where an incident has none)."""
    with_figure = frame.loc[frame["has_figure"].astype(bool)]  # an empty frame's column is object-typed
    columns = pd.DataFrame({
        "low": with_figure["low"].fillna(0), "high": with_figure["high"].fillna(0),
        "open": (with_figure["open"] | with_figure["high"].isna()).astype(int),
        "best": with_figure["best"].fillna(with_figure["low"]).fillna(0),
        "has_best": (with_figure["best"].notna() | with_figure["low"].notna()).astype(int), "incidents": 1,
    })
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        columns[key] = with_figure[key]
    out = columns.groupby(keys, sort=False).sum().reset_index()
    out["open"] = out["open"] > 0
    out.loc[out["open"], "high"] = None
    out.loc[out["has_best"] == 0, "best"] = None
    out = out.drop(columns="has_best")
    out["figure"] = [range_label(_int(lo), _int(hi), _int(be), op)
                     for lo, hi, be, op in zip(out["low"], out["high"], out["best"], out["open"])]
    return out


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _n(value) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{int(value):,}"


def range_table(rows: list[dict], label: str, label_title: str, extra: dict[str, str] | None = None) -> Table:
    extra = extra or {}
    return Table([label_title, *extra.values(), "Lower bound", "Upper bound", "Best estimate", "Reading"],
                 [(r[label], *(r[c] for c in extra), _n(r["low"]), "none (open-ended)" if r["open"] else _n(r["high"]),
                   _n(r["best"]), r["figure"]) for r in rows])


def _height(n: int) -> int:
    return 40 + 26 * max(n, 1)


def _month_label(month: str) -> str:
    return f"{calendar.month_abbr[int(month[5:7])]} {month[:4]}"


def _months(first: str, last: str) -> list[str]:
    """Every month from first to last ('YYYY-MM-01'), so a gap shows as a gap."""
    year, month, out = int(first[:4]), int(first[5:7]), []
    while True:
        out.append(f"{year:04d}-{month:02d}-01")
        if out[-1] >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def monthly_by_scope(frame: pd.DataFrame) -> dict[str, tuple[dict[str, int], dict[str, dict]]]:
    """Per value of frame["scope"]: ({month: incidents}, {month: summed killed range}), one groupby each."""
    counts: dict[str, dict[str, int]] = {}
    for (scope, month), n in frame.groupby(["scope", "month"]).size().items():
        counts.setdefault(scope, {})[month] = int(n)
    killed: dict[str, dict[str, dict]] = {}
    for row in records(sum_ranges(frame, ["scope", "month"])):
        killed.setdefault(row["scope"], {})[row["month"]] = row
    return {scope: (months, killed.get(scope, {})) for scope, months in counts.items()}


def monthly_charts(counts: dict[str, int], killed: dict[str, dict], chart_id: str, where: str) -> list[Chart]:
    """Incidents per month and killed per month (ranges), from monthly_by_scope."""
    if not counts:
        return []
    months = _months(min(counts), max(counts))
    count_rows = [{"month": m, "label": _month_label(m), "incidents": counts.get(m, 0)} for m in months]
    first, last = count_rows[0]["label"], count_rows[-1]["label"]
    title = f"Incidents per month{where}"
    description = f"Number of incidents per month{where}, {sum(counts.values()):,} in all, from {first} to {last}."
    spec = instantiate(_count_skeleton(), f"{chart_id}-incidents-per-month", title, None, description,
                       {"rows": count_rows}, height=160)
    charts = [Chart(f"{chart_id}-incidents-per-month", title, description,
                    year_labels(integer_ticks(spec, "y", max(counts.values())), "x", len(months)),
                    Table(["Month", "Incidents"], [(r["label"], r["incidents"]) for r in count_rows]))]
    if not killed:
        return charts
    empty = {"low": None, "high": None, "best": None, "open": False, "incidents": 0, "figure": None}
    killed_rows = range_rows([{**(killed.get(m) or empty), "month": m, "label": _month_label(m)} for m in months])
    title = f"Killed per month{where}"
    open_note = " Open-ended where any source gives only a lower bound." if any(r["open"] for r in killed_rows) else ""
    description = (f"Killed per month{where} as a range from the sum of the lowest figures to the sum of the "
                   f"highest, {first} to {last}.{open_note}")
    skeleton = range_skeleton("label", "Month", "Killed", KILLED, vertical=True,
                              extra_tooltip=(("incidents:Q", "Incidents with a figure"),))
    spec = instantiate(skeleton, f"{chart_id}-killed-per-month", title, RANGE_NOTE, description, {"rows": killed_rows},
                       height=200)
    charts.append(Chart(f"{chart_id}-killed-per-month", title, description,
                        year_labels(category_order(spec, "x", [r["label"] for r in killed_rows]), "x", len(months)),
                        range_table(killed_rows, "label", "Month", {"incidents": "Incidents with a figure"})))
    return charts


@lru_cache(maxsize=1)
def _count_skeleton() -> str:
    return compile_chart(rows().mark_bar(color=COUNT, size=14).encode(
        alt.X("label:O", title="Month", sort=None, axis=alt.Axis(labelAngle=0, labelOverlap="parity")),
        alt.Y("incidents:Q", title="Incidents", axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("label:N", title="Month"), alt.Tooltip("incidents:Q", title="Incidents")],
    ).properties(width="container"))


def killed_by_actor(views: Views, frame: pd.DataFrame) -> Chart | None:
    pairs = {(incident.id, entry.actor) for incident in views.published.values()
             for entry in incident.responsibility if entry.stance in RESPONSIBLE}
    if not pairs:
        return None
    links = pd.DataFrame(sorted(pairs), columns=["id", "actor"])
    joined = links.merge(frame, on="id")
    ranked = sum_ranges(joined, "actor")
    if ranked.empty:
        return None
    ranked["name"] = [views.pub.actors[a].name for a in ranked["actor"]]
    ranked = ranked.sort_values(["low", "name"], ascending=[False, True])
    more = len(ranked) - TOP
    ranked = range_rows(records(ranked.head(TOP)))
    title = "Killed in incidents attributed to each actor"
    description = (f"Killed in incidents each actor claimed or was named responsible for, as ranges, "
                   f"{'for the ' + str(TOP) + ' actors with the most' if more > 0 else 'for every actor named'}"
                   "; an incident with several responsible actors counts for each.")
    skeleton = range_skeleton("name", "Actor", "Killed", KILLED, vertical=False,
                              extra_tooltip=(("incidents:Q", "Incidents with a figure"),))
    spec = category_order(instantiate(skeleton, "home-killed-by-actor", title, RANGE_NOTE, description,
                                      {"rows": ranked}, height=_height(len(ranked))), "y", [r["name"] for r in ranked])
    return Chart("home-killed-by-actor", title, description, spec,
                 range_table(ranked, "name", "Actor", {"incidents": "Incidents with a figure"}))

def incidents_by_place(frame: pd.DataFrame) -> Chart | None:
    if frame.empty:
        return None
    counts = frame.groupby(["country", "province"]).size().rename("incidents").reset_index()
    counts = counts.sort_values(["country", "incidents", "province"], ascending=[True, False, True])
    counts["label"] = counts["province"] + ", " + counts["country"]
    more = len(counts) - TOP
    shown = counts.sort_values("incidents", ascending=False, kind="stable").head(TOP) \
        .sort_values(["country", "incidents"], ascending=[True, False])
    title = "Incidents by country and province"
    description = (f"Number of incidents in each province, grouped by country"
                   f"{f', for the {TOP} provinces with the most' if more > 0 else ''}.")
    spec = integer_ticks(instantiate(_place_skeleton(), "home-incidents-by-place", title, None, description,
                                     {"rows": shown}, height=_height(len(shown))), "x", shown["incidents"].max())
    table = shown[["country", "province", "incidents"]].rename(
        columns={"country": "Country", "province": "Province", "incidents": "Incidents"})
    return Chart("home-incidents-by-place", title, description, spec, table)


@lru_cache(maxsize=1)
def _place_skeleton() -> str:
    return compile_chart(rows().mark_bar(size=16).encode(
        alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
        alt.X("incidents:Q", title="Incidents", axis=alt.Axis(format=",d", tickMinStep=1)),
        alt.Color("country:N", title="Country", scale=alt.Scale(range=[COUNT, "#b8860b", "#009e73", "#cc79a7",
                                                                       "#d55e00", NEUTRAL])),
        tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("province:N", title="Province"),
                 alt.Tooltip("incidents:Q", title="Incidents")],
    ).properties(width="container"))


_READINGS: dict[tuple, tuple[Reading, str]] = {}


def _reading(report: CasualtyReport) -> tuple[Reading, str]:
    """A report's reading and its label; cached because thousands of reports share a few phrases."""
    key = (report.phrase, report.low, report.high)
    if key not in _READINGS:
        _READINGS[key] = (report.reading, reading_label(report.reading))
    return _READINGS[key]


CHART_REPORTS = 12  # bars per category in a ledger chart; the description says when more exist


def _ledger_rows(views: Views, incident_id: str, reports: list, seen: dict[str, int]) -> tuple[list[dict], int]:
    """Bars of one category: identical figures from the same voice once (with their number of
    reports), at most CHART_REPORTS of them, then the reconciled range. Returns (rows, bars left out)."""
    groups: dict[tuple, list] = {}
    for report in reports:
        reading, reading_text = _reading(report)
        who = views.pub.actors[report.said_by].name if report.said_by else views.pub.sources[report.evidence.source].publisher
        key = (report.category, report.phrase, who, reading.low, reading.high, reading.best)
        if key in groups:
            groups[key][2] += 1
        else:
            groups[key] = [report, (reading, reading_text, who), 1]
    out = []
    for report, (reading, reading_text, who), count in list(groups.values())[:CHART_REPORTS]:
        label = f"{report.category.capitalize()} · \u201c{report.phrase}\u201d · {who}"
        if count > 1:
            label += f" · {count:,} reports"
        if label in seen:  # the same words from the same voice, read differently (analyst's bounds): number it
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        seen.setdefault(label, 1)
        out.append({"label": label, "category": report.category, "kind": "report", "low": reading.low,
                    "high": reading.high, "best": reading.best, "open": reading.high is None, "figure": reading_text})
    rec = views.figures[incident_id].get(reports[0].category) if reports else None
    if rec is not None and rec.reports > 1:
        low, high, best, open_ended, _ = _killed(rec)
        out.append({"label": f"{rec.category.capitalize()} · all sources, reconciled", "category": rec.category,
                    "kind": "reconciled", "low": low, "high": high, "best": best, "open": open_ended, "figure": rec.label()})
    return out, max(0, len(groups) - CHART_REPORTS)


def figure_ledger(views: Views, incident_id: str) -> Chart | None:
    """One row per distinct casualty figure, and the reconciled range per category, side by side."""
    incident = views.published[incident_id]
    if not incident.casualties:
        return None
    out, seen, left_out, grouped = [], {}, 0, False  # seen: label -> times used
    for category in CATEGORIES:
        reports = [r for r in incident.casualties if r.category == category]
        rows, more = _ledger_rows(views, incident_id, reports, seen)
        out += rows
        left_out += more
        grouped = grouped or sum(1 for r in rows if r["kind"] == "report") + more < len(reports)
    ledger = range_rows(out)
    chart_id = f"incident-{incident_id}-ledger"
    title = "Casualty figures, source by source"
    description = (f"Each source's casualty figure for this incident as a range, one row per "
                   f"{'distinct figure (identical reports from the same voice once, with their number)' if grouped else 'report'}"
                   f"{', with the reconciled range per category' if any(r['kind'] == 'reconciled' for r in ledger) else ''}.")
    if left_out:
        description += (f" Only the first {CHART_REPORTS} figures of each category are drawn; {left_out:,} more are "
                        "in the table of casualty figures and in the data downloads.")
    skeleton = range_skeleton("label", "Report", "People", "#5b7083", vertical=False)
    spec = category_order(instantiate(skeleton, chart_id, title, RANGE_NOTE, description, {"rows": ledger},
                                      height=_height(len(ledger))), "y", [r["label"] for r in ledger])
    return Chart(chart_id, title, description, spec, range_table(ledger, "label", "Report"), site_image=False)


@gc_paused
def build_charts(views: Views) -> dict[str, Chart]:
    """Every chart of the publication, by id."""
    frame = incident_frame(views)
    home = monthly_by_scope(frame.assign(scope="home")).get("home", ({}, {}))
    charts: list[Chart | None] = [*monthly_charts(*home, "home", ""), killed_by_actor(views, frame),
                                  incidents_by_place(frame), maps.overview_map(frame)]
    for incident in records(frame):
        charts += [maps.locator_map(incident), figure_ledger(views, incident["id"])]
    for actor_id in views.pub.actors:
        charts += [actorcharts.actor_timeline(views, actor_id), actorcharts.actor_network(views, actor_id)]
    scopes = pd.DataFrame([(place_id, p) for place_id in views.pub.places for p in views.descendants(place_id)],
                          columns=["scope", "place_id"])
    by_place = monthly_by_scope(frame.merge(scopes, on="place_id")) if len(frame) else {}
    for place_id in sorted(by_place):
        if len(by_place[place_id][0]) < 2:  # incidents in one month only: a single bar says nothing the list does not
            continue
        charts += monthly_charts(*by_place[place_id], f"place-{place_id}", f" in {views.pub.places[place_id].name}")
    return {chart.id: chart for chart in charts if chart is not None}
