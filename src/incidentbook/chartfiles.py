"""Chart files under docs/assets/generated/: one SVG per chart, the vega bundle, the loader script.

Called from build.generate (the only writer). A chart is rendered again only when the hash of its
spec (with the static-rendering settings and the vl-convert version) changes; the hashes are kept
in charts/manifest.json. Every file is written only when its bytes change.

The SVGs are the charts for readers without JavaScript and the images of the PDF export:
`chart_svgs(root)` returns {chart id: path}.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import vl_convert

from .chartkit import Chart, spec_json

CHART_DIR = "assets/generated/charts"
BUNDLE = "assets/generated/vendor/vega-bundle.js"
LOADER = "assets/generated/charts.js"
STATIC_WIDTH = 640
STATIC_CONFIG = {"background": "#ffffff"}


def _write(target: Path, data: bytes) -> bool:
    if target.exists() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True


def static_spec(spec: dict) -> dict:
    """The spec as drawn for SVG: a fixed width (no page container) on a white background."""
    out = copy.deepcopy(spec)
    if out.get("width") == "container":
        out["width"] = STATIC_WIDTH
    out["config"] = {**out.get("config", {}), **STATIC_CONFIG}
    return out


def _digest(chart: Chart) -> str:
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


def write_svgs(docs: Path, charts: Mapping[str, Chart]) -> tuple[int, int]:
    """Render charts whose spec changed to docs/assets/generated/charts/<id>.svg; remove stale ones.
    Returns (rendered, removed)."""
    folder = docs / CHART_DIR
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
        _write(manifest_path, json.dumps({k: v for k, v in manifest.items() if k not in stale and k in fresh},
                                         indent=1, sort_keys=True).encode("utf-8"))
    for chart_id in stale:
        svg = stable_ids(vl_convert.vegalite_to_svg(static_spec(charts[chart_id].spec)))
        _write(folder / f"{chart_id}.svg", svg.encode("utf-8"))
        rendered += 1
    for old in sorted(folder.glob("*.svg")) if folder.is_dir() else []:
        if old.stem not in charts:
            old.unlink()
            removed += 1
    _write(manifest_path, json.dumps(fresh, indent=1, sort_keys=True).encode("utf-8"))
    return rendered, removed


def write_scripts(docs: Path) -> None:
    """The vega + vega-lite + vega-embed bundle of the installed vl-convert (made only when its
    version changes: producing it takes seconds) and the small loader that embeds the charts."""
    bundle = docs / BUNDLE
    stamp = bundle.with_suffix(".version")
    version = vl_convert.__version__
    if not bundle.exists() or not stamp.exists() or stamp.read_text(encoding="utf-8") != version:
        _write(bundle, vl_convert.javascript_bundle().encode("utf-8"))
        _write(stamp, version.encode("utf-8"))
    loader = resources.files("incidentbook").joinpath("builtin/assets/charts.js").read_bytes()
    _write(docs / LOADER, loader)


def chart_svgs(root: Path) -> dict[str, Path]:
    """{chart id: SVG path} for the charts of the last build of the publication at root."""
    folder = Path(root) / "docs" / CHART_DIR
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {chart_id: folder / f"{chart_id}.svg" for chart_id in sorted(manifest) if (folder / f"{chart_id}.svg").exists()}
