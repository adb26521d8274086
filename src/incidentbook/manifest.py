"""The build manifest (build/manifest.json): what the last successful build was made from.

It records each source's fingerprint, which records cite which sources, and for every generated
output the SHA-256 of its bytes and the records it shows, so `incidentbook status` can say what a
changed article affects, and a rebuild can tell which outputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from . import __version__
from .load import Publication

MANIFEST = "manifest.json"
PENDING = ".manifest.next.json"


def build_manifest(pub: Publication, citations: Mapping[tuple[str, str], set[str]],
                   outputs: Mapping[str, str | bytes], dependencies: Mapping[str, set[str]]) -> dict:
    def digest(value: str | bytes) -> str:
        return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).hexdigest()

    return {
        "tool": f"incidentbook {__version__}",
        "sources": {sid: {"seed": s.seed, "sha256": pub.seeds[sid].sha256 if sid in pub.seeds else None}
                    for sid, s in sorted(pub.sources.items())},
        "citations": {f"{kind}/{rid}": sorted(ids) for (kind, rid), ids in sorted(citations.items()) if kind != "seed"},
        "outputs": {path: {"sha256": digest(data), "shows": sorted(dependencies.get(path, ()))}
                    for path, data in sorted(outputs.items())},
    }


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def stage(root: Path, manifest: dict) -> None:
    """Keep the manifest of the pages just generated until the build that uses them succeeds."""
    _write_json(root / "build" / PENDING, manifest)


def commit(root: Path) -> None:
    pending = root / "build" / PENDING
    if pending.is_file():
        os.replace(pending, root / "build" / MANIFEST)


def read(root: Path) -> dict | None:
    path = root / "build" / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
