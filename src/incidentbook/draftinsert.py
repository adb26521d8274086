"""`draft --write` for a known incident: insert draft entries into the incident's own curated file.

The file is edited as text, not re-dumped, so every existing byte — comments, quoting, folded
summaries, key order — stays as the analyst wrote it: the proposed casualty reports and
responsibility statements are appended at the end of the `casualties:` / `responsibility:` block
sequences, at the same indentation (a missing key is added at the end of the file; an empty
`[]` becomes a block). Each entry carries `draft: true` (second line, so deleting that one line
publishes it) and the draft's notes as YAML comments.

Before anything is written, the edited text is read back through the project's own loader
(yamlio.parse_yaml) and must give exactly the old record plus the new entries; otherwise the edit
is refused with a Problem and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .draft import Note
from .draftyaml import emit, plain
from .evidence import normalise
from .model import Incident
from .problems import Problem, ProblemsFound
from .yamlio import _LOADER, parse_yaml

KEYS = ("casualties", "responsibility")


@dataclass
class Edit:
    """A planned edit of one incident file: its bytes before and after, and what was added."""

    path: Path
    old: bytes
    new: bytes
    added: dict[str, int]  # key -> number of draft entries inserted


def _real(entry: dict) -> bool:
    """False for a comment-only entry (a value the draft could not write as a record)."""
    return any(not isinstance(k, Note) for k in entry)


def _marked(entry: dict) -> dict:
    """The entry with `draft: true` as its second field (after category / actor)."""
    out: dict = {}
    placed = False
    for key, value in entry.items():
        out[key] = value
        if not placed and not isinstance(key, Note):
            out["draft"] = True
            placed = True
    return out


def _key(record: dict | object, key: str) -> tuple:
    """What makes two entries the same: source + category + phrase, or actor + stance + sources."""
    get = (lambda name: record.get(name)) if isinstance(record, dict) else (lambda name: getattr(record, name))
    if key == "casualties":
        evidence = get("evidence")
        source = evidence["source"] if isinstance(evidence, dict) else evidence.source
        return (source, get("category"), normalise(get("phrase")).lower())
    sources = frozenset(e["source"] if isinstance(e, dict) else e.source for e in get("evidence"))
    return (get("actor"), get("stance"), sources)


def _last_line(node: yaml.Node, lines: list[str]) -> int:
    """0-based index of the last line holding content of node. Block collections end where the next
    token begins, possibly after comments and blank lines, and a block scalar (`>`, `|`) after the
    blank lines that follow it, so neither end mark is taken as it is."""
    if isinstance(node, yaml.ScalarNode):
        if node.style not in ("|", ">"):
            return node.end_mark.line
        body = [n for n in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(lines))) if lines[n].strip()]
        if not body:
            return node.start_mark.line
        inner = _indent(lines[body[0]])  # the scalar's own indentation; a line less indented is not part of it
        return max((n for n in body if _indent(lines[n]) >= inner), default=node.start_mark.line)
    if node.flow_style:
        return node.end_mark.line
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    return max((_last_line(c, lines) for c in children), default=node.start_mark.line)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def insert_entries(text: str, blocks: dict[str, tuple[list[str], list[dict]]], display: str) -> str:
    """The file's text with, for each key, the comment lines and the entries (dicts with Note keys,
    already marked draft; at least one a real entry) appended to its block sequence. Raises
    ProblemsFound when the file's layout does not allow a safe edit."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ProblemsFound([Problem(display, None, "", f"cannot read the file to add the draft entries: {exc}")]) from None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise ProblemsFound([Problem(display, None, "", "the file is not a block mapping of fields; add the draft entries by hand")])
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    key_col = root.value[0][0].start_mark.column if root.value else 0
    inserts: list[tuple[int, int, str]] = []  # (insert after this 0-based line, order, text); line -1 = end of file
    replaced: dict[int, str] = {}  # 0-based line -> new text of that line
    order = 0

    def render(comments: list[str], entries: list[dict], dash: int) -> str:
        pad = " " * dash
        out = [f"{pad}# {c}".rstrip() for c in comments]
        out += [f"{pad}{line}" if line else line for line in emit(entries, 0)]
        return "".join(line + newline for line in out)

    for key, (comments, entries) in blocks.items():
        order += 1
        pair = next(((k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        if pair is None:  # a new key at the end of the file
            inserts.append((-1, order, " " * key_col + f"{key}:" + newline + render(comments, entries, key_col + 2)))
            continue
        key_node, value = pair
        at = key_node.start_mark.line
        if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
            first = value.value[0].start_mark
            prefix = lines[first.line][:first.column].rstrip()
            if not prefix.endswith("-"):
                raise ProblemsFound([Problem(display, at + 1, key, "cannot tell the indentation of the list; add the draft entries by hand")])
            dash = len(prefix) - 1
            end = _last_line(value.value[-1], lines)
            for n in range(end + 1, len(lines)):  # comments indented under the last entry belong to it
                if lines[n].lstrip().startswith("#") and _indent(lines[n]) > dash:
                    end = n
                elif lines[n].strip():
                    break
            inserts.append((end, order, render(comments, entries, dash)))
            continue
        empty_flow = isinstance(value, yaml.SequenceNode) and value.flow_style and not value.value
        null = isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null"
        if not (empty_flow or null):
            kind = "a list in flow style [...]" if isinstance(value, yaml.SequenceNode) else "not a list"
            raise ProblemsFound([Problem(display, at + 1, key, f"is {kind}; add the draft entries by hand")])
        if (empty_flow or value.value) and value.start_mark.line == value.end_mark.line == at:
            line = lines[at]  # `key: []` or `key: ~` becomes `key:`, the entries a block below it
            replaced[at] = line[:value.start_mark.column].rstrip(" ") + line[value.end_mark.column:]
        elif empty_flow or value.value:
            raise ProblemsFound([Problem(display, at + 1, key, "cannot rewrite its empty value; add the draft entries by hand")])
        inserts.append((at, order, render(comments, entries, _indent(lines[at]) + 2)))

    out: list[str] = []
    for n, line in enumerate(lines):
        out.append(replaced.get(n, line))
        for _, _, body in sorted((i for i in inserts if i[0] == n), key=lambda i: i[1]):
            if not out[-1].endswith("\n"):
                out[-1] += newline
            out.append(body)
    tail = [i for i in inserts if i[0] == -1 or i[0] >= len(lines)]
    for _, _, body in sorted(tail, key=lambda i: i[1]):
        if out and not out[-1].endswith("\n"):
            out[-1] += newline
        out.append(body)
    return "".join(out)


def plan_addition(root: Path, display: str, addition: dict, source_id: str) -> Edit | None:
    """The edit that adds one matched incident's draft entries to its file, verified; None when
    there is nothing new to add. Raises ProblemsFound (nothing is written)."""
    path = root / display
    old_bytes = path.read_bytes()
    bom = old_bytes.startswith(b"\xef\xbb\xbf")
    try:
        old_text = old_bytes[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemsFound([Problem(display, None, "", "not UTF-8; add the draft entries by hand")]) from None
    old_data = parse_yaml(old_bytes, display)[0]
    try:
        old_record = Incident.model_validate(old_data)
    except ValidationError:
        raise ProblemsFound([Problem(display, None, "", "the incident does not load; run `incidentbook check`, fix it, then draft again")]) from None

    blocks: dict[str, tuple[list[str], list[dict]]] = {}
    added: dict[str, int] = {}
    expected = dict(old_data)
    notes = [n.text for n in addition if isinstance(n, Note)]
    for key in KEYS:
        present = {_key(r, key) for r in getattr(old_record, key)}
        fresh = []
        for entry in addition.get(key, []):
            if _real(entry):
                if _key(plain(entry), key) in present:
                    continue  # already in the file (e.g. drafted before): never a duplicate
                present.add(_key(plain(entry), key))
                fresh.append(_marked(entry))
            else:
                fresh.append(entry)
        real = [e for e in fresh if _real(e)]
        if not real:
            continue  # comment-only proposals go with the printed draft, not into the file
        what = "casualty reports" if key == "casualties" else "responsibility statements"
        head = (f"Draft {what} from source {source_id}, proposed by `incidentbook draft`; "
                "remove `draft: true` from each entry once checked.")
        blocks[key] = ([head, *notes], fresh)
        added[key] = len(real)
        expected[key] = list(old_data.get(key) or []) + [plain(e) for e in real]
    if not blocks:
        return None

    new_text = insert_entries(old_text, blocks, display)
    refuse = Problem(display, None, "", "the edited file would not read back as the old record plus the draft entries; "
                     "nothing was written: add the entries by hand from `incidentbook draft` output")
    try:
        new_data = parse_yaml(new_text.encode("utf-8"), display)[0]
        if not isinstance(new_data, dict) or not isinstance(old_data, dict):
            raise ProblemsFound([refuse])
        same_rest = ({k: v for k, v in new_data.items() if k not in KEYS} == {k: v for k, v in old_data.items() if k not in KEYS}
                     and all(new_data.get(k) == old_data.get(k) for k in KEYS if k not in added)
                     and all(new_data[k][:len(old_data.get(k) or [])] == list(old_data.get(k) or []) for k in added))
        if not same_rest or Incident.model_validate(new_data) != Incident.model_validate(expected):
            raise ProblemsFound([refuse])
    except (ProblemsFound, ValidationError, KeyError, TypeError):
        raise ProblemsFound([refuse]) from None
    new_bytes = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
    return Edit(path, old_bytes, new_bytes, added)
