"""PDF export benchmark: every PDF of a publication, cold and warm, and one changed record.

    .venv/bin/python benchmarks/bench_pdf.py [PUBLICATION]   (default: the example in this repo)

Works on a copy in a temporary folder. Steps:
1. cold: no manifest, every PDF (report + one per brief and profile) is compiled;
2. warm: nothing changed, nothing may be compiled;
3. one incident's summary changed: only its brief and the report may be compiled, every other
   PDF keeps its bytes and its modification time.
Exits 1 when a check fails or the cold run takes 5 s or more.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pypdf

from incidentbook.build import check, generate, publish_pdfs

PARTS = ("seeds", "data", "templates", "mkdocs.yml", "docs/about.md")
LIMIT_SECONDS = 5.0


def copy_publication(source: Path, dest: Path) -> Path:
    for part in PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(root: Path) -> tuple[float, int, int]:
    """Wall-clock seconds of publish_pdfs (printed with its CPU seconds), PDFs compiled, unchanged."""
    pub, verification = check(root)
    start, cpu = time.perf_counter(), cpu_seconds()
    charts = {svg.stem: svg for svg in (root / "docs" / "assets" / "generated" / "charts").glob("*.svg")}
    compiled, unchanged = publish_pdfs(root, pub, verification, charts)
    wall = time.perf_counter() - start
    print(f"  publish_pdfs: {wall:.2f} s wall, {cpu_seconds() - cpu:.2f} s CPU")
    return wall, compiled, unchanged


def main() -> int:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_publication(source, Path(tmp) / "pub")
        pub, verification = check(root)
        generate(root, pub, verification, pdf_links=True)  # pages and chart SVGs, which the PDFs embed
        cold, compiled, _ = timed(root)
        out = root / "build" / "pdf"
        pdfs = sorted(out.rglob("*.pdf"))
        pages = sum(len(pypdf.PdfReader(p).pages) for p in pdfs)
        print(f"cold:  {cold:.2f} s, {compiled} PDFs compiled ({pages} pages, {sum(p.stat().st_size for p in pdfs) / 1e6:.1f} MB)")
        if cold >= LIMIT_SECONDS:
            failures.append(f"cold run took {cold:.2f} s (limit {LIMIT_SECONDS} s)")
        before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in pdfs}
        warm, compiled_warm, unchanged = timed(root)
        print(f"warm:  {warm:.2f} s, {compiled_warm} compiled, {unchanged} unchanged")
        if compiled_warm:
            failures.append(f"{compiled_warm} PDFs recompiled although nothing changed")
        incident = min((root / "data" / "incidents").glob("*.yaml"))
        text = incident.read_text(encoding="utf-8")
        incident.write_text(text.replace("summary: >\n", "summary: >\n  Benchmark edit.\n", 1), encoding="utf-8")
        edit, compiled_edit, unchanged_edit = timed(root)
        changed = sorted(p.relative_to(out).as_posix() for p in pdfs if p.stat().st_mtime_ns != before[p][0])
        print(f"edit:  {edit:.2f} s, {compiled_edit} compiled ({', '.join(changed)}), {unchanged_edit} unchanged")
        expected = sorted(["report.pdf", f"incidents/{incident.stem}.pdf"])
        if changed != expected:
            failures.append(f"after editing {incident.name}, recompiled {changed}, expected {expected}")
        untouched = [p for p in pdfs if p.relative_to(out).as_posix() not in expected]
        if any(p.read_bytes() != before[p][1] for p in untouched):
            failures.append("an unchanged record's PDF changed bytes")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
