"""Issue 8: section listings are paginated, so every page stays the same size as the publication grows.

The listing pages of a 250-incident demo corpus (incidents on 3 pages, sources on 2) serves
the structure checks; one full MkDocs build of a 40-incident corpus with 10 records a page (every
listing paginated) checks that the links resolve in the site and the control in a browser.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from browserkit import browser, goto, serve_site  # noqa: F401  (fixtures)
from conftest import copy_example

from incidentbook import site
from incidentbook.build import build, check, generate
from incidentbook.democorpus import write_corpus
from incidentbook.exports import data_files
from incidentbook.linkcheck import check_links
from incidentbook.metadata import jsonld_block
from incidentbook.views import Views

SIZE = site.LISTING_PAGE_SIZE
LISTINGS = {"incident": "incidents", "actor": "actors", "place": "places", "source": "sources"}
ROW_LINK = re.compile(r'href="([a-z0-9]+(?:-[a-z0-9]+)*)\.md"')  # a record in the same folder
ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
PAGER_ITEM = re.compile(r'^<li><a ([^>]*?)href="([^"]*)"([^>]*)>(.*?)</a></li>$', re.MULTILINE)


def listing_paths(docs: Path, folder: str) -> list[str]:
    """The listing's pages in page order, as paths under docs/."""
    numbers = sorted(int(p.stem[len("page_"):]) for p in (docs / folder).glob("page_*.md"))
    assert numbers == list(range(2, len(numbers) + 2)), f"{folder}: pages not numbered 2..n: {numbers}"
    return [f"{folder}/index.md"] + [f"{folder}/page_{n}.md" for n in numbers]


def rows(page: str) -> list[str]:
    """Record ids of a listing page's table rows, in order (the first same-folder link of each row)."""
    return [match.group(1) for row in ROW.findall(page) if (match := ROW_LINK.search(row))]


def expected_order(views: Views, kind: str) -> list[str]:
    """The listing's order before pagination (what its template sorted by)."""
    pub = views.pub
    records = {"incident": views.incidents_by_date(), "actor": views.actors_sorted(),
               "place": sorted(pub.places.values(), key=lambda p: p.name.lower()),
               "source": sorted(pub.sources.values(), key=lambda s: s.published, reverse=True)}[kind]
    return [r.id for r in records]


def render_listings(root: Path) -> dict[str, str]:
    """The listing pages of a publication, rendered without writing anything."""
    pub, verification = check(root)
    views = Views(pub, verification)
    renderer = site.PageRenderer(pub, views)
    renderer.downloads = {path: len(data) for path, data in data_files(views, "demo", "Demo", "1").items()}
    return {page.path: renderer.render(page) for page in site.all_pages(views) if "rows" in page.context}


@pytest.fixture(scope="module")
def generated250(tmp_path_factory) -> tuple[Path, Views]:
    """A 250-incident corpus with its listing pages written into docs/ (as build.generate writes
    them; the rest of generate, whose chart images take minutes on a cold cache, is not needed)."""
    root = tmp_path_factory.mktemp("pagination") / "pub"
    write_corpus(root, 250)
    site.write_pages(root / "docs", render_listings(root))
    pub, verification = check(root)
    return root, Views(pub, verification)


SMALL_SIZE = 10


@pytest.fixture(scope="module")
def built_small(tmp_path_factory) -> Path:
    """The whole build of a 40-incident corpus at 10 records a page: every listing has pages."""
    root = tmp_path_factory.mktemp("pagination-site") / "pub"
    write_corpus(root, 40)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(site, "LISTING_PAGE_SIZE", SMALL_SIZE)
        build(root, strict=True, pdf=False)  # strict: MkDocs warns on any unresolved link or anchor
    return root


def test_every_record_on_exactly_one_page_in_the_old_order(generated250):
    root, views = generated250
    docs = root / "docs"
    counts = {}
    for kind, folder in LISTINGS.items():
        paths = listing_paths(docs, folder)
        expected = expected_order(views, kind)
        counts[folder] = len(paths)
        assert len(paths) == max(1, -(-len(expected) // SIZE)), folder
        pages = [rows((docs / path).read_text(encoding="utf-8")) for path in paths]
        assert all(len(page) <= SIZE for page in pages), [len(page) for page in pages]
        assert all(len(page) == SIZE for page in pages[:-1]), f"{folder}: only the last page may be short"
        listed = [record_id for page in pages for record_id in page]
        assert listed == expected, f"{folder}: not every record once, in the listing's order"
        assert set(Counter(listed).values()) == {1}
    assert counts["incidents"] == 3 and counts["sources"] >= 2  # the corpus does paginate
    assert counts["actors"] == counts["places"] == 1


def test_page_one_keeps_the_section_address(generated250):
    root, views = generated250
    first = (root / "docs/incidents/index.md").read_text(encoding="utf-8")
    assert "\ntitle: Incidents\n" in first
    assert rows(first) == [i.id for i in views.incidents_by_date()[:SIZE]]
    assert "This is page 1 of 3, incidents 1–100 of 250" in first
    assert '(<a href="../data/incidents.csv">incidents.csv</a>)' in first  # where the whole list is
    later = (root / "docs/incidents/page_3.md").read_text(encoding="utf-8")
    assert '\ntitle: "Incidents, page 3 of 3"\n' in later
    assert "This is page 3 of 3, incidents 201–250 of 250" in later
    assert (root / "docs/incidents/page_2.md").is_file() and not (root / "docs/incidents/page_4.md").exists()


def pager_targets(docs: Path, folder: str, path: str, number: int, count: int) -> dict:
    """The control's links on one listing page: {'prev'|'next'|page number: file}, checked as it goes."""
    text = (docs / path).read_text(encoding="utf-8")
    assert f'<p class="ib-pager-status">Page {number} of {count}</p>' in text
    targets: dict = {}
    for before, target, after, label in PAGER_ITEM.findall(text.split('<nav class="ib-pager"', 1)[1]):
        attrs = before + after
        assert (docs / folder / target).is_file(), f"{path}: {target} does not exist"
        if "rel=" in attrs:
            targets["prev" if 'rel="prev"' in attrs else "next"] = target
        else:
            targets[int(label)] = target
            assert ('aria-current="page"' in attrs) == (int(label) == number), (path, label)
    return targets


def test_pagination_links_point_to_the_right_pages(generated250):
    root, _ = generated250
    docs = root / "docs"
    for folder in ("incidents", "sources"):
        paths = listing_paths(docs, folder)
        names = [path.rsplit("/", 1)[1] for path in paths]
        count = len(paths)
        for number, path in enumerate(paths, 1):
            targets = pager_targets(docs, folder, path, number, count)
            assert targets.get("prev") == (names[number - 2] if number > 1 else None)
            assert targets.get("next") == (names[number] if number < count else None)
            assert {1, count, number} <= {k for k in targets if isinstance(k, int)}
            assert all(targets[k] == names[k - 1] for k in targets if isinstance(k, int))
    for folder in ("actors", "places"):
        assert "ib-pager" not in (docs / folder / "index.md").read_text(encoding="utf-8")


def test_pagination_in_the_built_site(built_small):
    """Every listing paginated: the site builds in strict mode, every link resolves, page 1 stays
    at the section's address and in the navigation, the later pages stay out of it."""
    site_dir = built_small / "build/site"
    checked, broken = check_links(site_dir)
    assert checked and not broken, broken[:5]
    for folder in LISTINGS.values():
        count = len(listing_paths(built_small / "docs", folder))
        assert count >= 2, folder
        first = (site_dir / folder / "index.html").read_text(encoding="utf-8")
        assert f'<nav class="ib-pager" id="ib-pages" aria-label="Pages of the {folder} list" data-pagefind-ignore="all">' in first
        assert f'<p class="ib-pager-status">Page 1 of {count}</p>' in first
        assert 'aria-current="page" aria-label="Page 1" href="./"' in first
        assert '<a href="#ib-pages">all pages</a>' in first and '<a href="../data/">data downloads</a>' in first
        # only the pagination links to the later pages: they are not in the navigation
        assert "page_2" not in re.sub(r'<nav class="ib-pager".*?</nav>', "", first, flags=re.DOTALL)
        later = (site_dir / folder / "page_2/index.html").read_text(encoding="utf-8")
        assert 'aria-current="page" aria-label="Page 2" href="./"' in later
        assert 'href="../" rel="prev"' in later
        assert f"<title>{folder.capitalize()}, page 2 of {count} - " in later


def test_the_window_of_page_links_stays_small():
    for count in (1, 2, 7, 50, 10_000):
        for number in {n for n in (1, 2, 3, count // 2, count - 1, count) if 1 <= n <= count}:
            items = site.Pager("incident", number, count, 0, 0, 0).items()
            wide = [n for n, css in items if css != "narrow"]
            narrow = [n for n, css in items if css != "far"]
            for shown, radius in ((wide, 2), (narrow, 1)):
                numbers = [n for n in shown if n is not None]
                assert numbers == sorted(set(numbers)) and {1, count, number} <= set(numbers)
                assert set(range(max(1, number - radius), min(count, number + radius) + 1)) <= set(numbers)
                assert len(shown) <= 2 * radius + 5  # constant, whatever the count
                for i, n in enumerate(shown[:-1]):  # a gap stands exactly where pages are left out
                    assert n is not None or shown[i + 1] is not None
                    if n is not None and shown[i + 1] is not None:
                        assert shown[i + 1] == n + 1
                    if n is not None and shown[i + 1] is None:
                        assert shown[i + 2] > n + 2


def test_small_listings_render_as_before(tmp_path):
    """Listings that fit on one page show no pagination: the example looks exactly as before."""
    root = copy_example(tmp_path / "pub")
    pages = render_listings(root)
    assert sorted(pages) == ["actors/index.md", "incidents/index.md", "places/index.md", "quality.md", "sources/index.md"]
    for path, text in pages.items():
        assert "ib-pager" not in text and "page_" not in text, path
        name = "Sourcing quality" if path == "quality.md" else path.split("/")[0].capitalize()
        assert "\ntitle: " + name + "\n" in text
    assert "<th>Incident</th>\n<th>Sources</th>\n<th>Publishers</th>" in pages["quality.md"]  # every incident's sourcing
    assert "</p>\n\n<div class=\"ib-listing\"" in pages["incidents/index.md"]  # the intro, then the list: no note
    # the table is the page's last block, in the listing's div (left out of the search index)
    assert pages["incidents/index.md"].endswith("</tbody>\n</table>\n</div>\n\n")


def test_shrinking_removes_the_pages_no_longer_needed(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "LISTING_PAGE_SIZE", 4)
    root = tmp_path / "pub"
    write_corpus(root, 12)
    docs = root / "docs"
    pub, verification = check(root)
    generate(root, pub, verification)
    assert listing_paths(docs, "incidents") == ["incidents/index.md", "incidents/page_2.md", "incidents/page_3.md"]
    newest = [i.id for i in Views(pub, verification).incidents_by_date()]
    for incident_id in newest[:5]:
        (root / "data/incidents" / f"{incident_id}.yaml").unlink()
    pub, verification = check(root)
    generate(root, pub, verification)
    assert listing_paths(docs, "incidents") == ["incidents/index.md", "incidents/page_2.md"]
    assert not (docs / "incidents/page_3.md").exists()
    listed = [i for path in listing_paths(docs, "incidents") for i in rows((docs / path).read_text(encoding="utf-8"))]
    assert listed == newest[5:]
    assert 'href="page_3.md"' not in (docs / "incidents/page_2.md").read_text(encoding="utf-8")


def test_listing_pages_stay_the_same_size_as_the_corpus_doubles(generated250, tmp_path):
    root250, _ = generated250
    root500 = tmp_path / "pub500"
    write_corpus(root500, 500)
    sizes = {}
    for n, root in ((250, root250), (500, root500)):
        pages = render_listings(root)
        sizes[n] = {folder: [len(text.encode("utf-8")) for path, text in pages.items() if path.startswith(folder + "/")]
                    for folder in ("incidents", "sources")}
    assert len(sizes[500]["incidents"]) == 5 and len(sizes[250]["incidents"]) == 3
    for folder in ("incidents", "sources"):
        largest250, largest500 = max(sizes[250][folder]), max(sizes[500][folder])
        assert largest500 <= 1.15 * largest250, (folder, largest250, largest500)
    assert max(sizes[500]["incidents"]) < 40_000  # 100 rows of about 260 bytes, plus the pagination


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_a_paginated_listing(browser, serve_site, built_small, scheme):  # noqa: F811
    from test_accessibility import AXE, RUN_AXE

    assert AXE.is_file(), "axe-core is missing: run `make node-tools`"
    url = serve_site(built_small / "build/site")
    found = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        goto(page, url + "incidents/page_3/")
        page.add_script_tag(path=str(AXE))
        if violations := page.evaluate(RUN_AXE):
            found[width] = violations
        # the control is one row at phone width: the far page links and the arrows' words are hidden
        tops = page.eval_on_selector_all("nav.ib-pager li", "els => els.filter(e => e.offsetParent)"
                                          ".map(e => Math.round(e.getBoundingClientRect().top))")
        assert len(set(tops)) == 1, (width, tops)
        context.close()
    assert found == {}, found


def test_quality_page_lists_incidents_needing_attention_a_page_at_a_time(generated250, monkeypatch):
    """The quality page no longer lists every incident at once (1.8 MB of Markdown at 10,000): page 1
    has the counts and the first incidents needing attention, quality/page_2.md the next ones…;
    every incident's sourcing is in the incident list and incidents.csv. (20 a page here: 45 of the
    250 incidents need attention.)"""
    root, views = generated250
    size = 20
    monkeypatch.setattr(site, "LISTING_PAGE_SIZE", size)
    pages = {path: text for path, text in render_listings(root).items() if path.startswith("quality")}
    attention = [i.id for i in views.incidents_by_date() if views.quality(i).needs_attention]
    assert len(attention) > 2 * size
    paths = ["quality.md"] + [f"quality/page_{n}.md" for n in range(2, -(-len(attention) // size) + 1)]
    assert sorted(pages) == sorted(paths)
    texts = [pages[path] for path in paths]
    per_page = [re.findall(r'^<td><a href="(?:\.\./)*incidents/([a-z0-9-]+)\.md">', text, re.MULTILINE) for text in texts]
    assert [i for page in per_page for i in page] == attention and all(len(page) <= size for page in per_page)
    first = texts[0]
    all_incidents = '<h2 id="all-incidents">All incidents</h2>'
    assert f"Of 250 incidents, {len(attention)} need attention: " in first and all_incidents in first
    assert "<th>Incident</th>\n<th>Sources</th>" not in first and "incidents.csv" in first
    assert all(all_incidents not in text and "Of 250" not in text for text in texts[1:])
    # the pager's links between quality.md and the pages in quality/
    assert 'href="quality/page_2.md"' in first
    assert 'href="../quality.md"' in texts[1] and '\ntitle: "Sourcing quality, page 2 of 3"' in texts[1]


# ---- lists on record pages (an actor's or a place's incidents, a source's quotes…) ----

NAV = re.compile(r'<nav class="ib-pager".*?</nav>', re.DOTALL)
# a link to a record, in Markdown ("](../incidents/x.md)") or in a page written in HTML ('href="../incidents/x.md"')
LINKED = re.compile(r"(?:\]\(|href=\")(?:\.\./)*(incidents|actors|places|sources)/([a-z0-9-]+)\.md(?:#[\w-]*)?[)\"]")


def record_pages(root: Path, kinds=("actor", "place", "source")) -> dict[str, str]:
    """The record pages of these kinds and the later pages of their lists, rendered (no writing)."""
    pub, verification = check(root)
    views = Views(pub, verification)
    renderer = site.PageRenderer(pub, views)
    renderer.jsonld = lambda kind, record: jsonld_block(views, kind, record)
    wanted = {"actor": site.actor_pages, "place": site.place_pages, "source": site.source_pages}
    return {page.path: renderer.render(page) for kind in kinds for page in wanted[kind](views)
            if "rows" not in page.context or page.template.startswith("record_list.")}


def list_block(text: str, heading: str) -> str:
    """The list under `heading` on a record's page (or the whole of a later page's body), its page
    links left out."""
    if f"\n## {heading}\n" in text:
        text = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    elif f">{heading}</h2>\n" in text:  # a page written in HTML (htmlpages.py)
        text = text.split(f">{heading}</h2>\n", 1)[1].split("\n<h2 ", 1)[0]
    elif "\n# " in text:
        text = text.split("\n# ", 1)[1]
    else:
        text = text.split("</h1>\n", 1)[1]
    return NAV.sub("", text)


def entries(kind: str, name: str, block: str) -> list:
    if name == "quotes":  # a table row's first cell, in Markdown or in HTML
        line_cell = re.compile(r"(?:\| \[?|<td>(?:<a [^>]*>)?)(\d+)")
        return [int(line_cell.match(line).group(1)) for line in block.splitlines() if line_cell.match(line)]
    if name == "statements":
        return [line for line in block.splitlines() if line.startswith(("- ", "<li>"))]
    found = [(KIND_OF[folder], record_id) for folder, record_id in LINKED.findall(block)]
    if name == "incidents":
        return [record_id for k, record_id in found if k == "incident"]
    return found  # the records citing a source (a context figure's link is to context.md, not matched)


KIND_OF = {"incidents": "incident", "actors": "actor", "places": "place", "sources": "source"}


def expected_entries(views: Views, kind: str, name: str, record_id: str) -> list:
    from incidentbook.ledger import grouped_statements

    if (kind, name) == ("actor", "incidents"):
        return [row.incident.id for row in views.actor_incidents(record_id)]
    if name == "statements":
        return grouped_statements(views.statements_by(record_id))
    if kind == "place":
        return [i.id for i in views.incidents_in(record_id)]
    if name == "citations":
        return [(k, rid) for k, rid, _ in site.source_citations(views, record_id) if k != "context"]
    return [line for line, _ in views.quotes_in(record_id)]


def test_lists_on_record_pages_are_split_into_pages(generated250, monkeypatch):
    """Every list that grows with the publication on an actor's, a place's or a source's page shows
    its first `size` entries there and the others on pages in the record's folder, each entry once,
    in the list's order, with the page links between them."""
    root, views = generated250
    size = 3
    monkeypatch.setattr(site, "LISTING_PAGE_SIZE", size)
    pages = record_pages(root)
    split = Counter()
    for (kind, name), info in site.RECORD_LISTS.items():
        for record_id in views.pub.store(kind):
            expected = expected_entries(views, kind, name, record_id)
            count = max(1, -(-len(expected) // size))
            paths = [site.record_list_url(kind, record_id, name, n) for n in range(1, count + 1)]
            assert site.record_list_url(kind, record_id, name, count + 1) not in pages
            blocks = [list_block(pages[path], info.heading) for path in paths]
            got = [entries(kind, name, block) for block in blocks]
            if name == "statements":
                assert [len(page) for page in got] == [len(expected[i:i + size]) for i in range(0, len(expected), size)] or (not expected and got == [[]])
            else:
                assert [e for page in got for e in page] == expected, (kind, name, record_id)
                assert all(len(page) <= size for page in got)
            if count > 1:
                split[kind, name] += 1
                first, later = pages[paths[0]], pages[paths[1]]
                total = "{:,}".format(len(expected))
                link = "<a " if "incidentbook_html: true" in first else "["  # a page written in HTML, or Markdown
                assert f"{info.nouns.capitalize()} 1–{size} of {total}, {info.order}; the others are on {link}" in first
                assert f'id="ib-pages-{name}"' in first and "search:\n  exclude: true" not in first
                back = site.Pager(kind, 2, count, len(expected), size + 1, 2 * size, record_id, name).href(1)
                assert (f"]({back})" in later.replace("\\", "")  # "back to the profile" and the page links
                        or f'href="{back}"' in later)
                assert back == f"../../{record_id}.md#{info.anchor}"
                assert "search:\n  exclude: true" in later  # not in the search index
                assert f"This is page 2 of {count} of the {info.nouns} of {link}" in later
    assert set(split) == set(site.RECORD_LISTS), split  # the corpus exercises every list


def test_record_pages_stay_the_same_size_as_the_corpus_doubles(generated250, tmp_path, monkeypatch):
    """With 5 entries a page, the largest actor and place pages of 500 incidents are no larger than
    those of 250 but for their page links (the lists' later pages hold the rest). Before, an actor's
    page grew by a table row per incident and a statement per claim (1.6 MB at 10,000 incidents)."""
    monkeypatch.setattr(site, "LISTING_PAGE_SIZE", 5)
    root500 = tmp_path / "pub500"
    write_corpus(root500, 500)
    largest = {}
    for n, root in ((250, generated250[0]), (500, root500)):
        pages = record_pages(root, ("actor", "place"))
        largest[n] = {folder: max(len(text.encode("utf-8")) for path, text in pages.items()
                                  if path.startswith(folder + "/") and path.count("/") == 1)
                      for folder in ("actors", "places")}
    # only the page links may grow, up to their window (Pager.items: at most 9 links, ~100 bytes each)
    for folder in ("actors", "places"):
        assert largest[500][folder] <= 1.05 * largest[250][folder] + 700, (folder, largest)


def test_later_pages_of_record_lists_in_the_built_site(built_small):
    """The later pages of a record's list build (strict: every link and anchor resolves), link back
    to the list on the record's page and are left out of the search index."""
    site_dir = built_small / "build/site"
    later = sorted(site_dir.glob("*/*/*/page_2/index.html"))
    assert later, "no record list long enough in the corpus"
    for path in later:
        text = path.read_text(encoding="utf-8")
        assert "data-pagefind-body" not in text, path
        assert 'aria-current="page" aria-label="Page 2"' in text
        record = path.parents[2]
        assert (record / "index.html").is_file()
        own = (record / "index.html").read_text(encoding="utf-8")
        assert "data-pagefind-body" in own and f'id="ib-pages-{path.parents[1].name}"' in own


def test_later_pages_of_lists_are_not_taken_for_records():
    """The render memo keeps record pages and the search index splits record pages into parts, by
    site.record_at: the later pages of a record's lists, like the section listings' pages, are not
    records' pages."""
    assert site.record_at("incidents/quetta.md") == site.record_at("incidents/quetta/index.html") == ("incident", "quetta")
    assert site.record_at("sources/voa.md") == ("source", "voa")
    for path in ("incidents/index.md", "incidents/page_2.md", "incidents/page_2/index.html", "index.md",
                 "actors/isis/incidents/page_2.md", "sources/voa/quotes/page_3/index.html", "quality/page_2.md",
                 "data/index.md", "context.md", "incidents/quetta.json"):
        assert site.record_at(path) is None, path
