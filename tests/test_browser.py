"""The built example in Debian's Chromium: pages render, in light and dark schemes and at phone
width, with no request to any host but the site's own. Screenshots go to build/screenshots/."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {
    "home": ("", "Islamic State Khorasan, October 2016"),
    "brief": ("incidents/ghor-2016-10-25/", "Civilians abducted and killed near Firozkoh"),
    "profile": ("actors/islamic-state-khorasan/", "Islamic State Khorasan"),
    "place": ("places/ghor/", "Ghor"),
    "source": ("sources/voa-2016-10-26-ghor-quetta/", "Ghor Province, Afghanistan"),
}


@pytest.fixture(scope="module")
def site_url(built_example):
    handler = functools.partial(_QuietHandler, directory=str(built_example / "build/site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed: run `make test`, which installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


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
        page.goto(site_url + path, wait_until="networkidle")
        assert heading in page.locator("article h1").inner_text()
        body_scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert body_scheme == ("slate" if scheme == "dark" else "default")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}px by {overflow}px"
        page.screenshot(path=str(out / f"{name}-{scheme}-{width}.png"), full_page=True)
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert errors == [], errors
