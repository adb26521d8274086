"""Building blocks for charts: the Chart record, spec skeletons, range layers and the palette.

A skeleton is an Altair chart compiled once to Vega-Lite JSON with its data left as named,
empty datasets; each chart is a copy with its own rows. That keeps Altair as the authoring tool
and keeps a publication with thousands of briefs fast (compiling an Altair chart costs
milliseconds; copying a skeleton costs microseconds).

The copy is shallow: every spec of a skeleton shares the skeleton's parsed layers, encodings and
config (a full copy per chart cost about half of `build_charts` at 10,000 incidents). A spec is
therefore never changed in place below its top level: `category_order` and `integer_ticks` copy
the path they change, and anything else that needs a different spec makes its own copy
(`chartfiles.static_spec`).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from functools import cache
from html import escape as escape_html

import altair as alt
import pandas as pd
from markupsafe import Markup

from .render import html_text, md_escape

# Okabe–Ito-derived colours chosen to keep at least 3:1 contrast against both Material's light
# background (#fff) and its slate background (#1e2129).
KILLED = "#d55e00"
COUNT = "#3a7dc9"
NEUTRAL = "#8a94a6"
STANCE_COLOURS = {"claimed": "#d55e00", "attributed": "#3a7dc9", "suspected": "#b8860b", "denied": "#8a94a6"}
STANCE_SHAPES = {"claimed": "circle", "attributed": "square", "suspected": "diamond", "denied": "cross"}
CATEGORY_COLOURS = {"killed": KILLED, "wounded": "#b8860b", "abducted": "#3a7dc9", "missing": "#9b59b6"}
RANGE_NOTE = ["Solid: the figure every source reaches. Pale: up to the highest figure.",
              "Fading arrow: no upper bound (\u201cat least\u201d). \u25c6 best estimate."]
FONT = "Roboto, Helvetica, Arial, sans-serif"


@dataclass
class Table:
    """The rows a chart plots, as its Data table shows them."""

    columns: list[str]
    rows: list[tuple]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Table:
        return cls([str(c) for c in frame.columns], [tuple(row) for row in frame.itertuples(index=False)])

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Chart:
    """One chart: a Vega-Lite spec with inline data, and the table of exactly what it plots."""

    id: str
    title: str
    description: str  # one sentence: the figure caption and the SVG's aria label
    spec: dict
    table: Table
    small: bool = False  # drawn narrower than the text column (locator maps)
    # A static SVG in the site for readers without JavaScript. False for the two charts of every
    # incident brief (locator map, casualty ledger): drawn only in the browser and, as images, only
    # for the PDFs (chartfiles.PDF_CHART_DIR). vl-convert takes 50-300 ms a chart, so at 10,000
    # incidents their images were about an hour of a clean build; their caption and data table
    # say what they show.
    site_image: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.table, pd.DataFrame):
            self.table = Table.of(self.table)


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_KEY = json.encoder.encode_basestring  # a key as that encoder writes it (ensure_ascii=False)
_SHARED: dict[int, list] = {}  # id -> [object, its JSON text or None]: parts shared by many specs
_SHARED_DATA: dict[int, list] = {}  # the same for shared datasets (map borders), the most recent ones
SHARED_DATA_KEEP = 512


def shared(value: object, data: bool = False) -> object:
    """Mark a part that many specs share and nobody changes (a skeleton's parsed parts, a map's
    borders) so spec_json encodes it once per process instead of once per spec. Returns value."""
    registry = _SHARED_DATA if data else _SHARED
    if id(value) not in registry:
        registry[id(value)] = [value, None]  # holding the object keeps its id from being reused
        if data and len(registry) > SHARED_DATA_KEEP:
            del registry[next(iter(registry))]
    return value


def _json(value: object, depth: int) -> str:
    entry = _SHARED.get(id(value)) or _SHARED_DATA.get(id(value))
    if entry is not None and entry[0] is value:
        if entry[1] is None:
            entry[1] = _ENCODE(value)
        return entry[1]
    # The spec and its datasets are composed from their parts' texts (shared parts come from the
    # cache); anything below is one C-encoder call, faster than composing it in Python.
    if type(value) is dict and depth <= 1 and all(type(k) is str for k in value):
        return "{" + ",".join(f"{_KEY(k)}:{_json(value[k], depth + 1)}" for k in sorted(value)) + "}"
    return _ENCODE(value)


def spec_json(spec: dict) -> str:
    """The spec as canonical JSON (sorted keys, no spaces): the text that is hashed and embedded.
    The same text as json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
    with the shared parts' text reused (encoding every locator's borders again took seconds)."""
    return _json(spec, 0)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows for a Vega-Lite dataset: NaN becomes null, numpy scalars become Python values.
    (Column by column: DataFrame.to_dict("records") boxes every cell and took seconds at 10,000 rows.)"""
    values = []
    for name in frame.columns:
        column = frame[name].to_numpy(dtype=object).tolist()  # Python scalars, Timestamps as in to_dict
        if frame[name].dtype == object:  # may hold numpy scalars
            column = [v.item() if hasattr(v, "item") else v for v in column]
        values.append([None if isinstance(v, float) and math.isnan(v) else v for v in column])
    names = list(frame.columns)  # plain str (iterating a pandas Index per row is slow)
    return [dict(zip(names, row)) for row in zip(*values)]


@cache
def _template(skeleton: str) -> dict:
    """The parsed skeleton, shared by every spec made from it: never change it."""
    template = json.loads(skeleton)
    stack = list(template.values())
    while stack:  # every dict and list below the top level is shared
        part = stack.pop()
        if isinstance(part, (dict, list)):
            shared(part)
            stack += part.values() if isinstance(part, dict) else part
    return template


def instantiate(skeleton: str, chart_id: str, title: str, subtitle: str | list[str] | None, description: str,
                datasets: dict[str, pd.DataFrame | list | dict], **top: object) -> dict:
    """A spec of the skeleton with its own title, description, id, data and top-level settings
    (a shallow copy: see the module's docstring)."""
    spec = dict(_template(skeleton))
    spec["title"] = {"text": title, **({"subtitle": subtitle} if subtitle else {})}
    spec["description"] = description
    spec["usermeta"] = {"id": chart_id}
    spec["datasets"] = {name: records(rows) if isinstance(rows, pd.DataFrame) else rows
                        for name, rows in datasets.items()}
    spec.update(top)
    return spec


def _set_encoding(spec: dict, channel: str, change) -> dict:
    """Replace the `channel` encoding of the spec and of each of its layers by change(encoding),
    copying the dictionaries on the way (they are shared with the skeleton's other specs)."""
    def unit_of(unit: dict) -> dict:
        encoding = unit.get("encoding", {}).get(channel)
        if not encoding:
            return unit
        return {**unit, "encoding": {**unit["encoding"], channel: change(encoding)}}

    changed = unit_of(spec)
    if changed is not spec:
        spec["encoding"] = changed["encoding"]
    if "layer" in spec:
        spec["layer"] = [unit_of(unit) for unit in spec["layer"]]
    return spec


def integer_ticks(spec: dict, channel: str, top: float | None) -> dict:
    """Whole-number ticks for small counts (Vega would otherwise label 0, 0.5, 1 as 0, 1, 1)."""
    if top is None or pd.isna(top) or top > 8:
        return spec

    def change(encoding: dict) -> dict:
        if "axis" not in encoding:
            return encoding
        return {**encoding, "axis": {**(encoding["axis"] or {}), "values": list(range(int(top) + 1))},
                "scale": {**encoding.get("scale", {}), "domain": [0, max(int(top), 1)]}}

    return _set_encoding(spec, channel, change)


YEARS_FROM = 24  # months on a month axis above which only each January is labelled, with its year


def year_labels(spec: dict, channel: str, months: int) -> dict:
    """On a month axis ("Jan 2016", "Feb 2016", ...) of more than two years, label each January
    with its year alone ("2016") and leave the other months' ticks unlabelled. Vega's own thinning
    ("parity") kept every 4th or 8th month, a different one per chart width; and every label costs
    vl-convert about 2.5 ms to measure (a place's 10-year monthly chart: 355 ms, 78 ms with these
    labels). The tooltips and the data table keep the full month."""
    if months <= YEARS_FROM:
        return spec
    return _set_encoding(spec, channel, lambda encoding: {**encoding, "axis": {
        **(encoding.get("axis") or {}),
        "labelExpr": "substring(datum.label, 0, 3) == 'Jan' ? substring(datum.label, 4) : ''"}})


def category_order(spec: dict, channel: str, labels: list[str]) -> dict:
    """Fix the order of a layered chart's categories (each layer shows only some of them)."""
    return _set_encoding(spec, channel, lambda encoding: {**encoding, "scale": {**encoding.get("scale", {}),
                                                                               "domain": list(labels)}})


def compile_chart(chart: alt.TopLevelMixin) -> str:
    spec = chart.to_dict(validate=False)
    spec.pop("datasets", None)
    spec["config"] = {
        **spec.get("config", {}),
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridOpacity": 0.5},
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "direction": "horizontal"},
        "title": {"anchor": "start", "fontSize": 13, "subtitleFontSize": 10.5, "subtitlePadding": 3, "offset": 10},
        "background": None,
    }
    return json.dumps(spec)


def rows(name: str = "rows") -> alt.Chart:
    return alt.Chart(alt.Data(name=name))


def range_rows(rows: list[dict]) -> list[dict]:
    """Add the drawing fields of a range chart to rows with low, high (None when open), best, open.

    `floor`: where the pale range starts (the low, or 0 when no source gives a lower bound);
    `tail`: where an open-ended figure's fading arrow ends (a fixed share of the largest value, so
    an open range never looks like a closed one of a particular size).
    """
    values = [r[k] for r in rows for k in ("low", "high", "best") if r[k] is not None]
    top = max(values, default=0) or 1
    for row in rows:
        row["floor"] = row["low"] or 0
        row["tail"] = row["floor"] + round(top * 0.22, 2) if row["open"] else None
    return rows


def _tooltip(category: str, category_title: str, extra: tuple = ()) -> list:
    return [alt.Tooltip(f"{category}:N", title=category_title), alt.Tooltip("figure:N", title="Figure"),
            alt.Tooltip("best:Q", title="Best estimate", format=","), *extra]


@cache
def range_skeleton(category: str, category_title: str, value_title: str, colour: str, vertical: bool,
                   extra_tooltip: tuple = ()) -> str:
    """Ranges drawn so open-ended figures look different from closed ones (see RANGE_NOTE).
    Categories keep the order of the rows (months in time order, rankings by size)."""
    axis = alt.Axis(labelAngle=0, labelOverlap="parity") if vertical else alt.Axis(labelLimit=190)
    cat = (alt.X if vertical else alt.Y)(f"{category}:O", title=category_title if vertical else None, sort=None, axis=axis)
    val, val2 = (alt.Y, alt.Y2) if vertical else (alt.X, alt.X2)
    tip = _tooltip(category, category_title, tuple(alt.Tooltip(t, title=n) for t, n in extra_tooltip))
    gradient = {"gradient": "linear", "stops": [{"offset": 0, "color": colour},
                                                {"offset": 1, "color": colour + "00"}]}
    gradient.update({"x1": 0, "y1": 1, "x2": 0, "y2": 0} if vertical else {"x1": 0, "y1": 0, "x2": 1, "y2": 0})
    base = rows()
    size = {"size": 14} if vertical else {}
    solid = base.mark_bar(color=colour, **size).encode(
        cat, val("low:Q", title=value_title, axis=alt.Axis(format=",d", tickMinStep=1)), tooltip=tip,
    ).transform_filter("datum.low != null && datum.low > 0")
    pale = base.mark_bar(color=colour, opacity=0.3, stroke=colour, strokeWidth=1, **size).encode(
        cat, val("floor:Q"), val2("high:Q"), tooltip=tip,
    ).transform_filter("!datum.open && datum.high != null && datum.high > datum.floor")
    tail = base.mark_bar(color=gradient, **size).encode(cat, val("floor:Q"), val2("tail:Q"), tooltip=tip) \
        .transform_filter("datum.open")
    arrow = base.mark_point(shape="triangle-up" if vertical else "triangle-right", filled=True, color=colour,
                            opacity=0.55, size=60).encode(cat, val("tail:Q"), tooltip=tip).transform_filter("datum.open")
    best = base.mark_point(shape="diamond", filled=True, fill="#ffffff", stroke="#333333", strokeWidth=1.2, size=70,
                           opacity=1).encode(cat, val("best:Q"), tooltip=tip).transform_filter("datum.best != null")
    return compile_chart(alt.layer(solid, pale, tail, arrow, best).properties(width="container"))


def _script_json(spec: dict) -> str:
    """JSON in which no character of the data can end or confuse the HTML holding it (`<`, `>` and `&`
    become \\u escapes, so even `</script>` in a record cannot close anything)."""
    text = spec_json(spec)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _cell(value: object, escape_text=md_escape) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return escape_text(value)


NO_SCRIPT = "This chart is drawn in the browser and could not be drawn here. Its caption and the data table below say what it shows."


def chart_block(chart: Chart, root: str, html: bool = False) -> Markup:
    """The chart in a page: the live Vega view, its static SVG for readers without JavaScript (or,
    for a chart without one, a line saying where its data is), a caption, and the table of what it
    plots. `root` is the relative path from the page to the site root. In Markdown, or in HTML for a
    page written in HTML (htmlpages.py): the table as Python-Markdown would have made it."""
    description = escape_html(chart.description, quote=True)
    if chart.site_image:
        fallback = f'<img src="{root}assets/generated/charts/{chart.id}.svg" alt="{description}">'
    else:
        fallback = f'<p class="ib-chart-fallback">{NO_SCRIPT}</p>'
    # In single quotes, with ' written \u0027 (and < > & already \u escapes): the attribute holds
    # nothing HTML decodes. As &quot; entities the two specs of an incident brief were a quarter of
    # its Markdown, and every one was decoded by Python-Markdown's HTML parser (html.unescape: 7% of
    # MkDocs's time) and again by the browser.
    spec = _script_json(chart.spec).replace("'", "\\u0027")
    figure = [
        f'<figure class="ib-chart{" ib-chart-small" if chart.small else ""}" id="chart-{chart.id}" markdown="0">',
        f'<div class="ib-chart-view" data-ib-chart="{chart.id}" data-ib-spec=\'{spec}\'>'
        + f"<noscript>{fallback}</noscript></div>",
        f"<figcaption>{description}</figcaption>",
        "</figure>",
    ]
    if html:
        cell = functools.partial(_cell, escape_text=html_text)
        head = "".join(f"<th>{html_text(c)}</th>" for c in chart.table.columns)
        rows = ["<tr>" + "".join(f"<td>{cell(v.item() if hasattr(v, 'item') else v)}</td>" for v in row) + "</tr>"
                for row in chart.table.rows]
        return Markup("\n".join([*figure, '<details class="note ib-chart-data">', "<summary>Data</summary>",
                                  f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>", *rows,
                                  "</tbody>\n</table>", "</details>", ""]))
    header = "| " + " | ".join(md_escape(c) for c in chart.table.columns) + " |"
    rule = "|" + "---|" * len(chart.table.columns)
    body = ["| " + " | ".join(_cell(v.item() if hasattr(v, "item") else v) for v in row) + " |"
            for row in chart.table.rows]
    return Markup("\n".join([
        *figure,
        "",
        '??? note ib-chart-data "Data"',
        "",
        *("    " + line for line in (header, rule, *body)),
        "",
    ]))
