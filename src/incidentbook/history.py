"""Revision history of records and sources, derived from git.

For every commit that touched data/ or seeds/: which records and sources changed, how (fields
with old → new values for records; changed lines for article texts), and, for a record, which
source changes since its previous revision it follows. Only committed history counts, so the
history of a commit is the same on every machine (reproducible builds).
"""

from __future__ import annotations

import datetime as dt
import difflib
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MAX_CHANGES = 12  # field changes listed per revision; the rest are counted


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None
    new: str | None

    def short(self, context: int = 4) -> tuple[str | None, str | None]:
        """The old and new values cut to the words that differ, with a few words around them:
        ('…massacred at least 30 civilians in…', '…massacred at least 35 civilians in…')."""
        if not self.old or not self.new or (len(self.old) < 80 and len(self.new) < 80):
            return self.old, self.new
        a, b = self.old.split(), self.new.split()
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        end = 0
        while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
            end += 1

        def cut(words: list[str]) -> str:
            lo, hi = max(0, start - context), min(len(words), len(words) - end + context)
            return ("…" if lo else "") + " ".join(words[lo:hi]) + ("…" if hi < len(words) else "")

        return cut(a), cut(b)


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # committer time, seconds since the epoch
    subject: str
    order: int = 0  # position in history, oldest = 0 (times can tie)

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def date(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.time, dt.timezone.utc).date()

    @property
    def iso(self) -> str:
        return dt.datetime.fromtimestamp(self.time, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Revision:
    commit: Commit
    kind: str  # incident, actor, source
    record_id: str
    action: str  # added, changed, removed
    changes: list[Change] = field(default_factory=list)
    more_changes: int = 0
    caused_by: list[tuple[str, Commit]] = field(default_factory=list)  # (source id, commit of its change)

    def summary(self) -> str:
        if self.action != "changed":
            return self.action
        parts = [c.field for c in self.changes] + ([f"{self.more_changes} more"] if self.more_changes else [])
        return "changed " + ", ".join(parts) if parts else "changed"


def _git(root: Path, *args: str, input_bytes: bytes | None = None) -> bytes | None:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], input=input_bytes, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _flatten(value, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix: "" if value is None else str(value)}


def _without_draft_entries(data):
    """A record without its draft entries (`draft: true` items of its lists): they are not published, so a
    revision shows them only once the analyst removes the mark."""
    if isinstance(data, dict):
        return {key: [item for item in value if not (isinstance(item, dict) and item.get("draft") is True)]
                if isinstance(value, list) else value for key, value in data.items()}
    return data


def record_changes(old_text: str | None, new_text: str | None) -> list[Change]:
    """Field-level differences between two versions of a record file."""
    def load(text):
        try:
            data = yaml.safe_load(text) if text else {}
        except yaml.YAMLError:
            return {"(unreadable YAML)": text}
        return _flatten(_without_draft_entries(data) if isinstance(data, (dict, list)) else {"value": data})

    old, new = load(old_text), load(new_text)
    return [Change(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]


def text_changes(old_text: str | None, new_text: str | None) -> list[Change]:
    """Changed lines of an article: one Change per replaced, removed or added block."""
    old_lines, new_lines = (old_text or "").splitlines(), (new_text or "").splitlines()
    changes = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changes.append(Change(f"line {j1 + 1}" if j2 > j1 else f"line {i1 + 1}",
                                  "\n".join(old_lines[i1:i2]) or None, "\n".join(new_lines[j1:j2]) or None))
    return changes


class History:
    """Revisions of every record and source file, newest first."""

    def __init__(self, root: Path, citations: dict[tuple[str, str], set[str]] | None = None):
        self.root = root
        self.available = _git(root, "rev-parse", "--is-inside-work-tree") is not None
        self.revisions: dict[tuple[str, str], list[Revision]] = defaultdict(list)
        self.commits: list[Commit] = []
        self.global_commit: Commit | None = None  # newest commit touching inputs every page depends on
        self.dirty: set[str] = set()  # paths with uncommitted changes
        if self.available:
            self._read(citations or {})
            status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *RECORD_PATHS, *GLOBAL_PATHS) or b""
            self.dirty = {line[3:] for line in status.decode("utf-8", "replace").splitlines()
                          if not (line.startswith("?? ") and _generated_doc(line[3:]))}
        self.dirty_global = any(_is_global(p) for p in self.dirty)
        self.dirty_records: set[str] = set()  # "kind/id" of records (and sources of seeds) with uncommitted changes
        for path in self.dirty:
            kind, record_id = _record_of(path)
            if kind == "seed":
                self.dirty_records |= {f"source/{sid}" for sid in (citations or {}).get(("seed", record_id), ())}
            elif kind:
                self.dirty_records.add(f"{kind}/{record_id}")

    def _read(self, citations: dict[tuple[str, str], set[str]]) -> None:
        log = _git(self.root, "log", "--relative", "--no-renames", "--format=%x00%H%x09%ct%x09%s", "--name-status",
                   "--", *RECORD_PATHS, *GLOBAL_PATHS)
        if not log:
            return
        touched: list[tuple[Commit, str, str]] = []  # (commit, status, path), newest first
        blocks = log.decode("utf-8", "replace").split("\x00")[1:]
        for position, block in enumerate(blocks):
            lines = block.strip("\n").split("\n")
            sha, time, subject = (lines[0].split("\t", 2) + ["", ""])[:3]
            commit = Commit(sha, int(time), subject, len(blocks) - position)
            self.commits.append(commit)
            for line in lines[1:]:
                if "\t" in line:
                    status, path = line.split("\t", 1)
                    touched.append((commit, status[0], path))
                    if self.global_commit is None and _is_global(path):
                        self.global_commit = commit
        wanted = [(c, s, p) for c, s, p in touched if s == "M"]
        contents = self._contents([f"{c.sha}:./{p}" for c, _, p in wanted] + [f"{c.sha}^:./{p}" for c, _, p in wanted])
        for commit, status, path in touched:
            kind, record_id = _record_of(path)
            if kind is None:
                continue
            action = {"A": "added", "D": "removed"}.get(status, "changed")
            revision = Revision(commit, kind, record_id, action)
            if status == "M":
                old, new = contents.get(f"{commit.sha}^:./{path}"), contents.get(f"{commit.sha}:./{path}")
                changes = text_changes(old, new) if kind == "seed" else record_changes(old, new)
                revision.changes, revision.more_changes = changes[:MAX_CHANGES], max(0, len(changes) - MAX_CHANGES)
            self.revisions[(kind, record_id)].append(revision)
        self._link_seeds(citations)

    def _link_seeds(self, citations: dict[tuple[str, str], set[str]]) -> None:
        """Seed revisions belong to their source; record revisions name the source changes they follow."""
        for (kind, seed_name), revisions in list(self.revisions.items()):
            if kind != "seed":
                continue
            for source_id in sorted(citations.get(("seed", seed_name), set())):
                own = {r.commit.sha: r for r in self.revisions[("source", source_id)]}
                for r in revisions:  # a seed change joins its source's revision in the same commit
                    if r.commit.sha in own:
                        own[r.commit.sha].changes = r.changes + own[r.commit.sha].changes
                        own[r.commit.sha].more_changes += r.more_changes
                    else:
                        self.revisions[("source", source_id)].append(
                            Revision(r.commit, "source", source_id, r.action, r.changes, r.more_changes))
        for key in list(self.revisions):
            if key[0] == "source":
                self.revisions[key].sort(key=lambda r: r.commit.order, reverse=True)
        for (kind, record_id), revisions in self.revisions.items():
            if kind not in ("incident", "actor"):
                continue
            cited = sorted(citations.get((kind, record_id), set()))
            for newer, older in zip(revisions, revisions[1:] + [None]):
                since = older.commit.order if older else -1
                for source_id in cited:
                    for revision in self.revisions.get(("source", source_id), []):
                        if since < revision.commit.order <= newer.commit.order and revision.changes:
                            newer.caused_by.append((source_id, revision.commit))

    def _contents(self, specs: list[str]) -> dict[str, str]:
        if not specs:
            return {}
        out = _git(self.root, "cat-file", "--batch", input_bytes="\n".join(specs).encode() + b"\n")
        result: dict[str, str] = {}
        if out is None:
            return result
        pos = 0
        for spec in specs:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith("missing"):
                continue
            size = int(header.rsplit(" ", 1)[1])
            result[spec] = out[pos:pos + size].decode("utf-8", "replace").replace("\r\n", "\n")
            pos += size + 1
        return result

    def of(self, kind: str, record_id: str) -> list[Revision]:
        return self.revisions.get((kind, record_id), [])

    def recent(self, limit: int = 50) -> list[Revision]:
        """The newest revisions of incidents, actors and sources, newest first."""
        everything = [r for (kind, _), revs in self.revisions.items() if kind in ("incident", "actor", "source") for r in revs]
        everything.sort(key=lambda r: (r.commit.order, r.kind, r.record_id), reverse=True)
        return everything[:limit]


    def recent_by_commit(self, limit: int = 100) -> list[tuple[Commit, list[Revision]]]:
        groups: dict[str, list[Revision]] = {}
        for revision in self.recent(limit):
            groups.setdefault(revision.commit.sha, []).append(revision)
        return [(revisions[0].commit, sorted(revisions, key=lambda r: (r.kind, r.record_id))) for revisions in groups.values()]


    def page_edition(self, shows: set[str] | list[str]) -> str:
        """The commit a page's content comes from: the newest commit that changed anything it shows
        or anything every page depends on (templates, configuration, gazetteer, vocabulary).
        Pages whose inputs did not change keep their label, and so their bytes."""
        if not self.available:
            return "uncommitted"
        newest = self.global_commit
        dirty = self.dirty_global or bool(self.dirty_records & set(shows))
        for key in shows:
            kind, _, record_id = key.partition("/")
            revisions = self.revisions.get((kind, record_id))
            if revisions and (newest is None or revisions[0].commit.order > newest.order):
                newest = revisions[0].commit
        label = newest.short if newest else "uncommitted"
        return f"{label} + uncommitted changes" if dirty and newest else label


RECORD_PATHS = ("data/incidents", "data/actors", "data/sources", "seeds")
GLOBAL_PATHS = ("templates", "mkdocs.yml", "data/publication.yaml", "data/vocabulary.yaml", "data/places.yaml",
                "data/context.yaml", "docs")


def _generated_doc(path: str) -> bool:
    """A file the build writes into docs/ (site.GENERATED_DIRS, the section pages, assets/generated/):
    untracked, it is the build's output, not a change to the publication, even where the
    publication's .gitignore (made by an older version) does not list it."""
    from .site import GENERATED_DIRS, GENERATED_PAGES

    rel = path[len("docs/"):] if path.startswith("docs/") else None
    return rel is not None and (rel in GENERATED_PAGES or rel.split("/", 1)[0] in GENERATED_DIRS
                                or rel.startswith("assets/generated/"))


def _is_global(path: str) -> bool:
    return any(path == g or path.startswith(g + "/") for g in GLOBAL_PATHS)


def _record_of(path: str) -> tuple[str | None, str]:
    for folder, kind in (("data/incidents/", "incident"), ("data/actors/", "actor"), ("data/sources/", "source")):
        if path.startswith(folder) and path.endswith(".yaml") and "/" not in path[len(folder):]:
            return kind, path[len(folder):-len(".yaml")]
    if path.startswith("seeds/"):
        return "seed", path[len("seeds/"):]
    return None, ""
