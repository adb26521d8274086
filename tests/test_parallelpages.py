"""Issue 8: MkDocs converts the pages of a large build in several processes (parallelpages.py); the
site is byte for byte the one a single process builds, with the same warnings, and a worker that
fails fails the build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import tree

from incidentbook import parallelpages
from incidentbook.build import SiteBuildFailed, build
from incidentbook.cli import main


@pytest.fixture(autouse=True)
def no_chart_images(stand_in_chart_images):
    """Chart images (vl-convert) are not what this is about: a stand-in per spec."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "pub"
    assert main(["demo-corpus", "--incidents", "30", "--out", str(root)]) in (0, None)
    with open(root / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("validation:\n  anchors: warn\n")  # MkDocs only notes a broken anchor by default
    incident = sorted((root / "data" / "incidents").glob("*.yaml"))[0].stem
    for number in range(8):  # hand-written pages, some in each process's share, each with a broken anchor link
        (root / "docs" / f"note-{number}.md").write_text(
            f"# Note {number}\n\nSee [the brief](incidents/{incident}.md#no-such-heading-{number}).\n", encoding="utf-8")
    return root


def built(corpus: Path, dest: Path, workers: int, monkeypatch) -> tuple[dict[str, str], list[str]]:
    shutil.copytree(corpus, dest)
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", str(workers))
    warnings = build(dest, pdf=False).warnings
    return tree(dest / "build" / "site"), warnings


def test_pages_converted_in_three_processes_equal_one_process(corpus, tmp_path, monkeypatch):
    """The same number of processes renders the Markdown (site.render_pages through forkmap) and
    converts it: docs/, the manifest (what each page shows) and the site are the same."""
    one, one_warnings = built(corpus, tmp_path / "one", 1, monkeypatch)
    three, three_warnings = built(corpus, tmp_path / "three", 3, monkeypatch)
    assert len(one) > 200 and one == three
    docs = tree(tmp_path / "one" / "docs")
    assert len(docs) > 200 and docs == tree(tmp_path / "three" / "docs")
    manifest = [(tmp_path / name / "build" / "manifest.json").read_text(encoding="utf-8") for name in ("one", "three")]
    assert '"shows"' in manifest[0]
    assert manifest[0] == manifest[1]
    anchors = sorted(w for w in one_warnings if "no-such-heading" in w)
    assert len(anchors) == 8 and sorted(w for w in three_warnings if "no-such-heading" in w) == anchors
    assert sorted(one_warnings) == sorted(three_warnings)


def test_a_failing_worker_fails_the_build_and_leaves_no_process(corpus, tmp_path, monkeypatch):
    import mkdocs.commands.build as mkbuild

    first = os.getpid()
    original = mkbuild._build_page

    def fails_in_a_worker(page, *args, **kwargs):
        if os.getpid() != first:
            raise RuntimeError(f"cannot convert {page.file.src_uri}")
        return original(page, *args, **kwargs)

    monkeypatch.setattr(mkbuild, "_build_page", fails_in_a_worker)
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", "2")
    with pytest.raises(SiteBuildFailed) as failure:
        build(root, pdf=False)
    assert "Converting pages failed: RuntimeError: cannot convert " in "\n".join(failure.value.messages)
    assert not (root / "build" / "site").exists()  # nothing half-built was published
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker was waited for
    assert mkbuild._build_page is fails_in_a_worker  # MkDocs is left as it was


def test_workers_one_per_cpu_for_large_builds_unless_set(monkeypatch):
    monkeypatch.delenv("INCIDENTBOOK_MKDOCS_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert parallelpages.workers_for(parallelpages.MIN_PAGES - 1) == 1
    assert parallelpages.workers_for(parallelpages.MIN_PAGES) == parallelpages.MAX_WORKERS
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", "3")
    assert parallelpages.workers_for(5) == 3


def test_no_more_workers_than_the_memory_available_allows(monkeypatch):
    """Each worker may come to copy the first process's memory (reference counts write to what it
    reads): with too little memory available for that, fewer workers, down to none."""
    import builtins
    import io

    monkeypatch.delenv("INCIDENTBOOK_MKDOCS_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    real_open = builtins.open
    sizes = {"available": 0, "resident": 1_000_000}  # kB

    def fake_open(path, *args, **kwargs):
        if path == "/proc/meminfo":
            return io.StringIO(f"MemTotal: 99 kB\nMemAvailable: {sizes['available']} kB\n")
        if path == "/proc/self/status":
            return io.StringIO(f"Name: python\nVmRSS: {sizes['resident']} kB\n")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    for available, expected in ((500_000, 1), (1_200_000, 2), (2_300_000, 3), (10_000_000, 4)):
        sizes["available"] = available
        assert parallelpages.workers_for(parallelpages.MIN_PAGES) == expected, available
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", "4")  # set by hand: as set
    sizes["available"] = 0
    assert parallelpages.workers_for(parallelpages.MIN_PAGES) == 4


def test_pages_written_as_they_are_converted_equal_mkdocs_own_order(corpus, tmp_path, monkeypatch):
    """A clean build writes each page outside the navigation as soon as it is converted and drops
    its HTML (MkDocs alone converts every page before it writes any, holding the whole site's
    HTML); the site and the warnings are those of MkDocs's own order, in one process or three."""
    streamed, streamed_warnings = built(corpus, tmp_path / "streamed", 1, monkeypatch)
    original = parallelpages.parallel_pages
    seen = []

    def unstreamed(workers, messages, stream=False):
        seen.append(stream)
        return original(workers, messages, stream=False)

    monkeypatch.setattr(parallelpages, "parallel_pages", unstreamed)
    whole, whole_warnings = built(corpus, tmp_path / "whole", 1, monkeypatch)
    assert seen == [True]  # a clean build without plugins streams
    assert len(whole) > 200 and streamed == whole
    assert sorted(streamed_warnings) == sorted(whole_warnings)
    assert sum("no-such-heading" in w for w in whole_warnings) == 8  # anchors of written pages still checked


def test_a_streamed_page_lets_go_of_its_html(corpus, tmp_path, monkeypatch):
    from mkdocs.structure.pages import Page

    held = {}  # what each page still holds when MkDocs checks the anchor links, after writing every page
    original_validate = Page.validate_anchor_links

    def record(self, *, files, log_level):
        held[self.file.src_uri] = self.content
        return original_validate(self, files=files, log_level=log_level)

    monkeypatch.setattr(Page, "validate_anchor_links", record)
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    monkeypatch.setenv("INCIDENTBOOK_MKDOCS_WORKERS", "1")
    build(root, pdf=False)
    records = [uri for uri in held if uri.startswith("incidents/") and uri != "incidents/index.md"]
    assert len(records) >= 30 and all(held[uri] is None for uri in records)  # written, then let go
    assert held["incidents/index.md"]  # a page of the navigation is kept until MkDocs writes it
