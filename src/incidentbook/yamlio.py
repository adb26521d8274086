"""Read curated YAML safely, keeping the line of every value so problems can name it.

Values are built from the node tree by hand rather than by PyYAML's constructor so that
(1) every mapping key and list item keeps its line, (2) dates stay text for the data model to
validate (an impossible date is a field error, not a YAML crash), and (3) aliases are
refused, which rules out alias bombs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .problems import Problem, ProblemsFound, field_path

MAX_NODES = 200_000
MAX_BYTES = 5_000_000

LineMap = dict[tuple, int]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster, same nodes and line marks


def _scalar(node: yaml.ScalarNode):
    tag = node.tag
    value = node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in ("true", "yes", "on")
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(value.replace("_", ""), 0) if not value.lstrip("+-").isdigit() else int(value)
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value  # str, timestamp (kept as text) and anything else


def load_yaml(path: Path, display: str) -> tuple[object, LineMap]:
    """Return (data, lines) where lines maps a key path such as ('casualties', 0, 'low') to a line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProblemsFound([Problem(display, None, "", f"cannot read file: {exc.strerror}")]) from None
    return parse_yaml(raw, display)


def _compose(raw: bytes, display: str) -> yaml.Node | None:
    """The node tree of a data file's bytes; ProblemsFound when it is too large, not UTF-8 or not YAML."""
    if len(raw) > MAX_BYTES:
        raise ProblemsFound([Problem(display, None, "", f"file is {len(raw):,} bytes; the limit for a data file is {MAX_BYTES:,}")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemsFound([Problem(display, raw[: exc.start].count(b"\n") + 1, "", f"not UTF-8 (byte offset {exc.start}); save the file as UTF-8")]) from None
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "malformed YAML"
        raise ProblemsFound([Problem(display, line, "", f"malformed YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ProblemsFound([Problem(display, None, "", f"malformed YAML: {exc}")]) from None


class Refused(Exception):
    """parse_value met something parse_yaml reports as a problem."""


def parse_value(raw: bytes, display: str) -> object:
    """parse_yaml's value without its line map, about a fifth faster (a clean load's parsing ahead:
    parsecache.prefetch). It raises ProblemsFound or Refused wherever parse_yaml raises
    ProblemsFound, without saying where: parse the file with parse_yaml to report it."""
    root = _compose(raw, display)
    if root is None:
        return None
    count = 0
    seen: set[int] = set()

    def build(node: yaml.Node):
        nonlocal count
        count += 1
        if count > MAX_NODES or id(node) in seen:
            raise Refused
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [build(item) for item in node.value]
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value in result:
                raise Refused
            result[key_node.value] = build(value_node)
        return result

    return build(root)


def parse_yaml(raw: bytes, display: str) -> tuple[object, LineMap]:
    """load_yaml for bytes already read."""
    root = _compose(raw, display)
    if root is None:
        return None, {}
    lines: LineMap = {}
    problems: list[Problem] = []
    count = 0
    seen_anchors: set[int] = set()

    def build(node: yaml.Node, at: tuple):
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise ProblemsFound([Problem(display, node.start_mark.line + 1, "", f"more than {MAX_NODES:,} values; split the file")])
        if id(node) in seen_anchors:  # an alias is the anchored node itself, met a second time
            line = line_for(lines, at[:-1]) or node.start_mark.line + 1  # where the alias is used, not the anchor
            raise ProblemsFound([Problem(display, line, _fmt(at), "YAML aliases (*name) are not allowed in curated data")])
        lines[at] = node.start_mark.line + 1
        seen_anchors.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [build(item, at + (i,)) for i, item in enumerate(node.value)]
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(display, key_node.start_mark.line + 1, _fmt(at), "keys must be plain text"))
                continue
            key = key_node.value
            if key in result:
                problems.append(Problem(display, key_node.start_mark.line + 1, _fmt(at + (key,)), "this key appears twice"))
                continue
            result[key] = build(value_node, at + (key,))
            lines[at + (key,)] = key_node.start_mark.line + 1
        return result

    data = build(root, ())
    if problems:
        raise ProblemsFound(problems)
    return data, lines


def _fmt(at: tuple) -> str:
    return field_path(at)


def line_for(lines: LineMap, loc: tuple) -> int | None:
    """The line of the deepest known node on the way to loc."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())
