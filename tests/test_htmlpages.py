"""Pages written in HTML by their templates (the incident briefs; htmlpages.py, issue 8): MkDocs puts
them into the theme without Python-Markdown, resolving their links, giving their headings
permalinks and a table of contents, and checking links to their anchors, as for a Markdown page.
The text readers see is the golden files' (test_golden.py), unchanged by the move to HTML."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

from conftest import copy_example

from incidentbook.build import build, run_mkdocs
from incidentbook.htmlpages import Headings
from incidentbook.render import HtmlCitations

BRIEFS = ("incidents/ghor-2016-10-25/index.html", "incidents/quetta-police-college-2016-10-24/index.html")


def _project(tmp_path: Path, toc: str = "  - toc:\n      permalink: true\n") -> Path:
    root = tmp_path / "p"
    (root / "docs" / "a").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\ndocs_dir: docs\nuse_directory_urls: true\nmarkdown_extensions:\n" + toc
        + "validation:\n  links:\n    not_found: warn\n    anchors: warn\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text(
        "# Home\n\n[ok](a/b.md#second-part) [bad anchor](a/b.md#no-such-part)\n", encoding="utf-8")
    (root / "docs" / "a" / "b.md").write_text(textwrap.dedent("""\
        ---
        title: "B"
        incidentbook_html: true
        ---

        <h1 id="b">B &amp; co</h1>
        <p><a href="../index.md">home</a> <a href="../index.md#home">home, anchored</a>
        <a href="../missing.md">gone</a> <a href="#second-part">here</a> <a href="https://example.org/x.md">out</a></p>
        <h2 id="first">First</h2>
        <h3 id="first-detail">Detail</h3>
        <h2 id="second-part">Second part</h2>
        """), encoding="utf-8")
    return root


def test_an_html_page_is_put_in_the_theme_as_written(tmp_path):
    root = _project(tmp_path)
    warnings = run_mkdocs(root, root / "site", strict=False)
    page = (root / "site" / "a" / "b" / "index.html").read_text(encoding="utf-8")
    # links to documents resolved as MkDocs resolves them in Markdown; others untouched
    assert '<a href="../..">home</a>' in page or '<a href="../../">home</a>' in page
    assert 'href="../../#home"' in page
    assert '<a href="../missing.md">gone</a>' in page
    assert '<a href="#second-part">here</a>' in page and 'href="https://example.org/x.md"' in page
    # permalinks as the toc extension is configured, and the page's table of contents
    assert ('<h2 id="second-part">Second part<a class="headerlink" href="#second-part" '
            'title="Permanent link">&para;</a></h2>') in page
    toc = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', page)  # Material prints it in both sidebars
    assert list(dict.fromkeys(toc)) == ["first", "first-detail", "second-part"]
    # a missing document and a missing anchor are warned about, as for a Markdown page
    assert any("a/b.md" in w and "missing.md" in w for w in warnings), warnings
    assert any("index.md" in w and "no-such-part" in w for w in warnings), warnings
    assert not any("second-part" in w for w in warnings), warnings


def test_without_permalinks_configured_headings_get_none(tmp_path):
    root = _project(tmp_path, toc="  - toc\n")
    run_mkdocs(root, root / "site", strict=False)
    page = (root / "site" / "a" / "b" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="second-part">Second part</h2>' in page
    assert "headerlink" not in page.split('class="md-content"')[1]


def test_the_table_of_contents_nests_headings(tmp_path):
    from mkdocs.commands.build import build as mkdocs_build  # noqa: F401  (MkDocs importable)
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.pages import Page

    from incidentbook import htmlpages

    root = _project(tmp_path)
    config = load_config(str(root / "mkdocs.yml"))
    files = get_files(config)
    page = Page(None, files.get_file_from_path("a/b.md"), config)
    page.read_source(config)
    with htmlpages.installed():
        page.render(config, files)
    (top,) = page.toc.items
    assert (top.title, top.id, top.level) == ("B &amp; co", "b", 1)
    assert [(c.id, [g.id for g in c.children]) for c in top.children] == [("first", ["first-detail"]), ("second-part", [])]
    assert {"b", "first", "first-detail", "second-part"} <= page.present_anchor_ids


def test_headings_take_python_markdowns_ids():
    from markdown import Markdown

    texts = ["Summary", "Analyst's inferences", "Sources", "Summary", "Élan & <b> “quoted”", "Sources"]
    heading = Headings()
    ours = [re.search(r'id="([^"]+)"', heading(2, t))[1] for t in texts]
    md = Markdown(extensions=["toc"])
    md.convert("\n\n".join("## " + t.replace("<", "&lt;") for t in texts))
    assert ours == [t["id"] for t in md.toc_tokens]


class _Footnotes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []  # targets of footnote marks
        self.backrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("class") == "footnote-ref":
            self.refs.append(attrs["href"][1:])
        if tag == "a" and attrs.get("class") == "footnote-backref":
            self.backrefs.append(attrs["href"][1:])


def test_footnotes_link_both_ways():
    """Python-Markdown's footnote markup: every mark leads to its footnote, every footnote back to
    each of its marks (fnref:n, fnref2:n, …); past MARKDOWN_REFS marks, the later marks have no
    back-link (as in a Markdown page)."""

    class Evidence:
        def __init__(self, source, quote):
            self.source, self.quote = source, quote

    citations = HtmlCitations(lambda e: f"{e.source}: “{e.quote}”")
    a, b = Evidence("s", "one"), Evidence("s", "two")
    marks = [citations.cite(a), citations.cite(b), citations.cite(a)]
    marks += [citations.cite(b) for _ in range(HtmlCitations.MARKDOWN_REFS + 3)]
    parser = _Footnotes()
    parser.feed("".join(marks) + str(citations.definitions()))
    assert set(parser.refs) == {"fn:1", "fn:2"} <= parser.ids
    assert set(parser.backrefs) <= parser.ids
    assert parser.backrefs.count("fnref:1") == 1 and "fnref2:1" in parser.backrefs
    assert sum(1 for r in parser.backrefs if r.endswith(":2")) == HtmlCitations.MARKDOWN_REFS
    assert HtmlCitations(lambda e: "").definitions() == ""


def test_example_briefs_are_html_pages_with_working_footnotes(built_example):
    for rel in BRIEFS:
        markdown = (built_example / "docs" / rel.replace("/index.html", ".md")).read_text(encoding="utf-8")
        assert "incidentbook_html: true" in markdown.split("\n---\n", 1)[0]
        page = (built_example / "build" / "site" / rel).read_text(encoding="utf-8")
        parser = _Footnotes()
        parser.feed(page)
        assert parser.refs and set(parser.refs) <= parser.ids
        assert set(parser.backrefs) <= parser.ids
        marks = {i for i in parser.ids if i.startswith("fnref")}
        assert marks == set(parser.backrefs)
        # the theme's table of contents lists the brief's sections
        assert re.search(r'<a href="#summary" class="md-nav__link">', page)
        assert re.search(r'<a href="#revision-history" class="md-nav__link">', page)


def test_a_publications_own_markdown_brief_is_still_used(tmp_path):
    """templates/site/incident.md.j2 in a publication: its briefs are Markdown, converted by MkDocs."""
    root = copy_example(tmp_path)
    site_templates = root / "templates" / "site"
    site_templates.mkdir(parents=True, exist_ok=True)
    (site_templates / "incident.md.j2").write_text(textwrap.dedent("""\
        ---
        title: {{ incident.title | yaml }}
        ---

        # {{ incident.title }}

        ## What happened

        {{ incident.summary | paragraphs }}{{ cite_all(incident.date.evidence) }}

        {{ footnotes() }}
        """), encoding="utf-8")
    build(root, pdf=False)
    markdown = (root / "docs" / "incidents" / "ghor-2016-10-25.md").read_text(encoding="utf-8")
    assert "incidentbook_html" not in markdown and "## What happened" in markdown
    page = (root / "build" / "site" / BRIEFS[0]).read_text(encoding="utf-8")
    assert '<h2 id="what-happened">What happened' in page
    assert '<div class="footnote">' in page and 'href="#fn:1"' in page


def test_a_publications_own_markdown_listing_is_still_used(tmp_path):
    """templates/site/incidents.md.j2 in a publication: its incident list is Markdown (with the
    Markdown pagination macros), converted by MkDocs; the other listings stay HTML."""
    root = copy_example(tmp_path)
    site_templates = root / "templates" / "site"
    site_templates.mkdir(parents=True, exist_ok=True)
    (site_templates / "incidents.md.j2").write_text(textwrap.dedent("""\
        {% import "_pagination.md.j2" as pg with context %}
        ---
        title: {{ pg.title(pager, "Incidents") | safe }}
        ---

        # Incidents

        {{ pg.note(pager, "incident", "incidents") | safe }}
        | When | What |
        |---|---|
        {% for i in rows %}
        | {{ i.date.label() }} | {{ ref("incident", i.id) }} |
        {% endfor %}

        {{ pg.nav(pager, "incidents") | safe }}
        """), encoding="utf-8")
    build(root, strict=True, pdf=False)
    markdown = (root / "docs" / "incidents" / "index.md").read_text(encoding="utf-8")
    assert "incidentbook_html" not in markdown and "| When | What |" in markdown
    page = (root / "build" / "site" / "incidents" / "index.html").read_text(encoding="utf-8")
    assert "<th>When</th>" in page and 'href="ghor-2016-10-25/"' in page
    assert "incidentbook_html: true" in (root / "docs" / "sources" / "index.md").read_text(encoding="utf-8")


def test_without_directory_urls_every_link_and_image_resolves(tmp_path):
    """use_directory_urls: false (pages served as a/b.html): the links of the pages written in HTML
    are resolved by MkDocs, and the chart images of every page (raw HTML, which MkDocs does not
    rewrite) are addressed for that layout too."""
    from incidentbook.linkcheck import check_links

    root = copy_example(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("use_directory_urls: true", "use_directory_urls: false"),
                      encoding="utf-8")
    build(root, strict=True, pdf=False)
    site = root / "build" / "site"
    assert (site / "incidents" / "ghor-2016-10-25.html").is_file()
    checked, broken = check_links(site)
    assert checked > 1000 and not broken, broken[:5]
    brief = (site / "incidents" / "ghor-2016-10-25.html").read_text(encoding="utf-8")
    assert 'href="../places/ghor.html"' in brief
