"""Charts of the curated model: pure functions of Views → Chart (Vega-Lite spec + the table it plots).

Every chart is aggregated with pandas before it becomes a spec, so a spec holds one row per mark
it draws whatever the number of incidents. Ranges keep the sources' uncertainty: a sum of
"at least" figures stays open-ended. Maps are in maps.py; nothing here writes files.
"""

from __future__ import annotations

from functools import cache, lru_cache

import altair as alt
import networkx as nx
import pandas as pd

from . import maps
from .chartkit import (
    COUNT,
    KILLED,
    NEUTRAL,
    RANGE_NOTE,
    STANCE_COLOURS,
    STANCE_SHAPES,
    Chart,
    category_order,
    compile_chart,
    instantiate,
    integer_ticks,
    range_frame,
    range_skeleton,
    rows,
)
from .reconcile import Reconciled, range_label
from .views import CATEGORIES, Views, report_rows

TOP = 25  # bars per ranking chart; the description says when more exist
RESPONSIBLE = ("claimed", "attributed", "suspected")
FRAME_COLUMNS = ["id", "title", "date", "month", "country", "province", "place_id", "place", "lat", "lon",
                 "precision", "low", "high", "best", "open", "has_figure"]


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
                    low, high, best, open_ended, has_figure))
    frame = pd.DataFrame(out, columns=FRAME_COLUMNS)
    for column in ("low", "high", "best", "lat", "lon"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def sum_ranges(frame: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Sum killed ranges per group: low = sum of lower bounds (missing counts 0), high open when any
    incident's is, best = sum of best estimates (the low where an incident has none)."""
    with_figure = frame[frame["has_figure"]].copy()
    with_figure["best_or_low"] = with_figure["best"].fillna(with_figure["low"])
    grouped = with_figure.groupby(by, sort=False, dropna=False)
    out = grouped.agg(low=("low", lambda s: s.fillna(0).sum()), high=("high", "sum"),
                      high_missing=("high", lambda s: s.isna().any()), open=("open", "any"),
                      best=("best_or_low", lambda s: s.sum(min_count=1)), incidents=("id", "size")).reset_index()
    out.loc[out["open"] | out["high_missing"], "high"] = None
    out["open"] = out["open"] | out["high_missing"]
    out = out.drop(columns="high_missing")
    out["figure"] = [range_label(_int(lo), _int(hi), _int(be), op)
                     for lo, hi, be, op in zip(out["low"], out["high"], out["best"], out["open"])]
    return out


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _n(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"


def range_table(frame: pd.DataFrame, label: str, label_title: str, extra: dict[str, str] | None = None) -> pd.DataFrame:
    table = pd.DataFrame({label_title: frame[label]})
    for column, title in (extra or {}).items():
        table[title] = frame[column]
    table["Lower bound"] = [_n(v) for v in frame["low"]]
    table["Upper bound"] = ["none (open-ended)" if op else _n(hi) for hi, op in zip(frame["high"], frame["open"])]
    table["Best estimate"] = [_n(v) for v in frame["best"]]
    table["Reading"] = frame["figure"]
    return table


def _height(n: int) -> int:
    return 40 + 26 * max(n, 1)


def _month_label(month: str) -> str:
    return pd.Timestamp(month).strftime("%b %Y")


def monthly_charts(frame: pd.DataFrame, chart_id: str, where: str) -> list[Chart]:
    """Incidents per month and killed per month (ranges) for the incidents in `frame`."""
    if frame.empty:
        return []
    months = pd.period_range(frame["month"].min(), frame["month"].max(), freq="M").strftime("%Y-%m-01")
    counts = frame.groupby("month").size().rename("incidents").reindex(months, fill_value=0) \
        .rename_axis("month").reset_index()
    counts["label"] = counts["month"].map(_month_label)
    title = f"Incidents per month{where}"
    description = (f"Number of incidents per month{where}, {len(frame):,} in all, "
                   f"from {counts['label'].iloc[0]} to {counts['label'].iloc[-1]}.")
    charts = [Chart(f"{chart_id}-incidents-per-month", title, description,
                    integer_ticks(instantiate(_count_skeleton(), f"{chart_id}-incidents-per-month", title, None,
                                              description, {"rows": counts}, height=160), "y", counts["incidents"].max()),
                    counts[["label", "incidents"]].rename(columns={"label": "Month", "incidents": "Incidents"}))]
    killed = sum_ranges(frame, "month")
    if killed.empty:
        return charts
    killed = pd.DataFrame({"month": months}).merge(killed, on="month", how="left")
    killed["open"] = killed["open"].fillna(False).astype(bool)
    killed["label"] = killed["month"].map(_month_label)
    killed = range_frame(killed)
    title = f"Killed per month{where}"
    open_note = " Open-ended where any source gives only a lower bound." if killed["open"].any() else ""
    description = (f"Killed per month{where} as a range from the sum of the lowest figures to the sum of the "
                   f"highest, {killed['label'].iloc[0]} to {killed['label'].iloc[-1]}.{open_note}")
    skeleton = range_skeleton("label", "Month", "Killed", KILLED, vertical=True,
                              extra_tooltip=(("incidents:Q", "Incidents with a figure"),))
    spec = instantiate(skeleton, f"{chart_id}-killed-per-month", title, RANGE_NOTE, description, {"rows": killed},
                       height=200)
    charts.append(Chart(f"{chart_id}-killed-per-month", title, description, category_order(spec, "x", killed["label"]),
                        range_table(killed, "label", "Month", {"incidents": "Incidents with a figure"})))
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
    ranked = range_frame(ranked.head(TOP))
    title = "Killed in incidents attributed to each actor"
    description = (f"Killed in incidents each actor claimed or was named responsible for, as ranges, "
                   f"{'for the ' + str(TOP) + ' actors with the most' if more > 0 else 'for every actor named'}"
                   "; an incident with several responsible actors counts for each.")
    skeleton = range_skeleton("name", "Actor", "Killed", KILLED, vertical=False,
                              extra_tooltip=(("incidents:Q", "Incidents with a figure"),))
    spec = category_order(instantiate(skeleton, "home-killed-by-actor", title, RANGE_NOTE, description,
                                      {"rows": ranked}, height=_height(len(ranked))), "y", ranked["name"])
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


def _ledger_rows(views: Views, incident_id: str, reports: list, seen: set) -> list[tuple]:
    out = []
    for report, reading_text in reports:
        reading = report.reading
        who = views.pub.actors[report.said_by].name if report.said_by else views.pub.sources[report.evidence.source].publisher
        label = f"{report.category.capitalize()} · \u201c{report.phrase}\u201d · {who}"
        while label in seen:
            label += " "
        seen.add(label)
        out.append((label, report.category, "report", reading.low, reading.high, reading.best,
                    reading.high is None, reading_text))
    rec = views.figures[incident_id].get(reports[0][0].category) if reports else None
    if rec is not None and rec.reports > 1:
        low, high, best, open_ended, _ = _killed(rec)
        out.append((f"{rec.category.capitalize()} · all sources, reconciled", rec.category, "reconciled", low, high,
                    best, open_ended, rec.label()))
    return out


def figure_ledger(views: Views, incident_id: str) -> Chart | None:
    """One row per casualty report, and the reconciled range per category, side by side."""
    incident = views.published[incident_id]
    if not incident.casualties:
        return None
    out, seen = [], set()
    rows_by_category = report_rows(incident)
    for category in CATEGORIES:
        out += _ledger_rows(views, incident_id, [r for r in rows_by_category if r[0].category == category], seen)
    frame = pd.DataFrame(out, columns=["label", "category", "kind", "low", "high", "best", "open", "figure"])
    for column in ("low", "high", "best"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame = range_frame(frame)
    chart_id = f"incident-{incident_id}-ledger"
    title = "Casualty figures, source by source"
    description = (f"Each source's casualty figure for this incident as a range, one row per report"
                   f"{', with the reconciled range per category' if (frame['kind'] == 'reconciled').any() else ''}.")
    skeleton = range_skeleton("label", "Report", "People", "#5b7083", vertical=False)
    spec = category_order(instantiate(skeleton, chart_id, title, RANGE_NOTE, description, {"rows": frame},
                                      height=_height(len(frame))), "y", frame["label"])
    return Chart(chart_id, title, description, spec, range_table(frame, "label", "Report"))


def actor_timeline(views: Views, actor_id: str) -> Chart | None:
    """Claims, attributions, suspicions and denials about the actor, by the incident's date."""
    family = views.actor_family(actor_id)
    entries = [(incident.date.earliest, entry.stance, incident.title) for incident in views.published.values()
               for entry in incident.responsibility if entry.actor in family]
    if not entries:
        return None
    frame = pd.DataFrame(entries, columns=["date", "stance", "title"]).drop_duplicates()
    span = (max(frame["date"]) - min(frame["date"])).days
    unit, fmt = ("yearmonthdate", "%-d %b %Y") if span <= 120 else ("yearmonth", "%b %Y") if span <= 7300 else ("year", "%Y")
    frame["period"] = pd.to_datetime(frame["date"]).dt.to_period({"yearmonthdate": "D", "yearmonth": "M", "year": "Y"}[unit]) \
        .dt.start_time
    grouped = frame.groupby(["period", "stance"], sort=True).agg(
        incidents=("title", "size"), titles=("title", lambda t: "; ".join(sorted(t)[:3]) + (f" and {len(t) - 3} more" if len(t) > 3 else ""))
    ).reset_index()
    grouped["label"] = grouped["period"].dt.strftime(fmt.replace("%-d", "%d"))
    grouped["period"] = grouped["period"].dt.strftime("%Y-%m-%d")
    chart_id = f"actor-{actor_id}-timeline"
    name = views.pub.actors[actor_id].name
    title = f"Incidents attributed to {name}, over time"
    description = (f"Incidents for which {name}{' or a branch' if len(family) > 1 else ''} claimed responsibility, "
                   f"was held or suspected responsible by others, or denied it, by date of the incident.")
    spec = instantiate(_timeline_skeleton(unit, fmt), chart_id, title,
                       "Shape and colour show the stance: claimed by the actor, attributed or suspected by others, denied.",
                       description, {"rows": grouped}, height=170)
    table = grouped[["label", "stance", "incidents", "titles"]].rename(
        columns={"label": "Date", "stance": "Stance", "incidents": "Incidents", "titles": "Incidents (titles)"})
    return Chart(chart_id, title, description, spec, table)


@cache
def _timeline_skeleton(unit: str, fmt: str) -> str:
    order = list(STANCE_COLOURS)
    return compile_chart(rows().mark_point(filled=True, opacity=0.9, strokeWidth=2).encode(
        alt.X("period:T", timeUnit=unit, title="Date of incident", scale=alt.Scale(padding=24),
              axis=alt.Axis(format=fmt, labelAngle=0, tickCount={"interval": "day", "step": 1} if unit == "yearmonthdate" else None)),
        alt.Y("stance:N", title=None, scale=alt.Scale(domain=order)),
        alt.Color("stance:N", title="Stance", scale=alt.Scale(domain=order, range=[STANCE_COLOURS[s] for s in order])),
        alt.Shape("stance:N", title="Stance", scale=alt.Scale(domain=order, range=[STANCE_SHAPES[s] for s in order])),
        alt.Size("incidents:Q", title="Incidents", scale=alt.Scale(range=[90, 400], zero=False), legend=None),
        tooltip=[alt.Tooltip("label:N", title="Date"), alt.Tooltip("stance:N", title="Stance"),
                 alt.Tooltip("incidents:Q", title="Incidents"), alt.Tooltip("titles:N", title="Incidents")],
    ).properties(width="container"))


def actor_network(views: Views, actor_id: str, limit: int = 30) -> Chart | None:
    """The actors linked to this one (stated relationships both ways, its organisation, its branches
    and people), laid out by networkx; each line is labelled as read from this actor."""
    actors = views.pub.actors
    actor = actors[actor_id]
    labels: dict[str, list[str]] = {}
    for _direction, label, other, _rel in views.relationships_of(actor_id):
        labels.setdefault(other.id, []).append(label.lower())
    if actor.parent:
        labels.setdefault(actor.parent, []).append("member of" if actor.kind == "person" else "part of")
    for child in views.children.get(actor_id, []):
        labels.setdefault(child.id, []).append("has member" if child.kind == "person" else "has branch")
    linked = sorted(labels, key=lambda other: actors[other].name.lower())[:limit]
    if not linked:
        return None
    graph = nx.star_graph([actor_id, *linked])
    layout = nx.spring_layout(graph, seed=7, center=(0, 0)) if len(linked) > 1 else {actor_id: (-0.8, 0), linked[0]: (0.8, 0)}
    position = {n: (round(float(layout[n][0]), 4), round(float(layout[n][1]), 4)) for n in graph.nodes}
    nodes = pd.DataFrame([(n, actors[n].name, actors[n].kind.replace("-", " "), n == actor_id, *position[n])
                          for n in [actor_id, *linked]], columns=["id", "name", "kind", "focus", "x", "y"])
    links = pd.DataFrame([(actor.name, "; ".join(dict.fromkeys(labels[o])), actors[o].name, *position[actor_id], *position[o])
                          for o in linked], columns=["from", "relation", "to", "x", "y", "x2", "y2"])
    links["mx"], links["my"] = (links["x"] + links["x2"]) / 2, (links["y"] + links["y2"]) / 2
    chart_id = f"actor-{actor_id}-network"
    title = f"Relationships of {actor.name}"
    description = (f"{actor.name} and the {len(linked)} actor{'s' if len(linked) != 1 else ''} it is linked to: stated "
                   "relationships, the organisation it belongs to, its branches and people, each line labelled by type.")
    subtitle = f"Read each label from {actor.name} (orange) to the other actor."
    spec = instantiate(_network_skeleton(), chart_id, title, subtitle, description, {"nodes": nodes, "edges": links},
                       height=260 if len(linked) > 1 else 130)
    table = links[["from", "relation", "to"]].rename(columns={"from": "Actor", "relation": "Relationship", "to": "Other actor"})
    return Chart(chart_id, title, description, spec, table)


@lru_cache(maxsize=1)
def _network_skeleton() -> str:
    hidden = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    x_scale, y_scale = alt.Scale(domain=[-1.45, 1.45], nice=False), alt.Scale(domain=[-1.25, 1.25], nice=False)
    edges, nodes = rows("edges"), rows("nodes")
    tip = [alt.Tooltip("from:N", title="Actor"), alt.Tooltip("relation:N", title="Relationship"),
           alt.Tooltip("to:N", title="Other actor")]
    lines = edges.mark_rule(color=NEUTRAL, strokeWidth=1.5, opacity=0.8).encode(
        alt.X("x:Q", scale=x_scale, axis=hidden), alt.Y("y:Q", scale=y_scale, axis=hidden), x2="x2:Q", y2="y2:Q",
        tooltip=tip)
    labels = edges.mark_text(fontSize=10, fontStyle="italic", dy=-6).encode(
        alt.X("mx:Q", scale=x_scale), alt.Y("my:Q", scale=y_scale), text="relation:N", tooltip=tip)
    dots = nodes.mark_circle(opacity=1, stroke="#ffffff", strokeWidth=1.5).encode(
        alt.X("x:Q", scale=x_scale), alt.Y("y:Q", scale=y_scale),
        color=alt.condition("datum.focus", alt.value(KILLED), alt.value(COUNT)),
        size=alt.condition("datum.focus", alt.value(320), alt.value(160)),
        tooltip=[alt.Tooltip("name:N", title="Actor"), alt.Tooltip("kind:N", title="Kind")])
    names = nodes.mark_text(fontSize=11, fontWeight="bold", dy=16, baseline="top").encode(
        alt.X("x:Q", scale=x_scale), alt.Y("y:Q", scale=y_scale), text="name:N")
    return compile_chart(alt.layer(lines, labels, dots, names).properties(width="container"))


def build_charts(views: Views) -> dict[str, Chart]:
    """Every chart of the publication, by id."""
    frame = incident_frame(views)
    charts: list[Chart | None] = [*monthly_charts(frame, "home", ""), killed_by_actor(views, frame),
                                  incidents_by_place(frame), maps.overview_map(frame)]
    for incident_id in frame["id"]:
        charts += [maps.locator_map(frame, incident_id), figure_ledger(views, incident_id)]
    for actor_id in views.pub.actors:
        charts += [actor_timeline(views, actor_id), actor_network(views, actor_id)]
    for place_id, place in views.pub.places.items():
        inside = views.descendants(place_id)
        charts += monthly_charts(frame[frame["place_id"].isin(inside)], f"place-{place_id}", f" in {place.name}")
    return {chart.id: chart for chart in charts if chart is not None}
