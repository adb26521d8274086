"""fastmarkdown: MkDocs's pages convert to the same HTML with the inline shortcut as without."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from incidentbook import fastmarkdown

EXTENSIONS = ["tables", "footnotes", "admonition", "attr_list", "md_in_html", "pymdownx.details", "toc"]
CONFIGS = {"toc": {"permalink": True}}
HOSTILE = Path(__file__).parent / "hostile"

# one or more pieces of text for every inline pattern the shortcut knows, and plain text beside them
SNIPPETS = [
    "plain words in a cell | and another", "`code` and ``co`de``", "an escaped \\*star\\* and \\\\",
    "[a link](../x.md) and ![an image](y.png) and [ref][r]\n\n[r]: http://example.org",
    "[short] and ![short image]\n\n[short]: a.md\n[short image]: b.png",
    "<http://example.org> and <someone@example.org>", "two spaces  \nbreak the line",
    "<b>inline html</b> and <!-- a comment --> and &amp; &#169; &#x263A; & alone",
    "*em* **strong** ***both*** _em_ __strong__ a * lone star and a _ lone underscore",
    "a footnote[^1]\n\n[^1]: its text", "| a | b |\n|---|---|\n| plain | *em* |\n| `c` | [l](l.md) |",
    '!!! note "Title"\n\n    plain text in an admonition\n\n??? quote "More"\n\n    *em* inside',
    "# Heading {: #custom }\n\nplain {: .cls }", '<div markdown="1">plain *and em*</div>',
    "Quetta: 62 killed, more than 120 wounded (VOA, 26 Oct 2016) · “at least 30” — ‘nearly 30’",
]


def convert(text: str, extensions=EXTENSIONS) -> str:
    return markdown.Markdown(extensions=extensions, extension_configs=CONFIGS).convert(text)


def pages(root: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "docs").rglob("*.md"))]
    return [text.split("\n---\n", 1)[1] if text.startswith("---\n") else text for text in texts]


def test_same_html_for_every_pattern_and_hostile_input():
    texts = SNIPPETS + [p.read_text(encoding="utf-8") for p in sorted(HOSTILE.glob("*.txt"))]
    before = [convert(text) for text in texts]
    with fastmarkdown.installed() as on:
        assert on
        after = [convert(text) for text in texts]
    assert after == before
    assert convert("plain") == "<p>plain</p>"  # and put back afterwards
    assert fastmarkdown._ORIGINAL is markdown.treeprocessors.InlineProcessor._InlineProcessor__handleInline


def test_same_html_for_every_page_of_the_example(built_example):
    texts = pages(built_example)
    assert len(texts) > 30
    before = [convert(text) for text in texts]
    with fastmarkdown.installed():
        assert [convert(text) for text in texts] == before


@pytest.mark.parametrize("extension", ["abbr", "smarty"])
def test_extensions_that_change_plain_words_keep_doing_so(extension, monkeypatch):
    """Abbreviations (a tree processor) and smart quotes (inline patterns) change plain words."""
    text = "*[HTML]: Hyper Text Markup Language\n\nplain HTML here -- \"quoted\" ... and more"
    expected = convert(text, EXTENSIONS + [extension])
    assert expected != convert(text)  # the extension does change the plain words
    with fastmarkdown.installed():
        assert convert(text, EXTENSIONS + [extension]) == expected
        if extension == "smarty":  # its patterns are unknown to the shortcut, which stays off
            monkeypatch.setattr(fastmarkdown, "_only_known", lambda processor: True)
            assert convert(text, EXTENSIONS + [extension]) != expected
