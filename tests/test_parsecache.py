"""The parse cache (build/cache/parsed.pickle) speeds up loading and never changes a result."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from conftest import copy_example

from incidentbook.load import load_publication
from incidentbook.parsecache import ParseCache
from incidentbook.problems import ProblemsFound
from incidentbook.validate import validate

GHOR = "data/incidents/ghor-2016-10-25.yaml"
CACHE = Path("build/cache/parsed.pickle")


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ProblemsFound) as caught:
        validate(load_publication(root))
    return [str(p) for p in caught.value.problems]


def test_cached_load_equals_fresh_load(example: Path):
    fresh = load_publication(example)
    assert (example / CACHE).is_file()
    cached = load_publication(example)
    assert cached.incidents == fresh.incidents and cached.actors == fresh.actors
    assert cached.sources == fresh.sources and cached.places == fresh.places and cached.context == fresh.context
    assert cached.info == fresh.info and cached.vocabulary == fresh.vocabulary


def test_problem_in_a_cached_file_still_names_its_line(example: Path):
    """Line numbers are not cached: a cross-record problem in a file read from the cache is
    reported at the same line as without a cache."""
    text = (example / GHOR).read_text(encoding="utf-8")
    (example / GHOR).write_text(text.replace("said_by: amnesty-international", "said_by: amnesty", 1), encoding="utf-8")
    without_cache = problems_of(example)
    shutil.rmtree(example / "build")
    load_publication(example)  # writes the cache, the Ghor file in it
    cache = ParseCache(example)
    assert "data/incidents/ghor-2016-10-25.yaml" in cache.old
    with_cache = problems_of(example)
    assert with_cache == without_cache
    assert any(p.startswith(f"{GHOR}:") and "unknown actor 'amnesty'" in p for p in with_cache)


def test_a_changed_file_is_parsed_again(example: Path):
    load_publication(example)
    text = (example / GHOR).read_text(encoding="utf-8")
    (example / GHOR).write_text(text.replace("title: Civilians", "title: Revised, civilians", 1), encoding="utf-8")
    pub = load_publication(example)
    assert pub.incidents["ghor-2016-10-25"].title.startswith("Revised, ")


def test_a_planted_cache_cannot_run_code(example: Path, tmp_path: Path):
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (example / CACHE).parent.mkdir(parents=True)
    (example / CACHE).write_bytes(pickle.dumps({"format": "x", "files": Exploit()}))
    pub = load_publication(example)
    assert not marker.exists()
    assert "ghor-2016-10-25" in pub.incidents


def test_a_corrupt_cache_is_ignored(example: Path):
    (example / CACHE).parent.mkdir(parents=True)
    (example / CACHE).write_bytes(b"\x80\x05not a pickle")
    assert "ghor-2016-10-25" in load_publication(example).incidents


def test_a_planted_entry_cannot_run_code(example: Path, tmp_path: Path):
    """Each file's value is its own pickle inside the cache: an entry with the right hash but a
    pickle that would call a function is refused, and the file is parsed again."""
    import hashlib

    from incidentbook.parsecache import FORMAT

    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    digest = hashlib.sha256((example / GHOR).read_bytes()).hexdigest()
    (example / CACHE).parent.mkdir(parents=True)
    (example / CACHE).write_bytes(pickle.dumps({"format": FORMAT, "files": {GHOR: (digest, pickle.dumps(Exploit()))}}))
    pub = load_publication(example)
    assert not marker.exists()
    assert pub.incidents["ghor-2016-10-25"].title.startswith("Civilians")


def test_line_maps_are_not_kept_after_loading(example: Path):
    """A record file's line map is dropped once its record is valid (memory: about a third of the
    records' at 100,000 incidents); a problem found later reads the lines again (test above)."""
    from incidentbook.parsecache import LazyLines

    pub = load_publication(example, save_cache=False)
    own_file = [origin for origin in pub.origins.values() if not origin.prefix]
    assert own_file and all(isinstance(origin.lines, LazyLines) and origin.lines._lines is None for origin in own_file)


def test_a_clean_load_parsed_in_two_processes_equals_one_in_one(example: Path, monkeypatch, forks: list):
    """Without a cache (a clean build), the data files are parsed in two processes
    (ParseCache.prefetch): the records, the problems with their lines and the cache written are
    those of a load in one process."""
    incident = example / GHOR
    incident.write_text(incident.read_text(encoding="utf-8").replace("said_by: amnesty-international", "said_by: amnesty", 1),
                        encoding="utf-8")
    broken = example / "data/actors/broken.yaml"
    broken.write_text("id: broken\nname: [unclosed\n", encoding="utf-8")
    seen = {}
    for workers in ("1", "2"):
        shutil.rmtree(example / "build", ignore_errors=True)
        monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", workers)
        forks.clear()
        problems = problems_of(example)
        cache = ParseCache(example).old
        broken.unlink()
        incident.write_text(incident.read_text(encoding="utf-8").replace("said_by: amnesty", "said_by: amnesty-international", 1),
                            encoding="utf-8")
        shutil.rmtree(example / "build")
        pub = load_publication(example)  # the example as it is, clean
        seen[workers] = (problems, cache, pub, len(forks))
        broken.write_text("id: broken\nname: [unclosed\n", encoding="utf-8")
        incident.write_text(incident.read_text(encoding="utf-8").replace("said_by: amnesty-international", "said_by: amnesty", 1),
                            encoding="utf-8")
    (one, one_cache, one_pub, one_forks), (two, two_cache, two_pub, two_forks) = seen["1"], seen["2"]
    assert one_forks == 0 and two_forks == 2  # one fork per clean load in two processes
    assert two == one
    assert any(p.startswith(f"{GHOR}:") and "unknown actor 'amnesty'" in p for p in two)
    assert any(p.startswith("data/actors/broken.yaml:3: malformed YAML") for p in two), two
    assert two_cache == one_cache and GHOR in two_cache and "data/actors/broken.yaml" not in two_cache
    assert two_pub.incidents == one_pub.incidents and two_pub.actors == one_pub.actors and two_pub.sources == one_pub.sources
    assert two_pub.places == one_pub.places and two_pub.context == one_pub.context and two_pub.info == one_pub.info


ODD_YAML = [
    "",  # empty: None
    "just text\n",  # a scalar document
    "a: 1\nb: [1, 2.5, yes, No, ~, 0x1f, 1_000, 2016-10-25, '2016-10-25', .inf, +12]\n",
    "a: {b: {c: [x, {d: e}]}}\n",
    "\ufeffid: bom\n",
    "a: &x [1]\nb: *x\n",  # an alias
    "a: 1\na: 2\n",  # a key twice
    "? [a, b]\n: c\n",  # a key that is not text
    "a: [unclosed\n",  # malformed
    "- " + "[" * 3 + "1" + "]" * 3 + "\n",
    "a:\n" + "".join(f"  - {i}\n" for i in range(2100)),
]


@pytest.mark.parametrize("text", ODD_YAML)
def test_a_file_parsed_ahead_has_parse_yaml_s_value_or_is_left_to_it(text: str, monkeypatch):
    """yamlio.parse_value (parsing ahead, without lines) gives parse_yaml's value, and refuses
    every file parse_yaml reports a problem in (which the load then parses to report it)."""
    from incidentbook import yamlio
    from incidentbook.yamlio import Refused, parse_value, parse_yaml

    monkeypatch.setattr(yamlio, "MAX_NODES", 2000)  # the last text has more values than this
    raw = text.encode("utf-8")
    try:
        expected = parse_yaml(raw, "x.yaml")[0]
    except ProblemsFound:
        with pytest.raises((ProblemsFound, Refused)):
            parse_value(raw, "x.yaml")
    else:
        assert parse_value(raw, "x.yaml") == expected


def test_every_file_of_the_example_parsed_ahead_has_parse_yaml_s_value(example: Path):
    from incidentbook.yamlio import parse_value, parse_yaml

    files = sorted((example / "data").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        raw = path.read_bytes()
        assert parse_value(raw, path.name) == parse_yaml(raw, path.name)[0], path


def test_records_checked_in_two_processes_give_the_problems_of_one(example: Path, monkeypatch, forks: list):
    """validate() shares the records out between processes from validate.MIN_RECORDS records on:
    the problems (in order, with their lines) and the verified quotes are those of one process."""
    from incidentbook import validate as validate_module

    clean = copy_example(example.parent / "clean")
    edits = {GHOR: [("said_by: amnesty-international", "said_by: amnesty"), ("killing of nearly 30 civilians", "killing of nearly 31 civilians")],
             "data/actors/taliban.yaml": [("kind: armed-group", "kind: armed-group\nparent: no-such-actor")]}
    for rel, pairs in edits.items():
        text = (example / rel).read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, (rel, old)
            text = text.replace(old, new, 1)
        (example / rel).write_text(text, encoding="utf-8")
    monkeypatch.setattr(validate_module, "MIN_RECORDS", 1)
    seen = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", workers)
        pub = load_publication(example)  # from the cache: nothing forked
        forks.clear()
        with pytest.raises(ProblemsFound) as caught:
            validate(pub)
        seen[workers] = ([str(p) for p in caught.value.problems], len(forks))
    (one, one_forks), (two, two_forks) = seen["1"], seen["2"]
    assert one_forks == 0 and two_forks == 1
    assert two == one
    assert len(one) >= 3
    assert any(p.startswith(f"{GHOR}:") and "unknown actor 'amnesty'" in p for p in two)
    assert any(p.startswith("data/actors/taliban.yaml:4: parent") and "no-such-actor" in p for p in two), two
    assert any(p.startswith(f"{GHOR}:") and "nearly 31 civilians" in p for p in two)
    verified = {}  # and the quotes verified, on the example as it is
    for workers in ("1", "2"):
        monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", workers)
        verification = validate(load_publication(clean))
        verified[workers] = (list(verification.lines.items()), sorted(verification.rows))
    assert verified["2"] == verified["1"] and len(verified["1"][0]) > 20
