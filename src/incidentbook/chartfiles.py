"""Chart files under docs/assets/generated/: one SVG per chart, the vega bundle, the loader script.

Called from build.generate (the only writer). A chart is rendered again only when the hash of its
spec (with the static-rendering settings and the vl-convert version) changes; the hashes are kept
in charts/manifest.json. Every file is written only when its bytes change.

The SVGs are the charts for readers without JavaScript and the images of the PDF export:
`chart_svgs(root)` returns {chart id: path}. A chart without a site image (Chart.site_image: an
incident brief's two) is drawn only when PDFs are made, into build/cache/pdf-charts/, which the
site does not publish.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import vl_convert

from .publish import write_if_changed

if TYPE_CHECKING:
    from .chartkit import Chart

CHART_DIR = "assets/generated/charts"  # under docs/: published with the site
PDF_CHART_DIR = "build/cache/pdf-charts"  # under the publication root: images for the PDFs only
BUNDLE = "assets/generated/vendor/vega-bundle.js"
LOADER = "assets/generated/charts.js"
STATIC_WIDTH = 640
STATIC_CONFIG = {"background": "#ffffff"}
POOL_MIN = 60  # charts to render before worker processes pay for their start (~1-2 s each; a chart ~50-300 ms)


def static_spec(spec: dict) -> dict:
    """The spec as drawn for SVG: a fixed width (no page container) on a white background."""
    out = dict(spec)  # shallow: only top-level keys change (a deep copy of 20,000 specs took ~20 s CPU)
    if out.get("width") == "container":
        out["width"] = STATIC_WIDTH
    out["config"] = {**out.get("config", {}), **STATIC_CONFIG}
    return out


def _digest(chart: Chart) -> str:
    # imported here, so that an SVG worker process starts without pandas and Altair
    from .chartkit import spec_json

    key = spec_json(static_spec(chart.spec)) + vl_convert.__version__
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


_SVG_ID = re.compile(r"\b(gradient_|clip|pattern_|mask_)(\d+)\b")


def stable_ids(svg: str) -> str:
    """Number an SVG's gradient and clip ids from 0 in order of appearance. vl-convert counts them
    across the whole process, so the same chart rendered twice in one process would differ."""
    numbers: dict[tuple[str, str], int] = {}

    def renumber(match: re.Match) -> str:
        key = (match.group(1), match.group(2))
        numbers.setdefault(key, sum(1 for k in numbers if k[0] == key[0]))
        return f"{key[0]}{numbers[key]}"

    return _SVG_ID.sub(renumber, svg)


def render_svg(spec: dict) -> str:
    """The chart's static SVG (the same bytes in any process: see stable_ids)."""
    return stable_ids(vl_convert.vegalite_to_svg(static_spec(spec)))


def svg_workers() -> int:
    """Processes that render SVGs: INCIDENTBOOK_SVG_WORKERS, else one per CPU up to 2 (vl-convert
    renders one chart at a time per process, whatever the number of threads)."""
    try:
        return max(1, int(os.environ["INCIDENTBOOK_SVG_WORKERS"]))
    except (KeyError, ValueError):
        return min(2, os.cpu_count() or 1)


class _Worker:
    """A `python -m incidentbook.chartfiles` process: a spec per line in, its SVG out (length first).
    A plain subprocess, not multiprocessing: nothing of the caller's main module is re-imported."""

    def __init__(self) -> None:
        env = dict(os.environ)
        package_parent = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen([sys.executable, "-m", "incidentbook.chartfiles"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def render(self, spec: dict) -> str:
        # key order kept (not sorted): the worker draws exactly the dictionary it would have here
        self.process.stdin.write(json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline()
        if not header:
            raise RuntimeError(f"the SVG worker stopped (exit status {self.process.wait()}); its error is above")
        text = self.process.stdout.read(int(header.lstrip(b"E"))).decode("utf-8")
        if header.startswith(b"E"):
            raise ValueError(text)  # what vl-convert said about the spec, as in render_svg
        return text

    def close(self, finished: bool) -> int:
        """Exit status; a worker still busy (the build failed or stopped early) is killed."""
        if not finished:
            self.process.kill()
        self.process.stdin.close()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def _serve() -> None:
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        try:
            reply, mark = render_svg(json.loads(line)).encode("utf-8"), b""
        except ValueError as error:
            reply, mark = str(error).encode("utf-8"), b"E"
        out.write(mark + b"%d\n" % len(reply) + reply)
        out.flush()


def render_svgs(specs: list[dict], workers: int | None = None) -> Iterator[str]:
    """render_svg of each spec, in order; shared among worker processes when there are many (a cold
    build of 10,000 incidents renders 20,000 charts at 50-350 ms of CPU each)."""
    workers = svg_workers() if workers is None else workers
    if workers < 2 or len(specs) < POOL_MIN:
        yield from map(render_svg, specs)
        return
    idle: queue.Queue[_Worker] = queue.Queue()
    started: list[_Worker] = []

    def render(spec: dict) -> str:
        worker = idle.get()
        try:
            return worker.render(spec)
        finally:
            idle.put(worker)

    finished = False
    try:
        for _ in range(workers):
            started.append(_Worker())
            idle.put(started[-1])
        with ThreadPoolExecutor(workers) as threads:  # each thread waits on one worker's pipe
            yield from threads.map(render, specs)  # stopping early cancels the charts not started
        finished = True
    finally:
        statuses = [worker.close(finished) for worker in started]
    if any(statuses):
        raise RuntimeError(f"an SVG worker failed (exit statuses {statuses}); its error is above")


def write_svgs(folder: Path, charts: Mapping[str, Chart]) -> tuple[int, int]:
    """Render charts whose spec changed to folder/<id>.svg; remove the SVGs of other charts.
    Returns (rendered, removed)."""
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    rendered = removed = 0
    fresh = {chart_id: _digest(chart) for chart_id, chart in sorted(charts.items())}
    stale = [chart_id for chart_id, digest in fresh.items()
             if manifest.get(chart_id) != digest or not (folder / f"{chart_id}.svg").exists()]
    if stale:  # forget them first: a build killed while rewriting them must not find them marked current
        redrawn = set(stale)
        write_if_changed(manifest_path, json.dumps({k: v for k, v in manifest.items() if k not in redrawn and k in fresh},
                                         indent=1, sort_keys=True).encode("utf-8"))
    for chart_id, svg in zip(stale, render_svgs([charts[chart_id].spec for chart_id in stale])):
        write_if_changed(folder / f"{chart_id}.svg", svg.encode("utf-8"))
        rendered += 1
    for old in sorted(folder.glob("*.svg")) if folder.is_dir() else []:
        if old.stem not in charts:
            old.unlink()
            removed += 1
    write_if_changed(manifest_path, json.dumps(fresh, indent=1, sort_keys=True).encode("utf-8"))
    return rendered, removed


# vl-convert's bundle is a flat script: loaded as it is, its top-level names (`n`, `t`, `gc`, …,
# hundreds of them) became the page's globals, so that a publication's own script declaring one of
# them (`const n = …`) stopped the charts, or the bundle replaced the page's function of that name.
# Inside a function its names stay its own; it still sets window.vegaEmbed, which charts.js uses.
BUNDLE_FORMAT = "2"  # in the version stamp: a bundle written by an older incidentbook is made again


def wrapped_bundle(source: str) -> str:
    return f"(function () {{\n{source}\n}}).call(window);\n"


def write_scripts(docs: Path) -> None:
    """The vega + vega-lite + vega-embed bundle of the installed vl-convert, wrapped in a function
    (made only when its version changes: producing it takes seconds), and the small loader that
    embeds the charts."""
    bundle = docs / BUNDLE
    stamp = bundle.with_suffix(".version")
    version = f"{vl_convert.__version__} {BUNDLE_FORMAT}"
    if not bundle.exists() or not stamp.exists() or stamp.read_text(encoding="utf-8") != version:
        write_if_changed(bundle, wrapped_bundle(vl_convert.javascript_bundle()).encode("utf-8"))
        write_if_changed(stamp, version.encode("utf-8"))
    loader = resources.files("incidentbook").joinpath("builtin/assets/charts.js").read_bytes()
    write_if_changed(docs / LOADER, loader)


def chart_svgs(root: Path) -> dict[str, Path]:
    """{chart id: SVG path} for the charts of the last build of the publication at root: the site's,
    and those drawn for the PDFs only."""
    out = {}
    for folder in (Path(root) / "docs" / CHART_DIR, Path(root) / PDF_CHART_DIR):
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out.update((chart_id, folder / f"{chart_id}.svg") for chart_id in manifest if (folder / f"{chart_id}.svg").exists())
    return dict(sorted(out.items()))


if __name__ == "__main__":  # an SVG worker of render_svgs
    _serve()
