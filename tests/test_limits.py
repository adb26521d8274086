"""Issue 7: inputs that must be refused with a message (path escapes, an oversized article, a YAML
alias bomb, text that is not UTF-8) and inputs that must be accepted (BOM, CRLF, right-to-left text
with zero-width characters, a record with 10,000 casualty reports)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import page_text

from incidentbook.build import build, check
from incidentbook.cli import main
from incidentbook.load import MAX_SEED_BYTES

SOURCE_YAML = "data/sources/voa-2016-10-26-ghor-quetta.yaml"
SEED = "seeds/000_c2266891f276a5e0.txt"
GHOR = "data/incidents/ghor-2016-10-25.yaml"


def _run(root: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _line_of(root: Path, rel: str, needle: str) -> int:
    return next(n for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def _set_seed(root: Path, value: str) -> None:
    path = root / SOURCE_YAML
    path.write_text(path.read_text(encoding="utf-8").replace("seed: 000_c2266891f276a5e0.txt", f"seed: {value}"), encoding="utf-8")


# ---- path escapes -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed, message", [
    ("../data/publication.yaml", "must be a file name inside seeds/"),
    ("/etc/passwd", "must be a file name inside seeds/"),
    ("sub/../../mkdocs.yml", "must be a file name inside seeds/"),
    ("outside.txt", "outside seeds/; copy the article into seeds/ instead"),  # a symlink to a file outside
])
def test_seed_paths_cannot_leave_seeds(example, capsys, seed, message):
    (example / "seeds/outside.txt").symlink_to(example / "data/publication.yaml")
    _set_seed(example, seed)
    code, output = _run(example, capsys, "check")
    assert code == 1, output
    prefix = f"{SOURCE_YAML}:{_line_of(example, SOURCE_YAML, 'seed:')}: seed: "
    assert any(row.startswith(prefix) and message in row for row in output.splitlines()), output


def test_symlink_inside_seeds_is_accepted(example, capsys):
    (example / "seeds/alias.txt").symlink_to("000_c2266891f276a5e0.txt")
    _set_seed(example, "alias.txt")
    assert _run(example, capsys, "check")[0] == 0


@pytest.mark.parametrize("record_id", ["../../../tmp/evil", "/etc/cron.d/x", "a/b", "..", "ghor 2016"])
def test_ids_cannot_name_paths(example, capsys, record_id):
    path = example / GHOR
    path.write_text(path.read_text(encoding="utf-8").replace("id: ghor-2016-10-25", f"id: '{record_id}'", 1), encoding="utf-8")
    code, output = _run(example, capsys, "check")
    assert code == 1 and f"{GHOR}:1: id: " in output and "is not a lowercase slug" in output, output


def test_template_names_cannot_leave_the_template_folders(example):
    from jinja2 import TemplateNotFound

    from incidentbook.pdf import environment as pdf_environment
    from incidentbook.render import environment

    (example / "templates/site").mkdir(parents=True, exist_ok=True)
    for env in (environment(example / "templates", "site"), pdf_environment(example / "templates")):
        for name in ("../../data/publication.yaml", "/etc/passwd", "../site/../../mkdocs.yml"):
            with pytest.raises(TemplateNotFound):
                env.get_template(name)


def test_add_refuses_an_id_that_is_a_path(example, capsys, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("A headline\n\nSome text.\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    code, output = _run(example, capsys, "add", str(article), "--publisher", "P", "--published", "2020-01-02",
                        "--id", "../../evil")
    assert code == 1 and "is not a lowercase slug" in output, output
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before  # nothing written


def test_import_writes_only_inside_the_publication(example, capsys, tmp_path):
    from incidentbook.importers.common import slugify

    for hostile in ("../../etc/passwd", "/etc/passwd", "..", "a/../../b", "C:\\Windows\\evil"):
        slug = slugify(hostile)
        assert "/" not in slug and "\\" not in slug and ".." not in slug and slug, slug


# ---- limits -------------------------------------------------------------------------------------

RSS_SCRIPT = """
import resource, sys
from incidentbook.cli import main
import incidentbook.build, incidentbook.validate  # everything check imports, before the first measure
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
code = main(sys.argv[1:])
print("GROWTH", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, "EXIT", code)
"""


def test_a_50_mb_article_fails_fast_without_being_read(example):
    with open(example / SEED, "r+b") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse: reading it would cost the memory, creating it does not)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", RSS_SCRIPT, "--root", str(example), "check"],
                            capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    fields = result.stdout.split()
    growth_kb, code = int(fields[fields.index("GROWTH") + 1]), int(fields[fields.index("EXIT") + 1])
    assert code == 1 and f"{SEED}: seed: file is 52,428,800 bytes; the limit for an article is {MAX_SEED_BYTES:,}" in result.stderr, result.stderr
    assert growth_kb < 20_000, growth_kb  # peak memory grew by far less than the 50 MB a read would take
    assert seconds < 30


def test_add_refuses_a_50_mb_article_before_reading_it(example, capsys, tmp_path, monkeypatch):
    article = tmp_path / "huge.txt"
    with open(article, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before its size was checked") if self == article else real(self))
    code, output = _run(example, capsys, "add", str(article), "--publisher", "P", "--published", "2020-01-02")
    assert code == 1 and f"huge.txt: file is 52,428,800 bytes; the limit for an article is {MAX_SEED_BYTES:,}" in output, output


BILLION_LAUGHS = """id: bomb
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_scalar_alias_is_refused_too(example, capsys):
    path = example / GHOR
    path.write_text(path.read_text(encoding="utf-8").replace("tags: [civilians, ", "tags: [&g civilians, *g, "), encoding="utf-8")
    code, output = _run(example, capsys, "check")
    assert code == 1 and "YAML aliases (*name) are not allowed" in output, output


def test_yaml_alias_bomb_fails_fast(example, capsys):
    (example / "data/incidents/bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")  # 9^9 = 387 million "lol"s
    started = time.monotonic()
    code, output = _run(example, capsys, "check")
    assert time.monotonic() - started < 10
    assert code == 1 and "data/incidents/bomb.yaml:3: b[0]: YAML aliases (*name) are not allowed in curated data" in output, output


LARGE_FIGURES = [  # (category, phrase, said_by, quote): quotes that occur in the seed
    ("killed", "at least 30", "afghan-government",
     "Authorities in Afghanistan said Wednesday that extremists linked to Islamic State have abducted and massacred at least 30 civilians"),
    ("abducted", "at least 30", "afghan-government",
     "Authorities in Afghanistan said Wednesday that extremists linked to Islamic State have abducted and massacred at least 30 civilians"),
    ("killed", "nearly 30", "amnesty-international",
     "Amnesty International demanded Afghan authorities carry out an independent investigation into the abduction and killing of nearly 30 civilians"),
    ("killed", "at least 30", None, "abducted and massacred at least 30 civilians in a remote central region"),
]


def _large_report(n: int) -> str:
    category, phrase, said_by, quote = LARGE_FIGURES[n % len(LARGE_FIGURES)]
    who = f"    said_by: {said_by}\n" if said_by else ""
    return (f"  - category: {category}\n    phrase: {phrase}\n    group: civilians {n % 150}\n{who}"
            f"    evidence:\n      source: voa-2016-10-26-ghor-quetta\n      quote: {quote}\n")


def test_record_with_10000_casualty_reports_builds(example):
    """10,000 reports on one incident (4 figures x 150 groups: 300 distinct rows, each repeated):
    the whole build, PDFs included, stays within a minute of CPU; the page and the PDF say how many
    reports there are and how the ledger is summarised; the downloads keep every report."""
    import csv
    import resource

    from test_pdf import text_of

    path = example / GHOR
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("casualties:\n", "casualties:\n" + "".join(_large_report(n) for n in range(10_000)), 1),
                    encoding="utf-8")

    def cpu() -> float:  # this process (pages, charts, Typst, MkDocs) and its children (e.g. git, Pagefind)
        return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))

    started, wall = cpu(), time.monotonic()
    result = build(example, strict=True)
    seconds = cpu() - started
    print(f"10,000-report build: {seconds:.1f} s CPU, {time.monotonic() - wall:.1f} s wall")
    assert seconds < 60, seconds

    reports = result.pub.incidents["ghor-2016-10-25"].casualties
    assert len(reports) == 10_003
    killed = sum(1 for r in reports if r.category == "killed")
    page = page_text(example, "incidents/ghor-2016-10-25/index.html")
    assert "10,003 casualty reports: the table is summarised" in page, page[:3000]
    assert f"Killed 30 or more · {killed:,} reports:" in page
    distinct = len({(r.category, r.phrase, r.group, r.said_by, r.evidence.quote, r.note) for r in reports})
    assert distinct == 303
    assert f"{distinct} distinct rows" in page and f"The first 100 rows are shown; the other {distinct - 100} rows" in page
    assert "Every report, one row each, is in the data downloads: casualty_reports.csv and ghor-2016-10-25.json" in page
    html = (example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    assert html.count("<tr>") < 150 and len(html) < 1_000_000, (html.count("<tr>"), len(html))

    pdf = text_of(example / "build/pdf/incidents/ghor-2016-10-25.pdf")
    assert "10,003 casualty reports: the table is summarised." in pdf
    assert f"{killed:,} reports:" in pdf and f"The first 100 rows are shown; the other {distinct - 100} rows" in pdf

    with open(example / "build/site/data/casualty_reports.csv", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["incident_id"] == "ghor-2016-10-25"]
    assert len(rows) == 10_003 and {row["group"] for row in rows} >= {f"civilians {n}" for n in range(150)}


# ---- encodings ----------------------------------------------------------------------------------

def test_bom_and_crlf_are_accepted_in_seeds_and_yaml(example):
    before = check(example)[1].count
    for rel in (SEED, GHOR, SOURCE_YAML, "data/places.yaml"):
        path = example / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    pub, verification = check(example)
    assert verification.count == before
    assert "\r" not in pub.seeds["voa-2016-10-26-ghor-quetta"].text and not pub.seeds["voa-2016-10-26-ghor-quetta"].text.startswith("\ufeff")
    assert "\r" not in pub.incidents["ghor-2016-10-25"].title


@pytest.mark.parametrize("rel, kind", [(GHOR, "yaml"), (SEED, "seed")])
def test_non_utf8_is_refused_naming_file_and_byte_offset(example, capsys, rel, kind):
    path = example / rel
    raw = path.read_bytes()
    offset = raw.index(b"\n", 200) + 1  # the start of a line
    path.write_bytes(raw[:offset] + b"\xff" + raw[offset + 1:])
    line = raw[:offset].count(b"\n") + 1
    code, output = _run(example, capsys, "check")
    assert code == 1
    rows = [row for row in output.splitlines() if row.startswith(f"{rel}:{line}:")]
    assert rows and "not UTF-8" in rows[0] and f"byte offset {offset}" in rows[0], output


DARI = "طالبان می\u200cگویند که در این حمله دست نداشته\u200cاند"  # "The Taliban say they had no hand in this attack"


def test_right_to_left_quote_with_zero_width_characters_is_verified(example):
    seed = example / SEED
    seed.write_bytes(seed.read_bytes() + ("\n\u200f" + DARI + "\u200e\n").encode("utf-8"))
    quote = DARI.replace("\u200c", "").replace("می", "\u200dمی", 1)  # joiner added, non-joiners dropped
    path = example / "data/actors/taliban.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "kind: armed-group", f"kind: armed-group\naliases:\n  - name: طالبان\n    evidence:\n      - source: voa-2016-10-26-ghor-quetta\n        quote: \"{quote}\"", 1),
        encoding="utf-8")
    pub, verification = check(example)
    alias = pub.actors["taliban"].aliases[0]
    line = verification.line(alias.evidence[0])
    assert line == seed.read_text(encoding="utf-8").splitlines().index("\u200f" + DARI + "\u200e") + 1


def test_methodology_documents_quote_normalisation(built_example):
    text = page_text(built_example, "methodology/index.html")
    assert "zero-width characters" in text and "right-to-left and left-to-right marks" in text


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_data_does_not_break_the_check(example, capsys):
    """A data file may be a link (e.g. to a shared gazetteer); it is read as YAML and validated like any other."""
    shared = example.parent / "shared-places.yaml"
    (example / "data/places.yaml").rename(shared)
    (example / "data/places.yaml").symlink_to(shared)
    assert _run(example, capsys, "check")[0] == 0
