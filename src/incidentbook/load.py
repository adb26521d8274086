"""Load a publication: read seeds and curated YAML into validated model objects.

Every problem found is collected (not only the first) with its file, line and field.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .datasets import read_dataset
from .model import Actor, ContextFigure, EventType, Incident, Place, PublicationInfo, Source, Vocabulary, error_message
from .problems import Problem, ProblemsFound, field_path
from .gcpause import gc_paused
from .parsecache import LazyLines, ParseCache
from .yamlio import LineMap, line_for

MAX_SEED_BYTES = 5_000_000


@dataclass
class Origin:
    path: str  # relative to the publication root, for messages
    lines: LineMap | LazyLines  # lazy when the file's value came from the parse cache
    prefix: tuple = ()  # key path of the record inside its file

    def line(self, loc: tuple = ()) -> int | None:
        return line_for(self.lines, self.prefix + tuple(loc))


@dataclass
class Seed:
    path: str
    text: str  # decoded, BOM removed, line endings normalised to \n
    sha256: str
    rows: list[str] | None = None  # a dataset's rows as 'column: value; ...' (datasets.row_text); None for an article


@dataclass
class Publication:
    root: Path
    info: PublicationInfo
    vocabulary: Vocabulary
    sources: dict[str, Source] = field(default_factory=dict)
    seeds: dict[str, Seed] = field(default_factory=dict)  # by source id
    incidents: dict[str, Incident] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    context: dict[str, ContextFigure] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)  # (kind, id) -> origin
    problems: list[Problem] = field(default_factory=list)  # found while loading; validate() reports them
    failed: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of records that did not load
    file_sha256: dict[str, str] = field(default_factory=dict)  # data file (as in Origin.path) -> SHA-256 of its bytes

    def origin(self, kind: str, record_id: str) -> Origin:
        return self.origins[(kind, record_id)]

    def store(self, kind: str) -> dict:
        """The records of a kind ("incident", "actor", "place", "source", "context"), by id."""
        return {"incident": self.incidents, "actor": self.actors, "place": self.places, "source": self.sources,
                "context": self.context}[kind]


def _validation_problems(exc: ValidationError, origin: Origin) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        msg = error_message(err)
        marked = re.match(r"^@(\w+): ", msg)  # a model-level check naming the field it is about
        if marked:
            loc, msg = loc + (marked.group(1),), msg[marked.end():]
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check its spelling against the methodology page"
        elif err["type"] == "missing":
            msg = "required field is missing"
        problems.append(Problem(origin.path, origin.line(loc), field_path(loc), msg))
    return problems


def _validate(model: type[BaseModel], data: object, origin: Origin, problems: list[Problem]):
    if not isinstance(data, dict):
        problems.append(Problem(origin.path, origin.line(), "", f"expected a mapping of fields, found {type(data).__name__}"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, origin))
        return None


def read_seed(path: Path, display: str) -> Seed:
    """Read a seed as received. Refuses non-UTF-8 text, naming the byte offset."""
    if not path.is_file():
        raise ProblemsFound([Problem(display, None, "seed", "seed file not found")])
    size = path.stat().st_size
    if size > MAX_SEED_BYTES:
        raise ProblemsFound([Problem(display, None, "seed", f"file is {size:,} bytes; the limit for an article is {MAX_SEED_BYTES:,}")])
    raw = path.read_bytes()
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(raw) - len(body))
        line = raw[:offset].count(b"\n") + 1
        raise ProblemsFound([Problem(display, line, "seed", f"not UTF-8: invalid byte 0x{raw[offset]:02x} at byte offset {offset}; convert the file to UTF-8 (the original stays in git history)")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Seed(display, text, hashlib.sha256(raw).hexdigest())


def _yaml_names(root: Path, folder: str) -> list[str]:
    """The names of the files data/<folder>/*.yaml, sorted. Names rather than Paths: sorting and
    relating 17,000 Paths was about 0.5 s of a 10,000-incident load."""
    try:
        with os.scandir(root / "data" / folder) as entries:
            return sorted(entry.name for entry in entries if entry.name.endswith(".yaml"))
    except OSError:  # no such folder, not a folder, unreadable: nothing to load from it
        return []


# What load_publication reads under data/ (and _data_files lists for it):
INFO_FILES = ("publication.yaml", "vocabulary.yaml")
RECORD_FOLDERS = (  # (kind, folder, model): one record per file
    ("source", "sources", Source),
    ("incident", "incidents", Incident),
    ("actor", "actors", Actor),
    ("place", "places", Place),  # one file per place, beside data/places.yaml (e.g. imported)
)
LIST_FILES = (  # (kind, file, key, model): a file holding a list of records under `key`
    ("place", "places.yaml", "places", Place),
    ("context", "context.yaml", "figures", ContextFigure),
)
EVENT_TYPES = "event-types"  # one file per event type, beside data/vocabulary.yaml (e.g. imported)


def _data_files(listing: dict[str, list[str]]) -> list[str]:
    """Every YAML file load_publication reads, as it reports it (data/…, relative to the root), from
    the names found in each folder (_yaml_names): parsed ahead, in several processes, on a clean
    build (ParseCache.prefetch). A name that is not a readable file is skipped there and reported
    when load_publication reads it."""
    names = [*INFO_FILES, *(filename for _, filename, _, _ in LIST_FILES)]
    return [f"data/{name}" for name in names] + [f"data/{folder}/{name}" for folder, names in listing.items() for name in names]


@gc_paused
def load_publication(root: Path, save_cache: bool = True) -> Publication:
    """Read and validate every record under data/ and every seed.

    Problems are collected in `pub.problems` (records that fail are left out) so that
    `validate()` can report them together with cross-record problems. Parsed files are cached in
    build/cache/ (parsecache.ParseCache; written unless save_cache is False)."""
    root = root.resolve()
    problems: list[Problem] = []
    cache = ParseCache(root)
    listing = {folder: _yaml_names(root, folder) for folder in (*(folder for _, folder, _ in RECORD_FOLDERS), EVENT_TYPES)}
    cache.prefetch(root, _data_files(listing))

    def read(display: str):
        """The value and origin of data file `display` (its path relative to the root)."""
        try:
            data, lines = cache.load(root / display, display)
        except ProblemsFound as exc:
            problems.extend(exc.problems)
            return None, Origin(display, {})
        return data, Origin(display, lines)

    info_data, info_origin = read(f"data/{INFO_FILES[0]}")
    info = _validate(PublicationInfo, info_data, info_origin, problems) if info_data is not None else None
    vocab_data, vocab_origin = read(f"data/{INFO_FILES[1]}")
    vocabulary = _validate(Vocabulary, vocab_data, vocab_origin, problems) if vocab_data is not None else None

    pub = Publication(root, info or PublicationInfo(title="(untitled)"), vocabulary or Vocabulary(event_types=[]))

    def add(kind: str, store: dict, model: type[BaseModel], data, origin: Origin, own_file: bool = False):
        """own_file: the record has origin.path to itself (one record per file); its line map is dropped once the record
        is valid: line numbers are needed only to report a problem, and are then read again from the
        file (LazyLines). Kept, the line maps of a 100,000-incident publication were about a third of
        the memory its records take."""
        record = _validate(model, data, origin, problems)
        if record is None:
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                pub.failed.add((kind, data["id"]))
            return
        key = (kind, record.id)
        if key in pub.origins:
            first = pub.origins[key]
            problems.append(Problem(origin.path, origin.line(("id",)), "id", f"duplicate {kind} id {record.id!r}; first defined in {first.path}:{first.line(('id',))}"))
            return
        store[record.id] = record
        if own_file and not isinstance(origin.lines, LazyLines):
            origin = Origin(origin.path, LazyLines(root / origin.path, origin.path), origin.prefix)
        pub.origins[key] = origin

    for kind, folder, model in RECORD_FOLDERS:
        store = pub.store(kind)
        for name in listing[folder]:
            stem = name.removesuffix(".yaml")
            data, origin = read(f"data/{folder}/{name}")
            if data is None:
                pub.failed.add((kind, stem))  # unreadable: its id is its file name
            else:
                add(kind, store, model, data, origin, own_file=True)
                record = store.get(data.get("id")) if isinstance(data, dict) else None
                if record is not None and stem != record.id:
                    problems.append(Problem(origin.path, origin.line(("id",)), "id", f"the file name must be the id: rename to {record.id}.yaml or change the id to {stem!r}"))

    for kind, filename, key, model in LIST_FILES:
        store = pub.store(kind)
        if not (root / "data" / filename).exists():
            continue
        data, origin = read(f"data/{filename}")
        if data is None:
            continue
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            problems.append(Problem(origin.path, origin.line(), key, f"expected a top-level `{key}:` list"))
            continue
        for i, item in enumerate(data[key]):
            add(kind, store, model, item, Origin(origin.path, origin.lines, (key, i)))

    for name in listing[EVENT_TYPES]:
        data, origin = read(f"data/{EVENT_TYPES}/{name}")
        event_type = _validate(EventType, data, origin, problems) if data is not None else None
        if event_type is not None and all(t.id != event_type.id for t in pub.vocabulary.event_types):
            pub.vocabulary.event_types.append(event_type)

    for source_id, source in pub.sources.items():
        origin = pub.origin("source", source_id)
        if source.kind == "dataset":
            try:
                sha256, rows = read_dataset(root, source.seed, source.encoding, source.sha256, origin.path)
                pub.seeds[source_id] = Seed(source.seed, "", sha256, rows)
            except ProblemsFound as exc:
                problems.extend(exc.problems)
            continue
        seed_path = (root / "seeds" / source.seed)
        if ".." in Path(source.seed).parts or Path(source.seed).is_absolute():
            problems.append(Problem(origin.path, origin.line(("seed",)), "seed", f"{source.seed!r} must be a file name inside seeds/"))
            continue
        if seed_path.is_symlink() and not seed_path.resolve().is_relative_to((root / "seeds").resolve()):
            problems.append(Problem(origin.path, origin.line(("seed",)), "seed", f"seeds/{source.seed} is a link to {seed_path.resolve()}, outside seeds/; copy the article into seeds/ instead"))
            continue
        try:
            pub.seeds[source_id] = read_seed(seed_path, f"seeds/{source.seed}")
        except ProblemsFound as exc:
            for p in exc.problems:
                if p.message == "seed file not found":
                    problems.append(Problem(origin.path, origin.line(("seed",)), "seed", f"seeds/{source.seed} not found"))
                else:
                    problems.append(p)

    pub.problems = problems
    pub.file_sha256 = cache.digests
    if save_cache:
        cache.save()
    return pub
