"""Jinja environment for Markdown pages: every value from data or articles is escaped.

Templates write Markdown. Anything a template prints with `{{ }}` is escaped for Markdown and
HTML unless it is `Markup` made by one of the helpers here, so a quote containing `<script>`,
`[link](javascript:…)` or `{: onclick=… }` prints literally.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import re
import traceback
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from .ledger import count_label, grouped_statements, ledger, phrase_summary
from .problems import Problem

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_SPACE = re.compile(r"\s+")


def md_escape(value: object) -> str:
    """Escape text so Python-Markdown prints it literally (HTML, emphasis, links, attr lists)."""
    if value is None:
        return ""
    if type(value) is str:  # names, dates and labels recur on thousands of pages
        return _md_escape_text(value)
    return _escape(str(value))


def _escape(text: str) -> str:
    text = _SPACE.sub(" ", text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return html.escape(text, quote=False).replace("|", "&#124;")


_md_escape_text = functools.lru_cache(maxsize=200_000)(_escape)


def _finalize(value: object) -> object:
    return value if isinstance(value, Markup) else md_escape(value)


def md(value: object) -> Markup:
    return Markup(md_escape(value))


def yaml_string(value: object) -> Markup:
    """A value for YAML front matter (JSON strings are valid YAML), HTML-escaped: MkDocs treats a
    page's title and description as HTML, and the theme prints them unescaped into `<title>`,
    `<meta content="…">`, the header and search results."""
    return Markup(json.dumps(html.escape(" ".join(str(value or "").split()), quote=True), ensure_ascii=False))


def attr(value: object) -> Markup:
    """Text for an HTML attribute value in a page. Every character but letters, digits, spaces and
    `,.-` becomes a numeric entity: Python-Markdown runs its link, footnote, emphasis and code
    patterns before it protects inline HTML, and in a table cell a `|` splits the tag, so
    `title="[x](javascript:…)"` would otherwise become a link inside the attribute."""
    text = " ".join(str(value or "").split())
    return Markup("".join(c if c.isalnum() or c in " ,.-" else f"&#{ord(c)};" for c in text))


def anchor(value: str) -> Markup:
    """An id for an HTML anchor; only lowercase slugs are accepted (record ids are validated slugs)."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise ValueError(f"{value!r} is not a slug")
    return Markup(value)


def link(text: object, target: str) -> Markup:
    """A Markdown link with escaped text; the target is built by the generator, never from data."""
    return Markup(f"[{md_escape(text)}]({target})")


def paragraphs(value: object) -> Markup:
    """Escaped text keeping blank-line paragraph breaks."""
    parts = [md_escape(p) for p in re.split(r"\n\s*\n", str(value or "")) if p.strip()]
    return Markup("\n\n".join(parts))


class Citations:
    """Numbered footnotes for quotes on one page; the same quote cited twice keeps one number."""

    def __init__(self, describe):
        self._describe = describe  # Evidence -> Markup (footnote body)
        self._numbers: dict[tuple[str, str], int] = {}
        self._bodies: list[Markup] = []
        self._uses: dict[int, int] = {}  # footnote number -> marks so far

    MARKDOWN_REFS = 20  # per footnote; later marks are plain links (see cite)

    def cite(self, evidence) -> Markup:
        key = (evidence.source, evidence.quote)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
            self._bodies.append(self._describe(evidence))
        number = self._numbers[key]
        self._uses[number] = self._uses.get(number, 0) + 1
        if self._uses[number] > self.MARKDOWN_REFS:
            # Python-Markdown numbers repeated references to one footnote in quadratic time and gives
            # the footnote one back-link per reference: a record with 10,000 casualty reports citing
            # one quote would take hours. Past the first few, the mark links to the footnote only.
            return Markup(f'<sup class="ib-fnref"><a class="footnote-ref" href="#fn:{number}">{number}</a></sup>')
        return self._mark(number, self._uses[number])

    def _mark(self, number: int, use: int) -> Markup:
        return Markup(f"[^{number}]")

    def cite_all(self, evidence_list) -> Markup:
        return Markup("".join(self.cite(e) for e in evidence_list))

    def definitions(self) -> Markup:
        return Markup("\n".join(f"[^{i}]: {body}" for i, body in enumerate(self._bodies, 1)))


class HtmlCitations(Citations):
    """Citations for a page written in HTML (htmlpages.py): the marks and the list of footnotes
    Python-Markdown's footnotes extension makes of `[^n]` (ids fnref:n, fnref2:n… and fn:n, one
    back-link per mark)."""

    @staticmethod
    def _ref_id(number: int, use: int) -> str:
        return f"fnref:{number}" if use == 1 else f"fnref{use}:{number}"

    def _mark(self, number: int, use: int) -> Markup:
        return Markup(f'<sup id="{self._ref_id(number, use)}"><a class="footnote-ref" href="#fn:{number}">{number}</a></sup>')

    def definitions(self) -> Markup:
        if not self._bodies:
            return Markup("")
        items = []
        for number, body in enumerate(self._bodies, 1):
            title = f"Jump back to footnote {number} in the text"
            back = "".join(f'<a class="footnote-backref" href="#{self._ref_id(number, use)}" title="{title}">&#8617;</a>'
                           for use in range(1, min(self._uses.get(number, 0), self.MARKDOWN_REFS) + 1))
            items.append(f'<li id="fn:{number}">\n<p>{body}&#160;{back}</p>\n</li>')
        return Markup('<div class="footnote">\n<hr />\n<ol>\n' + "\n".join(items) + "\n</ol>\n</div>")


def html_text(value: object) -> str:
    """Text for the HTML of a page written in HTML, escaped as Python-Markdown escapes text (& < >;
    quotes are left as they are outside attributes: `html_attr` escapes them there)."""
    return "" if value is None else html.escape(str(value), quote=False)


def html_link(text: object, target: str) -> Markup:
    """An HTML link with escaped text; the target (a path under docs/, as for `link`) is built by
    the generator, never from data, and resolved by MkDocs (htmlpages.py)."""
    return Markup(f'<a href="{escape(target)}">{html_text(text)}</a>')


def html_paragraphs(value: object) -> Markup:
    """Escaped text as HTML paragraphs, at its blank-line breaks."""
    parts = [html_text(" ".join(p.split())) for p in re.split(r"\n\s*\n", str(value or "")) if p.strip()]
    return Markup("\n".join(f"<p>{p}</p>" for p in parts))


def _html_finalize(value: object) -> object:
    return value if hasattr(value, "__html__") else Markup(html_text(value))


def html_attr(value: object) -> Markup:
    """Text for an HTML attribute value (quoted with ") in an HTML template."""
    return Markup(html.escape(" ".join(str(value or "").split()), quote=True))


def environment(publication_templates: Path, kind: str = "site", html: bool = False) -> Environment:
    """The templates of `kind` (the publication's own first, then the built-in ones). Markdown
    templates print values escaped for Markdown; with `html`, for the templates that write HTML
    (`*.html.j2`, htmlpages.py), values are escaped for HTML and the helpers return HTML."""
    loaders = []
    if (publication_templates / kind).is_dir():
        loaders.append(FileSystemLoader(str(publication_templates / kind)))
    loaders.append(PackageLoader("incidentbook", f"builtin/{kind}"))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=html, finalize=_html_finalize if html else _finalize,
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(yaml=yaml_string, anchor=anchor)
    if html:
        env.filters.update(paragraphs=html_paragraphs, attr=html_attr)
    else:
        env.filters.update(md=md, paragraphs=paragraphs, attr=attr)
    env.globals.update(link=html_link if html else link, NL=Markup("\n"), ledger=ledger, phrase_summary=phrase_summary,
                       grouped_statements=grouped_statements, count_label=count_label)
    return env


def template_problem(exc: Exception, root: Path) -> Problem:
    """A template that cannot be compiled or fails while rendering a page, as a Problem naming the
    template file and line: a syntax error carries them; for an error while rendering (an unknown
    variable or attribute, a failing filter) Jinja rewrites the traceback so that its frames in
    templates name the template file, and the innermost such frame is the line that failed."""
    path, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not path or not line:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                path, line = frame.filename, frame.lineno
                break
    shown = path or "templates/"
    if path:
        with contextlib.suppress(ValueError):
            shown = Path(path).resolve().relative_to(root.resolve()).as_posix()
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return Problem(shown, line, "", f"template error ({type(exc).__name__}): {message}")
