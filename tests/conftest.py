from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incidentbook.build import build

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE_PARTS = ("seeds", "data", "templates", "mkdocs.yml", "docs/about.md")


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


def page_text(root: Path, rel: str) -> str:
    """Visible text of a built page, whitespace collapsed."""
    import html
    import re

    raw = (root / "build" / "site" / rel).read_text(encoding="utf-8")
    body = raw.split('<article', 1)[1].split("</article>", 1)[0]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.split())
