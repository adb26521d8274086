"""Shared browser fixtures for the issue 7 tests: Debian's Chromium through Playwright, and a
static server for a built site on localhost."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def goto(page, url: str) -> None:
    """Open url and return once the page has loaded (its deferred scripts, such as the search box's,
    have run) and the network has been quiet for 500 ms. Playwright's goto(wait_until="networkidle")
    alone can return while the document is still being parsed: Chromium reports the network idle
    after 500 ms without requests, which a busy machine reaches mid-parse. A key pressed then was
    lost (the "/" of the search tests, 9 times in 160 page loads under a 100,000-incident build)."""
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")


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


@pytest.fixture(scope="module")
def serve_site():
    """serve_site(folder) -> 'http://127.0.0.1:PORT/' serving that folder until the module ends."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
