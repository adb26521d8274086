"""Maps: incidents at gazetteer coordinates on Natural Earth country borders (builtin/geo/).

The borders are cut down to the countries inside the map's frame, and coarsened when needed, so
a map spec stays small whatever the frame. A location known only to the province (or district,
or country) is drawn as a dashed, faint area ring, never as a crisp point.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

import altair as alt
import pandas as pd

from .chartkit import (
    KILLED,
    NEUTRAL,
    Chart,
    Table,
    compile_chart,
    instantiate,
    records,
    rows,
    shared,
)

BORDERS_BUDGET = 60_000  # bytes of TopoJSON per map
AREA_PRECISIONS = ("district", "province", "country")
PRECISION_ORDER = ["exact", "near", "city", "district", "province", "country"]
PRECISION_OPACITY = [0.95, 0.85, 0.75, 0.35, 0.22, 0.12]
RING_SIZE = {"district": 900, "province": 3200, "country": 9000}
CREDIT = ["Solid dot: location known to the city or better.", "Dashed ring: known only to the district, province or country.",
          "Borders: Natural Earth (public domain)."]
MAX_POINTS = 150
MAX_LABELS = 15  # place names written on the overview map (the largest locations)


@lru_cache(maxsize=2)
def _topology(scale: str) -> dict:
    text = resources.files("incidentbook").joinpath(f"builtin/geo/countries-{scale}.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=2)
def _lonlat_arcs(scale: str) -> list[list[tuple[float, float]]]:
    """The topology's arcs as (lon, lat) points (its arcs are delta-encoded on a quantised grid)."""
    topo = _topology(scale)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


@lru_cache(maxsize=2)
def _country_boxes(scale: str) -> list[tuple[dict, tuple[float, float, float, float]]]:
    """(geometry, (lon0, lat0, lon1, lat1)) for each country of the topology."""
    topo = _topology(scale)
    arc_boxes = []
    for points in _lonlat_arcs(scale):
        xs, ys = [x for x, _ in points], [y for _, y in points]
        arc_boxes.append((min(xs), min(ys), max(xs), max(ys)))
    out = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        boxes = [arc_boxes[i if i >= 0 else ~i] for i in _arc_ids(geometry)]
        if boxes:
            out.append((geometry, (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                   max(b[2] for b in boxes), max(b[3] for b in boxes))))
    return out


@lru_cache(maxsize=1)
def _country_points() -> dict[str, tuple[float, float]]:
    """ISO 3166-1 numeric code -> (lat, lon) of the centre of the country's largest polygon, from the
    Natural Earth borders the maps draw (1:110m)."""
    topo, decoded = _topology("110m"), _lonlat_arcs("110m")
    out = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = ([geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
                    if geometry["type"] == "MultiPolygon" else [])
        best = None
        for polygon in polygons:
            ring: list[tuple[float, float]] = []
            for i in polygon[0]:  # the outer ring
                points = decoded[i] if i >= 0 else decoded[~i][::-1]
                ring += points if not ring else points[1:]
            for k in range(1, len(ring)):  # a ring across the antimeridian (Fiji, Russia) made continuous
                x, y = ring[k]
                while x - ring[k - 1][0] > 180:
                    x -= 360
                while x - ring[k - 1][0] < -180:
                    x += 360
                ring[k] = (x, y)
            area = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
                cross = x0 * y1 - x1 * y0
                area, cx, cy = area + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
            if area and (best is None or abs(area) > best[0]):
                best = (abs(area), cy / (3 * area), cx / (3 * area))
        if best and geometry.get("id"):
            out[str(geometry["id"]).zfill(3)] = (round(best[1], 3), round((best[2] + 180) % 360 - 180, 3))
    return out


def country_point(iso_code: str | None) -> tuple[float, float] | None:
    """(lat, lon) to draw a location known only to its country (ISO 3166-1 alpha-2), or None."""
    import pycountry

    country = pycountry.countries.get(alpha_2=(iso_code or "").upper()) if iso_code else None
    return _country_points().get(country.numeric) if country else None


def _arc_ids(geometry: dict) -> list[int]:
    arcs = geometry.get("arcs", [])
    if geometry["type"] == "Polygon":
        return [i for ring in arcs for i in ring]
    if geometry["type"] == "MultiPolygon":
        return [i for polygon in arcs for ring in polygon for i in ring]
    return []


def _remap(geometry: dict, index: dict[int, int]) -> dict:
    def arc(i: int) -> int:
        return index[i] if i >= 0 else ~index[~i]

    if geometry["type"] == "Polygon":
        arcs = [[arc(i) for i in ring] for ring in geometry["arcs"]]
    else:
        arcs = [[[arc(i) for i in ring] for ring in polygon] for polygon in geometry["arcs"]]
    return {"type": geometry["type"], "arcs": arcs, "properties": {"name": geometry.get("properties", {}).get("name", "")}}


_ARCS: dict[tuple[str, int, int], list[list[int]]] = {}


def _arc(scale: str, factor: int, index: int) -> list[list[int]]:
    """One arc on a grid `factor` times coarser, simplified; computed once per process."""
    key = (scale, factor, index)
    if key not in _ARCS:
        _ARCS[key] = _coarsen([_topology(scale)["arcs"][index]], factor)[0]
    return _ARCS[key]


def _simplify(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Douglas–Peucker with a tolerance of one grid cell; the ends (shared with other arcs) stay."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        worst, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > 1.0:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [p for i, p in enumerate(points) if i in keep]


def _coarsen(arcs: list[list[list[int]]], factor: int) -> list[list[list[int]]]:
    """Quantise delta-encoded arcs onto a grid `factor` times coarser and simplify them."""
    out = []
    for arc in arcs:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            point = (round(x / factor), round(y / factor))
            if not points or point != points[-1]:
                points.append(point)
        points = _simplify(points) if len(points) > 2 else points + points[-1:] * (2 - len(points))
        px = py = 0
        encoded = []
        for qx, qy in points:
            encoded.append([qx - px, qy - py])
            px, py = qx, qy
        out.append(encoded)
    return out


@lru_cache(maxsize=256)
def borders(frame: tuple[float, float, float, float], fine: bool = True) -> dict:
    """A TopoJSON of the countries that touch the frame, within BORDERS_BUDGET bytes when it can be:
    1:50m borders for regional frames, 1:110m ones on a coarser grid for continental ones."""
    attempts = [("50m", 2), ("50m", 4), ("50m", 8), ("50m", 16), ("110m", 8), ("110m", 32), ("110m", 64), ("110m", 128)]
    if not fine or frame[2] - frame[0] > 60:  # small or continental maps: 1:50m detail could not be seen
        attempts = [a for a in attempts if a[0] == "110m"]
    for scale, factor in attempts:
        topology = _subset(scale, frame, factor)
        if len(json.dumps(topology, separators=(",", ":"))) <= BORDERS_BUDGET:
            break
    return shared(topology, data=True)  # one object per frame, in every locator map of that frame


def _subset(scale: str, frame: tuple[float, float, float, float], factor: int) -> dict:
    lon0, lat0, lon1, lat1 = frame
    topo = _topology(scale)
    chosen = [g for g, (a, b, c, d) in _country_boxes(scale) if a <= lon1 and c >= lon0 and b <= lat1 and d >= lat0]
    used = sorted({i if i >= 0 else ~i for g in chosen for i in _arc_ids(g)})
    index = {old: new for new, old in enumerate(used)}
    arcs = [_arc(scale, factor, i) for i in used]
    scale_xy = [s * factor for s in topo["transform"]["scale"]]
    return {"type": "Topology", "transform": {"scale": scale_xy, "translate": topo["transform"]["translate"]},
            "objects": {"countries": {"type": "GeometryCollection", "geometries": [_remap(g, index) for g in chosen]}},
            "arcs": arcs}


def frame_of(lons: list[float], lats: list[float], min_span: float) -> tuple[float, float, float, float]:
    """A lon/lat box around the points, with a margin, at least min_span degrees wide and tall."""
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    pad_lon = max((lon1 - lon0) * 0.15, (min_span - (lon1 - lon0)) / 2, 0)
    pad_lat = max((lat1 - lat0) * 0.15, (min_span * 0.7 - (lat1 - lat0)) / 2, 0)
    return (round(max(lon0 - pad_lon, -180), 1), round(max(lat0 - pad_lat, -80), 1),
            round(min(lon1 + pad_lon, 180), 1), round(min(lat1 + pad_lat, 84), 1))


TOOLTIP_TITLES = 2  # incident titles a location's tooltip names (the others are counted)
TITLE_CHARS = 60  # a longer title is cut, with "…"


def _titles(titles) -> str:
    """A location's incidents for its tooltip: the first TOOLTIP_TITLES titles, each cut at
    TITLE_CHARS, and how many more (the table and the place's page list them all)."""
    titles = list(titles)
    shown = [t if len(t) <= TITLE_CHARS else t[:TITLE_CHARS - 1].rstrip() + "…" for t in titles[:TOOLTIP_TITLES]]
    more = len(titles) - len(shown)
    return "; ".join(shown) + (f" and {more:,} more" if more else "")


def _points(frame: pd.DataFrame) -> pd.DataFrame:
    """Incidents grouped by where the overview map draws them (charts.incident_frame's map_* columns:
    the place, or, for a place without coordinates, the nearest enclosing place with some, or its
    country's centre, at that place's precision)."""
    located = frame.dropna(subset=["map_lat", "map_lon"]).drop(columns=["place_id", "place", "lat", "lon", "precision"])
    located = located.rename(columns={"map_id": "place_id", "map_place": "place", "map_lat": "lat", "map_lon": "lon",
                                      "map_precision": "precision"})
    located["killed"] = located["best"].fillna(located["low"])
    grouped = located.groupby(["place_id", "precision"], sort=False).agg(
        place=("place", "first"), lat=("lat", "first"), lon=("lon", "first"), incidents=("id", "size"),
        killed=("killed", lambda s: s.sum(min_count=1)),
        titles=("title", _titles),
    ).reset_index()
    grouped["area"] = grouped["precision"].isin(AREA_PRECISIONS)
    grouped["ring"] = grouped["precision"].map(RING_SIZE)
    grouped["alpha"] = grouped["precision"].map(dict(zip(PRECISION_ORDER, PRECISION_OPACITY)))
    grouped["where"] = [("somewhere in " if a else "near " if p == "near" else "in ") + name
                        for a, p, name in zip(grouped["area"], grouped["precision"], grouped["place"])]
    return grouped.sort_values(["incidents", "place"], ascending=[False, True]).reset_index(drop=True)


def _map_chart(points: list[dict], chart_id: str, title: str, description: str, frame: tuple, height: int,
               legends: bool) -> dict:
    """legends=True: the full-width map (1:50m borders, legends); False: a small locator (1:110m, a few KB)."""
    lon0, lat0, lon1, lat1 = frame
    fit = {"type": "Feature", "properties": {},
           "geometry": {"type": "MultiPoint", "coordinates": [[lon0, lat0], [lon1, lat1]]}}
    return instantiate(_map_skeleton(legends), chart_id, title, CREDIT, description,
                       {"rows": points, "borders": borders(frame, fine=legends)}, height=height,
                       projection={"type": "mercator", "fit": fit})


@lru_cache(maxsize=2)
def _map_skeleton(legends: bool) -> str:
    land = alt.Chart(alt.Data(name="borders", format=alt.DataFormat(type="topojson", feature="countries")))
    base = land.mark_geoshape(fill=NEUTRAL, fillOpacity=0.16, stroke=NEUTRAL, strokeWidth=0.7, clip=True).encode(
        tooltip=[alt.Tooltip("properties.name:N", title="Country")])
    tip = [alt.Tooltip("where:N", title="Location"), alt.Tooltip("precision:N", title="Location precision"),
           alt.Tooltip("incidents:Q", title="Incidents"), alt.Tooltip("killed:Q", title="Killed (best estimate)", format=","),
           alt.Tooltip("titles:N", title="Incidents")]
    lon, lat = alt.Longitude("lon:Q"), alt.Latitude("lat:Q")
    rings = rows().mark_circle(fill=KILLED, fillOpacity=0.08, stroke=KILLED, strokeWidth=1.5, strokeDash=[4, 3],
                               clip=True).encode(lon, lat, alt.Size("ring:Q", scale=None), tooltip=tip) \
        .transform_filter("datum.area")
    dots = rows().mark_circle(color=KILLED, stroke=KILLED, strokeWidth=1.2, clip=True).encode(
        lon, lat,
        alt.Size("killed:Q", title="Killed (best estimate)", scale=alt.Scale(range=[40, 900], zero=True),
                 legend=alt.Legend(tickCount=3) if legends else None),
        alt.Opacity("alpha:Q", scale=None),
        alt.StrokeDash("area:N", legend=None, scale=alt.Scale(domain=[False, True], range=[[1, 0], [3, 2]])),
        tooltip=tip)
    names = rows().mark_text(align="left", dx=9, dy=-7, fontSize=11, fontWeight="bold").encode(lon, lat, text="place:N")
    chart = alt.layer(base, rings, dots, names).properties(width="container")
    return compile_chart(chart.resolve_scale(size="independent"))


def _points_table(points: list[dict]) -> Table:
    return Table(["Place", "Location known to", "Latitude", "Longitude", "Incidents", "Killed (best estimate)"],
                 [(p["place"], p["precision"], round(p["lat"], 4), round(p["lon"], 4), p["incidents"],
                   "—" if p["killed"] is None else f"{int(p['killed']):,}") for p in points])


LABEL_LINE = 0.06  # a label's height, as a fraction of the map's height
LABEL_CHAR = 0.012  # a character's width, as a fraction of the map's width (11 px type on a 640 px map)


def label_choice(points: list[dict], frame: tuple[float, float, float, float]) -> set[int]:
    """Which of the points (largest first) get their place's name on the overview map: at most
    MAX_LABELS, each name's box (it is written to the right of its point) clear of the boxes of the
    names already placed, so that names do not overprint one another. In a dense cluster only the
    largest locations are named; the table under the map lists every one."""
    width, height = max(frame[2] - frame[0], 1e-9), max(frame[3] - frame[1], 1e-9)
    boxes: list[tuple[float, float, float]] = []  # (left, right, middle) in fractions of the map
    chosen: set[int] = set()
    for i, point in enumerate(points):
        if len(chosen) == MAX_LABELS:
            break
        left = (point["lon"] - frame[0]) / width
        box = (left, left + 0.02 + LABEL_CHAR * len(str(point.get("place") or "")), (point["lat"] - frame[1]) / height)
        if all(abs(box[2] - other[2]) >= LABEL_LINE or box[1] <= other[0] or box[0] >= other[1] for other in boxes):
            boxes.append(box)
            chosen.add(i)
    return chosen


def _incidents(n: int) -> str:
    return f"{n:,} incident{'s' if n != 1 else ''}"


def _be(n: int) -> str:
    return "is" if n == 1 else "are"


def overview_map(frame: pd.DataFrame) -> Chart | None:
    points = _points(frame)
    if points.empty:
        return None
    unlocated = len(frame) - int(points["incidents"].sum())
    moved = int(frame["map_moved"].sum())
    omitted = len(points) - MAX_POINTS
    points = points.head(MAX_POINTS)
    bounds = frame_of(list(points["lon"]), list(points["lat"]), min_span=14)
    title = "Where the incidents happened"
    description = (f"{int(points['incidents'].sum()):,} incidents at {len(points):,} gazetteer locations, sized by the "
                   "best estimate of people killed; faint dashed rings mark locations known only to the district, "
                   f"province or country"
                   f"{f'; {_incidents(moved)} whose place has no coordinates {_be(moved)} drawn at the place or country that contains it' if moved else ''}"
                   f"{f'; {_incidents(unlocated)} without coordinates {_be(unlocated)} not shown' if unlocated else ''}"
                   f"{f'; {omitted:,} locations with fewer incidents are left out' if omitted > 0 else ''}.")
    plotted = records(points.drop(columns="place_id"))  # the spec carries what the map draws or its tooltips show
    # a ring's size is set for a regional map (RING_SIZE, 14 degrees across): on a wider frame it
    # shrinks with it, so that a world of country-level locations is not one blot
    shrink = min(1.0, 14 / max(bounds[2] - bounds[0], 14))
    plotted = [{**p, "ring": round(p["ring"] * shrink) if p.get("ring") else p.get("ring")} for p in plotted]
    named = label_choice(plotted, bounds)
    labelled = [{**p, "place": p["place"] if i in named else ""} for i, p in enumerate(plotted)]
    spec = _map_chart(labelled, "map-incidents", title, description, bounds, 420, legends=True)
    return Chart("map-incidents", title, description, spec, _points_table(plotted))


def locator_map(incident: dict) -> Chart | None:
    """A small map around one incident (a row of charts.incident_frame, as a dict)."""
    if incident["lat"] is None or incident["lon"] is None:
        return None
    precision, area = incident["precision"], incident["precision"] in AREA_PRECISIONS
    row = {"precision": precision, "place": incident["place"],
           "lat": incident["lat"], "lon": incident["lon"], "incidents": 1,
           "killed": incident["best"] if incident["best"] is not None else incident["low"],
           "titles": incident["title"], "area": area, "ring": RING_SIZE.get(precision),
           "alpha": PRECISION_OPACITY[PRECISION_ORDER.index(precision)],
           "where": ("somewhere in " if area else "near " if precision == "near" else "in ") + incident["place"]}
    points = [row]
    bounds = frame_of([row["lon"]], [row["lat"]], min_span=16)
    chart_id = f"incident-{incident['id']}-locator"
    title = "Location"
    description = (f"Locator map: the incident happened {row['where']} "
                   f"(location known to: {row['precision']}), at {row['lat']:.2f}, {row['lon']:.2f}.")
    spec = _map_chart(points, chart_id, title, description, bounds, 220, legends=False)
    return Chart(chart_id, title, description, spec, _points_table(points), small=True, site_image=False)
