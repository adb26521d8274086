"""The built example in Debian's Chromium: pages render, in light and dark schemes and at phone
width, with no request to any host but the site's own. Screenshots go to build/screenshots/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from browserkit import browser, goto, serve_site  # noqa: F401  (fixtures)

PAGES = {
    "home": ("", "Islamic State Khorasan, October 2016"),
    "brief": ("incidents/ghor-2016-10-25/", "Civilians abducted and killed near Firozkoh"),
    "profile": ("actors/islamic-state-khorasan/", "Islamic State Khorasan"),
    "place": ("places/ghor/", "Ghor"),
    "source": ("sources/voa-2016-10-26-ghor-quetta/", "Ghor Province, Afghanistan"),
}


@pytest.fixture(scope="module")
def site_url(built_example, serve_site):
    return serve_site(built_example / "build/site")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_pages_render_offline_in_both_schemes(browser, site_url, built_example, scheme, width):
    out = Path(__file__).resolve().parents[1] / "build/screenshots"
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    foreign: list[str] = []
    errors: list[str] = []

    def route(r):
        if urlparse(r.request.url).hostname != "127.0.0.1":
            foreign.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name, (path, heading) in PAGES.items():
        goto(page, site_url + path)
        assert heading in page.locator("article h1").inner_text()
        body_scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert body_scheme == ("slate" if scheme == "dark" else "default")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}px by {overflow}px"
        page.screenshot(path=str(out / f"{name}-{scheme}-{width}.png"), full_page=True)
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert errors == [], errors


TITLES_FIT = """() => {
    const out = {charts: 0, lines: 0, wrapped: 0, overflow: []};
    for (const view of document.querySelectorAll('.ib-chart-view')) {
        const svg = view.querySelector('svg');
        if (!svg) continue;
        out.charts += 1;
        const box = svg.getBoundingClientRect();
        for (const group of svg.querySelectorAll('.role-title-text, .role-title-subtitle')) {
            const texts = group.querySelectorAll('text, tspan');
            if (group.querySelectorAll('tspan').length > 1) out.wrapped += 1;
            for (const text of texts) {
                out.lines += 1;
                const r = text.getBoundingClientRect();
                if (r.right > box.right + 1 || r.left < box.left - 1) out.overflow.push(text.textContent);
            }
        }
    }
    return out;
}"""


@pytest.mark.browser
def test_chart_titles_fit_the_chart_at_phone_width(browser, site_url):
    """Vega does not wrap a title: at 390 px "Incidents attributed to Islamic State Khorasan, over
    time" ran off the chart. charts.js breaks titles and subtitles between words to the width."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    wrapped = 0
    for path in ("", "incidents/ghor-2016-10-25/", "actors/islamic-state-khorasan/", "places/ghor/"):
        goto(page, site_url + path)
        page.wait_for_function("""() => [...document.querySelectorAll('.ib-chart-view')]
            .every(v => v.querySelector('svg') || v.querySelector('img'))""", timeout=30_000)
        found = page.evaluate(TITLES_FIT)
        assert found["overflow"] == [], (path, found["overflow"])
        wrapped += found["wrapped"]
        assert found["charts"] == 0 or found["lines"] > 0, path
    assert wrapped > 0  # some title was long enough to be broken at this width
    page.close()


@pytest.mark.browser
def test_source_facts_fit_a_phone(browser, site_url):
    """The source's facts table fits 390 px without scrolling sideways: its 64-character SHA-256
    fingerprint wraps (.ib-hash) instead of widening the table past the screen."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    goto(page, site_url + PAGES["source"][0])
    hash_box = page.locator(".ib-hash").first
    assert len(hash_box.inner_text()) == 64
    table = page.locator("article table").first
    widths = table.evaluate("t => [t.getBoundingClientRect().right, document.querySelector('article').getBoundingClientRect().right]")
    assert widths[0] <= widths[1] + 1, widths
    assert hash_box.evaluate("e => e.getClientRects().length") > 1  # on more than one line
    page.close()


@pytest.mark.browser
def test_chart_bundle_keeps_its_names_to_itself(browser, site_url):
    """vl-convert's Vega bundle is a flat script of hundreds of top-level names (`n`, `t`, `gc`…).
    Loaded as it was, a publication's own script declaring one of them stopped every chart (the
    bundle could not declare `n` again), and the bundle's `gc` replaced the page's. Wrapped in a
    function (chartfiles.wrapped_bundle), it keeps them; the loader uses window.vegaEmbed."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    own = '<script>const n = "mine"; function gc() { return "mine"; }</script>'

    def inject(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace("</head>", own + "</head>", 1))

    page.route(site_url, inject)
    goto(page, site_url)
    page.wait_for_function("""() => { const views = document.querySelectorAll('.ib-chart-view');
        return views.length > 0 && [...views].every(v => v.classList.contains('vega-embed') && v.querySelector('svg')); }""",
                           timeout=30_000)
    assert page.evaluate("() => [n, gc(), typeof t, typeof vegaEmbed]") == ["mine", "mine", "undefined", "function"]
    page.close()
