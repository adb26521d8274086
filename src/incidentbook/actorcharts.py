"""Actor charts: when the actor was claimed, blamed or cleared, and whom it is linked to.

Pure functions of Views → Chart, like charts.py; the relationship graph is laid out by networkx.
"""

from __future__ import annotations

import weakref
from functools import cache, lru_cache

import altair as alt
import networkx as nx
import pandas as pd

from .chartkit import (
    COUNT,
    KILLED,
    NEUTRAL,
    STANCE_COLOURS,
    STANCE_SHAPES,
    Chart,
    Table,
    compile_chart,
    instantiate,
    rows,
)
from .views import Views

_STANCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stances(views: Views) -> dict[str, list[tuple]]:
    """{actor id: [(date, stance, title) of each responsibility entry naming it]}, once per Views
    (scanning every incident per actor made the actor charts quadratic)."""
    if views not in _STANCES:
        index: dict[str, list[tuple]] = {}
        for incident in views.published.values():
            for entry in incident.responsibility:
                index.setdefault(entry.actor, []).append((incident.date.earliest, entry.stance, incident.title))
        _STANCES[views] = index
    return _STANCES[views]


def _period_start(day, unit: str):
    return day if unit == "yearmonthdate" else day.replace(day=1) if unit == "yearmonth" else day.replace(month=1, day=1)


def actor_timeline(views: Views, actor_id: str) -> Chart | None:
    """Claims, attributions, suspicions and denials about the actor, by the incident's date."""
    family = views.actor_family(actor_id)
    index = _stances(views)
    entries = {entry for member in family for entry in index.get(member, ())}
    if not entries:
        return None
    span = (max(e[0] for e in entries) - min(e[0] for e in entries)).days
    unit, fmt = ("yearmonthdate", "%-d %b %Y") if span <= 120 else ("yearmonth", "%b %Y") if span <= 7300 else ("year", "%Y")
    groups: dict[tuple, list[str]] = {}
    for day, stance, title in entries:
        groups.setdefault((_period_start(day, unit), stance), []).append(title)
    label_format = fmt.replace("%-d", "%d")
    grouped = []
    for (period, stance), titles in sorted(groups.items()):
        titles.sort()
        grouped.append({"period": period.strftime("%Y-%m-%d"), "stance": stance, "incidents": len(titles),
                        "titles": "; ".join(titles[:3]) + (f" and {len(titles) - 3} more" if len(titles) > 3 else ""),
                        "label": period.strftime(label_format)})
    chart_id = f"actor-{actor_id}-timeline"
    name = views.pub.actors[actor_id].name
    title = f"Incidents attributed to {name}, over time"
    description = (f"Incidents for which {name}{' or a branch' if len(family) > 1 else ''} claimed responsibility, "
                   f"was held or suspected responsible by others, or denied it, by date of the incident.")
    spec = instantiate(_timeline_skeleton(unit, fmt), chart_id, title,
                       "Shape and colour show the stance: claimed by the actor, attributed or suspected by others, denied.",
                       description, {"rows": grouped}, height=170)
    table = Table(["Date", "Stance", "Incidents", "Incidents (titles)"],
                  [(r["label"], r["stance"], r["incidents"], r["titles"]) for r in grouped])
    return Chart(chart_id, title, description, spec, table)


@cache
def _timeline_skeleton(unit: str, fmt: str) -> str:
    order = list(STANCE_COLOURS)
    return compile_chart(rows().mark_point(filled=True, opacity=0.9, strokeWidth=2).encode(
        alt.X("period:T", timeUnit=unit, title="Date of incident", scale=alt.Scale(padding=24),
              axis=alt.Axis(format=fmt, labelAngle=0, **({"tickCount": {"interval": "day", "step": 1}} if unit == "yearmonthdate" else {}))),
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
    # Names and labels are cut (with an ellipsis; the tooltip and the data table have them whole)
    # to the room between two nodes, a third of the chart's width: on a phone the names of
    # neighbouring actors overprinted one another and ran off the chart's edges.
    labels = edges.mark_text(fontSize=10, fontStyle="italic", dy=-6, limit=alt.ExprRef("width / 3.4")).encode(
        alt.X("mx:Q", scale=x_scale), alt.Y("my:Q", scale=y_scale), text="relation:N", tooltip=tip)
    dots = nodes.mark_circle(opacity=1, stroke="#ffffff", strokeWidth=1.5).encode(
        alt.X("x:Q", scale=x_scale), alt.Y("y:Q", scale=y_scale),
        color=alt.condition("datum.focus", alt.value(KILLED), alt.value(COUNT)),
        size=alt.condition("datum.focus", alt.value(320), alt.value(160)),
        tooltip=[alt.Tooltip("name:N", title="Actor"), alt.Tooltip("kind:N", title="Kind")])
    names = nodes.mark_text(fontSize=11, fontWeight="bold", dy=16, baseline="top", limit=alt.ExprRef("width / 3.4")).encode(
        alt.X("x:Q", scale=x_scale), alt.Y("y:Q", scale=y_scale), text="name:N")
    return compile_chart(alt.layer(lines, labels, dots, names).properties(width="container"))
