"""Search at scale: Pagefind's index of a built site, and what one query costs a browser.

    .venv/bin/python benchmarks/bench_search.py build/site --query quetta [--query ...] [--no-index]

1. the build's Pagefind indexing (incidentbook.sitesearch.index_search: every part of the index
   of a large site, none reused) under /usr/bin/time -v: wall time, CPU, peak RSS, index bytes; skipped with --no-index (the index the build wrote);
2. in headless Chromium (Debian's), a blank page on the same local server loads Pagefind's
   JavaScript API, runs each query and loads the data of the first 10 results: the bytes
   fetched (everything the page requested, after the page itself) and the time to those results
   (a cold start: pagefind.js and its WebAssembly are loaded by the query);
3. the site's own search box (partials/pagefind.html): on the home page, loaded, "/" pressed and
   the query typed; the time from the last key to the first result shown (the box waits 400 ms
   after a one- or two-letter word, not after a longer one), and the bytes fetched from pagefind/ from the "/" on (anything else the
   page fetched meanwhile is listed apart); then, in a fresh page, the query typed key by key
   (--key-ms apart, 150 ms: a fast typist) and the time from the last key to the first result of
   the whole query, as a reader sees it (Pagefind loads while the first keys are typed);
   --typed-runs N types each query N times, each in a fresh page, and reports every run and the median.
Compared with the built-in search, whose whole `search/search_index.json` a browser must load.
Writes search-probe.html into the site for step 2 and removes it afterwards: run it on a copy of a
site that others use.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PROBE = "<!doctype html><meta charset=utf-8><title>search probe</title>"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _size(request, site: Path, base: str) -> int:
    """Bytes of a response; Chromium reports 0 for a worker's script, so then the file's size (the
    local server sends files as they are)."""
    size = (request.sizes() or {}).get("responseBodySize", 0)
    if not size and request.url.startswith(base):
        path = site / request.url[len(base):].split("?")[0]
        if path.is_file():
            size = path.stat().st_size
    return size


def index(site: Path, exclude: str | None = None) -> dict:
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    # the build's indexing (incidentbook.sitesearch.index_search: every part of a large site's
    # index, none reused), under /usr/bin/time: its peak RSS is that of the largest Pagefind run
    script = ("from pathlib import Path; from incidentbook import sitesearch; "
              + (f"sitesearch.EXCLUDE_SELECTORS = {exclude!r}; " if exclude is not None else "")
              + f"print(sitesearch.index_search(Path({str(site.resolve())!r})))")
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", script],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-2000:])
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1)) for kind in ("User", "System"))
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {"seconds": round(hours * 3600 + minutes * 60 + seconds, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mb": round(rss / 1024),
            "index_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1), "index_files": len(files)}


def query_costs(site: Path, queries: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    (site / "search-probe.html").write_text(PROBE, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            for query in queries:
                page = browser.new_page()
                page.goto(base + "search-probe.html")
                fetched: list[int] = []
                page.on("requestfinished", lambda r, fetched=fetched: fetched.append(_size(r, site, base)))
                started = time.perf_counter()
                found = page.evaluate("""async (q) => {
                    const pagefind = await import('/pagefind/pagefind.js');
                    const {parts} = await (await fetch('/pagefind/ib-shards.json')).json();
                    await Promise.all(parts.map(part => pagefind.mergeIndex('/pagefind/' + part)));
                    const search = await pagefind.search(q);
                    const data = await Promise.all(search.results.slice(0, 10).map(r => r.data()));
                    return {count: search.results.length, first: data.map(d => d.url)};
                }""", query)
                elapsed = time.perf_counter() - started
                page.wait_for_timeout(200)
                out.append({"query": query, "results": found["count"], "first_results_ms": round(elapsed * 1000),
                            "bytes_fetched": sum(fetched), "requests": len(fetched), "top": found["first"][:3]})
                page.close()
            browser.close()
    finally:
        server.shutdown()
        (site / "search-probe.html").unlink()
    return out


def index_size(site: Path) -> dict:
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {"index_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1), "index_files": len(files)}


def ui_costs(site: Path, queries: list[str], key_ms: int, typed_runs: int = 1) -> list[dict]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            for query in queries:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(base, wait_until="load")
                page.wait_for_load_state("networkidle")
                fetched: list[tuple[str, int]] = []
                page.on("requestfinished", lambda r, fetched=fetched: fetched.append((r.url, _size(r, site, base))))
                page.keyboard.press("/")
                page.locator("#ib-search-input").fill(query[:-1])
                started = time.perf_counter()
                page.keyboard.type(query[-1])
                page.wait_for_selector(".md-search-result__item", timeout=60_000)
                elapsed = time.perf_counter() - started
                page.wait_for_timeout(500)
                status = page.locator(".md-search-result__meta").inner_text()
                cold = list(fetched)
                fetched.clear()
                # then, in the same page (Pagefind loaded), the next query of the list
                other = queries[(queries.index(query) + 1) % len(queries)]
                page.locator("#ib-search-input").fill("")
                page.wait_for_selector(".md-search-result__item", state="detached")
                started = time.perf_counter()
                page.locator("#ib-search-input").fill(other)  # one input event, as a paste
                page.wait_for_selector(".md-search-result__item", timeout=60_000)
                warm = time.perf_counter() - started
                # typed at a person's pace in a fresh page: from the last key to the first result
                # of the whole query (the list's data-ib-query), results for a part of it ignored;
                # `typed_runs` times, each in a fresh page (the figure varies from run to run)
                paced_runs = []
                for _ in range(typed_runs):
                    typed = browser.new_page(viewport={"width": 1280, "height": 900})
                    typed.goto(base, wait_until="load")
                    typed.wait_for_load_state("networkidle")
                    typed.keyboard.press("/")
                    typed.keyboard.type(query[:-1], delay=key_ms)
                    typed.wait_for_timeout(key_ms)
                    started = time.perf_counter()
                    typed.keyboard.type(query[-1])
                    typed.wait_for_function("""(query) => {
                        const list = document.querySelector('.md-search-result__list');
                        return list.dataset.ibQuery === query && list.querySelector('.md-search-result__item');
                    }""", arg=query, timeout=60_000)
                    paced_runs.append(round((time.perf_counter() - started) * 1000))
                    typed.close()
                out.append({"query": query, "status": status,
                            "typed_first_results_ms": paced_runs[0],
                            "typed_runs_ms": paced_runs, "typed_median_ms": statistics.median(paced_runs),
                            "first_results_ms": round(elapsed * 1000),
                            "bytes_fetched": sum(size for url, size in cold if "/pagefind/" in url),
                            "requests": sum(1 for url, _ in cold if "/pagefind/" in url),
                            "other_bytes_meanwhile": sum(size for url, size in cold if "/pagefind/" not in url),
                            "other_requests": sorted({url.removeprefix(base) for url, _ in cold if "/pagefind/" not in url})[:5],
                            "then_warm": {"query": other, "first_results_ms": round(warm * 1000),
                                          "bytes_fetched": sum(size for _, size in fetched)}})
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", action="append", default=[])
    parser.add_argument("--key-ms", type=int, default=150, help="pause between keys when typing at a person's pace")
    parser.add_argument("--typed-runs", type=int, default=1, help="how many times each query is typed (each in a fresh page)")
    parser.add_argument("--no-index", action="store_true", help="use the index the build wrote into SITE/pagefind/")
    parser.add_argument("--exclude-selectors", help="index with these instead of sitesearch.EXCLUDE_SELECTORS (to compare)")
    args = parser.parse_args()
    builtin = args.site / "search" / "search_index.json"
    out = {"pages": sum(1 for _ in args.site.rglob("index.html")),
           "builtin_search_index_mb": round(builtin.stat().st_size / 1e6, 1) if builtin.exists() else None,
           "pagefind": index_size(args.site) if args.no_index else index(args.site, args.exclude_selectors)}
    queries = args.query or ["quetta"]
    out["queries"] = query_costs(args.site, queries)
    if (args.site / "assets/incidentbook/search.js").is_file():
        out["search_box"] = ui_costs(args.site, queries, args.key_ms, args.typed_runs)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
