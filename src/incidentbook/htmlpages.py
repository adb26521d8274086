"""Pages whose template writes HTML (`*.html.j2`: the record pages), put into the theme by
MkDocs without Python-Markdown (issue 8).

MkDocs converts every page's Markdown with Python-Markdown before the theme wraps it: about four
fifths of its time on an incident brief (profile of the 1,000-incident corpus), and record pages
are nearly all of a large publication's pages. A page whose front matter says `incidentbook_html: true`
already holds its HTML: `installed()` makes MkDocs take it as the page's content and do what its
own Markdown extensions would have done to it:

- relative links (`href`) to documents are resolved and rewritten by MkDocs's own code
  (`_RelativePathTreeprocessor.path_to_url`: `../places/ghor.md` becomes `../../places/ghor/`
  with directory URLs, a missing target is warned about as in a Markdown page);
- headings keep the ids the template gave them (`Headings`: Python-Markdown's toc slugs, unique
  on the page), get the permalink the `toc` extension is configured to add, and make the page's
  table of contents;
- every `id` on the page is an anchor other pages' links are checked against.

The HTML Python-Markdown would have made of the same content is what these templates write
(headings, tables, admonitions, details, footnotes with their back-links), so the theme's CSS and
JavaScript treat the page alike. Without `installed()` (a plain `mkdocs build` of docs/), such a
page is still a valid Markdown page of HTML blocks.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterator

from markdown.extensions.toc import nest_toc_tokens, slugify, unique
from markupsafe import Markup

from .render import html_text

FRONT_MATTER_KEY = "incidentbook_html"

_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
_HREF = re.compile(r'(<a\s[^>]*?href=")([^"#][^"]*)(")')
_ID = re.compile(r'\sid="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


class Headings:
    """The headings of one page, each with the id Python-Markdown's toc extension would give it
    (its text slugified, `_1`, `_2`… when taken)."""

    def __init__(self):
        self.ids: set[str] = set()

    def __call__(self, level: int, text: object, anchor: str | None = None) -> Markup:
        inner = str(text) if hasattr(text, "__html__") else html_text(text)
        plain = html.unescape(_TAG.sub("", inner))
        ident = unique(anchor or slugify(plain, "-"), self.ids)
        return Markup(f'<h{level} id="{ident}">{inner}</h{level}>')


def _permalink(config) -> tuple[str, str, str] | None:
    """(text, class, title) of the permalink the toc extension adds to a heading, or None."""
    names = [str(name) for name in config["markdown_extensions"]]
    if not any(name in ("toc", "markdown.extensions.toc") for name in names):
        return None
    options = (config["mdx_configs"] or {}).get("toc") or (config["mdx_configs"] or {}).get("markdown.extensions.toc") or {}
    mark = options.get("permalink", False)
    if not mark:
        return None
    return ("&para;" if mark is True else str(mark), options.get("permalink_class", "headerlink"),
            options.get("permalink_title", "Permanent link"))


def render(page, config, files) -> None:
    """What mkdocs.structure.pages.Page.render does, for a page that is HTML already."""
    from mkdocs.structure.pages import _RelativePathTreeprocessor
    from mkdocs.structure.toc import get_toc

    links = _RelativePathTreeprocessor(page.file, files, config)
    resolved: dict[str, str] = {}

    def link(match: re.Match) -> str:
        url = match[2]
        if url not in resolved:
            resolved[url] = html.escape(links.path_to_url(html.unescape(url)), quote=True)
        return match[1] + resolved[url] + match[3]

    body = _HREF.sub(link, page.markdown)
    permalink = _permalink(config)
    tokens: list[dict] = []

    def heading(match: re.Match) -> str:
        level, ident, inner = match[1], match[2], match[3]
        tokens.append({"level": int(level), "id": ident, "name": inner})
        if permalink is None:
            return match[0]
        text, css, title = permalink
        return (f'<h{level} id="{ident}">{inner}<a class="{css}" href="#{ident}" title="{html.escape(title)}">'
                f"{text}</a></h{level}>")

    body = _HEADING.sub(heading, body)
    page.content = body
    page.toc = get_toc(nest_toc_tokens(tokens))
    first = next((t for t in tokens if t["level"] == 1), None)
    page._title_from_render = html.unescape(_TAG.sub("", first["name"])) if first else None
    page.present_anchor_ids = set(_ID.findall(body))
    page.links_to_anchors = links.links_to_anchors


def is_html(page) -> bool:
    return bool(page.meta.get(FRONT_MATTER_KEY))


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """MkDocs takes pages marked `incidentbook_html: true` as HTML, for the duration (and in the
    processes forked meanwhile)."""
    from mkdocs.structure.pages import Page

    original = Page.render

    def page_render(self, config, files):
        if is_html(self):
            render(self, config, files)
        else:
            original(self, config, files)

    Page.render = page_render
    try:
        yield
    finally:
        Page.render = original
