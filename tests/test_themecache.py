"""Issue 8: the parts of Material's page frame that are the same on every record page of a folder
are rendered once (themecache.py), and the site is byte for byte the one the theme makes alone."""

from __future__ import annotations

import shutil
import typing
from pathlib import Path

import pytest
from conftest import copy_example, tree

from incidentbook import site, themecache
from incidentbook.build import build
from incidentbook.cli import main
from incidentbook.mkdocs_config import theme_dir


@pytest.fixture(autouse=True)
def no_chart_images(stand_in_chart_images):
    """Chart images (vl-convert) are not what this is about: a stand-in per spec."""


def counted(monkeypatch) -> dict[str, int]:
    """How many times the cache served a partial's text, by partial (from every process)."""
    served: dict[str, int] = {}
    original = themecache._Partial.__call__

    def call(self, context):
        key = self.key(context)
        if key is not None and self.seen.get(key, 0) >= themecache.CHECKED and key not in self.refused:
            served[self.name] = served.get(self.name, 0) + 1
        yield from original(self, context)

    monkeypatch.setattr(themecache._Partial, "__call__", call)
    return served


def built_both_ways(root: Path, tmp_path: Path, monkeypatch) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """The site built with the theme cache and by the theme alone; what the cache served, by
    partial, and under "frame" the pages whose whole frame was filled (PageFrame)."""
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", "1")  # one process, so that the counts are seen here
    served = counted(monkeypatch)
    fill = themecache.PageFrame.fill

    def filled(frame, values):
        served["frame"] = served.get("frame", 0) + 1
        served.setdefault("frame titles", []).append(values.get("M"))
        return fill(frame, values)

    monkeypatch.setattr(themecache.PageFrame, "fill", staticmethod(filled))
    shutil.copytree(root, tmp_path / "cached")
    build(tmp_path / "cached", strict=True, pdf=False)
    with monkeypatch.context() as m:
        m.setattr(themecache, "eligible", lambda config: False)
        shutil.copytree(root, tmp_path / "theme")
        build(tmp_path / "theme", strict=True, pdf=False)
    return tree(tmp_path / "cached" / "build" / "site"), tree(tmp_path / "theme" / "build" / "site"), served


def test_example_site_is_byte_identical_with_the_cache(tmp_path, monkeypatch):
    cached, theme, served = built_both_ways(copy_example(tmp_path / "pub"), tmp_path, monkeypatch)
    assert len(cached) > 100 and cached == theme
    assert served.pop("frame") >= 5 and served.pop("frame titles")
    blocks = {f"base.html#{name}" for name in themecache.CACHED_BLOCKS}
    expected = set(themecache.CACHED) | blocks | {themecache.TOC, themecache.FOOTER} | set(themecache.CONTENT_PARTS)
    assert set(served) == expected and served.pop(themecache.TOC) >= 3 and min(served.values()) >= 10, served


def test_pages_of_a_folder_from_other_commits_show_their_own_commit(tmp_path, monkeypatch):
    """Under git, each page's footer names the commit its content comes from: after a second commit
    that changes one actor, that actor's profile (not among the first pages of its folder) names
    the new commit and the others the first one, with the cache as without it."""
    import os
    import re
    import subprocess

    root = copy_example(tmp_path / "pub")
    (root / ".gitignore").write_text("build/\ndocs/*\n!docs/about.md\n", encoding="utf-8")

    def commit(message: str, when: int) -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "a@example.org",
               "GIT_COMMITTER_NAME": "Analyst", "GIT_COMMITTER_EMAIL": "a@example.org",
               "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
        for args in (["add", "-A"], ["commit", "-qm", message]):
            subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)
        return subprocess.run(["git", "-C", str(root), "rev-parse", "--short=7", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()

    subprocess.run(["git", "-C", str(root), "init", "-q", "-b", "main"], check=True, capture_output=True)
    first = commit("Curate the example", 1_700_000_000)
    actor = root / "data/actors/united-nations.yaml"
    actor.write_text(actor.read_text(encoding="utf-8").replace("documents civilian casualties", "records civilian casualties"),
                     encoding="utf-8")
    second = commit("Reword one actor", 1_700_086_400)
    cached, theme, _ = built_both_ways(root, tmp_path, monkeypatch)
    assert cached == theme

    def edition(rel: str) -> str:
        text = (tmp_path / "cached/build/site" / rel).read_text(encoding="utf-8")
        return re.search(r"This page as of commit (\w+)", text).group(1)

    assert edition("actors/united-nations/index.html") == second
    assert edition("actors/abdul-hai-khatibi/index.html") == edition("actors/taliban/index.html") == first


def test_the_language_module_is_made_once_per_configuration(tmp_path, monkeypatch):
    """base.html imports partials/language.html with context on every page; its module (the
    translations' macro) is made once, and every page still shows the theme's English strings."""
    from jinja2 import Template

    made = []
    original = Template.make_module

    def make_module(self, *args, **kwargs):
        if self.name == themecache.LANGUAGE:
            made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Template, "make_module", make_module)
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", "1")
    root = copy_example(tmp_path / "pub")
    build(root, strict=True, pdf=False)
    pages = [p for p in (root / "build" / "site").rglob("index.html")]
    assert len(pages) > 30 and len(made) <= 2, len(made)  # one per environment (the pages', the 404 page's)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="en"' in text and "Skip to content" in text and 'aria-label="Header"' in text, page


def _page(url: str, title: str, sections: list[str], **meta):
    from mkdocs.structure.toc import get_toc

    class Page:
        is_homepage = False
        previous_page = next_page = None
        edit_url = None

    page = Page()
    page.url, page.title, page.meta = url, title, {"title": title, **meta}
    tokens = [{"level": 1, "id": "top", "name": title,
               "children": [{"level": 2, "id": s.lower(), "name": s, "children": []} for s in sections]}]
    page.toc = get_toc(tokens)
    return page


def test_the_table_of_contents_is_shared_by_pages_with_the_same_sections():
    class Nav:
        pages = ()

    toc = themecache._Toc(themecache.TOC, lambda context: iter(["toc"]))
    context = {"nav": Nav(), "base_url": "../.."}
    a = _page("incidents/a/", "Incident A", ["Summary", "Key facts"])
    b = _page("incidents/b/", "Incident B", ["Summary", "Key facts"])
    c = _page("incidents/c/", "Incident C", ["Summary", "Key facts", "Responsibility"])
    key = toc.key({**context, "page": a})
    assert key is not None and key == toc.key({**context, "page": b})  # the title (h1) is not listed
    assert toc.key({**context, "page": c}) != key


def test_content_partials_are_keyed_by_front_matter_and_edit_url():
    class Nav:
        pages = ()

    class Config:
        extra: typing.ClassVar[dict] = {}

    part = themecache._PagePart("partials/source-file.html", lambda context: iter([""]))
    context = {"nav": Nav(), "base_url": "../..", "config": Config()}
    a = _page("incidents/a/", "A", ["Summary"])
    b = _page("incidents/b/", "B", ["Summary"])
    dated = _page("incidents/c/", "C", ["Summary"], revision_date="2016-10-26")
    assert part.key({**context, "page": a}) == part.key({**context, "page": b})  # titles differ, nothing it shows
    assert part.key({**context, "page": dated}) != part.key({**context, "page": a})
    b.edit_url = "https://example.org/edit/docs/incidents/b.md"
    assert part.key({**context, "page": b}) != part.key({**context, "page": a})
    feedback = themecache._PagePart("partials/feedback.html", lambda context: iter([""]))
    assert feedback.key({**context, "page": a}) is not None
    Config.extra = {"analytics": {"feedback": {"title": "Was this page helpful?"}}}
    assert feedback.key({**context, "page": a}) is None  # the form shows the page's URL and title


def test_paged_corpus_without_directory_urls_is_byte_identical(tmp_path, monkeypatch):
    """Later pages of lists live one folder deeper than their record; `use_directory_urls: false`
    makes every page a file: relative links differ from folder to folder, never within one."""
    root = tmp_path / "pub"
    assert main(["demo-corpus", "--incidents", "40", "--out", str(root)]) in (0, None)
    with open(root / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("use_directory_urls: false\n")
    monkeypatch.setattr(site, "LISTING_PAGE_SIZE", 4)
    cached, theme, served = built_both_ways(root, tmp_path, monkeypatch)
    later = [rel for rel in cached if "/page_" in rel and rel.count("/") >= 3]
    assert later and all(rel.endswith(".html") for rel in later)
    assert len(cached) > 100 and cached == theme
    assert served.pop("frame") >= 40 and served.pop("frame titles")
    assert min(served.values()) >= 40, served


def test_the_page_frame_is_filled_as_the_templates_would_show_the_page(tmp_path, monkeypatch):
    """Every page's frame filled, none checked against the templates (CHECKED = 0): a title with
    markup characters and quotes, a description longer than og:description's 300 characters, and
    every other page come out byte for byte as the theme makes them."""
    root = copy_example(tmp_path / "pub")
    record = root / "data" / "incidents" / "ghor-2016-10-25.yaml"
    text = record.read_text(encoding="utf-8")
    title = 'Civilians <abducted> & "killed" near Firozkoh, Ghor\'s capital'
    text = text.replace("title: Civilians abducted and killed near Firozkoh, Ghor province", f"title: '{title.replace(chr(39), chr(39) * 2)}'")
    text = text.replace("summary: >\n", "summary: >\n  " + "A long summary, with <tags> & \"quotes\" in it. " * 12 + "\n", 1)
    record.write_text(text, encoding="utf-8")
    monkeypatch.setattr(themecache, "CHECKED", 0)
    cached, theme, served = built_both_ways(root, tmp_path, monkeypatch)
    assert len(cached) > 100 and cached == theme
    assert any("&amp;" in (t or "") and "&#34;" in (t or "") or "&quot;" in (t or "") for t in served["frame titles"]), \
        served["frame titles"]
    brief = (tmp_path / "cached/build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:description" content="' in brief and "...\">" in brief  # truncated to 300


def test_the_canonical_and_edit_urls_are_filled_in_every_frame(tmp_path, monkeypatch):
    """With site_url (each page's canonical URL, also its og:url) and an edit URI (each page's edit
    button), every page's frame filled unchecked (CHECKED = 0) is the theme's page byte for byte."""
    root = copy_example(tmp_path / "pub")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    - content.tooltips\n" in text
    config.write_text(text.replace("    - content.tooltips\n", "    - content.tooltips\n    - content.action.edit\n")
                      + 'site_url: "https://example.org/reports/isk-2016/?a=1&b=2"\n'
                      + "repo_url: https://github.com/example/isk-2016\nedit_uri: edit/main/docs/\n", encoding="utf-8")
    monkeypatch.setattr(themecache, "CHECKED", 0)
    cached, theme, served = built_both_ways(root, tmp_path, monkeypatch)
    assert len(cached) > 100 and cached == theme and served["frame"] >= 5
    brief = (tmp_path / "cached/build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/reports/isk-2016/incidents/ghor-2016-10-25/' in brief
    assert "edit/main/docs/incidents/ghor-2016-10-25.md" in brief


class _Nav:
    pages = ()


class _Config:
    extra: typing.ClassVar[dict] = {}


def _frame(source: str):
    import jinja2

    template = jinja2.Environment().from_string(source)
    frame = themecache.PageFrame(template, themecache._Frame())
    template.root_render_func = frame
    return template, frame


def _record(number: int, title: str, description: str):
    page = _page(f"incidents/i{number}/", title, [])
    page.toc, page.canonical_url = [], None
    page.meta["description"], page.content = description, f"<p>Brief {number}</p>"
    return page


def test_a_frame_is_filled_through_the_filters_the_template_applies():
    import jinja2

    source = ('<title>{{ page.meta.title }} - site</title>'
              '<meta content="{{ page.meta.description | striptags | truncate(300) | e }}">'
              '<h>{{ page.meta.title | striptags | e }}</h>{{ page.content }}<x>{{ page.title }}</x>')
    template, frame = _frame(source)
    pages = [_record(n, f'Attack {n} & "others" <i>near</i> Quetta', "Killed &amp; wounded; " * (n * 5)) for n in range(1, 8)]
    nav, config = _Nav(), _Config()
    out = [template.render(page=page, nav=nav, base_url="../..", config=config) for page in pages]
    assert frame.filled == len(pages) - themecache.CHECKED and not frame.refused
    plain = jinja2.Environment().from_string(source)
    assert out == [plain.render(page=page) for page in pages]
    assert "..." in out[-1] and "..." not in out[0]  # (descriptions both shorter and longer than 300)


def test_a_template_that_reads_more_of_a_value_than_whether_it_is_set_is_not_filled():
    """A condition on the title's length is not in the key: the first pages checked against the
    templates differ from the frame, and the key is never filled (each page gets the templates' text)."""
    source = "{% if page.meta.title | length > 40 %}long {% endif %}<t>{{ page.meta.title }}</t>{{ page.content }}"
    template, frame = _frame(source)
    pages = [_record(n, f"Attack {n}", "") for n in range(5)]
    nav, config = _Nav(), _Config()
    out = [template.render(page=page, nav=nav, base_url="../..", config=config) for page in pages]
    assert out == [f"<t>Attack {n}</t><p>Brief {n}</p>" for n in range(5)]
    assert frame.refused and not frame.frames and frame.filled == 0


def test_a_partial_that_shows_the_page_is_never_reused():
    """The safety net: the first renders of every key are compared; a key whose text differs from
    one page to the next is rendered by the theme from then on."""

    class Page:
        is_homepage = False
        previous_page = next_page = None

        def __init__(self, url: str, title: str):
            self.url, self.title = url, title

    class Nav:
        pages = ()

    nav = Nav()
    partial = themecache._Partial("partials/nav.html", lambda context: iter([f"<nav>{context['page'].title}</nav>"]))
    out = []
    for number in range(6):
        page = Page(f"incidents/i{number}/", f"Incident {number}")
        out.append("".join(partial({"page": page, "nav": nav, "base_url": "../.."})))
    assert out == [f"<nav>Incident {n}</nav>" for n in range(6)]
    assert partial.refused == {("../..", "incidents", "None")}

    renders = []
    same = themecache._Partial("partials/tabs.html", lambda context: renders.append(1) or iter(["<tabs>"]))
    out = ["".join(same({"page": Page(f"sources/s{n}/", "x"), "nav": nav, "base_url": "../.."})) for n in range(5)]
    assert out == ["<tabs>"] * 5 and not same.refused and len(renders) == themecache.CHECKED


def test_pages_in_the_navigation_are_not_cached():
    class Page:
        is_homepage = False
        previous_page = next_page = None

        def __init__(self, url):
            self.url = url

    listing, record = Page("incidents/"), Page("incidents/a/")
    under = Page("incidents/a/b/")

    class Nav:
        pages = (listing, under)

    partial = themecache._Partial("partials/nav.html", lambda context: iter(["x"]))
    context = {"nav": Nav(), "base_url": "../.."}
    assert partial.key({**context, "page": listing}) is None  # in the navigation
    assert partial.key({**context, "page": record}) is None  # a navigation page lives under its folder
    assert partial.key({**context, "page": Page("sources/s/")}) == ("../..", "sources", "None")
    home = Page("")
    home.is_homepage = True
    assert partial.key({**context, "page": home}) is None
    linked = Page("places/p/")
    linked.next_page = listing
    assert partial.key({**context, "page": linked}) is None  # the footer links to its neighbours


def test_a_publication_with_its_own_theme_folder_is_not_cached(tmp_path):
    from mkdocs.config import load_config

    root = copy_example(tmp_path / "pub")
    (root / "overrides").mkdir()
    config = load_config(str(root / "mkdocs.yml"), theme={"name": "material", "custom_dir": str(root / "overrides")})
    assert not themecache.eligible(config)
    config = load_config(str(root / "mkdocs.yml"), theme={"name": "material", "custom_dir": theme_dir()})
    assert themecache.eligible(config)
