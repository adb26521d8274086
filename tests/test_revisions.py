"""Issue 5: a revised article is detected, explained, blocks publishing until the records follow it,
and the change is recorded in the revision history and the Atom feeds; builds are reproducible and
incremental builds equal clean ones."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import copy_example, page_text

from incidentbook.build import build
from incidentbook.cli import main

SEED = "seeds/000_c2266891f276a5e0.txt"
GHOR = "data/incidents/ghor-2016-10-25.yaml"
ATOM = "{http://www.w3.org/2005/Atom}"


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "Analyst", "GIT_COMMITTER_EMAIL": "a@example.org"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _commit(root: Path, message: str, when: int) -> None:
    _git(root, "add", "-A")
    env_date = f"@{when} +0000"
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Analyst", "-c", "user.email=a@example.org", "commit", "-qm", message],
                   check=True, capture_output=True, env={**os.environ, "GIT_AUTHOR_DATE": env_date, "GIT_COMMITTER_DATE": env_date})


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _tree(site: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(site).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_revised_article_is_detected_blocked_and_recorded(tmp_path, capsys):
    root = copy_example(tmp_path / "pub")
    (root / ".gitignore").write_text("build/\ndocs/*\n!docs/about.md\n")
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "Curate the VOA article of 26 October 2016", 1_700_000_000)
    build(root, pdf=False)
    site = root / "build/site"
    before = _tree(site)

    # The article is revised: the toll rises to 35.
    _replace(root / SEED, "massacred at least 30 civilians", "massacred at least 35 civilians")
    _commit(root, "VOA revised the Ghor toll", 1_700_086_400)
    assert main(["--root", str(root), "status"]) == 1
    out = capsys.readouterr().err
    assert "changed source voa-2016-10-26-ghor-quetta" in out and "incident/ghor-2016-10-25" in out
    assert "incidents/ghor-2016-10-25.md" in out
    assert ("data/incidents/ghor-2016-10-25.yaml:44: casualties[0].evidence.quote: quote of the killed figure "
            "'at least 30' not found") in out
    assert "closest passage now (99% similar): 'Authorities in Afghanistan said Wednesday that extremists linked to " \
           "Islamic State have abducted and massacred at least 35 civilians in a remote central region.'" in out

    assert main(["--root", str(root), "build", "--no-pdf"]) == 1
    assert "quote of the killed figure 'at least 30' not found" in capsys.readouterr().err
    assert _tree(site) == before  # nothing stale went out

    # The analyst follows the source.
    ghor = root / GHOR
    _replace(ghor, "massacred at least 30 civilians", "massacred at least 35 civilians")
    text = ghor.read_text(encoding="utf-8")
    ghor.write_text(text.replace("phrase: at least 30", "phrase: at least 35", 2), encoding="utf-8")
    _commit(root, "Ghor: toll revised to at least 35, following VOA", 1_700_090_000)
    assert main(["--root", str(root), "build", "--no-pdf"]) == 0
    assert main(["--root", str(root), "status"]) == 0
    capsys.readouterr()

    brief = page_text(root, "incidents/ghor-2016-10-25/index.html")
    assert "Killed 35 or more" in brief
    history = brief.split("Revision history", 1)[1]
    assert "Ghor: toll revised to at least 35, following VOA" in history
    assert "casualties[0].phrase: “at least 30” → “at least 35”" in history
    assert "casualties[0].evidence.quote: “…and massacred at least 30 civilians in a remote…” → “…and massacred at least 35 civilians in a remote…”" in history
    assert "follows the change to Ghor Province, Afghanistan in commit" in history
    source = page_text(root, "sources/voa-2016-10-26-ghor-quetta/index.html")
    assert "VOA revised the Ghor toll" in source and "at least 35 civilians" in source.split("Revision history", 1)[1]

    feed = ET.parse(site / "feeds/all.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0] == "Incident changed: Civilians abducted and killed near Firozkoh, Ghor province"
    assert "at least 30 → at least 35" in entries[0].findtext(f"{ATOM}summary")
    actor_feed = ET.parse(site / "feeds/actors/islamic-state-khorasan.xml").getroot()
    assert any("Ghor" in (e.findtext(f"{ATOM}title") or "") for e in actor_feed.findall(f"{ATOM}entry"))
    changes = page_text(root, "changes/index.html")
    assert changes.index("Ghor: toll revised") < changes.index("VOA revised the Ghor toll")

    # Pages that do not depend on the article keep their bytes and modification times.
    after = _tree(site)
    for unaffected in ("places/index.html", "methodology/index.html", "about/index.html",
                       "assets/generated/incidentbook.css"):
        assert after[unaffected] == before[unaffected], unaffected
    assert after["incidents/ghor-2016-10-25/index.html"] != before["incidents/ghor-2016-10-25/index.html"]


def test_clean_builds_are_identical_and_incremental_equals_clean(tmp_path):
    first = copy_example(tmp_path / "a")
    second = copy_example(tmp_path / "b")
    build(first)
    build(second)
    hashes = lambda root: {k: v[0] for k, v in _tree(root / "build/site").items()}  # noqa: E731
    pdfs = lambda root: {k: v[0] for k, v in _tree(root / "build/pdf").items() if k.endswith(".pdf")}  # noqa: E731
    assert hashes(first) == hashes(second)
    assert pdfs(first) == pdfs(second)

    # An incremental build after an edit equals a clean build of the edited inputs.
    for root in (first, second):
        _replace(root / GHOR, "Civilians collecting firewood for the winter", "Civilians collecting firewood for winter")
    build(first)
    for generated in ("docs/incidents", "docs/index.md", "build"):
        path = second / generated
        subprocess.run(["rm", "-rf", str(path)], check=True)
    build(second)
    assert hashes(first) == hashes(second)
    assert pdfs(first) == pdfs(second)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, needle: str, timeout: float = 60) -> str:
    deadline = time.time() + timeout
    last = ""
    while time.time() < deadline:
        try:
            last = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
            if needle in last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{needle!r} not served at {url} within {timeout}s; last page:\n{last[:2000]}")


def test_serve_shows_broken_quote_as_error_page_and_recovers(example, tmp_path):
    port = _free_port()
    temp = tmp_path / "temp"  # MkDocs' server builds into a folder here and must remove it when stopped
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "incidentbook.cli", "--root", str(example), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(temp)})
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, "Latest incidents")
        # a brief is HTML already (htmlpages.py): served with its permalinks and table of contents
        brief = _wait_for(url + "incidents/ghor-2016-10-25/", 'class="headerlink" href="#summary"')
        assert '<a href="#revision-history" class="md-nav__link">' in brief
        _replace(example / GHOR, "executed the abductees Tuesday night", "executed the abductees Wednesday night")
        page = _wait_for(url, "The publication does not build")
        assert "quote not found in source" in page
        _replace(example / GHOR, "executed the abductees Wednesday night", "executed the abductees Tuesday night")
        _wait_for(url, "Latest incidents")
        assert proc.poll() is None  # the server kept running throughout
        assert [p.name for p in temp.iterdir()] and all(p.name.startswith("mkdocs_") for p in temp.iterdir())
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert list(temp.iterdir()) == [], "stopping the preview (SIGTERM) left MkDocs' temporary site behind"
    assert proc.returncode == 0
