"""Site search with Pagefind (PyPI `pagefind[bin]`), in place of Material's built-in search.

Material's search writes `search/search_index.json`, which a browser downloads whole before the
first result (10 MB at 1,000 incidents, 52 MB at 10,000 pages). Pagefind splits its index into
chunks fetched per query (about 0.2 MB per query at 1,000 incidents: BENCHMARKS.md).

`index_search` runs after MkDocs has built the site into its staging folder and before that folder
is swapped in (build.publish_site), so the published site always carries a complete index and a
failed index leaves the previous site as it was. Pagefind indexes only each page's article
(`data-pagefind-body`, builtin/theme/main.html); a record's title is its h1, without the permalink
mark. Its output is deterministic: the same pages give the same bytes (chunk names are content
hashes), so two builds of the same commit stay byte-identical.

The search box that queries the index is builtin/theme/partials/pagefind.html with
builtin/theme/assets/incidentbook/search.{js,css}.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"
# Inside the article but not content: permalink marks (¶) and footnote back-links (↩).
EXCLUDE_SELECTORS = ".headerlink, .footnote-backref"


def _prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up here, not in the forked child


def _die_with_the_build() -> None:
    """In the forked child (Linux): PR_SET_PDEATHSIG, so that a build killed while indexing (even
    with SIGKILL) takes Pagefind with it, and no orphan writes into a later build's staging folder."""
    import signal

    _PRCTL(1, signal.SIGKILL)


def pagefind_command(site: Path) -> list[str]:
    """The Pagefind run of the build (benchmarks/bench_search.py times the same command)."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", OUTPUT_SUBDIR,
            "--exclude-selectors", EXCLUDE_SELECTORS, "--quiet"]


def index_search(site_dir: Path) -> None:
    """Write Pagefind's index of the built site into site_dir/pagefind/. Raises SiteBuildFailed."""
    from .build import SiteBuildFailed  # here, not at the top: build imports this module

    if importlib.util.find_spec("pagefind") is None or importlib.util.find_spec("pagefind_bin") is None:
        raise SiteBuildFailed(["Pagefind is not installed: `pip install 'pagefind[bin]==1.5.2'` "
                               "(a dependency of incidentbook; `make site` installs it)."])
    site = Path(site_dir).resolve()
    # A fresh index every time. Removing (not overwriting) also keeps an incremental build's hard
    # links to the published site's files from being written through.
    shutil.rmtree(site / OUTPUT_SUBDIR, ignore_errors=True)
    try:
        # cwd is the site itself, so that no pagefind.yml of the caller's folder changes the index
        result = subprocess.run(pagefind_command(site), cwd=site, capture_output=True, text=True, check=False,
                                preexec_fn=_die_with_the_build if _PRCTL is not None else None)
    except OSError as exc:
        raise SiteBuildFailed([f"Pagefind could not run: {exc}"]) from None
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise SiteBuildFailed(["Pagefind could not index the site:", *output[-20:]])
