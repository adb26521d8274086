"""Check every internal link of a built site: the target file exists and, for #anchors, the id does."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
                   ("iframe", "src"), ("object", "data")}


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.target}: {self.reason}"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if (tag, name) in LINK_ATTRIBUTES and value:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def check_links(site: Path) -> tuple[int, list[BrokenLink]]:
    """Return (links checked, broken links) for every HTML page under site."""
    site = site.resolve()
    parsed: dict[Path, _Page] = {}

    def page(path: Path) -> _Page:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    broken: list[BrokenLink] = []
    checked = 0
    for html_file in sorted(site.rglob("*.html")):
        rel_page = html_file.relative_to(site).as_posix()
        for link in page(html_file).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "tel:", "data:")):
                continue  # not internal (privacy checks forbid fetching other hosts separately)
            checked += 1
            if parts.path:
                base = "" if parts.path.startswith("/") else posixpath.dirname(rel_page)  # "/x": from the site root
                target_rel = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
                if target_rel.startswith(".."):
                    broken.append(BrokenLink(rel_page, link, "points outside the site"))
                    continue
                target = site / target_rel
                if parts.path.endswith("/") or target.is_dir():
                    target = target / "index.html"
            else:
                target = html_file
            if not target.is_file():
                broken.append(BrokenLink(rel_page, link, "no such file"))
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in page(target).ids:
                broken.append(BrokenLink(rel_page, link, f"no element with id {parts.fragment!r}"))
    return checked, sorted(set(broken))
