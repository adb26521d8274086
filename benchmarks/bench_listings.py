"""MkDocs's conversion of each kind of page (Page.render: Python-Markdown, or htmlpages.render for
a page written in HTML), summed by kind, in one run of MkDocs's step (bench_mkdocs.one, one
process), on a publication built once already.

    .venv/bin/python benchmarks/bench_listings.py ROOT

Kinds: the section listings (incidents/, sources/, places/, actors/ and quality/: their index and
page_N pages, and quality.md), the other pages written in HTML (records), the other Markdown
pages. Prints CPU seconds and pages of each. Run it with PYTHONPATH set to a frozen copy of an
older src/ to compare.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["INCIDENTBOOK_MKDOCS_WORKERS"] = "1"

LISTING = re.compile(r"^(?:(?:incidents|sources|places|actors|quality)/(?:index|page_\d+)\.md|quality\.md)$")


def main() -> None:
    import bench_mkdocs
    from mkdocs.structure.pages import Page

    from incidentbook import htmlpages

    spent: dict[str, list[float]] = {}
    installed = htmlpages.installed

    @contextlib.contextmanager
    def timed_installed():
        with installed():
            inner = Page.render

            def render(self, config, files):
                started = time.process_time()
                try:
                    return inner(self, config, files)
                finally:
                    kind = ("listing" if LISTING.match(self.file.src_uri) else
                            "record (HTML)" if htmlpages.is_html(self) else "other (Markdown)")
                    spent.setdefault(kind, []).append(time.process_time() - started)

            Page.render = render
            try:
                yield
            finally:
                Page.render = inner

    htmlpages.installed = timed_installed
    root = Path(sys.argv[1])
    shutil.rmtree(root / "build" / "site", ignore_errors=True)
    print(bench_mkdocs.one(root, "cached"))
    for kind, times in sorted(spent.items()):
        print(f"{kind}: {len(times):,} pages, {sum(times):.2f} s CPU, {1000 * sum(times) / len(times):.1f} ms a page")


if __name__ == "__main__":
    main()
