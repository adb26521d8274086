"""Keep the Markdown of record pages whose inputs did not change, instead of rendering it again (issue 5).

A rebuild after one revised article used to render every page of the publication with Jinja
(68 s of CPU at 10,000 incidents) to find that a few dozen had changed. The memo
(build/cache/render-memo.json, written by `generate` after the pages are on disk) records for each
record page (incident brief, actor profile, place, source page):

- the records it read while it was rendered ("shows": what `ref`, `describe` and the template's
  look-ups in `pub.incidents`, `pub.actors`, … touched; "incident/*" when it went through all of a
  kind) and its input hash over them (manifest.Inputs: the file of each such record, with its
  article for a source, plus the templates and configuration);
- the SHA-256, size and modification time of the Markdown written for it;

and for the whole build: the hash of each record, and a context key over everything else that
shapes every page (manifest.Inputs.common: tool version, templates, mkdocs.yml, publication and
vocabulary files; the edition's tool version and date; whether PDFs are linked; SOURCE_DATE_EPOCH;
the context figures; the newest commit of the inputs every page depends on).

Git history enters per record, not through the commit being built: a record's hash includes its
revisions (commits, field changes, the source changes they follow) and whether it has uncommitted
changes, which is all its page's revision history and "as of commit" label are made of
(history.History.page_edition). A new commit therefore renders again the pages of the records it
touched, not every page, as keying on HEAD did.

A page is kept, not rendered, only when the context key is the memo's, the input hash over the
records it showed last time is unchanged, its file in docs/ is the one the memo describes, and no
changed, added or removed record refers to it: a record's references, before (the records its own
page showed) and after (the ids in its fields), with their parent places and actors (a place's page
lists the incidents of the places within it; an actor's, those of its branches), make those pages
render again, since a list of the incidents in a place or of an actor can gain or lose a member
without any record the page showed changing. Listing, section and aggregate pages always render.
Pages of a publication with its own site templates (templates/site/) always render: what they read
is not known. Every incremental build is compared with a clean build by the tests.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from .load import Publication
from .manifest import Inputs
from .site import RECORD_KINDS, page_url, record_at

MEMO = Path("build") / "cache" / "render-memo.json"
FORMAT = "5"  # 3: an incident brief's charts have no site image (chartkit.Chart.site_image); 4: briefs in HTML (htmlpages.py); 5: classes for search to leave out (ib-chart-data, ib-cite)
STORES = ("incident", "actor", "place", "source", "context")


class Kept:
    """A page's Markdown that is already in docs/: left as the last build wrote it (its bytes are
    not read), or written just now (`written`: its bytes had changed; site.render_pages)."""

    __slots__ = ("sha256", "written")

    def __init__(self, sha256: str, written: bool = False):
        self.sha256, self.written = sha256, bool(written)


def record_page(path: str) -> tuple[str, str] | None:
    """(kind, id) when `path` (under docs/) is a record's page (site.page_url), not a listing page."""
    return record_at(path) if path.endswith(".md") else None


def page_of(dep: str) -> str | None:
    """The page of the record "kind/id" (site.page_url); None for a kind without pages, or "kind/*"."""
    kind, _, record_id = dep.partition("/")
    return page_url(kind, record_id) if kind in RECORD_KINDS and record_id != "*" else None


def context_key(inputs: Inputs, edition, pdf_links: bool, history=None) -> str:
    """Everything but the records that shapes every record page. The edition's commit is not in it: the
    pages show per-record commits (history_key) and the newest commit of the global inputs."""
    newest = getattr(history, "global_commit", None)
    git = (f"{history.available}:{newest.sha if newest else ''}:{history.dirty_global}"
           if history is not None else "-")
    parts = [FORMAT, inputs.common, repr((edition.version, edition.date)) if edition is not None else "-",
             str(bool(pdf_links)), os.environ.get("SOURCE_DATE_EPOCH", ""), inputs.record("context/*"), git]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def history_key(history, dep: str) -> str:
    """What pages show of a record's git history ("kind/id"): its revisions and whether it has
    uncommitted changes; "" without history or for "kind/*"."""
    if history is None or not history.available:
        return ""
    kind, _, record_id = dep.partition("/")
    revisions = history.of(kind, record_id)
    if not revisions and dep not in history.dirty_records:
        return ""
    shown = [(r.commit.sha, r.commit.time, r.commit.subject, r.commit.order, r.action,
              [(c.field, c.old, c.new) for c in r.changes], r.more_changes,
              [(sid, c.sha, c.time) for sid, c in r.caused_by]) for r in revisions]
    text = repr((shown, dep in history.dirty_records))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shown(hashes: Mapping[str, str], shows) -> str:
    """The hashes (history included) of the records a page showed, for its key."""
    return "\0".join(hashes.get(dep, "") for dep in sorted(shows))


def own_templates(root: Path) -> bool:
    folder = root / "templates" / "site"
    return folder.is_dir() and any(p.is_file() and p.name not in (".keep", "README.md") for p in folder.rglob("*"))


def record_hashes(pub: Publication, inputs: Inputs, history=None) -> dict[str, str]:
    """"kind/id" -> the record's input hash, with its history (history_key) when it has one."""
    out = {}
    for kind in STORES:
        for rid in pub.store(kind):
            dep = f"{kind}/{rid}"
            past = history_key(history, dep)
            out[dep] = inputs.record(dep) + (f"+{past}" if past else "")
    return out


def references(pub: Publication, kind: str, record_id: str) -> set[str]:
    """"kind/id" of the records a record's fields name, with the parents of each place and actor."""
    from .validate import _references, walk

    record = pub.store(kind).get(record_id)
    found: set[str] = set()
    if record is not None:
        for _, obj in walk(record):
            for name, target in _references(type(obj)):
                value = getattr(obj, name)
                for ref in value if isinstance(value, list) else [value]:
                    if ref is not None:
                        found.add(f"{target}/{ref}")
    return found


def _with_parents(pub: Publication, deps: set[str]) -> set[str]:
    out = set(deps)
    for dep in deps:
        kind, _, record_id = dep.partition("/")
        store = pub.places if kind == "place" else pub.actors if kind == "actor" else None
        seen = set()
        while store is not None and record_id in store and record_id not in seen:
            seen.add(record_id)
            record_id = getattr(store[record_id], "parent", None)
            if record_id:
                out.add(f"{kind}/{record_id}")
    return out


def load(root: Path) -> dict | None:
    try:
        memo = json.loads((root / MEMO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return memo if isinstance(memo, dict) and memo.get("format") == FORMAT else None


def reusable(root: Path, pub: Publication, inputs: Inputs, context: str, memo: dict | None,
             hashes: Mapping[str, str]) -> dict[str, dict]:
    """The record pages whose Markdown in docs/ can be kept: path -> memo entry."""
    if memo is None or memo.get("context") != context or own_templates(root):
        return {}
    before: dict[str, str] = memo.get("records", {})
    pages: dict[str, dict] = memo.get("pages", {})
    changed = {dep for dep in hashes.keys() | before.keys() if hashes.get(dep) != before.get(dep)}
    touched: set[str] = set()
    for dep in changed:
        kind, _, record_id = dep.partition("/")
        touched.add(dep)
        touched |= set(pages.get(page_of(dep) or "", {}).get("shows", ()))  # what it referred to before
        touched |= references(pub, kind, record_id)  # and now
    affected = {page_of(dep) for dep in _with_parents(pub, touched)}
    keep: dict[str, dict] = {}
    docs = root / "docs"
    for path, entry in pages.items():
        shows = entry.get("shows", ())
        if path in affected or entry.get("inputs") != _key(context, inputs.of(path, shows), _shown(hashes, shows)):
            continue
        try:
            stat = (docs / path).stat()
        except OSError:
            continue
        if [stat.st_size, stat.st_mtime_ns] == entry.get("stat"):
            keep[path] = entry
    return keep


def _key(context: str, page_inputs: str, past: str) -> str:
    return hashlib.sha256(f"{context}\0{page_inputs}\0{past}".encode()).hexdigest()


def save(root: Path, context: str, hashes: Mapping[str, str], manifest_outputs: Mapping[str, dict]) -> None:
    """Record the record pages just written to docs/ (after `write_pages`)."""
    pages = {}
    for path, entry in manifest_outputs.items():
        if record_page(path) is None:
            continue
        try:
            stat = (root / "docs" / path).stat()
        except OSError:
            continue
        pages[path] = {"inputs": _key(context, entry["inputs"], _shown(hashes, entry["shows"])),
                       "shows": entry["shows"], "sha256": entry["sha256"],
                       "stat": [stat.st_size, stat.st_mtime_ns]}
    target = root / MEMO
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "context": context, "records": dict(sorted(hashes.items())),
                               "pages": pages}, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def forget(root: Path) -> None:
    (root / MEMO).unlink(missing_ok=True)
