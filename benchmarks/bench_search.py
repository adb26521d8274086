"""Search at scale: Pagefind's index of a built site, and what one query costs a browser.

    .venv/bin/python benchmarks/bench_search.py build/site --query quetta [--query ...]

1. `python -m pagefind --site SITE` under /usr/bin/time -v (wall time, peak RSS, index bytes);
2. in headless Chromium (Debian's), a blank page on the same local server loads Pagefind's
   JavaScript API, runs each query and loads the data of the first 10 results: the bytes
   fetched (everything the page requested, after the page itself) and the time to those results.
Compared with the built-in search, whose whole `search/search_index.json` a browser must load.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
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


def index(site: Path) -> dict:
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "pagefind", "--site", str(site)],
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
                page.on("requestfinished", lambda r, fetched=fetched: fetched.append((r.sizes() or {}).get("responseBodySize", 0)))
                started = time.perf_counter()
                found = page.evaluate("""async (q) => {
                    const pagefind = await import('/pagefind/pagefind.js');
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", action="append", default=[])
    args = parser.parse_args()
    builtin = args.site / "search" / "search_index.json"
    out = {"pages": sum(1 for _ in args.site.rglob("index.html")),
           "builtin_search_index_mb": round(builtin.stat().st_size / 1e6, 1) if builtin.exists() else None,
           "pagefind": index(args.site)}
    out["queries"] = query_costs(args.site, args.query or ["quetta"])
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
