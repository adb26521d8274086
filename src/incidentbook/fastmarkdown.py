"""A shortcut in Python-Markdown's inline processing, for MkDocs's page conversion (issue 8).

Python-Markdown tries each of its inline patterns (links, emphasis, code, escapes, entities, raw
HTML, line breaks, footnote references) on every piece of text of a page: a table cell, a list
item, a paragraph. In an incident brief 61% of those pieces are plain words, in which none of
them can match, yet trying them all is a fifth of the page's conversion (measured on the
10,000-incident corpus: 24.8 -> 19.1 ms a brief, the same HTML). With `installed()`, a piece of
text that holds none of the characters these patterns start with is returned as it is, which is
what trying them would have returned.

Only when the patterns registered are exactly Python-Markdown's own and the footnotes
extension's (the extensions incidentbook's mkdocs.yml names): a publication that adds an
extension with inline patterns of its own (abbreviations, emoji, smart quotes, pymdownx's marks,
keys or magic links...) gets Python-Markdown's processing unchanged. Python-Markdown's pattern
names and classes are checked, not its version, so a release that changed them turns the
shortcut off rather than changing a page.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from markdown import treeprocessors

# Every inline pattern the shortcut knows, and what its match must contain:
#   backtick "`"; escape "\"; reference, link, image_link, image_reference, short_reference,
#   short_image_ref and footnote "["; autolink, automail and html "<"; entity "&"; linebreak two
#   spaces and a newline; not_strong, em_strong and em_strong2 "*" or "_".
KNOWN = {
    "backtick": "markdown.inlinepatterns", "escape": "markdown.inlinepatterns",
    "reference": "markdown.inlinepatterns", "link": "markdown.inlinepatterns",
    "image_link": "markdown.inlinepatterns", "image_reference": "markdown.inlinepatterns",
    "short_reference": "markdown.inlinepatterns", "short_image_ref": "markdown.inlinepatterns",
    "autolink": "markdown.inlinepatterns", "automail": "markdown.inlinepatterns",
    "linebreak": "markdown.inlinepatterns", "html": "markdown.inlinepatterns",
    "entity": "markdown.inlinepatterns", "not_strong": "markdown.inlinepatterns",
    "em_strong": "markdown.inlinepatterns", "em_strong2": "markdown.inlinepatterns",
    "footnote": "markdown.extensions.footnotes",
}
# What any of them needs, and Python-Markdown's placeholders (STX, ETX) for stashed inline HTML.
MAY_MATCH = re.compile("[`\\\\\\[<&*_\x02\x03]|  \n")

_ORIGINAL = getattr(treeprocessors.InlineProcessor, "_InlineProcessor__handleInline", None)


def _only_known(processor: treeprocessors.InlineProcessor) -> bool:
    patterns = processor.inlinePatterns
    present = [name for name in KNOWN if name in patterns]
    return len(present) == len(patterns) and all(
        type(patterns[name]).__module__ == KNOWN[name] for name in present)


def _handle_inline(self, data: str, patternIndex: int = 0) -> str:
    if patternIndex == 0 and not MAY_MATCH.search(data):
        plain = self.__dict__.get("_ib_only_known")
        if plain is None:
            plain = self.__dict__["_ib_only_known"] = _only_known(self)
        if plain:
            return data
    return _ORIGINAL(self, data, patternIndex)


@contextlib.contextmanager
def installed() -> Iterator[bool]:
    """The shortcut, for the duration (and in processes forked meanwhile). Yields whether it is
    in place (False where this Python-Markdown has no such method to wrap)."""
    if _ORIGINAL is None:
        yield False
        return
    treeprocessors.InlineProcessor._InlineProcessor__handleInline = _handle_inline
    try:
        yield True
    finally:
        treeprocessors.InlineProcessor._InlineProcessor__handleInline = _ORIGINAL
