from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from incidentbook.build import build

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE_PARTS = ("seeds", "data", "templates", "mkdocs.yml", "docs/about.md")


def tree(path: Path) -> dict[str, str]:
    """SHA-256 of every file under path, by its path relative to it: two builds compared byte for byte."""
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def copy_example(dest: Path) -> Path:
    """A copy of the example publication (inputs only) in dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "pub")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("built") / "pub")
    build(root, strict=True)
    return root


def _article(root: Path, rel: str) -> str:
    import re

    raw = (root / "build" / "site" / rel).read_text(encoding="utf-8")
    body = raw.split("<article", 1)[1].split(">", 1)[1].split("</article>", 1)[0]
    body = re.sub(r'<a class="headerlink".*?</a>', "", body, flags=re.S)
    return re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)


def page_text(root: Path, rel: str) -> str:
    """Visible text of a built page's article, whitespace collapsed."""
    import html
    import re

    text = html.unescape(re.sub(r"<[^>]+>", " ", _article(root, rel)))
    return " ".join(text.split())


def page_lines(root: Path, rel: str) -> str:
    """The article's text one block (heading, paragraph, list item, table row) per line."""
    import html
    import re

    body = " ".join(_article(root, rel).split())
    body = re.sub(r"</t[dh]>", " | ", body)
    body = re.sub(r"</(p|li|tr|h[1-6]|div|summary|figcaption)>|<br\s*/?>", "\n", body)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


@pytest.fixture
def stand_in_chart_images(monkeypatch):
    """Chart images (vl-convert, 50-350 ms each) replaced by a tiny SVG naming the spec's hash, for
    tests about something else."""
    import hashlib

    from incidentbook import chartfiles

    def stand_in(specs, workers=None):
        for spec in specs:
            yield f'<svg xmlns="http://www.w3.org/2000/svg" data-spec="{hashlib.sha256(repr(spec).encode()).hexdigest()}"/>'

    monkeypatch.setattr(chartfiles, "render_svgs", stand_in)


@pytest.fixture
def forks(monkeypatch) -> list:
    """A list that gains an entry at every os.fork in this process (forkmap's workers), for tests
    that count the processes a step forks; clear it before the step."""
    import os

    counted: list = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: counted.append(1) or real_fork())
    return counted


def indexed_records(site: Path) -> dict[str, dict]:
    """Pagefind's record of every page in the site's (primary) search index, by URL: its `content`
    (the words indexed), `meta` (the title) and the rest, read from the index's fragment files."""
    import gzip
    import json

    records = {}
    for fragment in (site / "pagefind" / "fragment").iterdir():
        raw = gzip.decompress(fragment.read_bytes())
        record = json.loads(raw[raw.index(b"{"):])
        records[record["url"]] = record
    return records
