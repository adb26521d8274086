"""Load, validate and derive the views of a publication, timed in-process (CPU and wall seconds).

    .venv/bin/incidentbook demo-corpus --incidents 10000 --out /tmp/bench10k/pub
    .venv/bin/python benchmarks/bench_load.py /tmp/bench10k/pub [--cold]

--cold removes the parse cache (build/cache/parsed.pickle) first, as on a fresh clone; without it,
a second run reads the files it parsed from the cache, as every build after the first does.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from incidentbook.load import load_publication
from incidentbook.validate import validate
from incidentbook.views import Views

root = Path(sys.argv[1])
out = {"cache": "cold" if "--cold" in sys.argv else "as found"}
if "--cold" in sys.argv:
    (root / "build" / "cache" / "parsed.pickle").unlink(missing_ok=True)
w, c = time.perf_counter(), time.process_time()
pub = load_publication(root)
out["load_wall"], out["load_cpu"] = round(time.perf_counter() - w, 1), round(time.process_time() - c, 1)
w, c = time.perf_counter(), time.process_time()
ver = validate(pub)
out["validate_wall"], out["validate_cpu"] = round(time.perf_counter() - w, 1), round(time.process_time() - c, 1)
w, c = time.perf_counter(), time.process_time()
Views(pub, ver)
out["views_wall"], out["views_cpu"] = round(time.perf_counter() - w, 1), round(time.process_time() - c, 1)
out["incidents"], out["sources"], out["quotes"] = len(pub.incidents), len(pub.sources), ver.count
print(json.dumps(out))
