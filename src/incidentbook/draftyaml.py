"""Write a draft as commented YAML, and (for `draft --write`) into data/ without overwriting anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import ValidationError

from .draft import Draft, Note
from .model import Incident
from .problems import Problem, ProblemsFound


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


def _emit(value: object, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, Note):
                lines.append(f"{pad}# {key.text}")
            elif (isinstance(item, dict) and any(not isinstance(k, Note) for k in item)) or (isinstance(item, list) and item):
                lines.append(f"{pad}{key}:")
                lines += _emit(item, indent + 2)
            elif isinstance(item, list):
                lines.append(f"{pad}{key}: []")
            else:
                text = _scalar(item)
                lines.append(f"{pad}{key}: {text}" if text else f"{pad}{key}:")
        return lines
    for item in value:  # a list
        inner = _emit(item, indent + 2) if isinstance(item, dict) else [f"{pad}  {_scalar(item)}"]
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
    body = _emit({"source": draft.source_id, "incidents": draft.incidents, "additions": draft.additions}, 0)
    return "\n".join(head + body) + "\n"


def render_incident(record: dict) -> str:
    return "\n".join(_emit(record, 0)) + "\n"


def plain(record: dict) -> dict:
    """The record without its comments, as the data model reads it."""
    return _strip_notes(record)


def write_draft(root: Path, draft: Draft) -> list[Path]:
    """Write new incidents to data/incidents/<id>.yaml and additions to data/drafts/; never overwrite a file.

    Checks everything first and writes nothing when a file exists or a record would not load.
    """
    problems: list[Problem] = []
    planned: list[tuple[Path, str]] = []
    for record in draft.incidents:
        path = root / "data" / "incidents" / f"{record['id']}.yaml"
        display = f"data/incidents/{path.name}"
        if path.exists():
            problems.append(Problem(display, None, "", "exists already; the draft never overwrites a file (move it away or edit it by hand)"))
        try:
            Incident.model_validate(plain(record))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(display, None, ".".join(str(p) for p in err["loc"]), err["msg"].removeprefix("Value error, ")))
        if plain(record)["place"]["id"] not in _places(root):
            problems.append(Problem(display, None, "place.id", "no gazetteer place was found in the article; "
                                    "add the place to data/places.yaml, or write this incident by hand from the printed draft"))
        planned.append((path, render_incident(record)))
    if any(a["casualties"] or a["responsibility"] for a in draft.additions):
        path = root / "data" / "drafts" / f"{draft.source_id}-additions.yaml"
        if path.exists():
            problems.append(Problem(f"data/drafts/{path.name}", None, "", "exists already; the draft never overwrites a file"))
        head = ("# Additions to existing incidents, proposed by `incidentbook draft`. Copy each entry into the\n"
                "# incident's casualties / responsibility in data/incidents/<incident>.yaml, then delete this file.\n")
        planned.append((path, head + "\n".join(_emit({"source": draft.source_id, "additions": draft.additions}, 0)) + "\n"))
    if problems:
        raise ProblemsFound(problems)
    written = []
    for path, text in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as out:
            out.write(text)
        written.append(path)
    return written


def _places(root: Path) -> set[str]:
    try:
        data = yaml.safe_load((root / "data" / "places.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return set()
    return {p.get("id") for p in data.get("places", []) if isinstance(p, dict)} if isinstance(data, dict) else set()
