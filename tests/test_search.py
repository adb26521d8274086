"""Issue 8: the site's search is Pagefind, inside the Material look (sitesearch.py,
builtin/theme/partials/pagefind.html). The built-in `search/search_index.json` is not published;
the search box finds a brief, by keyboard, at the site root and under a sub-path, with no request
to another host. Screenshots of the open search go to build/screenshots/search-*.png."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browserkit import browser, goto, serve_site  # noqa: F401  (fixtures)
from conftest import REPO, indexed_records

from incidentbook import sitesearch
from incidentbook.build import SiteBuildFailed, publish_site
from incidentbook.chartkit import NO_SCRIPT
from incidentbook.mkdocs_config import config_overrides, without_search

QUETTA = "incidents/quetta-police-college-2016-10-24/"
SHOTS = REPO / "build/screenshots"


def test_pagefind_index_replaces_the_builtin_one(built_example):
    site = built_example / "build/site"
    assert not (site / "search").exists()  # no search/search_index.json, which a browser loads whole
    for name in ("pagefind.js", "pagefind-entry.json", "pagefind-worker.js", "wasm.en.pagefind"):
        assert (site / "pagefind" / name).is_file(), name
    assert any((site / "pagefind/fragment").iterdir()) and any((site / "pagefind/index").iterdir())
    brief = (site / QUETTA / "index.html").read_text(encoding="utf-8")
    assert '<article class="md-content__inner md-typeset" data-pagefind-body>' in brief  # only the article is indexed
    assert brief.count("data-pagefind-body") == 1
    assert "data-pagefind-body" not in (site / "404.html").read_text(encoding="utf-8")  # not a search result
    assert 'id="ib-search-input"' in brief and "assets/incidentbook/search.js" in brief
    assert "search_index" not in brief and "md-search__input" in brief
    # mkdocs.yml stays plain: Material's search is what a user without incidentbook gets
    assert "  - search" in (built_example / "mkdocs.yml").read_text(encoding="utf-8")


def test_records_are_titled_by_their_heading(built_example):
    """Pagefind's record for a page is titled by its h1, without the permalink mark (¶), and holds
    the record's text without its footnotes, chart blocks and Cite box (sitesearch.EXCLUDE_SELECTORS)."""
    records = indexed_records(built_example / "build/site")
    titles = {url: record["meta"]["title"] for url, record in records.items()}
    for url, record in records.items():
        assert "Skip to content" not in record["content"] and "¶" not in record["content"], url
    assert titles["/" + QUETTA] == "Attack on the police training college in Quetta"
    content = {url: record["content"] for url, record in records.items()}
    quetta = content["/" + QUETTA]
    assert "Key facts" in quetta and "Islamic State Khorasan" in quetta and "young recruits" in quetta  # the record itself
    footnotes = re.findall(r'<li id="fn:\d+">(.*?)</li>', (built_example / "build/site" / QUETTA / "index.html").read_text(encoding="utf-8"), re.DOTALL)
    assert footnotes and all(re.search(r"line \d+: “", re.sub("<[^>]+>", "", f)) for f in footnotes)
    for record_content in content.values():  # not the footnotes, chart blocks or the Cite box, on any page
        assert not re.search(r"line \d+: “", record_content) and "✓" not in record_content
        assert NO_SCRIPT not in record_content and "Cite this page" not in record_content
        assert "Best estimate" not in record_content and "Latitude" not in record_content  # charts' data tables
    assert titles["/places/quetta/"] == "Quetta"
    assert not any("¶" in t for t in titles.values()), titles
    assert "/404.html" not in titles


def test_index_holds_each_record_s_own_words_once(built_example):
    """What every page prints alike (explanations, the sourcing box) and what repeats the page's own
    words (the casualty ledger, which key facts sum up; a source's quotes, which its text holds;
    the records citing it) is left out of the index. A source text's line numbers are too: Pagefind
    joins inline elements without a space, and each line's first word ("4ISLAMABAD") was lost."""
    content = {url: record["content"] for url, record in indexed_records(built_example / "build/site").items()}
    ghor = content["/incidents/ghor-2016-10-25/"]
    assert "Key facts" in ghor and "“at least 30”" in ghor and "Taliban" in ghor and "firewood" in ghor
    assert "Notes on the figures" in ghor and "Amnesty's own figure" in ghor  # the analyst's note stays
    for left_out in ("Each row is one source", "smallest lower bound", "the source itself", "Quotes verified",
                     "Claims, denials and attributions", "This incident as data", "Download this brief"):
        assert left_out not in ghor, left_out
    voa = content["/sources/voa-2016-10-26-ghor-quetta/"]
    text = voa[voa.index("Text as received"):]
    assert ". ISLAMABAD - Authorities in Afghanistan" in text and ". Loyalists of the Middle East" in text
    assert not re.search(r"\b\d+[A-Za-z]", text), re.search(r"\b\d+[A-Za-z]+", text).group(0)
    assert voa.count("abducted and massacred at least 30 civilians") == 1  # the text, not its quotes again
    assert "distinct quotes" not in voa and "Lines holding" not in voa
    assert "Civilians abducted and killed near Firozkoh" not in voa  # the records citing it are theirs
    records = [url for url in content if url.split("/")[1] in ("incidents", "sources", "actors", "places") and url.count("/") > 2]
    assert len(records) > 10
    for url in records:  # (the methodology page explains the rules: it keeps them)
        assert "smallest lower bound" not in content[url] and "independent publishers" not in content[url], url


def test_search_plugin_left_out_only_where_pagefind_replaces_it(example):
    assert without_search(None) == []  # MkDocs' default is [search]
    assert without_search(["search", "tags"]) == ["tags"]
    assert without_search([{"search": {"lang": "en"}}, {"offline": {"enabled": False}}]) == [{"offline": {"enabled": False}}]
    assert without_search({"material/search": {}, "blog": {"enabled": True}}) == [{"blog": {"enabled": True}}]
    from incidentbook.load import load_publication

    pub = load_publication(example)
    assert config_overrides(example, pub, "0")["plugins"] == []
    assert "plugins" not in config_overrides(example, pub, "0", pagefind=False)  # the live preview keeps Material's
    mkdocs_yml = example / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text(encoding="utf-8").replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"),
                          encoding="utf-8")
    assert "plugins" not in config_overrides(example, pub, "0")  # its own templates cannot show our box


def test_failed_index_leaves_the_published_site(built_example, tmp_path, monkeypatch):
    root = tmp_path / "pub"
    shutil.copytree(built_example, root, symlinks=True)
    site = root / "build/site"
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}

    def failing_run(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", "Error: Pagefind was not able to build an index.")

    monkeypatch.setattr(sitesearch.subprocess, "run", failing_run)
    overrides = {"plugins": []}
    with pytest.raises(SiteBuildFailed, match="Pagefind could not index the site"):
        publish_site(root, overrides=overrides)
    after = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not (root / "build/site.new").exists()


def _index_with_a_slow_pagefind(site: str, marker: str) -> None:
    sitesearch.pagefind_command = lambda *_: ["sleep", marker]
    sitesearch.index_search(Path(site))


@pytest.mark.skipif(sitesearch._PRCTL is None, reason="PR_SET_PDEATHSIG is Linux's")
def test_killed_build_leaves_no_indexer_running(tmp_path):
    """A build killed (SIGKILL) while Pagefind runs takes Pagefind with it: no orphan writes into
    the staging folder of a later build."""
    import multiprocessing
    import os
    import signal
    import time

    marker = "41.37"  # an unusual `sleep` argument, to find the process by
    child = multiprocessing.get_context("fork").Process(target=_index_with_a_slow_pagefind, args=(str(tmp_path), marker))
    child.start()
    find = lambda: subprocess.run(["pgrep", "-f", f"^sleep {marker}$"], capture_output=True, text=True).stdout.split()  # noqa: E731
    deadline = time.time() + 20
    while not find() and time.time() < deadline:
        time.sleep(0.05)
    assert find(), "the stand-in indexer did not start"
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    deadline = time.time() + 5
    while find() and time.time() < deadline:
        time.sleep(0.05)
    left = find()
    for pid in left:
        os.kill(int(pid), signal.SIGKILL)
    assert left == []


FOCUSED = "document.activeElement && document.activeElement.id === 'ib-search-input'"
STATE = """() => ({active: document.activeElement && document.activeElement.outerHTML.slice(0, 120),
    open: document.getElementById('__search').checked, ready: document.readyState})"""


def _open_and_type(page, query: str) -> None:
    """Open the search with "/" and type the query."""
    page.keyboard.press("/")
    try:
        page.wait_for_function(FOCUSED, timeout=5_000)
    except Exception:
        raise AssertionError(f"'/' did not open the search: {page.evaluate(STATE)}") from None
    page.keyboard.type(query, delay=40)
    page.wait_for_selector(".md-search-result__item", timeout=15_000)


def _guard(context, origin: str) -> list[str]:
    foreign: list[str] = []

    def route(r):
        if not r.request.url.startswith(origin):
            foreign.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    return foreign


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_search_finds_the_quetta_brief(browser, serve_site, built_example, scheme, width):
    url = serve_site(built_example / "build/site")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    foreign = _guard(context, url)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    goto(page, url + "incidents/ghor-2016-10-25/")
    _open_and_type(page, "Quetta")
    page.wait_for_timeout(400)  # let the dialog's transition end before the screenshot
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"search-{scheme}-{width}.png"))
    assert re.fullmatch(r"\d+ matching documents", page.locator(".md-search-result__meta").inner_text())
    link = page.locator(f'.md-search-result__link[href="../../{QUETTA}"]')
    assert link.count() == 1  # relative to this page, like every link of the site
    assert "Attack on the police training college in Quetta" in link.inner_text()
    assert link.is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the open search scrolls sideways by {overflow}px"
    link.click()
    page.wait_for_url(url + QUETTA)
    assert "Attack on the police training college in Quetta" in page.locator("article h1").inner_text()
    context.close()
    assert foreign == [] and errors == [], (foreign, errors)
    assert not any("search_index" in u for u in requested)
    assert any(u.startswith(url + "pagefind/fragment/") for u in requested)  # the index, from the site itself


@pytest.mark.browser
def test_search_by_keyboard(browser, serve_site, built_example):
    url = serve_site(built_example / "build/site")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    goto(page, url + "places/ghor/")
    label = page.evaluate("""() => { const i = document.getElementById('ib-search-input');
        return [...i.labels].map(l => l.textContent.trim()).join(' ') }""")
    assert label.startswith("Search ")  # a real <label>, beginning with the visible placeholder
    for key in ("s", "/"):
        page.keyboard.press(key)
        assert page.evaluate("document.getElementById('__search').checked")
        assert page.evaluate("document.activeElement.id") == "ib-search-input"
        assert page.locator("#ib-search-input").input_value() == ""  # the shortcut is not typed
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('__search').checked")
        assert page.evaluate("document.activeElement.id") != "ib-search-input"
    _open_and_type(page, "Quetta")
    hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.getAttribute('href'))")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "ib-search-input"
    page.keyboard.press("Tab")  # the clear button, then the results
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Clear"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[0]
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")
    # Enter in the box opens the first result
    page.keyboard.press("/")
    assert page.locator("#ib-search-input").input_value() == "Quetta"  # the query stays, selected
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == url + hrefs[0].removeprefix("../../")
    page.close()


@pytest.mark.browser
def test_fast_typing_ends_on_the_last_text(browser, serve_site, built_example):
    """A search starts at each key (after a word of three letters or more) while none runs, and
    only the newest text waits for the one running: what the list shows in the end answers the
    whole query, never an older text whose answer came late."""
    url = serve_site(built_example / "build/site")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    goto(page, url + "places/ghor/")
    page.keyboard.press("/")
    page.wait_for_function(FOCUSED, timeout=5_000)
    page.keyboard.type("Ghor province", delay=5)
    for _ in range(len("Ghor province")):
        page.keyboard.press("Backspace")
    page.keyboard.type("Quetta police", delay=5)
    page.wait_for_function("document.getElementById('ib-search-results').dataset.ibQuery === 'Quetta police'",
                           timeout=15_000)
    page.wait_for_timeout(800)  # any answer to an older text would have arrived by now
    assert page.evaluate("document.getElementById('ib-search-results').dataset.ibQuery") == "Quetta police"
    hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.getAttribute('href'))")
    assert f"../../{QUETTA}" in hrefs
    page.close()


@pytest.mark.browser
def test_search_button_on_a_phone(browser, serve_site, built_example):
    url = serve_site(built_example / "build/site")
    page = browser.new_page(viewport={"width": 390, "height": 800})
    goto(page, url)
    button = page.locator(".ib-search-open")
    assert button.is_visible() and button.get_attribute("aria-label") == "Search"
    button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('__search').checked")
    page.wait_for_timeout(400)
    assert page.evaluate("document.activeElement.id") == "ib-search-input"
    assert page.locator("#ib-search-input").is_visible()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('ib-search-open')")  # focus back on the button
    page.close()


@pytest.mark.browser
def test_search_under_a_sub_path(browser, serve_site, built_example, tmp_path):
    """The site served at http://host/pub/site/: results still lead to the pages."""
    url = serve_site(built_example.parent) + "pub/build/site/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    foreign = _guard(context, url.split("/pub/")[0])
    page = context.new_page()
    goto(page, url + "actors/islamic-state-khorasan/")
    _open_and_type(page, "Quetta")
    target = page.locator(f'.md-search-result__link[href="../../{QUETTA}"]')
    assert target.count() == 1
    absolute = target.evaluate("a => a.href")
    assert urlparse(absolute).path == urlparse(url).path + QUETTA
    assert urllib.request.urlopen(absolute, timeout=10).status == 200
    context.close()
    assert foreign == []


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def sharded_site(built_example, tmp_path, monkeypatch):
    """The example's site indexed as a large site is: in parts (sitesearch.SHARD_PAGES lowered)."""
    monkeypatch.setattr(sitesearch, "SHARD_PAGES", 5)
    site = tmp_path / "site"
    shutil.copytree(built_example / "build/site", site)
    assert sitesearch.index_search(site) == {"made": 3, "reused": 0}
    return site


def test_large_site_index_in_parts_and_only_changed_parts_made_again(sharded_site, tmp_path):
    site = sharded_site
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("pagefind/"))
    groups = sitesearch.shards(pages)
    assert set(groups) == {"", "incidents-0", "sources-0"}
    assert sorted(rel for rels in groups.values() for rel in rels) == pages  # every page in exactly one index
    assert QUETTA + "index.html" in groups["incidents-0"] and "incidents/index.html" in groups[""]
    listing = __import__("json").loads((site / "pagefind/ib-shards.json").read_text())
    assert listing["parts"] == ["part-incidents-0/", "part-sources-0/"]
    for part in listing["parts"]:
        assert (site / "pagefind" / part / "pagefind-entry.json").is_file()
        assert any((site / "pagefind" / part / "fragment").iterdir())

    # a rebuild where one brief changed: its part is made again, the other two are the published ones
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh)
    brief = fresh / QUETTA / "index.html"
    brief.write_text(brief.read_text(encoding="utf-8").replace("Quetta", "Kwatah"), encoding="utf-8")
    assert sitesearch.index_search(fresh, previous=site) == {"made": 1, "reused": 2}
    assert (fresh / "pagefind/pagefind-entry.json").stat().st_ino == (site / "pagefind/pagefind-entry.json").stat().st_ino
    # ... and the index equals one made from nothing
    clean = tmp_path / "clean"
    shutil.copytree(fresh, clean)
    assert sitesearch.index_search(clean) == {"made": 3, "reused": 0}
    assert _files(fresh / "pagefind") == _files(clean / "pagefind")
    assert _files(fresh / "pagefind/part-incidents-0") != _files(site / "pagefind/part-incidents-0")


def test_parts_indexed_two_at_a_time_equal_one_at_a_time(sharded_site, tmp_path, monkeypatch):
    assert sitesearch.index_workers(2) == 2  # this machine: two CPUs and memory enough
    one = tmp_path / "one"
    shutil.copytree(sharded_site, one)
    monkeypatch.setenv("INCIDENTBOOK_SEARCH_WORKERS", "1")
    assert sitesearch.index_search(one) == {"made": 3, "reused": 0}
    assert _files(one / "pagefind") == _files(sharded_site / "pagefind")


@pytest.mark.parametrize("part_pages", [2500, 5])
def test_index_of_the_cut_down_pages_equals_the_index_of_the_whole_pages(built_example, tmp_path, monkeypatch, part_pages):
    """Pagefind is given each page cut down to its <html> tag, title and article (sitesearch.searchable):
    the index it writes is byte for byte the one of the whole pages, in one index and in parts."""
    monkeypatch.setattr(sitesearch, "SHARD_PAGES", part_pages)
    cut, whole = tmp_path / "cut", tmp_path / "whole"
    for site in (cut, whole):
        shutil.copytree(built_example / "build/site", site)
        shutil.rmtree(site / "pagefind")
    pages = sorted(whole.rglob("*.html"))
    kept = [p for p in pages if sitesearch.searchable(p.read_bytes()) == p.read_bytes()]
    assert [p.relative_to(whole).as_posix() for p in kept] == ["404.html"]  # every other page is cut down
    brief = sitesearch.searchable((whole / QUETTA / "index.html").read_bytes())
    assert brief.lstrip().startswith(b"<!doctype html>\n<html lang=\"en\"") and b"md-header" not in brief and b"md-footer" not in brief
    assert len(brief) < 0.8 * (whole / QUETTA / "index.html").stat().st_size
    sitesearch.index_search(cut)
    monkeypatch.setattr(sitesearch, "searchable", lambda page: page)
    sitesearch.index_search(whole)
    assert _files(cut / "pagefind") == _files(whole / "pagefind")
    assert (part_pages == 5) == (cut / "pagefind/part-incidents-0").is_dir()


def test_what_pagefind_leaves_out_is_emptied_in_the_cut_down_page():
    """The content of elements Pagefind skips (data-pagefind-ignore="all", the excluded selectors)
    is taken out; their own tags (with their ids, which Pagefind records as anchors) stay."""
    def page(article: bytes) -> bytes:
        return (b'<!doctype html>\n<html lang="en">\n<head><title>T</title></head><body><nav>n</nav>'
                b'<article class="md-content__inner" data-pagefind-body>' + article + b'</article></body></html>')

    def cut(article: bytes) -> bytes:
        whole = sitesearch.searchable(page(article))
        return whole[whole.index(b"<article "):whole.rindex(b"</article>")].split(b">", 1)[1]

    nested = b'<p>a</p><div data-pagefind-ignore="all"><div>x<div>y</div></div>z</div><p>b</p>'
    assert cut(nested) == b'<p>a</p><div data-pagefind-ignore="all"></div><p>b</p>'
    figure = b'<figure class="ib-chart" id="chart-1"><table><tr><td>9</td></tr></table></figure><div class="ib-chart">kept</div>'
    assert cut(figure) == b'<figure class="ib-chart" id="chart-1"></figure><div class="ib-chart">kept</div>'
    notes = b'<div class="footnote"><ol><li id="fn:1">quote</li></ol></div><div class="ib-chart-data x">1</div>'
    assert cut(notes) == b'<div class="footnote"></div><div class="ib-chart-data x"></div>'
    small = b'<h2 id="s">S<a class="headerlink" href="#s">&para;</a></h2>'  # too small to be worth the time
    assert cut(small) == small
    text = b'<p>He wrote class=&#34;footnote&#34; and data-pagefind-ignore=&#34;all&#34;.</p>'
    assert cut(text) == text
    for unsafe in (b'<div data-pagefind-ignore="all"><script>var s = "</div>";</script></div><p>b</p>',
                   b'<div data-pagefind-ignore="all"><div>open</div>',
                   b'<div data-pagefind-ignore="all"><span data-pagefind-meta="k:v">v</span></div>'):
        assert cut(unsafe) == unsafe  # given as it is, not guessed at


def test_pages_with_other_pagefind_attributes_are_given_whole():
    page = (b'<!doctype html>\n<html lang="en">\n<head><title>T</title><meta data-pagefind-meta="image:x.png"></head>'
            b'<body><nav>n</nav><article class="md-content__inner" data-pagefind-body><h1>T</h1></article></body></html>')
    assert sitesearch.searchable(page) is page  # a meta outside the article: Pagefind reads it there
    plain = page.replace(b'<meta data-pagefind-meta="image:x.png">', b"")
    assert sitesearch.searchable(plain) == (b'<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>T</title></head>'
                                            b'<body><article class="md-content__inner" data-pagefind-body><h1>T</h1></article></body></html>\n')
    excluded = plain.replace(b" data-pagefind-body", b"")
    assert sitesearch.searchable(excluded) is excluded  # not indexed here, perhaps the whole page elsewhere


def test_parts_indexed_at_a_time_as_memory_allows(monkeypatch):
    from incidentbook import parallelpages

    monkeypatch.delenv("INCIDENTBOOK_SEARCH_WORKERS", raising=False)
    monkeypatch.setattr(sitesearch.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(parallelpages, "available_kb", lambda: 2_000_000)  # 2 GB available
    assert sitesearch.index_workers(2_500) == 2  # 2 x 2,500 pages x 300 kB = 1.5 GB
    assert sitesearch.index_workers(4_000) == 1  # 2 x 1.2 GB would not fit
    monkeypatch.setattr(parallelpages, "available_kb", lambda: None)  # not Linux: by CPUs
    assert sitesearch.index_workers(100_000) == 2
    monkeypatch.setenv("INCIDENTBOOK_SEARCH_WORKERS", "3")
    assert sitesearch.index_workers(100_000) == 3


def test_pages_are_cut_for_the_next_index_while_pagefind_runs(sharded_site, monkeypatch):
    """The primary index and two parts, two Pagefind runs at a time: the third index's pages are cut
    while the first run is still going (before, each run cut its own pages first, so the CPUs were
    idle by turns), and the index is the same."""
    import threading

    before = _files(sharded_site / "pagefind")
    monkeypatch.setenv("INCIDENTBOOK_SEARCH_WORKERS", "2")
    third_cut, seen = threading.Event(), []
    mirror, run = sitesearch._mirror, sitesearch._run

    def cut(site, rels, folder, digests=None):
        if folder.name == "sources-0":  # the third, after "primary" and "incidents-0"
            third_cut.set()
        return mirror(site, rels, folder, digests)

    def indexed(site, output):
        if site.name == "primary":
            seen.append(third_cut.wait(timeout=60))
        return run(site, output)

    monkeypatch.setattr(sitesearch, "_mirror", cut)
    monkeypatch.setattr(sitesearch, "_run", indexed)
    assert sitesearch.index_search(sharded_site) == {"made": 3, "reused": 0}
    assert seen == [True]
    assert _files(sharded_site / "pagefind") == before


def test_a_failing_part_fails_the_index(sharded_site, monkeypatch):
    """Two parts indexed at a time: a Pagefind run that fails on one fails the build's index."""
    real = sitesearch.subprocess.run

    def run(command, **kwargs):
        if "part-sources-0" in " ".join(map(str, command)):
            return subprocess.CompletedProcess(command, 1, "", "Error: Pagefind was not able to build an index.")
        return real(command, **kwargs)

    monkeypatch.setattr(sitesearch.subprocess, "run", run)
    with pytest.raises(SiteBuildFailed, match="Pagefind could not index the site"):
        sitesearch.index_search(sharded_site)


def test_a_failed_run_stops_the_cutting_of_the_indexes_after_it(sharded_site, monkeypatch):
    """The primary index's Pagefind run fails at once: the build's index fails without cutting the
    pages of the indexes after the one being cut then."""
    import threading
    import time

    failed, cut = threading.Event(), []
    real, mirror = sitesearch.subprocess.run, sitesearch._mirror

    def run(command, **kwargs):
        if "part-" not in " ".join(map(str, command)):
            failed.set()
            return subprocess.CompletedProcess(command, 1, "", "Error: Pagefind was not able to build an index.")
        return real(command, **kwargs)

    def cutting(site, rels, folder, digests=None):
        cut.append(folder.name)
        if folder.name == "incidents-0":
            assert failed.wait(timeout=60)
            time.sleep(0.2)  # (the failed run's future is done just after)
        return mirror(site, rels, folder, digests)

    monkeypatch.setenv("INCIDENTBOOK_SEARCH_WORKERS", "2")
    monkeypatch.setattr(sitesearch.subprocess, "run", run)
    monkeypatch.setattr(sitesearch, "_mirror", cutting)
    with pytest.raises(SiteBuildFailed, match="Pagefind could not index the site"):
        sitesearch.index_search(sharded_site)
    assert cut[0] == "primary" and "sources-0" not in cut  # (incidents-0 too, when the failure came first)


@pytest.mark.browser
def test_search_merges_the_parts_of_a_large_index(browser, serve_site, sharded_site):
    url = serve_site(sharded_site)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # two lanes (two copies of Pagefind, each with its worker), whatever this machine's CPUs
    page.add_init_script("Object.defineProperty(navigator, 'hardwareConcurrency', {get: () => 2})")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    goto(page, url)
    _open_and_type(page, "Quetta")
    more = page.locator(".ib-search-more")
    while more.is_visible():  # every result, ten at a time
        shown = page.locator(".md-search-result__link").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.md-search-result__link').length > {shown}")
    links = page.locator(".md-search-result__link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    total = int(page.locator(".md-search-result__meta").inner_text().split()[0])
    assert len(hrefs) == total == len(set(hrefs))  # every result of the three indexes, each once
    assert page.locator(".md-search-result__list").get_attribute("data-ib-query") == "Quetta"
    assert "./" + QUETTA in hrefs, hrefs  # a brief: from part-incidents-0
    assert any(h.startswith("./sources/") for h in hrefs), hrefs  # the VOA article: from part-sources-0
    assert any("/pagefind/part-incidents-0/fragment/" in u for u in requested)
    assert any(u.endswith("/pagefind/pagefind.js?lane=1") for u in requested)  # the second lane
    # Ranked as Pagefind's own mergeIndex ranks the three indexes (ties in any order): the lanes'
    # answers are merged by score, not one lane's after the other's.
    reference = dict(page.evaluate(REFERENCE_RANKING, "Quetta"))
    box = ["/" + h.removeprefix("./") for h in hrefs]
    assert sorted(box) == sorted(reference)
    scores = [reference[h] for h in box]
    assert scores == sorted(scores, reverse=True), list(zip(box, scores))
    assert errors == []


# Pagefind's own merged search in the page, from another copy of its module: [url, score] pairs
# (the page's URL as the search box takes it).
REFERENCE_RANKING = """async (query) => {
    const entry = new URL(document.querySelector('[data-ib-search]').dataset.ibPagefind, document.baseURI);
    const pagefind = await import(entry.href + '?reference');
    await pagefind.options({excerptLength: 24});
    pagefind.init();
    const {parts} = await (await fetch(new URL('ib-shards.json', entry))).json();
    for (const part of parts) await pagefind.mergeIndex(new URL(part, entry).href, {excerptLength: 24});
    const found = await pagefind.search(query);
    return Promise.all(found.results.map(async (r) => { const d = await r.data(); return [d.raw_url || d.url, r.score]; }));
}"""


@pytest.mark.browser
def test_search_forgets_old_results_only_when_idle(browser, serve_site, built_example):
    """Pagefind's messages asking its worker to forget garbage-collected results (one per result)
    wait until the search box has been idle for a while: sent while a reader types, they held the
    next search back (search.js, DeferredRegistry). Garbage is collected on demand here
    (--js-flags=--expose-gc)."""
    from browserkit import CHROMIUM_FLAGS

    own = browser.browser_type.launch(executable_path=shutil.which("chromium"), args=[*CHROMIUM_FLAGS, "--js-flags=--expose-gc"])
    try:
        page = own.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script("""(() => {
            window.ibCollect = window.gc;  // before the page's scripts (a chart library has a global gc)
            window.ibReleases = [];
            const post = Worker.prototype.postMessage;
            Worker.prototype.postMessage = function (message, ...rest) {
                if (message && message.method === 'releaseData') window.ibReleases.push(performance.now());
                return post.call(this, message, ...rest);
            };
        })()""")
        goto(page, serve_site(built_example / "build/site"))
        _open_and_type(page, "Quetta")
        page.locator("#ib-search-input").fill("Ghor")  # the Quetta results are garbage now
        page.wait_for_function("document.querySelector('.md-search-result__list').dataset.ibQuery === 'Ghor'")
        for key in ["Backspace", "r"] * 5:  # typing on, collecting garbage at every key
            page.evaluate("() => { window.ibCollect(); return true; }")
            page.keyboard.press(key)
            page.wait_for_timeout(150)
        last_key = page.evaluate("performance.now()")
        assert page.evaluate("window.ibReleases.length") == 0
        page.wait_for_function("() => { window.ibCollect(); return window.ibReleases.length > 0; }", polling=200, timeout=20_000)
        assert page.evaluate("window.ibReleases[0]") - last_key >= 1400  # IDLE_MS after the last key
    finally:
        own.close()


def test_listings_are_left_out_of_the_index(built_example):
    """Lists of records (an actor's incidents, section listings, the quality table) are not indexed,
    so a search lands on the records themselves; the attribute has a value Pagefind accepts."""
    site = built_example / "build/site"
    actor = (site / "actors/islamic-state-khorasan/index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="ib-listing" data-pagefind-ignore="all">\s*<table>', actor)
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'data-pagefind-ignore(?!="all")', text), page  # Pagefind warns on any other value
