"""One revised article in a large publication: incremental rebuild versus clean build (issue 5).

    .venv/bin/python benchmarks/bench_rebuild.py --incidents 1000 [--keep DIR] [--reuse DIR]

1. `incidentbook demo-corpus --incidents N` into DIR/pub (or --reuse an existing corpus), then a
   first `incidentbook build --no-pdf` so that a published site exists (timed: "first build");
2. revises one article the way a news site does — a death toll rises ("killing 31 people" becomes
   "killing 35 people") — and updates every record that quotes it (quote and figure), as the
   analyst would after `incidentbook status`;
3. times `incidentbook build --no-pdf` (the incremental rebuild);
4. copies the inputs (data/, seeds/, templates/, mkdocs.yml, hand-written docs) to DIR/clean and
   times a clean build there (no build/, no generated docs/, no chart images: what CI does);
5. compares the two build/site trees file by file (SHA-256).

Prints one JSON object. Wall clock, CPU seconds (user + system) and peak RSS come from
/usr/bin/time -v; the machine is shared, so CPU seconds are the steadier figure.

--stub-chart-images replaces vl-convert's SVG rendering, in every build of the run, by a stand-in
that writes a tiny SVG naming the spec's hash. A cold build renders one SVG per chart (20,177 at
10,000 incidents, 50-350 ms of CPU each: over an hour), which would dominate the clean build and
flatter the ratio; with the stand-in both builds do everything else for real, and which charts
need new images is still decided by the real spec hashes. Report the SVG cost separately.

--real-images (with --reuse of a corpus already built, e.g. with stand-in images) measures the same
thing with vl-convert's real images in both builds, without paying for two cold renders of every
chart: the revised inputs are copied and built clean first (timed: every chart rendered); the
reused corpus then takes the clean build's SVG of every chart whose spec hash is the same in both
(same spec, same bytes: vl-convert is deterministic, tests/test_charts.py) and is built once
(untimed: now it holds what a first build with real images would have left); then an unchanged
rebuild, the same revision, and the incremental rebuild (timed), which renders the charts whose spec
the revision changed; then the trees are compared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import timed  # noqa: E402

GENERATED = ("index.md", "incidents", "actors", "places", "sources", "context.md", "methodology.md", "quality.md", "quality",
             "changes.md", "feeds", "data", "map.md", "assets/generated")


STUB = """
import hashlib, json, sys
import incidentbook.chartfiles as chartfiles

def stand_in(specs, workers=None):
    for spec in specs:
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
        yield f'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" data-spec="{digest}"></svg>'

chartfiles.render_svgs = stand_in
from incidentbook.cli import main
sys.exit(main(sys.argv[1:]))
"""
STUB_IMAGES = False


def build(root: Path) -> dict:
    command = [sys.executable, "-c", STUB] if STUB_IMAGES else [str(BIN / "incidentbook")]
    return timed([*command, "--root", str(root), "build", "--no-pdf"], root)


def tree(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def revise_one_article(root: Path) -> dict:
    """Raise one toll in one article and in every record quoting it. Returns what was changed."""
    sources = {yaml.safe_load(p.read_text(encoding="utf-8"))["id"]: p for p in sorted((root / "data" / "sources").glob("*.yaml"))}
    for incident_path in sorted((root / "data" / "incidents").glob("*.yaml")):
        record = yaml.safe_load(incident_path.read_text(encoding="utf-8"))
        for report in record.get("casualties", []):
            match = re.search(r"killing (\d+) people", report["evidence"]["quote"])
            if report["category"] == "killed" and match and report["phrase"] == match.group(1):
                source_id = report["evidence"]["source"]
                break
        else:
            continue
        break
    else:
        raise SystemExit("no plain 'killing N people' figure found")
    old_number = int(match.group(1))
    old, new = f"killing {old_number} people", f"killing {old_number + 4} people"
    source = yaml.safe_load(sources[source_id].read_text(encoding="utf-8"))
    seed = root / "seeds" / source["seed"]
    text = seed.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    seed.write_text(text.replace(old, new), encoding="utf-8")

    changed_records = []
    for path in sorted((root / "data" / "incidents").glob("*.yaml")):
        raw = path.read_text(encoding="utf-8")
        if source_id not in raw:
            continue
        record = yaml.safe_load(raw)
        touched = False

        def fix(node):
            nonlocal touched
            if isinstance(node, dict):
                evidence = node.get("evidence")
                if isinstance(evidence, dict) and evidence.get("source") == source_id and old in evidence.get("quote", ""):
                    evidence["quote"] = evidence["quote"].replace(old, new)
                    if node.get("phrase") == str(old_number):
                        node["phrase"] = str(old_number + 4)
                    touched = True
                if node.get("source") == source_id and old in node.get("quote", ""):
                    node["quote"] = node["quote"].replace(old, new)
                    touched = True
                for value in node.values():
                    fix(value)
            elif isinstance(node, list):
                for value in node:
                    fix(value)

        fix(record)
        if touched:
            path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
            changed_records.append(path.stem)
    return {"source": source_id, "seed": source["seed"], "revision": f"{old!r} -> {new!r}", "records": changed_records}


def take_real_images(root: Path, clean: Path) -> int:
    """Copy into root's chart folder the clean build's SVG of every chart whose spec hash is the same
    in both manifests. Returns how many were copied."""
    mine_dir, theirs_dir = root / "docs" / "assets" / "generated" / "charts", clean / "docs" / "assets" / "generated" / "charts"
    mine = json.loads((mine_dir / "manifest.json").read_text(encoding="utf-8"))
    theirs = json.loads((theirs_dir / "manifest.json").read_text(encoding="utf-8"))
    copied = 0
    for chart, digest in mine.items():
        if theirs.get(chart) == digest:
            shutil.copyfile(theirs_dir / f"{chart}.svg", mine_dir / f"{chart}.svg")
            copied += 1
    return copied


def real_images_run(root: Path, work: Path, out: dict) -> None:
    clean = work / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    copy_inputs(root, clean)
    out["revision"] = revise_one_article(clean)
    out["clean"] = build(clean)
    out["real_images_taken"] = take_real_images(root, clean)
    out["first_build"] = build(root)  # brings the published site to the real images (untimed in the ratio)
    out["unchanged_rebuild"] = build(root)
    if revise_one_article(root) != out["revision"]:
        raise SystemExit("the revision differs between the two copies")
    out["incremental"] = build(root)


def copy_inputs(root: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    for part in ("data", "seeds", "templates"):
        if (root / part).is_dir():
            shutil.copytree(root / part, dest / part)
    shutil.copy2(root / "mkdocs.yml", dest / "mkdocs.yml")
    docs = root / "docs"
    for path in docs.rglob("*"):  # hand-written pages only
        rel = path.relative_to(docs).as_posix()
        if path.is_file() and not any(rel == g or rel.startswith(g + "/") for g in GENERATED):
            (dest / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / "docs" / rel)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it")
    parser.add_argument("--reuse", type=Path, help="an existing demo corpus (its build/ is reused when present)")
    parser.add_argument("--stub-chart-images", action="store_true", help="see the module's description")
    parser.add_argument("--real-images", action="store_true", help="see the module's description (needs --reuse)")
    args = parser.parse_args()
    if args.real_images and (args.stub_chart_images or not args.reuse):
        parser.error("--real-images needs --reuse and no --stub-chart-images")
    global STUB_IMAGES
    STUB_IMAGES = args.stub_chart_images
    work = args.keep or Path(tempfile.mkdtemp(prefix="ib-rebuild-"))
    out: dict = {"incidents": args.incidents, "chart_images": "stand-in" if args.stub_chart_images else "vl-convert"}
    if args.reuse:
        root = args.reuse
    else:
        root = work / "pub"
        subprocess.run([str(BIN / "incidentbook"), "demo-corpus", "--incidents", str(args.incidents), "--out", str(root)],
                       check=True, capture_output=True)
    out["incidents"] = sum(1 for _ in (root / "data" / "incidents").glob("*.yaml"))
    clean = work / "clean"
    if args.real_images:
        real_images_run(root, work, out)
    else:
        out["first_build"] = build(root)
        out["unchanged_rebuild"] = build(root)
        out["revision"] = revise_one_article(root)
        status = subprocess.run([str(BIN / "incidentbook"), "--root", str(root), "status"], capture_output=True, text=True)
        out["status_exit"] = status.returncode
        out["incremental"] = build(root)
        shutil.rmtree(clean, ignore_errors=True)
        copy_inputs(root, clean)
        out["clean"] = build(clean)
    a, b = tree(root / "build" / "site"), tree(clean / "build" / "site")
    out["files"] = len(a)
    out["identical"] = a == b
    out["differences"] = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))[:20]
    out["ratio_wall"] = round(out["incremental"]["seconds"] / out["clean"]["seconds"], 3)
    out["ratio_cpu"] = round(out["incremental"]["cpu_seconds"] / out["clean"]["cpu_seconds"], 3)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
