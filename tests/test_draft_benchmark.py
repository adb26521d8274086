"""Targets for `incidentbook draft` on the synthetic articles (issue 9); the figures are in BENCHMARKS.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_draft.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_draft", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_articles_meet_the_precision_targets(tmp_path):
    scores, articles = _bench().score(tmp_path)
    assert len(articles) >= 10
    for field in ("casualties", "dates", "places"):
        assert scores[field]["precision"] >= 0.9, (field, scores[field])
    assert articles["01_ghor_second_report"]["matches"] == {"ghor-2016-10-25": 1}
    assert not articles["01_ghor_second_report"]["places"], "the second Ghor report must not become a new incident"


def test_every_synthetic_article_is_marked_synthetic():
    for path in sorted((BENCH.parents[1] / "tests" / "synthetic").glob("*.txt")):
        assert path.read_text(encoding="utf-8").startswith("SYNTHETIC TEST ARTICLE"), path.name
