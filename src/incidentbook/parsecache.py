"""A cache of parsed data files, so a rebuild parses only the YAML files whose bytes changed.

Parsing YAML with line numbers is most of the cost of loading a large publication (about 0.85 ms
per incident file; 17,000 files at 10,000 incidents). The cache keeps each file's parsed value
(plain dicts, lists, text and numbers) keyed by the SHA-256 of its bytes, in
build/cache/parsed.pickle. Line numbers are not cached: they are needed only to report a problem,
and are then read again from the file (see LazyLines).

The cache never changes a result: a file is looked up by the hash of the bytes just read, a stale
or unreadable cache is ignored, and its format carries the tool version. It is a pickle (3-4x
faster to read than marshal for these values) read by an unpickler that refuses every class and
function, so a planted cache file can hold only plain values, never code.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Mapping
from pathlib import Path

from . import __version__
from .problems import ProblemsFound
from .yamlio import MAX_BYTES, LineMap, Refused, load_yaml, parse_value, parse_yaml

FORMAT = f"incidentbook {__version__} parsed-yaml 2"


class _PlainValues(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"the parse cache holds only plain values, not {module}.{name}")


class LazyLines(Mapping):
    """The line map of a file, parsed on first use (only when a problem is reported): a mapping
    like yamlio's LineMap, so yamlio.line_for reads either."""

    def __init__(self, path: Path, display: str):
        self.path, self.display, self._lines = path, display, None

    def _loaded(self) -> LineMap:
        if self._lines is None:
            try:
                self._lines = load_yaml(self.path, self.display)[1]
            except ProblemsFound:
                self._lines = {}
        return self._lines

    def __getitem__(self, key: tuple) -> int:
        return self._loaded()[key]

    def __iter__(self):
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


class ParseCache:
    """Each file's parsed value is held as its own pickle (bytes), unpickled when the file is read:
    a parsed value is then garbage once its record is built, instead of being kept, with every
    other file's, until the cache is saved (at 100,000 incidents that was about 2 GB of dicts)."""

    def __init__(self, root: Path | None):
        self.path = root / "build" / "cache" / "parsed.pickle" if root is not None else None
        self.old: dict[str, tuple[str, bytes]] = {}
        self.new: dict[str, tuple[str, bytes]] = {}
        self.misses = 0  # files parsed by load() itself: the cache is saved when any was
        self.fetched: dict[str, tuple[str, bytes]] = {}  # parsed ahead in this run (prefetch), not yet loaded
        self.digests: dict[str, str] = {}  # SHA-256 of every file read, for the manifest's input hashes
        if self.path is not None and self.path.is_file():
            try:
                stored = _PlainValues(io.BytesIO(self.path.read_bytes())).load()
                if isinstance(stored, dict) and stored.get("format") == FORMAT:
                    self.old = stored["files"]
            except (OSError, EOFError, ValueError, TypeError, KeyError, pickle.UnpicklingError):
                self.old = {}

    def prefetch(self, root: Path, files: list[str]) -> None:
        """With an empty cache (a clean build, a fresh clone), parse `files` (paths relative to
        root, as load_publication names them) in several processes (forkmap.fork_map, as many as
        parallelpages.workers_for allows), so that load() takes their values from here instead of
        reading them again: composing YAML and walking its nodes is most of a cold load (about
        0.7 ms per incident file), and it needs nothing but each file's bytes. A file that cannot
        be read, or has problems, is left out and read by load(), which reports it."""
        if self.old or self.path is None:
            return
        from .forkmap import fork_map
        from .parallelpages import workers_for

        workers = workers_for(len(files))
        if workers <= 1:
            return
        for display, parsed in zip(files, fork_map([(str(root / display), display) for display in files], _parsed, workers)):
            if parsed is not None:
                self.fetched[display] = parsed

    def load(self, path: Path, display: str) -> tuple[object, LineMap | LazyLines]:
        """(data, lines) as yamlio.load_yaml gives them; lines are lazy when the data came from the
        cache or was parsed ahead (prefetch: the file is not read again)."""
        fetched = self.fetched.pop(display, None)
        if fetched is not None:
            self.digests[display] = fetched[0]
            self.new[display] = fetched
            return pickle.loads(fetched[1]), LazyLines(path, display)  # pickled by this build's own process
        try:
            raw = path.read_bytes()
        except OSError:
            return load_yaml(path, display)  # reports the error
        digest = hashlib.sha256(raw).hexdigest()
        cached = self.old.get(display)
        self.digests[display] = digest
        if (isinstance(cached, tuple) and len(cached) == 2 and cached[0] == digest
                and isinstance(cached[1], bytes) and len(raw) <= MAX_BYTES):
            try:
                data = _PlainValues(io.BytesIO(cached[1])).load()
            except (EOFError, ValueError, TypeError, KeyError, pickle.UnpicklingError):
                pass  # parsed again below
            else:
                self.new[display] = cached
                return data, LazyLines(path, display)
        self.misses += 1
        data, lines = parse_yaml(raw, display)  # raises ProblemsFound: a file with problems is not cached
        self.new[display] = (digest, pickle.dumps(data, protocol=5))
        return data, lines

    def save(self) -> None:
        """Store what this load read (files no longer present drop out); only when something changed."""
        if self.path is None or (self.misses == 0 and self.new.keys() == self.old.keys()):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps({"format": FORMAT, "files": self.new}, protocol=5))
            os.replace(tmp, self.path)
        except (OSError, ValueError, pickle.PicklingError):
            pass  # a cache that cannot be written costs time, never a result


def _parsed(item: tuple[str, str]) -> tuple[str, bytes] | None:
    """(SHA-256, pickled value) of a file as the cache holds it (ParseCache.prefetch), or None."""
    path, display = item
    try:
        raw = Path(path).read_bytes()
        data = parse_value(raw, display)  # refuses a file over MAX_BYTES, as parse_yaml does
    except (OSError, ProblemsFound, Refused):
        return None
    return hashlib.sha256(raw).hexdigest(), pickle.dumps(data, protocol=5)
