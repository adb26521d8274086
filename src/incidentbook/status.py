"""`incidentbook status`: what changed in the sources since the last build, and what it affects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import manifest
from .load import load_publication
from .problems import Problem, ProblemsFound
from .validate import validate


@dataclass
class SourceChange:
    source_id: str
    change: str  # added, changed, removed
    seed: str
    old_sha256: str | None
    new_sha256: str | None
    records: list[str] = field(default_factory=list)  # "kind/id"
    pages: list[str] = field(default_factory=list)


@dataclass
class Status:
    has_manifest: bool
    changes: list[SourceChange]
    broken_quotes: list[Problem]
    other_problems: list[Problem]


def status(root: Path) -> Status:
    root = root.resolve()
    previous = manifest.read(root)
    pub = load_publication(root)
    old_sources = (previous or {}).get("sources", {})
    citations = (previous or {}).get("citations", {})
    outputs = (previous or {}).get("outputs", {})
    current = {sid: (s.seed, pub.seeds[sid].sha256 if sid in pub.seeds else None) for sid, s in pub.sources.items()}

    def affected(source_id: str) -> tuple[list[str], list[str]]:
        records = sorted(r for r, sources in citations.items() if source_id in sources)
        shown = set(records) | {f"source/{source_id}"}
        pages = sorted(p for p, out in outputs.items() if p.endswith(".md") and shown & set(out.get("shows", ())))
        return records, pages

    changes: list[SourceChange] = []
    for sid in sorted(set(current) | set(old_sources)):
        old = old_sources.get(sid)
        new = current.get(sid)
        if old and new and old.get("sha256") == new[1]:
            continue
        kind = "added" if not old else "removed" if not new else "changed"
        records, pages = affected(sid)
        changes.append(SourceChange(sid, kind, (new or (old.get("seed"), None))[0], old.get("sha256") if old else None,
                                    new[1] if new else None, records, pages))
    try:
        validate(pub)
        problems: list[Problem] = []
    except ProblemsFound as exc:
        problems = exc.problems
    broken = [p for p in problems if "not found in source" in p.message]
    return Status(previous is not None, changes, broken, [p for p in problems if p not in broken])
