"""`incidentbook draft` on the VOA seed: the proposal reproduces what the analyst curated by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from incidentbook.build import build, check
from incidentbook.cli import main
from incidentbook.datetext import find_dates
from incidentbook.draft import draft
from incidentbook.draftyaml import plain, render_draft
from incidentbook.evidence import IndexedText
from incidentbook.ingest import add_article
from incidentbook.load import load_publication
from incidentbook.model import Incident

SOURCE = "voa-2016-10-26-ghor-quetta"
WEDNESDAY = dt.date(2016, 10, 26)

SECOND_GHOR_REPORT = b"""SYNTHETIC TEST ARTICLE - written for incidentbook's tests, not a real report.

KABUL - The death toll from the killing of civilians near Feroz Koh rose on Thursday, officials said.

At least 33 civilians were killed late on Tuesday after gunmen abducted them in the mountains, said
Abdul Hai Khatibi, a spokesman for the governor.

The Taliban denied any role in the attack.
"""


@pytest.fixture
def bare(example: Path) -> Path:
    """The example publication with its two curated incidents removed, so nothing can match."""
    for path in (example / "data" / "incidents").glob("*.yaml"):
        path.unlink()
    return example


def _by_place(records: list[dict]) -> dict[str, dict]:
    return {plain(r)["place"]["id"]: plain(r) for r in records}


def test_draft_reproduces_the_curated_figures_dates_places_and_claims(bare):
    proposal = draft(load_publication(bare), SOURCE)
    assert proposal.additions == []
    incidents = _by_place(proposal.incidents)
    assert sorted(incidents) == ["firozkoh", "quetta"]
    ghor, quetta = incidents["firozkoh"], incidents["quetta"]

    figures = {p: {(c["category"], c["phrase"]) for c in r["casualties"]} for p, r in incidents.items()}
    assert {("killed", "at least 30"), ("killed", "nearly 30"), ("abducted", "at least 30")} <= figures["firozkoh"]
    assert {("killed", "least 62"), ("wounded", "more than 120")} <= figures["quetta"]

    assert (ghor["date"]["earliest"], ghor["date"]["precision"], ghor["date"]["inferred"]) == (dt.date(2016, 10, 25), "day", True)
    assert "Tuesday night" in ghor["date"]["reasoning"] and "Tuesday night" in ghor["date"]["evidence"][0]["quote"]
    assert (quetta["date"]["earliest"], quetta["date"]["precision"]) == (dt.date(2016, 10, 24), "day")
    assert "Monday night's attack" in quetta["date"]["evidence"][0]["quote"]

    assert (ghor["place"]["id"], ghor["place"]["precision"]) == ("firozkoh", "near")
    assert "near the capital of the mountainous Ghor province" in ghor["place"]["evidence"][0]["quote"]
    assert quetta["place"]["precision"] == "city"

    claims = [(r["actor"], r["stance"], r.get("named_as")) for r in quetta["responsibility"]]
    assert ("islamic-state", "claimed", "IS") in claims
    claim = next(r for r in quetta["responsibility"] if r["stance"] == "claimed")
    assert "IS claimed responsibility" in claim["evidence"][0]["quote"]
    denial = next(r for r in ghor["responsibility"] if r["stance"] == "denied")
    assert (denial["actor"], denial["said_by"]) == ("taliban", "zabihullah-mujahid")
    assert "not involved" in denial["evidence"][0]["quote"]

    killed_30 = next(c for c in ghor["casualties"] if c["phrase"] == "at least 30" and c["category"] == "killed")
    assert (killed_30["group"], killed_30["said_by"]) == ("civilians", "afghan-government")


def test_every_quote_occurs_in_the_seed_and_every_record_loads(bare):
    pub = load_publication(bare)
    indexed = IndexedText.build(pub.seeds[SOURCE].text)
    proposal = draft(pub, SOURCE)
    document = yaml.safe_load(render_draft(proposal))
    quotes = []

    def collect(value):
        if isinstance(value, dict):
            if "quote" in value:
                quotes.append(value["quote"])
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(document)
    assert quotes and all(indexed.find(q) for q in quotes)
    for record in document["incidents"]:
        assert Incident.model_validate(record).draft
    assert not any("coffin" in q or "stand guard" in q for q in quotes), "photo captions must not be quoted"


def test_draft_is_deterministic(bare):
    first = render_draft(draft(load_publication(bare), SOURCE))
    second = render_draft(draft(load_publication(bare), SOURCE))
    assert first == second
    assert "# CHECK" in first


def test_against_the_full_example_both_incidents_match_and_become_additions(example):
    proposal = draft(load_publication(example), SOURCE)
    assert proposal.incidents == []
    assert sorted(a["incident"] for a in proposal.additions) == ["ghor-2016-10-25", "quetta-police-college-2016-10-24"]
    text = render_draft(proposal)
    assert "already recorded on the incident" in text
    assert yaml.safe_load(text)["incidents"] == []


def test_a_second_report_of_the_ghor_killings_becomes_a_new_figure_on_the_incident(example):
    add_article(example, SECOND_GHOR_REPORT, "second.txt", title="Ghor toll rises", publisher="Synthetic Test Wire",
                published=dt.date(2016, 10, 27), source_id="synthetic-2016-10-27-ghor")
    proposal = draft(load_publication(example), "synthetic-2016-10-27-ghor")
    assert proposal.incidents == []
    [addition] = proposal.additions
    assert addition["incident"] == "ghor-2016-10-25"
    assert ("killed", "At least 33") in {(c["category"], c["phrase"]) for c in addition["casualties"]}
    assert [(r["actor"], r["stance"]) for r in addition["responsibility"]] == [("taliban", "denied")]


def test_draft_write_adds_checked_drafts_that_are_not_published(bare, capsys):
    assert main(["--root", str(bare), "draft", "--write", SOURCE]) == 0
    written = sorted(p.name for p in (bare / "data" / "incidents").glob("*.yaml"))
    assert written == ["firozkoh-2016-10-25.yaml", "quetta-2016-10-24.yaml"]
    assert "draft: true" in (bare / "data" / "incidents" / written[0]).read_text(encoding="utf-8")
    pub, _ = check(bare)
    assert all(i.draft for i in pub.incidents.values())
    before = {p: p.read_bytes() for p in (bare / "data" / "incidents").glob("*.yaml")}
    main(["--root", str(bare), "draft", "--write", SOURCE])  # again: matches its own drafts, overwrites nothing
    assert before == {p: p.read_bytes() for p in (bare / "data" / "incidents").glob("*.yaml")}


def test_a_written_draft_is_left_out_of_the_built_site(example, capsys):
    article = (Path(__file__).parent / "synthetic" / "03_nangarhar_mosque.txt").read_bytes()
    add_article(example, article, "03.txt", title="Mosque bombing", publisher="Synthetic Test Wire",
                published=dt.date(2017, 3, 8), source_id="synthetic-mosque")
    assert main(["--root", str(example), "draft", "--write", "synthetic-mosque"]) == 0
    assert (example / "data" / "incidents" / "nangarhar-2017-03-06.yaml").exists()
    capsys.readouterr()
    build(example, strict=True)
    site = example / "build" / "site"
    assert (site / "incidents" / "ghor-2016-10-25" / "index.html").exists()
    for page in site.rglob("*.html"):
        assert "nangarhar-2017-03-06" not in page.read_text(encoding="utf-8"), page


def test_draft_write_refuses_to_overwrite(bare, capsys):
    (bare / "data" / "incidents" / "quetta-2016-10-24.yaml").write_text("# analyst's file\n", encoding="utf-8")
    assert main(["--root", str(bare), "draft", "--write", SOURCE]) == 1
    out = capsys.readouterr().err
    assert "data/incidents/quetta-2016-10-24.yaml" in out and "never overwrites" in out
    assert not (bare / "data" / "incidents" / "firozkoh-2016-10-25.yaml").exists()


def test_draft_prints_yaml_on_stdout_and_writes_nothing(bare, capsys):
    before = sorted((bare / "data").rglob("*"))
    assert main(["--root", str(bare), "draft", SOURCE]) == 0
    document = yaml.safe_load(capsys.readouterr().out)
    assert document["source"] == SOURCE and len(document["incidents"]) == 2
    assert sorted((bare / "data").rglob("*")) == before


def test_draft_unknown_source_is_a_usage_error(example, capsys):
    assert main(["--root", str(example), "draft", "no-such-source"]) == 2
    assert "unknown source 'no-such-source'" in capsys.readouterr().err


@pytest.mark.parametrize("text, expected", [
    ("executed the abductees Tuesday night", ("2016-10-25", "2016-10-25", "day", "night")),
    ("the attack late on Tuesday", ("2016-10-25", "2016-10-25", "day", "late")),
    ("on Monday night gunmen", ("2016-10-24", "2016-10-24", "day", "night")),
    ("in Monday night's attack", ("2016-10-24", "2016-10-24", "day", "night")),
    ("a bombing last week", ("2016-10-17", "2016-10-23", "week", None)),
    ("killed on 3 March", ("2016-03-03", "2016-03-03", "day", None)),
    ("killed on 30 November", ("2015-11-30", "2015-11-30", "day", None)),
    ("in early 2015", ("2015-01-01", "2015-04-30", "days", None)),
    ("in March 2015", ("2015-03-01", "2015-03-31", "month", None)),
    ("yesterday", ("2016-10-25", "2016-10-25", "day", None)),
])
def test_dates_resolve_against_the_publication_date(text, expected):
    [mention] = find_dates(text, WEDNESDAY)
    got = (mention.earliest.isoformat(), mention.latest.isoformat(), mention.precision, mention.time_of_day)
    assert got == expected


def test_a_weekday_after_said_dates_the_statement():
    [mention] = find_dates("Authorities said Wednesday that", WEDNESDAY)
    assert mention.statement and mention.earliest == WEDNESDAY
    assert not find_dates("May God forgive them; Jan Smith said", WEDNESDAY)
