"""Issue 7: readers are not tracked. Every page kind of the built example, and a search typed into
the header's search box (Pagefind's index, served by the site), makes requests to the site's own
host only (Chromium, request interception)."""

from __future__ import annotations

import pytest
from browserkit import browser, goto, serve_site  # noqa: F401  (fixtures)

PAGE_KINDS = {
    "home": "", "incidents index": "incidents/", "brief": "incidents/ghor-2016-10-25/", "actors index": "actors/",
    "profile": "actors/islamic-state-khorasan/", "places index": "places/", "place": "places/ghor/",
    "sources index": "sources/", "source": "sources/voa-2016-10-26-ghor-quetta/", "map": "map/", "context": "context/",
    "data": "data/", "quality": "quality/", "methodology": "methodology/",
}


def open_search(page, query: str) -> None:
    """Type a query into the search box (Pagefind loads the index chunks it needs) and wait for the results."""
    page.keyboard.press("/")  # the search shortcut, as in Material
    page.locator("input.md-search__input").press_sequentially(query, delay=40)  # key events, as a reader types
    page.wait_for_selector(".md-search-result__item", timeout=15_000)


@pytest.mark.browser
def test_no_request_leaves_the_site(browser, serve_site, built_example):
    url = serve_site(built_example / "build/site")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    own, foreign = [], []
    context.route("**/*", lambda r: (own.append(r.request.url), r.continue_()) if r.request.url.startswith(url)
                  else (foreign.append(r.request.url), r.abort()))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for kind, path in PAGE_KINDS.items():
        goto(page, url + path)
        assert page.locator("article h1").count() == 1, kind
    open_search(page, "Ghor")
    page.wait_for_load_state("networkidle")
    assert page.locator(".md-search-result__item").count() > 0
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert errors == [], errors
    assert any("/pagefind/fragment/" in u for u in own)  # the search did load its index, from the site
    assert not any("search_index" in u for u in own)  # and not Material's built-in one, loaded whole
    assert any("/assets/generated/vendor/" in u for u in own)  # and the charts their bundle


def test_no_font_cdn_or_analytics_in_the_config(built_example):
    html = (built_example / "build/site/index.html").read_text(encoding="utf-8")
    for needle in ("fonts.googleapis.com", "fonts.gstatic.com", "googletagmanager", "google-analytics", "cdn.jsdelivr",
                   "unpkg.com", "cdnjs"):
        assert needle not in html, needle
