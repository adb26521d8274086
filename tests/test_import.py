"""`incidentbook import` on the real datasets in ../shared/datasets (read at test time, never copied)."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import pytest
import yaml

from incidentbook.build import build
from incidentbook.cli import main
from incidentbook.datasets import read_rows
from incidentbook.importers import import_dataset, pbc, wikipedia
from incidentbook.importers.common import ActorIndex, Unreadable, cite
from incidentbook.load import load_publication
from incidentbook.phrases import read_phrase
from incidentbook.problems import ProblemsFound
from incidentbook.validate import validate
from incidentbook.views import Views

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
WIKI = DATASETS / "wikipedia-terrorism-list" / "global_terrorism.csv"
PBC = DATASETS / "pakistan-suicide-attacks" / "PakistanSuicideAttacks-v11-2017-11-30.csv"

pytestmark = pytest.mark.skipif(not WIKI.is_file() or not PBC.is_file(), reason="../shared/datasets not beside the clone")


def _row(path: Path, encoding: str, **match: str) -> tuple[int, list[str], list[str]]:
    """(row number, header, values) of the first row whose columns equal the given values."""
    _, header, rows = read_rows(path, encoding)
    for number, values in enumerate(rows, 1):
        cells = dict(zip(header, values))
        if all(cells.get(k, "").strip() == v for k, v in match.items()):
            return number, header, values
    raise AssertionError(f"no row with {match}")


def test_quetta_row_of_the_wikipedia_list():
    parsed = wikipedia.parse_row(*_row(WIKI, "utf-8", date="October 24 2016", location="Quetta, Pakistan"))
    assert (parsed.earliest, parsed.latest, parsed.precision) == (dt.date(2016, 10, 24), dt.date(2016, 10, 24), "day")
    assert parsed.country == "PK" and [level.name for level in parsed.levels] == ["Quetta"]
    killed, wounded = parsed.figures
    assert (killed.category, killed.phrase, killed.cited.quote) == ("killed", "62 (+3)", "dead: 62 (+3)")
    reading = read_phrase(killed.phrase)
    assert (reading.low, reading.high, reading.extra_attackers) == (62, 62, 3)
    assert (wounded.category, wounded.phrase) == ("wounded", "117+")
    assert (read_phrase("117+").low, read_phrase("117+").high) == (117, None)
    assert [(p.name, p.stance) for p in parsed.perpetrators] == [("Islamic State", "attributed"), ("Lashkar-e-Jhangvi", "attributed")]
    assert "[133]" not in parsed.summary and "2016 Quetta police training college attack" in parsed.summary


def test_suspected_either_or_ranges_and_month_dates():
    suspected = wikipedia.parse_row(*_row(WIKI, "utf-8", date="October 26 2016", location="Metula, Israel"))
    assert [(p.name, p.stance) for p in suspected.perpetrators] == [("Hezbollah", "suspected")]
    either = wikipedia.parse_row(*_row(WIKI, "utf-8", perpetrator="Tehrik-i-Taliban Pakistan or Jaishul Islam"))
    assert [(p.name, p.stance) for p in either.perpetrators] == [("Tehrik-i-Taliban Pakistan", "suspected"), ("Jaishul Islam", "suspected")]
    month = wikipedia.parse_row(*_row(WIKI, "utf-8", date="April 1970"))
    assert (month.earliest, month.latest, month.precision) == (dt.date(1970, 4, 1), dt.date(1970, 4, 30), "month")
    assert wikipedia.read_date("September 15-16 2012") == (dt.date(2012, 9, 15), dt.date(2012, 9, 16), "days")
    assert read_phrase("5-10").low == 5 and read_phrase("5-10").high == 10
    assert wikipedia.read_figure(1, "dead", "Unknown", "killed") == []
    assert wikipedia.read_location("location", "Ghor Province, Afghanistan")[1][0].kind == "province"


def test_pakistan_body_count_latin1_row_and_min_max():
    number, header, values = _row(PBC, "cp1252", **{"S#": "43"})
    parsed = pbc.parse_row(number, header, values)
    assert "Razmak town’s Daznaray area" in parsed.levels[-1].name  # byte 0x92, a Windows-1252 apostrophe
    killed, wounded = parsed.figures
    assert (killed.low, killed.high, killed.cited.quote) == (23, 24, "Killed Min: 23; Killed Max: 24")
    assert (wounded.low, wounded.high) == (26, 29)
    assert parsed.earliest == dt.date(2007, 7, 14) and parsed.time_of_day == "2:00:00 PM"
    quetta = pbc.parse_row(*_row(PBC, "cp1252", Date="Tuesday-Oct-25-2016"))
    assert [(f.low, f.high) for f in quetta.figures] == [(58, 61), (100, 165)]
    assert quetta.levels[-1].lat == pytest.approx(30.14283)


def test_unreadable_rows_are_reported_not_guessed(tmp_path, example):
    report = import_dataset(example, PBC, "pbc", dry_run=True)
    assert report.rows_read == 496 and len(report.imported) == 492
    found = {(r.row, r.column): r for r in report.rejected}
    assert found[(450, "Injured Max")].value.startswith("http://www.samaa.tv/")
    assert "does not match the date" in found[(464, "Date")].reason
    assert sum(report.by_reason().values()) == len(report.rejected) == 4
    assert not (example / "data" / "sources" / "pakistan-body-count-suicide-attacks.yaml").exists()  # dry run
    wiki = import_dataset(example, WIKI, "wikipedia", limit=30, dry_run=True)
    rejected = {r.row: r for r in wiki.rejected}
    assert (rejected[15].column, rejected[15].value) == ("dead", "(1+)")
    assert any("rows rejected" in line for line in wiki.summary())


def test_actor_spellings_resolve_to_one_actor(example):
    pub = load_publication(example)
    index = ActorIndex(pub.actors)
    spellings = ["Islamic State", "ISIL", "ISIS", "Islamic State of Iraq and the Levant"]
    assert {index.resolve(s, "x", cite(1, "perpetrator", s)).id for s in spellings} == {"islamic-state"}
    fresh = ActorIndex({})
    ids = {fresh.resolve(s, "x", cite(1, "perpetrator", s)).id for s in ["Al-Shabaab", "al-Shabaab", "Al Shabaab"]}
    assert len(ids) == 1 and [a["name"] for a in fresh.new[ids.pop()]["aliases"]] == ["al-Shabaab", "Al Shabaab"]
    suspected = wikipedia.read_perpetrators(1, "perpetrator", "Islamic State (suspected)")[0]
    assert index.resolve(suspected.name, "x", suspected.cited).id == "islamic-state"


@pytest.mark.parametrize("value, expected", [
    ("Islamic Statesuspected", [("Islamic State", "suspected")]),  # the scrape's glued suffix (file lines 3,211 and 3,242)
    ("Boko HaramSuspected", [("Boko Haram", "suspected")]),
    ("Al-Shabaab suspected", [("Al-Shabaab", "suspected")]),
    ("Suspected Dissident republicans", [("Dissident republicans", "suspected")]),
    ("Afghan Taliban, Haqqani Network suspected", [("Afghan Taliban", "attributed"), ("Haqqani Network", "suspected")]),
    ("Boko Haram", [("Boko Haram", "attributed")]),
])
def test_bare_and_glued_suspected_read_as_a_suspicion(value, expected):
    assert [(p.name, p.stance) for p in wikipedia.read_perpetrators(1, "perpetrator", value)] == expected


def test_suspected_inside_a_name_is_rejected_not_guessed():
    with pytest.raises(Unreadable, match="'suspected' inside"):
        wikipedia.read_perpetrators(1, "perpetrator", "Boko Haram suspectedChristian mobs")


def test_imported_subset_builds_strict_and_reimport_writes_nothing(example):
    assert main(["--root", str(example), "import", str(WIKI), "--format", "wikipedia", "--limit", "4"]) == 0
    assert main(["import", str(PBC), "--format", "pbc", "--limit", "2", "--into", str(example)]) == 0
    incidents = sorted((example / "data" / "incidents").glob("*.yaml"))
    quetta = example / "data" / "incidents" / "quetta-police-college-2016-10-24.yaml"
    curated = quetta.read_bytes()
    source = yaml.safe_load((example / "data" / "sources" / "wikipedia-terrorist-incidents.yaml").read_text())
    assert source["kind"] == "dataset" and len(source["sha256"]) == 64 and not (example / "seeds" / "global_terrorism.csv").exists()
    no_pdf = {"pdf": False} if "pdf" in inspect.signature(build).parameters else {}  # PDFs are tested elsewhere
    result = build(example, strict=True, **no_pdf)
    assert len(result.pub.incidents) == len(incidents) >= 2 + 4 + 2
    page = (example / "build" / "site" / "incidents" / "pbc-1-islamabad-egyptian-embassy-1995-11-19" / "index.html").read_text()
    assert "Zeeshan-ul-hassan Usmani, Pakistan Body Count" in page and "row 1" in page
    _assert_dataset_credits(example / "build" / "site", Views(result.pub, result.verification))
    assert main(["import", str(WIKI), "--format", "wikipedia", "--limit", "4", "--into", str(example)]) == 0
    assert sorted((example / "data" / "incidents").glob("*.yaml")) == incidents and quetta.read_bytes() == curated


def test_dataset_evidence_is_verified_against_its_row(example):
    import_dataset(example, PBC, "pbc", limit=3)
    path = next((example / "data" / "incidents").glob("pbc-2-*.yaml"))
    path.write_text(path.read_text().replace("locator: row 2", "locator: row 3", 1), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        validate(load_publication(example))
    assert any("not found in row 3" in p.message for p in caught.value.problems)
    source = example / "data" / "sources" / "pakistan-body-count-suicide-attacks.yaml"
    text = source.read_text()
    digest = text.split("sha256: ")[1].split()[0]
    source.write_text(text.replace(digest, "f" * 64), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        validate(load_publication(example))
    assert any(p.field == "sha256" and "has changed since it was imported" in p.message for p in caught.value.problems)


def test_mapping_file_reads_a_ged_layout_csv(example):
    """The UCDP GED mapping on three rows in GED's column layout (synthetic, not UCDP data)."""
    repo = Path(__file__).resolve().parents[1]
    report = import_dataset(example, repo / "tests" / "data" / "ged-layout-synthetic.csv", mapping=repo / "src" / "incidentbook" / "builtin" / "mappings" / "ucdp-ged.yaml")
    assert len(report.imported) == 2 and [(r.row, r.column) for r in report.rejected] == [(3, "date_start")]
    pub = load_publication(example)
    validate(pub)
    quetta = pub.incidents[next(i for i in report.imported if i.startswith("ged-1-"))]
    assert quetta.event_type == "one-sided-violence" and quetta.place.precision == "exact"
    assert [(r.actor, r.stance, r.named_as) for r in quetta.responsibility] == [("islamic-state", "attributed", "IS")]
    killed = quetta.casualties[0]
    assert (killed.low, killed.high, killed.note) == (60, 65, "The dataset's best estimate is 62.")
    ghor = pub.incidents[next(i for i in report.imported if i.startswith("ged-2-"))]
    assert (ghor.date.precision, ghor.date.latest, ghor.place.id) == ("month", dt.date(2016, 10, 31), "ghor")


def _credits(page: Path) -> list[str]:
    """The datasets credited by the page's "Data credit" admonition (their titles, in order)."""
    import re

    text = page.read_text(encoding="utf-8")
    boxes = re.findall(r'<div class="admonition quote">\s*<p class="admonition-title">Data credit</p>(.*?)</div>', text, re.DOTALL)
    assert len(boxes) <= 1, page
    return re.findall(r"built in part from <em>(.*?)</em>", boxes[0]) if boxes else []


def _assert_dataset_credits(site: Path, views: Views) -> None:
    """The licence's credit on every page built from a dataset (issue 8), and on no other record page."""
    import html
    import re

    pub = views.pub
    titles = {s.id: html.escape(s.title, quote=False) for s in pub.sources.values() if s.kind == "dataset"}
    assert len(titles) == 2, titles
    pbc = titles["pakistan-body-count-suicide-attacks"]
    brief = site / "incidents" / "pbc-1-islamabad-egyptian-embassy-1995-11-19" / "index.html"
    assert _credits(brief) == [pbc]
    text = brief.read_text(encoding="utf-8")
    assert "Licence: Use, copy and distribution allowed with the citation given." in text
    assert text.index("Data credit") < text.index('<div class="footnote">')  # before the footnotes
    cited: dict[str, set[str]] = {}
    for source_id, title in titles.items():
        for kind, record_id, _ in views.citations[source_id]:
            if kind == "incident":
                cited.setdefault(record_id, set()).add(title)
    assert len(cited) == 4 + 2
    for incident in pub.incidents.values():
        expected = [t for t in titles.values() if t in cited.get(incident.id, ())]  # in the order of the source ids
        assert _credits(site / "incidents" / incident.id / "index.html") == expected, incident.id
    assert _credits(site / "incidents" / "ghor-2016-10-25" / "index.html") == []  # curated from the VOA article only
    for source_id, title in titles.items():
        assert _credits(site / "sources" / source_id / "index.html") == [title]
        page = (site / "sources" / source_id / "index.html").read_text(encoding="utf-8")
        assert "quotes were each found in the row of the dataset" in page
        assert not re.search(r"<tbody>\s*</tbody>", page), source_id  # no empty table of lines
        assert "kept in the repository" not in page  # a dataset is read where it lies
    assert _credits(site / "sources" / "voa-2016-10-26-ghor-quetta" / "index.html") == []
    assert _credits(site / "index.html") == list(titles.values())  # section pages: every dataset (Markdown)
    assert "CC BY-SA" in (site / "index.html").read_text(encoding="utf-8")
    pakistan = site / "places" / "pakistan" / "index.html"
    assert pbc in _credits(pakistan)
