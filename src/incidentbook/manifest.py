"""The build manifest (build/manifest.json): what the last successful build was made from.

It records each source's fingerprint, which records cite which sources, and for every generated
output the SHA-256 of its bytes, the records it shows, and the SHA-256 of its inputs: the tool
version, the templates and configuration every page is made with (the package's templates, the
publication's templates/, mkdocs.yml, data/publication.yaml and data/vocabulary.yaml), and the file
of each record it shows (with the article, for a source). An output that names no record (an
export, a feed, a section page) counts every data file and article as its input. `incidentbook
status` reads it to say what a changed article affects; chart images and PDFs have their own
input hashes (docs/assets/generated/charts/manifest.json, build/pdf/.manifest.json).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from . import __version__
from .load import Publication

MANIFEST = "manifest.json"
PENDING = ".manifest.next.json"


class Inputs:
    """Input hashes of the outputs of one build (see the module's description)."""

    def __init__(self, pub: Publication):
        self.pub = pub
        common = hashlib.sha256(f"incidentbook {__version__}\0".encode())
        for folder in (Path(str(resources.files("incidentbook").joinpath("builtin"))), pub.root / "templates"):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file() and "__pycache__" not in path.parts:
                    common.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
        for config in ("mkdocs.yml", "data/publication.yaml", "data/vocabulary.yaml"):
            common.update((pub.root / config).read_bytes() if (pub.root / config).is_file() else b"-")
        self.common = common.hexdigest()
        everything = hashlib.sha256("\0".join(f"{path}={sha}" for path, sha in sorted(pub.file_sha256.items())).encode())
        everything.update("\0".join(f"{sid}={seed.sha256}" for sid, seed in sorted(pub.seeds.items())).encode())
        self.everything = everything.hexdigest()
        self._kinds: dict[str, str] = {}

    def record(self, dep: str) -> str:
        """The hash of a record ("incident/<id>"): its data file's, with its article for a source;
        "" for a record that does not exist. "incident/*" stands for every record of the kind."""
        kind, _, record_id = dep.partition("/")
        if record_id == "*":
            if kind not in self._kinds:
                store = self.pub.store(kind)
                joined = "\0".join(f"{rid}={self.record(f'{kind}/{rid}')}" for rid in sorted(store))
                self._kinds[kind] = hashlib.sha256(joined.encode()).hexdigest()
            return self._kinds[kind]
        origin = self.pub.origins.get((kind, record_id))
        value = self.pub.file_sha256.get(origin.path, "") if origin else ""
        if kind == "source" and record_id in self.pub.seeds:
            value += ":" + self.pub.seeds[record_id].sha256
        return value

    def of(self, path: str, shows) -> str:
        """The input hash of the output at `path` that shows the records `shows` (every data file
        and article when it names none)."""
        shows = sorted(shows)
        text = "\0".join([self.common, path] + [f"{dep}={self.record(dep)}" for dep in shows]
                         if shows else [self.common, path, self.everything])
        return hashlib.sha256(text.encode()).hexdigest()


def digest(value) -> str:
    """SHA-256 of an output's bytes (a str is UTF-8); an output kept from the last build carries its own."""
    known = getattr(value, "sha256", None)
    if known is not None:
        return known
    return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).hexdigest()


def build_manifest(pub: Publication, citations: Mapping[tuple[str, str], set[str]],
                   outputs: Mapping, dependencies: Mapping[str, set[str]], inputs: Inputs | None = None) -> dict:
    inputs = inputs or Inputs(pub)
    return {
        "tool": f"incidentbook {__version__}",
        "sources": {sid: {"seed": s.seed, "sha256": pub.seeds[sid].sha256 if sid in pub.seeds else None}
                    for sid, s in sorted(pub.sources.items())},
        "citations": {f"{kind}/{rid}": sorted(ids) for (kind, rid), ids in sorted(citations.items()) if kind != "seed"},
        "outputs": {path: {"sha256": digest(data), "inputs": inputs.of(path, dependencies.get(path, ())),
                           "shows": sorted(dependencies.get(path, ()))}
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
