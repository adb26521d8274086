"""Golden output: the example's key pages as readers see them (article text, one sentence-ish per line).

An intended change updates the files in the same commit, so the diff shows what readers will see:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from conftest import page_lines

GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    "home.txt": "index.html",
    "ghor-brief.txt": "incidents/ghor-2016-10-25/index.html",
    "quetta-brief.txt": "incidents/quetta-police-college-2016-10-24/index.html",
    "isk-profile.txt": "actors/islamic-state-khorasan/index.html",
}


@pytest.mark.parametrize("golden_name", sorted(PAGES))
def test_golden_page(built_example, golden_name):
    actual = page_lines(built_example, PAGES[golden_name])
    path = GOLDEN / golden_name
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        if not os.environ.get("UPDATE_GOLDEN") and os.environ.get("CI"):
            pytest.fail(f"{path} is missing; run UPDATE_GOLDEN=1 pytest tests/test_golden.py and commit it")
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "built", n=1))
        pytest.fail(f"{PAGES[golden_name]} differs from tests/golden/{golden_name}. If the change is intended, "
                    f"run UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py and commit:\n{diff}")
