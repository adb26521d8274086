"""Before/after timings of the hot spots fixed for issue 8, on one publication.

    .venv/bin/python benchmarks/bench_hotspots.py DIR [--old-views COMMIT]

- loading: `load_publication` with PyYAML's pure-Python SafeLoader versus libyaml's CSafeLoader;
- views: every per-record lookup the pages make (incidents of each place and actor, actors of
  each place, statements of each actor, quotes of each source) with views.py as of COMMIT
  (before the indexes) versus the current views.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from incidentbook import yamlio
from incidentbook.load import load_publication
from incidentbook.validate import validate
from incidentbook.views import Views

REPO = Path(__file__).resolve().parents[1]


def old_views(commit: str):
    source = subprocess.run(["git", "show", f"{commit}:src/incidentbook/views.py"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "views_before.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("incidentbook._views_before_bench", path)  # relative imports resolve in the package
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module.Views


def lookups(views) -> float:
    started = time.perf_counter()
    pub = views.pub
    for place_id in pub.places:
        views.incidents_in(place_id)
        views.actors_in(place_id)
    for actor_id in pub.actors:
        views.actor_incidents(actor_id)
        views.statements_by(actor_id)
        views.relationships_of(actor_id)
    for source_id in pub.sources:
        views.quotes_in(source_id)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--old-views", default="dbc9988", help="commit whose views.py is the 'before'")
    args = parser.parse_args()
    out: dict = {}
    for name, loader in (("SafeLoader", yaml.SafeLoader), ("CSafeLoader", yaml.CSafeLoader)):
        yamlio._LOADER = loader
        started = time.perf_counter()
        pub = load_publication(args.root)
        out[f"load_seconds_{name}"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    verification = validate(pub)
    out["validate_seconds"] = round(time.perf_counter() - started, 1)
    out["incidents"], out["actors"], out["places"], out["sources"] = (len(pub.incidents), len(pub.actors),
                                                                     len(pub.places), len(pub.sources))
    for name, cls in (("before", old_views(args.old_views)), ("after", Views)):
        started = time.perf_counter()
        views = cls(pub, verification)
        built = time.perf_counter() - started
        out[f"views_{name}_seconds"] = round(built + lookups(views), 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
