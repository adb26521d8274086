"""Precision and recall of `incidentbook draft` on the synthetic test articles (tests/synthetic/).

Each article is added to a fresh copy of the example publication and drafted; the proposal is
compared field by field with tests/synthetic/expected.yaml. Run:

    .venv/bin/python benchmarks/bench_draft.py

and copy the table into BENCHMARKS.md. tests/test_draft_benchmark.py holds the targets.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from incidentbook.draft import Note, draft
from incidentbook.draftyaml import plain
from incidentbook.ingest import add_article
from incidentbook.load import load_publication

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tests" / "synthetic"
FIELDS = ("casualties", "dates", "places", "responsibility", "matches")


def _pending(value: object) -> list[dict]:
    """Values the draft could only give as comments (e.g. claims by actors not yet in data/actors/)."""
    if isinstance(value, dict):
        found = [k.pending for k in value if isinstance(k, Note) and k.pending]
        return found + [p for v in value.values() for p in _pending(v)]
    if isinstance(value, list):
        return [p for v in value for p in _pending(v)]
    return []


def predictions(root: Path, source_id: str) -> dict[str, Counter]:
    proposal = draft(load_publication(root), source_id)
    records = [plain(r) for r in proposal.incidents] + [plain(a) for a in proposal.additions]
    out = {field: Counter() for field in FIELDS}
    for record in records:
        out["casualties"].update((c["category"], c["phrase"].lower()) for c in record["casualties"])
        out["responsibility"].update((r["actor"], r["stance"]) for r in record["responsibility"])
    for record in [*proposal.incidents, *proposal.additions]:
        out["responsibility"].update((p["actor"], p["stance"]) for p in _pending(record))
    for record in map(plain, proposal.incidents):
        out["places"][record["place"]["id"]] += 1
        date = record["date"]
        out["dates"][(date["earliest"], date.get("latest", date["earliest"]))] += 1
    out["matches"].update(a["incident"] for a in proposal.additions)
    return out


def expectations(expected: dict) -> dict[str, Counter]:
    def day(value) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    return {
        "casualties": Counter((c, str(p).lower()) for c, p in expected["casualties"]),
        "responsibility": Counter(tuple(r) for r in expected["responsibility"]),
        "places": Counter(i[0] for i in expected["incidents"]),
        "dates": Counter((day(i[1]), day(i[2])) for i in expected["incidents"]),
        "matches": Counter(expected["matches"]),
    }


def score(work: Path) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, Counter]]]:
    """({field: {tp, fp, fn, precision, recall}}, {article: predictions}) over all synthetic articles."""
    spec = yaml.safe_load((SYNTHETIC / "expected.yaml").read_text(encoding="utf-8"))["articles"]
    totals = {field: Counter() for field in FIELDS}
    per_article = {}
    for name, expected in sorted(spec.items()):
        root = work / name
        for part in ("data", "seeds"):
            shutil.copytree(REPO / part, root / part)
        source_id = f"synthetic-{name.replace('_', '-')}"
        published = expected["published"]
        published = published if isinstance(published, dt.date) else dt.date.fromisoformat(str(published))
        add_article(root, (SYNTHETIC / f"{name}.txt").read_bytes(), name, title=name, publisher="Synthetic Test Wire",
                    published=published, source_id=source_id)
        got, want = predictions(root, source_id), expectations(expected)
        per_article[name] = got
        for field in FIELDS:
            totals[field]["tp"] += sum((got[field] & want[field]).values())
            totals[field]["fp"] += sum((got[field] - want[field]).values())
            totals[field]["fn"] += sum((want[field] - got[field]).values())
    return _rates(totals), per_article


def score_seed(work: Path) -> dict[str, dict[str, float]]:
    """The VOA seed drafted with the curated incidents removed, against what the analyst curated."""
    root = work / "seed"
    for part in ("data", "seeds"):
        shutil.copytree(REPO / part, root / part)
    curated = load_publication(root).incidents.values()
    want = {field: Counter() for field in FIELDS}
    for incident in curated:
        want["casualties"].update((c.category, c.phrase.lower()) for c in incident.casualties)
        want["responsibility"].update((r.actor, r.stance) for r in incident.responsibility)
        want["places"][incident.place.id] += 1
        want["dates"][(incident.date.earliest, incident.date.latest)] += 1
    for path in (root / "data" / "incidents").glob("*.yaml"):
        path.unlink()
    got = predictions(root, "voa-2016-10-26-ghor-quetta")
    return _rates({field: Counter(tp=sum((got[field] & want[field]).values()), fp=sum((got[field] - want[field]).values()),
                                  fn=sum((want[field] - got[field]).values())) for field in FIELDS if field != "matches"})


def _rates(totals: dict[str, Counter]) -> dict[str, dict[str, float]]:
    result = {}
    for field, t in totals.items():
        predicted, relevant = t["tp"] + t["fp"], t["tp"] + t["fn"]
        result[field] = {"tp": t["tp"], "fp": t["fp"], "fn": t["fn"],
                         "precision": t["tp"] / predicted if predicted else 1.0,
                         "recall": t["tp"] / relevant if relevant else 1.0}
    return result


def table(result: dict[str, dict[str, float]]) -> str:
    lines = ["| Field | Precision | Recall | Correct | Wrong | Missed |", "|---|---|---|---|---|---|"]
    for field, r in result.items():
        lines.append(f"| {field} | {r['precision']:.2f} | {r['recall']:.2f} | {r['tp']} | {r['fp']} | {r['fn']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        scores, articles = score(Path(tmp))
        seed = score_seed(Path(tmp))
    if "-v" in sys.argv:
        for name, got in articles.items():
            print(name, {field: dict(values) for field, values in got.items()})
    print("Synthetic articles (tests/synthetic/):\n")
    print(table(scores))
    print("\nThe VOA seed against the curated example (curated incidents removed before drafting):\n")
    print(table(seed))
