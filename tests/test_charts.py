"""Charts: their data matches the curated figures, every chart has an SVG, and the site fetches
nothing from any other host."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from incidentbook.build import check
from incidentbook.chartfiles import PDF_CHART_DIR, chart_svgs, write_svgs
from incidentbook.chartkit import NO_SCRIPT, chart_block, spec_json
from incidentbook.charts import build_charts
from incidentbook.maps import BORDERS_BUDGET, borders
from incidentbook.views import Views

QUETTA, GHOR = "quetta-police-college-2016-10-24", "ghor-2016-10-25"


def charts_of(root: Path) -> dict:
    pub, verification = check(root)
    return build_charts(Views(pub, verification))


@pytest.fixture(scope="module")
def charts():
    return charts_of(Path(__file__).resolve().parents[1])


def rows(chart, name: str = "rows") -> list[dict]:
    return chart.spec["datasets"][name]


def by(chart, field: str, value: str) -> dict:
    [row] = [r for r in rows(chart) if r[field] == value]
    return row


def test_quetta_bar_reaches_62_and_stays_open(charts):
    ledger = rows(charts[f"incident-{QUETTA}-ledger"])
    killed = [r for r in ledger if r["category"] == "killed"]
    assert [(r["low"], r["open"]) for r in killed] == [(62, True)]
    assert by(charts["map-incidents"], "place", "Quetta")["killed"] == 62


def test_ghor_range_starts_at_30_and_is_open_ended(charts):
    ledger = charts[f"incident-{GHOR}-ledger"]
    reconciled = by(ledger, "kind", "reconciled")
    assert (reconciled["category"], reconciled["low"], reconciled["high"], reconciled["open"]) == ("killed", 30, None, True)
    assert reconciled["tail"] > 30  # drawn as a fading arrow beyond the low, not as a closed bar
    nearly = next(r for r in rows(ledger) if "nearly 30" in r["label"])
    assert (nearly["low"], nearly["high"], nearly["best"], nearly["open"]) == (None, 30, 30, False)
    assert [r["kind"] for r in rows(ledger)] == ["report", "report", "reconciled", "report"]  # reconciled under its reports


def test_home_totals_keep_uncertainty(charts):
    assert [(r["label"], r["incidents"]) for r in rows(charts["home-incidents-per-month"])] == [("Oct 2016", 2)]
    month = by(charts["home-killed-per-month"], "label", "Oct 2016")
    assert (month["low"], month["open"]) == (92, True)
    isk = by(charts["home-killed-by-actor"], "name", "Islamic State Khorasan")
    assert (isk["low"], isk["open"], isk["incidents"]) == (92, True, 2)
    assert "Taliban" not in {r["name"] for r in rows(charts["home-killed-by-actor"])}  # a denial is not an attribution
    places = {(r["country"], r["province"]): r["incidents"] for r in rows(charts["home-incidents-by-place"])}
    assert places == {("Afghanistan", "Ghor"): 1, ("Pakistan", "Balochistan"): 1}


def test_actor_charts(charts):
    timeline = rows(charts["actor-islamic-state-khorasan-timeline"])
    assert {(r["period"], r["stance"]) for r in timeline} == {("2016-10-24", "claimed"), ("2016-10-25", "attributed")}
    assert {r["stance"] for r in rows(charts["actor-taliban-timeline"])} == {"denied"}
    edges = {(e["relation"], e["to"]) for e in rows(charts["actor-islamic-state-khorasan-network"], "edges")}
    assert ("affiliate of; part of", "Islamic State") in edges
    assert ("joined by members of", "Tehreek-e-Taliban (TTP)") in edges


def test_every_chart_is_described_small_and_plots_its_table(charts):
    for chart in charts.values():
        assert chart.title and chart.description.endswith(".") and chart.spec["description"] == chart.description
        assert len(spec_json(chart.spec).encode()) < 100_000, chart.id
        plotted = rows(chart, "edges" if "edges" in chart.spec["datasets"] else "rows")
        assert len(plotted) == len(chart.table), chart.id  # the table shows exactly the plotted rows
        assert '"url"' not in spec_json(chart.spec)  # all data inline: a chart fetches nothing


def test_province_level_location_is_not_drawn_as_a_point(example):
    path = example / "data/incidents/ghor-2016-10-25.yaml"
    text = path.read_text(encoding="utf-8").replace("place:\n  id: firozkoh\n  precision: near", "place:\n  id: ghor\n  precision: province")
    path.write_text(text, encoding="utf-8")
    ghor = by(charts_of(example)["map-incidents"], "place", "Ghor")
    assert ghor["area"] is True and ghor["ring"] > 0 and ghor["where"] == "somewhere in Ghor"


def test_borders_stay_within_budget_for_any_frame():
    for frame in ((60.0, 24.0, 75.0, 38.0), (-180.0, -80.0, 180.0, 84.0)):
        topology = borders(frame)
        assert len(json.dumps(topology, separators=(",", ":"))) <= BORDERS_BUDGET
        assert topology["objects"]["countries"]["geometries"]


def test_chart_block_escapes_data():
    import pandas as pd

    from incidentbook.chartkit import Chart

    evil = '</script><script>alert(1)</script> "quoted" \'single\' & &amp; <b>'
    chart = Chart("home-test", evil, evil + ".", {"datasets": {"rows": [{"name": evil}]}}, pd.DataFrame({"Name": [evil]}))
    block = str(chart_block(chart, "../"))
    assert "<script" not in block and "<b>" not in block
    spec = re.search(r"data-ib-spec='([^']*)'>", block).group(1)
    assert "\\u003c/script\\u003e" in spec
    assert not set("'&<>") & set(spec)  # nothing the attribute's HTML could decode or end on
    assert json.loads(spec) == chart.spec  # what charts.js reads (getAttribute, then JSON.parse)
    assert "| &lt;/script&gt;" in block  # the table cell, escaped for Markdown and HTML


def test_svgs_are_rendered_once_per_spec(tmp_path, charts):
    some = {k: charts[k] for k in ("home-incidents-per-month", f"incident-{GHOR}-ledger")}
    assert write_svgs(tmp_path, some) == (2, 0)
    assert write_svgs(tmp_path, some) == (0, 0)  # unchanged specs are not rendered again
    changed = dict(some)
    del changed["home-incidents-per-month"]
    assert write_svgs(tmp_path, changed) == (0, 1)


def test_built_site_has_an_svg_for_every_chart(built_example):
    """Every chart has an SVG for the PDFs; the site publishes those of the charts with a site
    image, and for an incident brief's two charts (none) says where their data is."""
    expected = charts_of(built_example)
    svgs = chart_svgs(built_example)
    assert set(svgs) == set(expected)
    without = {chart_id for chart_id, chart in expected.items() if not chart.site_image}
    assert without == {f"incident-{i}-{kind}" for i in ("ghor-2016-10-25", "quetta-police-college-2016-10-24") for kind in ("locator", "ledger")}
    for chart_id, path in svgs.items():
        assert path.read_text(encoding="utf-8").startswith("<svg"), chart_id
        published = built_example / "build/site/assets/generated/charts" / path.name
        assert published.is_file() == (chart_id not in without), chart_id
    brief = (built_example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    assert brief.count(f'<noscript><p class="ib-chart-fallback">{NO_SCRIPT}</p></noscript>') == 2
    assert "<noscript><img" not in brief
    assert (built_example / "build/site/assets/generated/vendor/vega-bundle.js").stat().st_size > 500_000
    home = (built_example / "build/site/index.html").read_text(encoding="utf-8")
    assert 'data-ib-chart="home-killed-per-month"' in home and "assets/generated/charts.js" in home
    assert 'data-ib-chart="map-incidents"' in (built_example / "build/site/map/index.html").read_text(encoding="utf-8")


class _Fetches(HTMLParser):
    """Addresses a browser would load by itself: scripts, stylesheets, images, frames, media."""

    LOADS: ClassVar[set] = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("iframe", "src"),
             ("source", "src"), ("source", "srcset"), ("video", "src"), ("audio", "src"), ("embed", "src"),
             ("object", "data"), ("video", "poster"), ("input", "src")}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in self.LOADS and value:
                self.urls.append(value)
            if name == "style" and value:
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)


EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
JS_FETCH = re.compile(r"""(?:fetch|importScripts|import)\(\s*['"`](?:https?:)?//""", re.IGNORECASE)


def test_no_page_loads_anything_from_another_host(built_example):
    site = built_example / "build/site"
    offenders = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            parser = _Fetches()
            parser.feed(text)
            offenders += [(path, u) for u in parser.urls if EXTERNAL.match(u)]
            for style in re.findall(r"<style\b[^>]*>(.*?)</style>", text, flags=re.DOTALL):
                offenders += [(path, u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", style) if EXTERNAL.match(u)]
            offenders += [(path, m.group()) for m in re.finditer(r"@import\s+['\"]?(?:https?:)?//", text)]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8")
            offenders += [(path, u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if EXTERNAL.match(u)]
            offenders += [(path, m.group()) for m in re.finditer(r"@import\s+(?:url\()?['\"]?(?:https?:)?//", text)]
        elif path.suffix == ".js":
            offenders += [(path, m.group()) for m in JS_FETCH.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders
    # the charts' specs name no data address either (everything is inline)
    specs = 0
    for page in site.rglob("*.html"):
        for spec in re.findall(r"data-ib-spec='([^']*)'", page.read_text(encoding="utf-8")):
            assert '"url"' not in json.dumps(json.loads(spec)), page
            specs += 1
    assert specs > 20


def test_a_publication_without_published_incidents_has_no_incident_charts(example):
    for path in (example / "data/incidents").glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    charts = charts_of(example)
    assert not [c for c in charts if c.startswith(("home-", "map-", "incident-", "place-"))]


def test_specs_share_skeleton_parts_without_changing_them(charts):
    """Specs are shallow copies of their skeleton (chartkit): building again gives the same specs,
    and spec_json (which reuses the shared parts' text) gives json.dumps's canonical text."""
    before = {chart_id: json.dumps(chart.spec, sort_keys=True) for chart_id, chart in charts.items()}
    again = charts_of(Path(__file__).resolve().parents[1])
    assert {chart_id: json.dumps(chart.spec, sort_keys=True) for chart_id, chart in again.items()} == before
    for chart in [*charts.values(), *again.values()]:
        assert spec_json(chart.spec) == json.dumps(chart.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    ledgers = [c.spec for c in again.values() if c.id.endswith("-ledger")]
    assert ledgers[0]["config"] is ledgers[1]["config"]  # shared ...
    assert ledgers[0]["layer"][0]["encoding"]["y"]["scale"]["domain"] != ledgers[1]["layer"][0]["encoding"]["y"]["scale"]["domain"]


def test_records_are_plain_python_values():
    import numpy as np
    import pandas as pd

    from incidentbook.chartkit import records

    frame = pd.DataFrame({"name": ["a", None], "n": [1, 2], "x": [1.5, np.nan], "flag": [True, False],
                          "mixed": [np.int64(3), "b"]})
    assert records(frame) == [{"name": "a", "n": 1, "x": 1.5, "flag": True, "mixed": 3},
                              {"name": None, "n": 2, "x": None, "flag": False, "mixed": "b"}]
    assert [type(v) for v in records(frame)[0].values()] == [str, int, float, bool, int]


def test_svgs_rendered_in_a_pool_are_the_same_bytes(charts, monkeypatch):
    from incidentbook import chartfiles

    specs = [charts[k].spec for k in ("home-incidents-per-month", "home-killed-per-month", f"incident-{GHOR}-ledger",
                                      f"incident-{GHOR}-locator", "map-incidents")]
    monkeypatch.setattr(chartfiles, "POOL_MIN", 0)
    assert list(chartfiles.render_svgs(specs, workers=2)) == list(chartfiles.render_svgs(specs, workers=1))


def test_overview_map_names_only_locations_that_do_not_overprint():
    """A dense cluster (Pakistan Body Count's 150 located places) gets one name, not fifteen on top
    of each other; names written side by side on one line must not run into each other; distant
    locations keep theirs, largest first, at most MAX_LABELS."""
    from incidentbook import maps

    cluster = [{"lon": 71.5 + i * 0.05, "lat": 34.0 + i * 0.03, "place": f"Place {i}"} for i in range(10)]
    distant = [{"lon": 67.0, "lat": 30.2, "place": "Quetta"}, {"lon": 66.9, "lat": 24.9, "place": "Karachi"},
               {"lon": 74.3, "lat": 31.5, "place": "Lahore"},
               {"lon": 68.0, "lat": 30.3, "place": "A place whose long name reaches Quetta's"}]
    frame = maps.frame_of([p["lon"] for p in cluster + distant], [p["lat"] for p in cluster + distant], min_span=14)
    assert maps.label_choice(cluster + distant, frame) == {0, 10, 11, 12}
    spread = [{"lon": 0, "lat": -80 + 10 * i, "place": "X"} for i in range(17)]  # a tenth of the height apart
    assert maps.label_choice(spread, (-180, -80, 180, 84)) == set(range(maps.MAX_LABELS))


def test_a_place_without_coordinates_is_drawn_where_it_is_known_to_be(example):
    """An imported place often has no coordinates (the Wikipedia list has none): the overview map
    draws its incidents at the nearest enclosing place that has some, or at the centre of its country
    (Natural Earth), as a dashed ring at that precision, and says how many it moved."""
    from incidentbook import charts as charts_module
    from incidentbook import maps

    pub, verification = check(example)
    pub.places["firozkoh"] = pub.places["firozkoh"].model_copy(update={"lat": None, "lon": None})
    frame = charts_module.incident_frame(Views(pub, verification)).set_index("id")
    ghor = frame.loc["ghor-2016-10-25"]
    assert (ghor["map_id"], ghor["map_precision"], ghor["map_lat"], bool(ghor["map_moved"])) == ("ghor", "province", 34.1, True)
    assert ghor["lat"] != ghor["lat"]  # the incident's own coordinates stay unknown (NaN): no locator map
    for place_id in ("ghor", "afghanistan"):
        pub.places[place_id] = pub.places[place_id].model_copy(update={"lat": None, "lon": None})
    views = Views(pub, verification)
    ghor = charts_module.incident_frame(views).set_index("id").loc["ghor-2016-10-25"]
    lat, lon = maps.country_point("AF")
    assert (ghor["map_id"], ghor["map_precision"]) == ("afghanistan", "country") and 29 < lat < 39 and 60 < lon < 75
    overview = maps.overview_map(charts_module.incident_frame(views))
    assert "1 incident whose place has no coordinates is drawn at the place or country that contains it" in overview.description
    assert maps.country_point("FJ")[1] > 170 and -180 <= maps.country_point("RU")[1] <= 180  # across the antimeridian


def test_places_get_monthly_charts_only_when_their_incidents_span_months(tmp_path):
    """A place whose incidents all fall in one month (every place of the example; most places of an
    imported list) would get a single bar: it gets none, and its page lists the incidents."""
    from incidentbook.democorpus import write_corpus

    root = tmp_path / "pub"
    write_corpus(root, 60)
    pub, verification = check(root)
    views = Views(pub, verification)
    charts = build_charts(views)
    months = {place_id: {i.date.earliest.strftime("%Y-%m") for i in views.incidents_in(place_id)} for place_id in pub.places}
    spanning = {place_id for place_id, seen in months.items() if len(seen) >= 2}
    assert spanning and any(len(seen) == 1 for seen in months.values())
    assert {c[len("place-"):-len("-incidents-per-month")] for c in charts if c.endswith("-incidents-per-month") and c.startswith("place-")} == spanning
    killed = rows(charts[f"place-{sorted(spanning)[0]}-killed-per-month"])
    assert len(killed) >= 2


def test_map_tooltips_name_two_incidents_and_count_the_rest():
    """A location's tooltip names its first two incidents, long titles cut, and counts the others:
    the overview map of the Wikipedia list and PBC was 106 KB, 16 KB of it tooltips naming three
    incidents of each location (and 5 KB of place ids the map did not use)."""
    from incidentbook.maps import TITLE_CHARS, _titles

    assert _titles(["Bombing in Kabul"]) == "Bombing in Kabul"
    assert _titles(["A", "B"]) == "A; B"
    assert _titles(["A", "B", "C"] + ["D"] * 1200) == "A; B and 1,201 more"
    long = "Suicide bombing at the gate of the " + "very " * 20 + "long-named compound"
    cut = _titles([long])
    assert len(cut) == TITLE_CHARS and cut.endswith("…") and long.startswith(cut[:-1])


def test_map_specs_carry_no_place_ids(charts):
    for chart_id in ("map-incidents", "incident-quetta-police-college-2016-10-24-locator"):
        assert all("place_id" not in row for row in rows(charts[chart_id])), chart_id


def test_month_axes_of_more_than_two_years_are_labelled_by_year():
    """Over 30 months, each January is labelled with its year and other months are not (Vega's
    thinning kept a different month per width; each label also cost vl-convert ~2.5 ms); up to
    two years every month keeps its label. Tooltips and data tables keep the full month."""
    from incidentbook.chartfiles import render_svg
    from incidentbook.charts import monthly_charts

    long = {f"{y}-{m:02d}": 1 + (m % 3) for y in (2015, 2016, 2017) for m in range(1, 13) if f"{y}-{m:02d}" <= "2017-06"}
    killed = {month: {"low": n, "high": n, "best": n, "open": False, "incidents": 1, "figure": str(n)} for month, n in long.items()}
    for chart in monthly_charts(long, killed, "place-x", " in X"):
        svg = render_svg(chart.spec)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert {"2016", "2017"} <= set(texts), (chart.id, texts)
        assert not [text for text in texts if re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", text)], (chart.id, texts)
        assert chart.table.rows[1][0] == "Feb 2015"
    short = {month: n for month, n in long.items() if month < "2016-07"}
    for chart in monthly_charts(short, {}, "place-y", " in Y"):
        assert "labelExpr" not in json.dumps(chart.spec)
        assert "Feb 2015" in render_svg(chart.spec)
