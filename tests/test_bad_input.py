"""Each kind of bad input gets a clear message naming file, line and field; exit 1; the site is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentbook.cli import main

GHOR = "data/incidents/ghor-2016-10-25.yaml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, rel: str, needle: str) -> int:
    for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def _run(root: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


CASES = [
    # (id, file, old, new, expected field, expected message, line marker in the edited file)
    ("malformed-yaml", GHOR, "title: Civilians", "title: [Civilians", "", "malformed YAML", None),
    ("unknown-field", GHOR, "grade: single-source", "grade: single-source\ncasualty_count: 30", "casualty_count", "unknown field", "casualty_count:"),
    ("wrong-type", GHOR, "tags: [civilians, hazara-area, first-is-activity-in-area]", "tags: civilians", "tags", "Input should be a valid list", "tags: civilians"),
    ("unknown-reference", GHOR, "said_by: amnesty-international", "said_by: amnesty", "casualties[2].said_by", "unknown actor 'amnesty'", "said_by: amnesty"),
    ("not-a-slug", "data/actors/taliban.yaml", "id: taliban", "id: Taliban_Group", "id", "is not a lowercase slug", "id: Taliban_Group"),
    ("impossible-date", GHOR, "earliest: 2016-10-25\n  precision: day", "earliest: 2016-02-30\n  precision: day", "date.earliest", "day value is outside expected range", "earliest: 2016-02-30"),
    ("low-above-high", GHOR, "phrase: nearly 30", "phrase: nearly 30\n    low: 40\n    high: 30", "casualties[2].low", "low (40) is greater than high (30)", "low: 40"),
    ("negative-count", GHOR, "phrase: nearly 30", "phrase: nearly 30\n    low: -3\n    high: 30", "casualties[2].low", "greater than or equal to 0", "low: -3"),
    ("quote-not-found", GHOR, "quote: He added that the gunmen executed the abductees Tuesday night", "quote: He added that the gunmen executed the abductees Wednesday night", "date.evidence[0].quote", "quote not found in source 'voa-2016-10-26-ghor-quetta'", "Wednesday night"),
    ("phrase-not-in-quote", GHOR, "phrase: nearly 30", "phrase: nearly 35", "casualties[2].phrase", "does not occur in its quote", "phrase: nearly 35"),
    ("unknown-event-type", GHOR, "event_type: abduction-and-killing", "event_type: massacre", "event_type", "unknown event type 'massacre'", "event_type: massacre"),
    ("unreadable-phrase", GHOR, "phrase: nearly 30", "phrase: many", "casualties[2].phrase", "cannot read 'many'", "phrase: many"),
    ("bad-url", "data/sources/voa-2016-10-26-ghor-quetta.yaml", "url:\n", "url: javascript:alert(1)\n", "url", "must start with http:// or https://", "url: javascript"),
    ("missing-seed", "data/sources/voa-2016-10-26-ghor-quetta.yaml", "seed: 000_c2266891f276a5e0.txt", "seed: 999_missing.txt", "seed", "seeds/999_missing.txt not found", "seed: 999_missing.txt"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_file_line_field(example, capsys, case):
    _, rel, old, new, field, message, marker = case
    _edit(example, rel, old, new)
    code, output = _run(example, capsys, "check")
    assert code == 1, output
    assert message in output, output
    line = _line_of(example, rel, marker) if marker else None
    prefix = f"{rel}:{line}:" if line else f"{rel}"
    matching = [row for row in output.splitlines() if row.startswith(prefix) and message in row]
    assert matching, f"no line starting {prefix!r} with {message!r} in:\n{output}"
    if field:
        assert f": {field}" in matching[0], matching[0]
    assert "Traceback" not in output


def test_duplicate_id_names_both_files(example, capsys):
    text = (example / "data/places.yaml").read_text(encoding="utf-8")
    (example / "data/places.yaml").write_text(text + "  - id: quetta\n    name: Quetta again\n    kind: city\n", encoding="utf-8")
    code, output = _run(example, capsys, "check")
    assert code == 1
    assert "data/places.yaml:" in output and "duplicate place id 'quetta'; first defined in data/places.yaml:" in output


def test_non_utf8_seed_names_byte_offset(example, capsys):
    seed = example / "seeds/000_c2266891f276a5e0.txt"
    raw = seed.read_bytes()
    seed.write_bytes(raw[:100] + b"\xe9" + raw[101:])
    code, output = _run(example, capsys, "check")
    assert code == 1
    assert "seeds/000_c2266891f276a5e0.txt:" in output
    assert "not UTF-8: invalid byte 0xe9 at byte offset 100" in output


def test_all_problems_reported_not_only_first(example, capsys):
    _edit(example, GHOR, "said_by: amnesty-international", "said_by: amnesty")
    _edit(example, "data/actors/taliban.yaml", "kind: armed-group", "kind: gang")
    code, output = _run(example, capsys, "check")
    assert code == 1
    assert "unknown actor 'amnesty'" in output and "data/actors/taliban.yaml:3: kind:" in output
    assert "2 problems found" in output


def test_bad_input_leaves_built_site_untouched(example, capsys):
    assert _run(example, capsys, "build", "--no-pdf")[0] == 0
    index = example / "build/site/index.html"
    before = index.read_bytes()
    _edit(example, GHOR, "title: Civilians", "title: [Civilians")
    code, output = _run(example, capsys, "build", "--no-pdf")
    assert code == 1 and "malformed YAML" in output
    assert index.read_bytes() == before
    assert (example / "build/site/incidents/ghor-2016-10-25/index.html").exists()


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert main(["--root", str(tmp_path), "build"]) == 2
    assert "is not an incidentbook publication" in capsys.readouterr().err


def test_unreadable_record_does_not_cascade(example, capsys):
    _edit(example, "data/actors/taliban.yaml", "kind: armed-group", "kind: [armed-group")
    code, output = _run(example, capsys, "check")
    assert code == 1
    assert "data/actors/taliban.yaml:" in output and "malformed YAML" in output
    assert "unknown actor 'taliban'" not in output


@pytest.mark.parametrize("new, message", [
    ("{% if %}", "template error (TemplateSyntaxError): Expected an expression"),
    ("{{ incident.title | nosuchfilter }}", "template error (TemplateAssertionError): No filter named 'nosuchfilter'"),
    ("{{ incident.no_such_field.x }}", "template error (UndefinedError): "),
])
@pytest.mark.parametrize("workers", ["1", "3"])
def test_a_broken_template_names_its_file_and_line(example, capsys, monkeypatch, new, message, workers):
    """A publication's own template (templates/site/) that cannot compile or fails on a page: exit 1,
    the template's file and line, no traceback, the site kept; the same when pages are rendered in
    several processes (forkmap), where the error happens in a worker."""
    from importlib import resources

    assert _run(example, capsys, "build", "--no-pdf")[0] == 0
    index = example / "build/site/index.html"
    before = index.read_bytes()
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", workers)
    own = example / "templates/site/incident.html.j2"
    own.parent.mkdir(parents=True, exist_ok=True)
    lines = resources.files("incidentbook").joinpath("builtin/site/incident.html.j2").read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("{{ heading(2, ")) + 1
    lines.insert(at, new)
    own.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _run(example, capsys, "build", "--no-pdf")
    assert code == 1, out
    assert f"templates/site/incident.html.j2:{at + 1}: {message}" in out
    assert "Traceback" not in out
    assert index.read_bytes() == before


@pytest.mark.parametrize("text, where, message", [
    ("site_name: [broken\n", "mkdocs.yml:2", "malformed YAML"),
    ("- a list\n- not settings\n", "mkdocs.yml:1", "must be a mapping of MkDocs settings"),
])
def test_a_broken_mkdocs_yml_is_a_problem_not_a_traceback(example, capsys, text, where, message):
    """mkdocs.yml is read before the pages are written (how MkDocs will serve them): a broken one
    is reported with its line, by `check` and by `build`, exit 1, no traceback, the site kept."""
    assert _run(example, capsys, "build", "--no-pdf")[0] == 0
    index = example / "build/site/index.html"
    before = index.read_bytes()
    (example / "mkdocs.yml").write_text(text, encoding="utf-8")
    for command in (["check"], ["build", "--no-pdf"]):
        code, out = _run(example, capsys, *command)
        assert code == 1, out
        assert f"{where}: {message}" in out and "Traceback" not in out
    assert index.read_bytes() == before
