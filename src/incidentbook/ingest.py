"""`incidentbook add`: take in a new article as received and register it as a source.

The article's bytes are copied into seeds/ unchanged and never touched again; its SHA-256
fingerprint names the seed file and keeps the same article from being added twice. Nothing is
written unless every check passes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .debris import Debris, find_debris
from .evidence import normalise
from .load import MAX_SEED_BYTES
from .model import Source, error_message
from .problems import Problem, ProblemsFound

_STOPWORDS = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with", "from", "as",
              "is", "are", "was", "were", "after", "over", "says", "say", "said"}


@dataclass
class Added:
    source: Source
    seed_path: Path
    source_path: Path
    sha256: str
    debris: list[Debris]


def slugify(text: str, max_words: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words])


def source_id_for(publisher: str, published: dt.date, title: str) -> str:
    """'Voice of America (VOA)', 2016-10-26, 'Ghor killings' -> 'voa-2016-10-26-ghor-killings'."""
    acronym = re.search(r"\(([A-Za-z0-9]{2,10})\)", publisher)
    who = slugify(acronym.group(1) if acronym else re.sub(r"\(.*?\)", "", publisher), 3) or "source"
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _STOPWORDS]
    what = "-".join(words[:4])
    return "-".join(part for part in (who, published.isoformat(), what) if part)


def decode_article(raw: bytes, display: str) -> str:
    """The article as text; refuses empty, oversized and non-UTF-8 input, naming line and byte offset."""
    if not raw.strip():
        raise ProblemsFound([Problem(display, None, "", "the article is empty")])
    if len(raw) > MAX_SEED_BYTES:
        raise ProblemsFound([Problem(display, None, "", f"file is {len(raw):,} bytes; the limit for an article is {MAX_SEED_BYTES:,}")])
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(raw) - len(body)
        line = raw[:offset].count(b"\n") + 1
        raise ProblemsFound([Problem(display, line, "", f"not UTF-8: invalid byte 0x{raw[offset]:02x} at byte offset {offset}; "
                                                         "save the article as UTF-8 and add it again")]) from None
    if "\x00" in text:
        raise ProblemsFound([Problem(display, text[: text.index("\x00")].count("\n") + 1, "", "the file contains NUL bytes; is it really a text article?")])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_fingerprint(text: str) -> str:
    """sha256 of the text as quotes are matched against it (white space, quote marks and dashes normalised)."""
    return "text:" + hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def fingerprints(root: Path) -> dict[str, str]:
    """Fingerprint -> who holds it ('source <id>' or 'seeds/<file>'), for every registered source and seed file.

    Each seed is indexed twice: by the sha256 of its bytes and by text_fingerprint, so that the same
    article saved again with other line endings or quote marks is recognised too.
    """
    held: dict[str, str] = {}
    seeds = root / "seeds"
    by_seed: dict[str, str] = {}
    for path in sorted((root / "data" / "sources").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("seed"), str):
            by_seed[data["seed"]] = f"source {data.get('id', path.stem)} (data/sources/{path.name})"
    if seeds.is_dir():
        for path in sorted(seeds.iterdir()):
            if path.is_file():
                raw = path.read_bytes()
                holder = by_seed.get(path.name, f"seeds/{path.name} (not registered as a source)")
                held.setdefault(hashlib.sha256(raw).hexdigest(), holder)
                held.setdefault(text_fingerprint(raw.decode("utf-8", errors="replace").lstrip("\ufeff")), holder)
    return held


def _seed_name(root: Path, digest: str) -> str:
    seeds = root / "seeds"
    numbers = [int(m.group(1)) for p in seeds.glob("*") if (m := re.match(r"^(\d{3})_", p.name))] if seeds.is_dir() else []
    return f"{(max(numbers) + 1) if numbers else 0:03d}_{digest[:16]}.txt"


def _source_yaml(source: Source, digest: str, debris: list[Debris], title_from_text: bool) -> str:
    def scalar(value: object) -> str:
        if value is None:
            return ""
        dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True)
        return " " + dumped.removesuffix("\n...\n").removesuffix("\n")

    lines = [f"id: {source.id}", f"# fingerprint: sha256:{digest}", f"seed: {source.seed}"]
    if title_from_text:
        lines.append("# No title was given; the first line of the text stands as title.")
    lines += [
        f"title:{scalar(source.title)}",
        f"publisher:{scalar(source.publisher)}",
        f"author:{scalar(source.author)}",
        f"published: {source.published.isoformat()}",
        f"url:{scalar(source.url)}",
        f"language: {source.language}",
        "show_text: false",
        "licence:",
    ]
    if debris:
        lines.append("note: >")
        lines.append("  Scraped text; do not quote these lines as the article's words:")
        for d in debris:
            lines.append(f"  line {d.line} ({d.kind});")
    else:
        lines.append("note:")
    return "\n".join(lines) + "\n"


def add_article(root: Path, raw: bytes, display: str, *, title: str | None, publisher: str, published: dt.date,
                url: str | None = None, author: str | None = None, language: str = "en",
                source_id: str | None = None) -> Added:
    """Copy the article into seeds/ and write data/sources/<id>.yaml. Raises ProblemsFound; writes nothing then."""
    text = decode_article(raw, display)
    digest = hashlib.sha256(raw).hexdigest()
    known = fingerprints(root)
    if digest in known:
        raise ProblemsFound([Problem(display, None, "", f"this article is already in the publication: it is identical "
                                                         f"(sha256 {digest[:16]}…) to {known[digest]}")])
    if text_fingerprint(text) in known:
        raise ProblemsFound([Problem(display, None, "", "this article is already in the publication: its text is the same as "
                                                         f"{known[text_fingerprint(text)]} except for line endings, white space, "
                                                         "quote marks or dashes")])
    first_line = next((line.strip() for line in text.split("\n") if line.strip()), "")
    title_from_text = not title
    source_id = source_id or source_id_for(publisher, published, title or first_line)
    seed = _seed_name(root, digest)
    try:
        source = Source(id=source_id, seed=seed, title=title or first_line[:200], publisher=publisher, author=author or None,
                        published=published, url=url or None, language=language)
    except ValidationError as exc:
        raise ProblemsFound([Problem(display, None, ".".join(str(p) for p in err["loc"]) or "source",
                                     error_message(err)) for err in exc.errors()]) from None
    source_path = root / "data" / "sources" / f"{source.id}.yaml"
    if source_path.exists():
        raise ProblemsFound([Problem(str(source_path.relative_to(root)), None, "id",
                                     f"a source with id {source.id!r} already exists; pass --id with another id")])
    debris = find_debris(text)
    seed_path = root / "seeds" / seed
    seed_path.parent.mkdir(parents=True, exist_ok=True)
    source_path.parent.mkdir(parents=True, exist_ok=True)
    with open(seed_path, "xb") as out:
        out.write(raw)
    try:
        with open(source_path, "x", encoding="utf-8") as out:
            out.write(_source_yaml(source, digest, debris, title_from_text))
    except OSError:
        seed_path.unlink()
        raise
    return Added(source, seed_path, source_path, digest, debris)
