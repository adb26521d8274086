"""Write a draft as commented YAML, and (for `draft --write`) into data/: new incidents as new files,
additions as draft entries inserted into the matched incident's file (draftinsert)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from .draft import Draft, Note
from .load import Publication
from .model import Incident, error_message
from .problems import Problem, ProblemsFound


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


def emit(value: object, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, Note):
                lines.append(f"{pad}# {' '.join(key.text.split())}")
            elif (isinstance(item, dict) and any(not isinstance(k, Note) for k in item)) or (isinstance(item, list) and item):
                lines.append(f"{pad}{key}:")
                lines += emit(item, indent + 2)
            elif isinstance(item, list):
                lines.append(f"{pad}{key}: []")
            else:
                text = _scalar(item)
                lines.append(f"{pad}{key}: {text}" if text else f"{pad}{key}:")
        return lines
    for item in value:  # a list
        inner = emit(item, indent + 2) if isinstance(item, dict) else [f"{pad}  {_scalar(item)}"]
        first = next((i for i, line in enumerate(inner) if not line.lstrip().startswith("#")), None)
        if first is None:  # only comments: an entry the analyst must complete by hand
            lines += [f"{pad}{line.lstrip()}" for line in inner]
            continue
        inner[first] = f"{pad}- {inner[first][indent + 2:]}"
        lines += inner
    return lines


def _strip_notes(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip_notes(v) for k, v in value.items() if not isinstance(k, Note)}
    if isinstance(value, list):
        return [_strip_notes(v) for v in value if not (isinstance(v, dict) and all(isinstance(k, Note) for k in v))]
    return value


def render_draft(draft: Draft) -> str:
    """The whole draft as one YAML document: new incidents, then additions to existing incidents."""
    head = [
        f"# Draft records from source {draft.source_id} (seeds/{draft.seed}), proposed by `incidentbook draft`.",
        "# Every value carries the quote it was read from. Lines marked CHECK need the analyst's decision.",
    ]
    if draft.debris:
        head.append("# Scraping debris, left out of the reading (do not quote these lines):")
        head += [f"#   {d}" for d in draft.debris]
    body = emit({"source": draft.source_id, "incidents": draft.incidents, "additions": draft.additions}, 0)
    return "\n".join(head + body) + "\n"


def render_incident(record: dict) -> str:
    return "\n".join(emit(record, 0)) + "\n"


def plain(record: dict) -> dict:
    """The record without its comments, as the data model reads it."""
    return _strip_notes(record)


@dataclass
class Written:
    """What `draft --write` did to one file."""

    path: Path
    created: bool  # a new draft incident; otherwise draft entries added to an existing incident's file
    entries: dict[str, int] = field(default_factory=dict)  # for an edited file: key -> draft entries added
    old: bytes | None = None  # an edited file's bytes before the edit (to restore it)


def write_draft(root: Path, draft: Draft, pub: Publication) -> list[Written]:
    """Write new incidents to data/incidents/<id>.yaml (never overwriting a file) and insert additions,
    marked `draft: true`, into the matched incidents' own files (draftinsert).

    Checks everything first and writes nothing when a file exists, a record would not load or an
    incident file cannot be edited safely.
    """
    from .draftinsert import plan_addition  # it builds on emit() and plain() above

    problems: list[Problem] = []
    planned: list[tuple[Path, str]] = []
    for record in draft.incidents:
        path = root / "data" / "incidents" / f"{record['id']}.yaml"
        display = f"data/incidents/{path.name}"
        if path.exists():
            problems.append(Problem(display, None, "", "exists already; the draft never overwrites a file (move it away or edit it by hand)"))
        fields = plain(record)
        try:
            Incident.model_validate(fields)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(display, None, ".".join(str(p) for p in err["loc"]), error_message(err)))
        if fields["place"]["id"] not in pub.places:  # the gazetteer the draft was read with
            problems.append(Problem(display, None, "place.id", "no gazetteer place was found in the article; "
                                    "add the place to data/places.yaml, or write this incident by hand from the printed draft"))
        planned.append((path, render_incident(record)))
    merged: dict[str, dict] = {}  # two parts of the article may match the same incident: one edit per file
    for addition in draft.additions:
        into = merged.setdefault(addition["incident"], {"incident": addition["incident"], "casualties": [], "responsibility": []})
        into.update({k: v for k, v in addition.items() if isinstance(k, Note)})
        for key in ("casualties", "responsibility"):
            into[key] = into[key] + list(addition.get(key, []))
    edits = []
    for addition in merged.values():
        origin = pub.origins.get(("incident", addition["incident"]))
        if origin is None or origin.prefix:
            problems.append(Problem(f"data/incidents/{addition['incident']}.yaml", None, "",
                                    "the matched incident has no file of its own; add the draft entries by hand"))
            continue
        try:
            edit = plan_addition(root, origin.path, addition, draft.source_id)
        except ProblemsFound as exc:
            problems += exc.problems
            continue
        if edit is not None:
            edits.append(edit)
    if problems:
        raise ProblemsFound(problems)
    written = []
    for path, text in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as out:
            out.write(text)
        written.append(Written(path, True))
    for edit in edits:
        replace_bytes(edit.path, edit.new)
        written.append(Written(edit.path, False, edit.added, edit.old))
    return written


def replace_bytes(path: Path, data: bytes) -> None:
    """Replace a file's content in one step (a temporary file beside it, renamed over it), keeping its mode."""
    tmp = path.with_name(f".{path.name}.incidentbook-tmp")
    tmp.write_bytes(data)
    shutil.copymode(path, tmp)
    os.replace(tmp, path)

