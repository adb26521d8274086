"""Incremental site builds (incremental.py): MkDocs converts only the pages whose Markdown changed,
the result is byte-identical to a clean build, and the published site is never written through."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import tree

from incidentbook import incremental
from incidentbook.build import build
from incidentbook.chartfiles import PDF_CHART_DIR

GHOR = "data/incidents/ghor-2016-10-25.yaml"


def inodes(path: Path) -> dict[str, int]:
    return {f.relative_to(path).as_posix(): f.stat().st_ino for f in path.rglob("*") if f.is_file()}


@pytest.fixture
def pub(example: Path) -> Path:
    """The example without Material's search plugin, which needs every page converted (the
    incremental path is then never taken)."""
    config = example / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    if "plugins:\n  - search\n" in text:
        config.write_text(text.replace("plugins:\n  - search\n", "plugins: []\n"), encoding="utf-8")
    return example


def test_one_record_edited_converts_only_its_pages_and_equals_a_clean_build(pub: Path):
    build(pub, strict=True, pdf=False)
    site = pub / "build" / "site"
    before_inodes, before_bytes = inodes(site), {rel: (site / rel).read_bytes() for rel in inodes(site)}
    held = {rel: open(site / rel, "rb") for rel in ("index.html", "incidents/ghor-2016-10-25/index.html")}
    try:
        ghor = pub / GHOR
        ghor.write_text(ghor.read_text(encoding="utf-8").replace("Gunmen abducted civilians",
                                                                 "Gunmen abducted a group of civilians", 1), encoding="utf-8")
        build(pub, strict=True, pdf=False)
        after = inodes(site)
        rebuilt = {rel for rel in after if before_inodes.get(rel) != after[rel]}
        # the brief and the pages listing the incident's summary were converted again; the actor,
        # place and source pages that do not show the summary are the very same files
        assert "incidents/ghor-2016-10-25/index.html" in rebuilt
        assert "incidents/quetta-police-college-2016-10-24/index.html" not in rebuilt
        assert "actors/taliban/index.html" not in rebuilt
        assert "a group of civilians" in (site / "incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
        # the old files were replaced, not written through: what was published is intact
        for rel, handle in held.items():
            handle.seek(0)
            assert handle.read() == before_bytes[rel]
    finally:
        for handle in held.values():
            handle.close()
    incremental_tree = tree(site)
    shutil.rmtree(pub / "build")
    build(pub, strict=True, pdf=False)
    assert tree(site) == incremental_tree


def test_a_removed_record_leaves_no_page_behind(pub: Path):
    copy = pub / "data" / "incidents" / "ghor-copy.yaml"
    copy.write_text((pub / GHOR).read_text(encoding="utf-8").replace("id: ghor-2016-10-25", "id: ghor-copy", 1),
                    encoding="utf-8")
    build(pub, pdf=False)
    site = pub / "build" / "site"
    assert (site / "incidents" / "ghor-copy" / "index.html").is_file()
    copy.unlink()
    build(pub, pdf=False)
    assert not (site / "incidents" / "ghor-copy").exists()
    incremental_tree = tree(site)
    shutil.rmtree(pub / "build")
    build(pub, pdf=False)
    assert tree(site) == incremental_tree


def test_a_changed_configuration_rebuilds_every_page(pub: Path):
    build(pub, pdf=False)
    site = pub / "build" / "site"
    before = inodes(site)
    config = pub / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name: ", "site_name: Revised ", 1), encoding="utf-8")
    build(pub, pdf=False)
    after = inodes(site)
    assert all(before.get(rel) != ino for rel, ino in after.items() if rel.endswith(".html"))
    assert "Revised" in (site / "actors" / "taliban" / "index.html").read_text(encoding="utf-8")


def test_without_state_the_build_is_clean(pub: Path):
    build(pub, pdf=False)
    site = pub / "build" / "site"
    before = inodes(site)
    incremental.clear_state(pub)  # as after a build killed between the swap and writing the state
    build(pub, pdf=False)
    # every page converted again; the search index is taken from the published site only where the
    # fresh pages are byte for byte the ones it was made from (sitesearch.index_search: its own key)
    assert not {(rel, ino) for rel, ino in before.items() if not rel.startswith("pagefind/")} & set(inodes(site).items())


def test_plugin_needing_every_page_forces_a_clean_build(example: Path):
    """A plugin that sees only the pages it converts makes every build clean: Material's tags here
    (its search plugin, in mkdocs.yml, is turned off by the build, which indexes with Pagefind)."""
    config = example / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "plugins:\n  - search\n" in text
    config.write_text(text.replace("plugins:\n  - search\n", "plugins:\n  - search\n  - tags\n"), encoding="utf-8")
    build(example, pdf=False)
    site = example / "build" / "site"
    before = inodes(site)
    build(example, pdf=False)
    # the search index, keyed by the bytes of the pages it indexes, is reused (sitesearch.py)
    assert not {(rel, ino) for rel, ino in before.items() if not rel.startswith("pagefind/")} & set(inodes(site).items())


def test_manifest_records_each_outputs_input_hash(pub: Path):
    """build/manifest.json: an output's input hash changes when a record it shows changes, and only then."""
    import json

    build(pub, pdf=False)
    read = lambda: json.loads((pub / "build" / "manifest.json").read_text(encoding="utf-8"))["outputs"]  # noqa: E731
    before = read()
    ghor_pages = {path for path, entry in before.items() if "incident/ghor-2016-10-25" in entry["shows"]}
    other_pages = {path for path, entry in before.items() if entry["shows"] and path not in ghor_pages}
    assert "incidents/ghor-2016-10-25.md" in ghor_pages and other_pages
    ghor = pub / GHOR
    ghor.write_text(ghor.read_text(encoding="utf-8").replace("Gunmen abducted civilians",
                                                             "Gunmen abducted a group of civilians", 1), encoding="utf-8")
    build(pub, pdf=False)
    after = read()
    assert all(after[p]["inputs"] != before[p]["inputs"] for p in ghor_pages)
    assert all(after[p]["inputs"] == before[p]["inputs"] for p in other_pages)


def test_incident_chart_images_are_drawn_for_the_pdfs_only(pub: Path):
    """An incident brief's two charts have no image on the site (vl-convert would take about an
    hour for 10,000 incidents): a build without PDFs draws none, one with PDFs draws them outside
    the site, and the site's chart images are the same either way."""
    build(pub, pdf=False)
    published = pub / "build" / "site" / "assets" / "generated" / "charts"
    site_images = {p.name for p in published.glob("*.svg")}
    assert site_images and not any(name.startswith("incident-") for name in site_images)
    assert not (pub / PDF_CHART_DIR).exists()
    build(pub)
    drawn = {p.stem for p in (pub / PDF_CHART_DIR).glob("*.svg")}
    assert drawn == {f"incident-{i}-{kind}" for i in ("ghor-2016-10-25", "quetta-police-college-2016-10-24")
                     for kind in ("locator", "ledger")}
    assert {p.name for p in published.glob("*.svg")} == site_images
    assert not any(p.name.endswith(".svg") for p in (pub / "build" / "site").rglob("incident-*"))
