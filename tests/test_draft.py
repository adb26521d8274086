"""`incidentbook draft` on the VOA seed: the proposal reproduces what the analyst curated by hand."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path

import pytest
import yaml
from conftest import page_lines, page_text

from incidentbook.build import build, check
from incidentbook.cli import main
from incidentbook.datetext import find_dates
from incidentbook.draft import draft
from incidentbook.draftyaml import plain, render_draft
from incidentbook.evidence import IndexedText
from incidentbook.ingest import add_article
from incidentbook.load import load_publication
from incidentbook.model import Incident
from incidentbook.reconcile import reconcile

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


# ---- additions to a known incident: `draft --write` inserts draft entries into the incident's file ----

SYNTHETIC = Path(__file__).parent / "synthetic"
SECOND = "synthetic-2016-10-27-ghor-toll-rises"
GHOR = "data/incidents/ghor-2016-10-25.yaml"


def _cli(root: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _add_second_ghor_report(root: Path, capsys) -> None:
    code, out = _cli(root, capsys, "add", str(SYNTHETIC / "01_ghor_second_report.txt"), "--publisher", "Synthetic Test Wire",
                     "--published", "2016-10-27", "--title", "Ghor toll rises", "--id", SECOND)
    assert code == 0, out


def _only_insertions(old: str, new: str) -> bool:
    """True when new is old with lines inserted, every old line kept byte for byte and in order."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(keepends=True), b=new.splitlines(keepends=True), autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def _site_files_mentioning(root: Path, *needles: str) -> list[str]:
    found = []
    for path in sorted((root / "build" / "site").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".json", ".geojson", ".csv", ".xml", ".txt", ".js", ".svg"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(root)}: {n}" for n in needles if n in text]
    return found


def test_add_draft_write_build_shows_the_new_figure_in_the_ledger_and_range_once_checked(example, capsys):
    """Issue 9: `add` then `draft --write` then `build` shows the new source's figure in the Ghor
    ledger and in the range, once the analyst has removed the draft mark."""
    _add_second_ghor_report(example, capsys)
    path = example / GHOR
    old = path.read_text(encoding="utf-8")

    code, out = _cli(example, capsys, "draft", SECOND, "--write")
    assert code == 0, out
    assert f"Added 2 draft entries to {GHOR}: 1 casualty report and 1 responsibility statement" in out
    assert "remove `draft: true` from each entry once checked" in out
    assert not (example / "data" / "drafts").exists()
    new = path.read_text(encoding="utf-8")
    assert _only_insertions(old, new)
    assert [l for l in new.splitlines() if l.strip() == "draft: true"] == ["    draft: true"] * 2
    assert f"# Draft casualty reports from source {SECOND}" in new and "# Matched: the same place (firozkoh)" in new
    incident = load_publication(example).incidents["ghor-2016-10-25"]
    drafts = [(r.category, r.phrase, r.evidence.source) for r in incident.casualties if r.draft]
    assert drafts == [("killed", "At least 33", SECOND)]
    assert [(r.actor, r.stance) for r in incident.responsibility if r.draft] == [("taliban", "denied")]

    # Checked but held back: check and build say so, with file:line; nothing readers see shows the entries.
    code, out = _cli(example, capsys, "check")
    assert code == 0, out
    assert "Held back (checked, not published): 2 draft entries" in out
    line = int(out.split(f"{GHOR}:", 1)[1].split(":", 1)[0])
    assert new.splitlines()[line - 1].strip() == "- category: killed" and new.splitlines()[line].strip() == "draft: true"
    code, out = _cli(example, capsys, "build", "--strict", "--no-pdf")
    assert code == 0, out
    assert "2 draft entries" in out and f"{GHOR}:{line}: draft killed figure 'At least 33'" in out
    before = reconcile("killed", [r for r in incident.casualties if not r.draft])
    brief = page_text(example, "incidents/ghor-2016-10-25/index.html")
    assert "At least 33" not in brief and "Synthetic Test Wire" not in brief and "denied any role" not in brief
    assert f"Killed: {before.label()}" in brief and before.rule in brief and before.reports == 2
    assert _site_files_mentioning(example, "At least 33", "denied any role") == []

    # The analyst checks the entries and deletes the two `draft: true` lines.
    path.write_text("".join(l for l in new.splitlines(keepends=True) if l.strip() != "draft: true"), encoding="utf-8")
    code, out = _cli(example, capsys, "build", "--strict", "--no-pdf")
    assert code == 0, out
    assert "Held back" not in out
    incident = load_publication(example).incidents["ghor-2016-10-25"]
    after = reconcile("killed", incident.casualties)
    # low: the smallest lower bound ("at least 30" → 30, "At least 33" → 33); high: open ("at least");
    # best: the median of 30, 30 and 33
    assert (after.reports, after.low, after.high, after.open_ended, after.best) == (3, 30, None, True, 30)
    brief = page_text(example, "incidents/ghor-2016-10-25/index.html")
    lines = page_lines(example, "incidents/ghor-2016-10-25/index.html")
    ledger = next(l for l in lines.splitlines() if l.startswith("killed | “At least 33”"))
    assert "33 or more" in ledger and "Abdul Hai Khatibi" in ledger and "Synthetic Test Wire" in ledger
    assert f"Killed: {after.label()} (best estimate {after.best}) — {after.rule}." in brief
    assert "3 reports" in brief and "median of 3 best estimates" in brief
    assert "The Taliban denied any role in the attack." in brief
    published = "\n".join(_site_files_mentioning(example, "At least 33"))
    for where in ("incidents/ghor-2016-10-25/index.html", "data/incidents.json", "data/casualty_reports.csv", "actors/abdul-hai-khatibi/index.html"):
        assert f"build/site/{where}: At least 33" in published, published


def test_draft_write_twice_adds_nothing_the_second_time(example, capsys):
    _add_second_ghor_report(example, capsys)
    assert _cli(example, capsys, "draft", SECOND, "--write")[0] == 0
    once = (example / GHOR).read_bytes()
    code, out = _cli(example, capsys, "draft", SECOND, "--write")
    assert code == 0, out
    assert "Nothing new to write" in out
    assert (example / GHOR).read_bytes() == once
    published = once.replace(b"    draft: true\n", b"")  # also once the analyst has published them
    (example / GHOR).write_bytes(published)
    assert _cli(example, capsys, "draft", SECOND, "--write")[0] == 0
    assert (example / GHOR).read_bytes() == published


def _keep_chomping_note(text: str) -> str:
    """The last casualty's note as a keep-chomping block scalar: its trailing blank line is part of the
    note, so entries appended after it would change the note (the read-back through the loader sees it)."""
    note = "    note: The article words the figure in its own voice"
    assert note in text
    text = text.replace(note, "    note: |+\n      The article words the figure in its own voice", 1)
    return text.replace("is not stated.\n", "is not stated.\n\n", 1)


def _flow_style_responsibility(text: str) -> str:
    """The responsibility list written in flow style (JSON), which the insertion does not edit."""
    entries = yaml.safe_load(text)["responsibility"]
    head, rest = text.split("responsibility:\n", 1)
    return head + "responsibility: " + json.dumps(entries, default=str) + "\n" + rest[rest.index("\ninvolved:") + 1:]


@pytest.mark.parametrize("edit, message", [
    (_keep_chomping_note, "would not read back as the old record plus the draft entries"),
    (_flow_style_responsibility, "responsibility: is a list in flow style"),
])
def test_a_failing_insertion_writes_nothing(example, capsys, edit, message):
    _add_second_ghor_report(example, capsys)
    path = example / GHOR
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    check(example)  # the curated file is valid as it stands
    before = path.read_bytes()
    code, out = _cli(example, capsys, "draft", SECOND, "--write")
    assert code == 1
    assert message in out and "Nothing was written" in out
    assert path.read_bytes() == before


def test_a_draft_that_fails_the_check_is_undone_byte_for_byte(example, capsys, monkeypatch):
    from incidentbook import draftcli
    from incidentbook.problems import Problem, ProblemsFound

    _add_second_ghor_report(example, capsys)
    before = (example / GHOR).read_bytes()

    def failing_check(root):
        raise ProblemsFound([Problem(GHOR, 1, "", "simulated problem")])

    monkeypatch.setattr(draftcli, "check", failing_check)
    code, out = _cli(example, capsys, "draft", SECOND, "--write")
    assert code == 1 and "simulated problem" in out
    assert (example / GHOR).read_bytes() == before
    assert not list((example / "data" / "incidents").glob(".*"))


@pytest.mark.parametrize("text", [
    ("id: x\ncasualties:\n  - category: killed\n    note: >\n      folded\n      text\n\n    # about the entry\n# about the next key\n"
     "responsibility: []  # none yet\ngrade: single-source\n"),
    "id: x\ncasualties:\n- category: killed\n  phrase: 'two'\ngrade: single-source",  # indentless list, no final newline
    "id: x\r\ncasualties:\r\n  - {category: killed, phrase: two}\r\nresponsibility:\r\ngrade: y\r\n",  # Windows line endings
    "id: x\ngrade: single-source\n",  # neither key
])
def test_insertion_keeps_every_line_and_loads_to_the_old_record_plus_the_entries(text):
    from incidentbook.draft import Note
    from incidentbook.draftinsert import _marked, insert_entries

    casualty = _marked({Note("CHECK: a note"): None, "category": "killed", "phrase": "at least 3",
                        "evidence": {"source": "s", "quote": "at least 3 killed"}})
    statement = _marked({"actor": "a", "stance": "denied", "evidence": [{"source": "s", "quote": "denied"}]})
    out = insert_entries(text, {"casualties": (["head"], [casualty]), "responsibility": (["head"], [statement])}, "f.yaml")
    old_data, new_data = yaml.safe_load(text), yaml.safe_load(out)
    for key, entry in (("casualties", casualty), ("responsibility", statement)):
        assert new_data.pop(key) == list(old_data.pop(key, None) or []) + [plain(entry)]
    assert new_data == old_data
    kept = text.replace("responsibility: []  # none yet", "responsibility:  # none yet")  # `[]` gives way to the block
    assert _only_insertions(kept, out) or _only_insertions(kept + ("\n" if not kept.endswith("\n") else ""), out)
    assert "# CHECK: a note" in out and sum(l.strip() == "draft: true" for l in out.splitlines()) == 2
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n")


def test_a_draft_entry_shows_in_the_revision_history_only_once_published():
    from incidentbook.history import record_changes

    old = "casualties:\n  - category: killed\n    phrase: two\n"
    drafted = old + "  - category: killed\n    draft: true\n    phrase: at least 33\n"
    published = old + "  - category: killed\n    phrase: at least 33\n"
    assert record_changes(old, drafted) == []
    assert [(c.field, c.new) for c in record_changes(drafted, published)] == [
        ("casualties[1].category", "killed"), ("casualties[1].phrase", "at least 33")]
