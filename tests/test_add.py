"""`incidentbook add`: the article is kept byte for byte, registered once, and its debris reported."""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

import pytest
import yaml

from incidentbook.build import check
from incidentbook.cli import main
from incidentbook.debris import find_debris

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_c2266891f276a5e0.txt"
# Synthetic, with a byte-order mark, Windows line endings and non-ASCII letters: all must survive the copy.
ARTICLE = ("\ufeffSYNTHETIC TEST ARTICLE\r\n\r\nKABUL \u2013 Gunmen killed at least 12 people in Firozkoh on Sunday, "
           "officials said.\r\nSHARE THIS ARTICLE\r\nPhoto: AFP\r\n").encode("utf-8")


def _add(root: Path, file: Path | str, capsys, *extra: str) -> tuple[int, str]:
    code = main(["--root", str(root), "add", str(file), "--publisher", "Synthetic Test Wire (STW)",
                 "--published", "2016-10-30", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _state(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "seeds").iterdir()) + sorted((root / "data").rglob("*.yaml"))}


def test_add_copies_the_article_byte_for_byte_and_registers_it(example, tmp_path, capsys):
    article = tmp_path / "article.txt"
    article.write_bytes(ARTICLE)
    code, out = _add(example, article, capsys, "--title", "Gunmen kill 12 in Firozkoh", "--url", "https://example.org/a")
    assert code == 0, out
    digest = hashlib.sha256(ARTICLE).hexdigest()
    seed = example / "seeds" / f"001_{digest[:16]}.txt"
    assert seed.read_bytes() == ARTICLE
    source_id = "stw-2016-10-30-gunmen-kill-12-firozkoh"
    source_file = example / "data" / "sources" / f"{source_id}.yaml"
    text = source_file.read_text(encoding="utf-8")
    assert f"# fingerprint: sha256:{digest}" in text
    data = yaml.safe_load(text)
    assert (data["seed"], data["title"], data["publisher"], data["url"]) == (seed.name, "Gunmen kill 12 in Firozkoh",
                                                                           "Synthetic Test Wire (STW)", "https://example.org/a")
    assert "line 4 (comment box)" in data["note"] and "line 5 (photo credit)" in data["note"]
    pub, _ = check(example)
    assert pub.sources[source_id].published.isoformat() == "2016-10-30"
    assert f"Added source {source_id}" in out and f"incidentbook draft {source_id}" in out


def test_add_reads_standard_input(example, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE)))
    code, out = _add(example, "-", capsys, "--id", "stw-stdin")
    assert code == 0, out
    assert (example / "seeds" / f"001_{hashlib.sha256(ARTICLE).hexdigest()[:16]}.txt").read_bytes() == ARTICLE
    assert yaml.safe_load((example / "data" / "sources" / "stw-stdin.yaml").read_text(encoding="utf-8"))["title"] == "SYNTHETIC TEST ARTICLE"


def test_add_refuses_a_duplicate_and_names_the_source(example, capsys):
    before = _state(example)
    code, out = _add(example, SEED, capsys)
    assert code == 1
    assert "already in the publication" in out and "voa-2016-10-26-ghor-quetta" in out
    assert "Traceback" not in out and _state(example) == before


def test_add_refuses_the_same_text_saved_with_other_line_endings(example, tmp_path, capsys):
    copy = tmp_path / "voa-crlf.txt"
    copy.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n").replace("\u201c".encode(), b'"'))
    code, out = _add(example, copy, capsys)
    assert code == 1
    assert "its text is the same as source voa-2016-10-26-ghor-quetta" in out and "line endings" in out


def test_add_reports_the_truncated_captions_in_the_seed_as_debris(example, tmp_path, capsys):
    copy = tmp_path / "voa-again.txt"
    copy.write_bytes(SEED.read_bytes() + b"\n\nFollow-up paragraph.\n")  # a different fingerprint, the same debris
    code, out = _add(example, copy, capsys, "--title", "VOA again")
    assert code == 0, out
    assert "line 24: truncated caption: People carry the coffin of a victim of an overnigh" in out
    assert "line 43: truncated caption: Pakistani police officers stand guard outside a po" in out
    assert "line 2: repeated line: Ghor Province, Afghanistan" in out


def test_debris_kinds():
    text = ("Breaking News | Sports | Weather | Markets\nGunmen attacked a checkpoint.\nPhoto credit: Reuters\n"
            "Leave a comment\n3 Comments")
    kinds = [(d.line, d.kind) for d in find_debris(text)]
    assert kinds == [(1, "ticker"), (3, "photo credit"), (4, "comment box"), (5, "comment box")]


def test_bad_input_names_the_file_and_writes_nothing(example, tmp_path, capsys):
    before = _state(example)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Line one\nKilled in Ba\u00efdoa\n".encode("latin-1"))
    code, out = _add(example, latin1, capsys)
    assert code == 1 and f"{latin1}:2: not UTF-8: invalid byte 0xef at byte offset 21" in out
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    code, out = _add(example, empty, capsys)
    assert code == 1 and f"{empty}: the article is empty" in out
    code, out = _add(example, tmp_path / "missing.txt", capsys)
    assert code == 1 and "missing.txt: no such file" in out
    code, out = _add(example, latin1, capsys, "--url", "ftp://example.org")
    assert code == 1
    assert "Traceback" not in out and _state(example) == before


def test_add_usage_errors_exit_2(example, tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_bytes(ARTICLE)
    with pytest.raises(SystemExit) as exit_info:
        _add(example, article, capsys, "--published", "26/10/2016")
    assert exit_info.value.code == 2
    assert "is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err
