"""Issue 7: axe-core finds no serious or critical violation on the main page kinds, in the light
and dark schemes; keyboard navigation reaches the search, the navigation and footnote links."""

from __future__ import annotations

import re


import pytest
from browserkit import browser, goto, serve_site  # noqa: F401  (fixtures)
from test_privacy import open_search

from conftest import REPO

AXE = REPO / ".venv/node/node_modules/axe-core/axe.min.js"
PAGES = {"home": "", "brief": "incidents/ghor-2016-10-25/", "profile": "actors/islamic-state-khorasan/",
         "place": "places/ghor/", "map": "map/", "search": ""}
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary).join(' | ')))"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, serve_site, built_example, scheme):
    assert AXE.is_file(), "axe-core is missing: run `make node-tools` (npm install of the pinned axe-core)"
    url = serve_site(built_example / "build/site")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for name, path in PAGES.items():
        goto(page, url + path)
        if name == "search":
            open_search(page, "Ghor")
        else:
            page.wait_for_timeout(300)  # charts are drawn after the bundle loads
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
        if violations:
            found[name] = violations
    context.close()
    assert found == {}, found


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_the_open_search_at_phone_width(browser, serve_site, built_example, scheme):
    """The Pagefind search box open full screen on a phone, with results (test_search.py)."""
    url = serve_site(built_example / "build/site")
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    goto(page, url + "incidents/ghor-2016-10-25/")
    open_search(page, "Quetta")
    page.wait_for_timeout(400)  # the dialog's transition
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE)
    context.close()
    assert violations == [], violations


@pytest.mark.browser
def test_charts_have_text_alternatives(browser, serve_site, built_example):
    url = serve_site(built_example / "build/site")
    page = browser.new_page()
    goto(page, url)
    page.wait_for_selector("figure.ib-chart .ib-chart-view svg")
    figures = page.locator("figure.ib-chart")
    assert figures.count() > 0
    for i in range(figures.count()):
        figure = figures.nth(i)
        assert len(figure.locator("figcaption").inner_text().strip()) > 20  # the figure's accessible name
        # the drawing is hidden from screen readers, which read the caption and the data table instead
        assert figure.locator(".ib-chart-view svg").first.get_attribute("aria-hidden") == "true"
        assert figure.locator("xpath=following-sibling::details[1]//table").count() == 1
    page.close()
    # without JavaScript, the static SVG is an image whose alt text is the caption; an incident
    # brief's charts, which have none, say where their data is
    html = (built_example / "build/site/index.html").read_text(encoding="utf-8")
    alts = re.findall(r'<noscript><img src="[^"]+\.svg" alt="([^"]{20,})"></noscript>', html)
    assert len(alts) == html.count('class="ib-chart-view"'), alts
    brief = (built_example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    fallbacks = re.findall(r'<noscript><p class="ib-chart-fallback">([^<]{40,})</p></noscript>', brief)
    assert len(fallbacks) == brief.count('class="ib-chart-view"') == 2


@pytest.mark.browser
def test_keyboard_reaches_skip_link_search_navigation_and_footnotes(browser, serve_site, built_example):
    url = serve_site(built_example / "build/site")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    goto(page, url + "incidents/ghor-2016-10-25/")
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { const e = document.activeElement;
            return [e.tagName.toLowerCase(), e.className || '', e.getAttribute('href') || '', e.getAttribute('for') || '',
                    e.getAttribute('aria-label') || ''] }"""))
    assert seen[0][0] == "a" and seen[0][2].startswith("#"), seen[0]  # first: "Skip to content"
    assert any(s[3] == "__search" or "md-search__input" in s[1] for s in seen), seen  # the search
    assert any("md-tabs__link" in s[1] for s in seen), seen  # the navigation tabs
    # follow the footnote marks: Tab reaches them, Enter moves to the footnote
    goto(page, url + "incidents/ghor-2016-10-25/")
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('footnote-ref')"):
            break
    else:
        pytest.fail("Tab never reached a footnote mark")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash").startswith("#fn:")
    page.close()
