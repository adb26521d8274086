"""Issue 7: build/site/ and build/pdf/ are swapped in whole. A build that fails, or is killed with
SIGKILL at any moment, leaves the previous complete folders; the next build succeeds."""

from __future__ import annotations

import hashlib
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_example

from incidentbook import publish

BIN = Path(sys.executable).parent
GHOR = "data/incidents/ghor-2016-10-25.yaml"


def manifest(root: Path) -> dict[str, str]:
    """{path under build/: sha256} of the published site and PDFs."""
    found = {}
    for name in ("site", "pdf"):
        folder = root / "build" / name
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                found[path.relative_to(root / "build").as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _build(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "incidentbook"), "--root", str(root), "build", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    _, err = process.communicate(timeout=300)
    return process.returncode, err.decode("utf-8", "replace")


def test_killed_builds_leave_a_complete_site(tmp_path):
    root = copy_example(tmp_path / "pub")
    started = time.monotonic()
    code, err = _finish(_build(root))
    duration = time.monotonic() - started
    assert code == 0, err
    before = manifest(root)
    assert "site/index.html" in before and "pdf/report.pdf" in before
    ghor = root / GHOR
    ghor.write_text(ghor.read_text(encoding="utf-8").replace(
        "title: Civilians abducted and killed", "title: Civilians abducted and executed"), encoding="utf-8")

    rng = random.Random()
    seen: list[tuple[float, dict[str, str], list[str]]] = []
    delays = [rng.uniform(0.1, 3.0)] + [rng.uniform(0.4, 1.1) * duration for _ in range(2)]
    for delay in delays:
        process = _build(root)
        time.sleep(delay)
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        leftovers = sorted(p.name for p in (root / "build").iterdir())
        seen.append((round(delay, 2), manifest(root), leftovers if killed else ["finished"]))

    code, err = _finish(_build(root))
    assert code == 0, err
    after = manifest(root)
    assert after != before and after["site/incidents/ghor-2016-10-25/index.html"] != before["site/incidents/ghor-2016-10-25/index.html"]
    assert not [p.name for p in (root / "build").iterdir() if p.suffix in (".new", ".old")]  # no staging folder left
    for delay, snapshot, leftovers in seen:
        for folder in ("site/", "pdf/"):  # each is swapped whole; the PDFs are swapped in before the site
            part = {k: v for k, v in snapshot.items() if k.startswith(folder)}
            assert part in ({k: v for k, v in before.items() if k.startswith(folder)},
                            {k: v for k, v in after.items() if k.startswith(folder)}), \
                f"killed after {delay} s ({leftovers}): build/{folder} was neither the old nor the new one"
    print("kills (delay s, folders in build/ after the kill):", [(d, left) for d, _, left in seen])

    # a site build that fails (strict mode, broken link) leaves the published site as it was
    about = root / "docs/about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[broken](no-such-page.md)\n", encoding="utf-8")
    code, err = _finish(_build(root, "--strict", "--no-pdf"))
    assert code == 1 and "no-such-page.md" in err, err
    assert manifest(root) == after
    assert not (root / "build/site.new").exists()


def _folder(path: Path, text: str) -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "index.html").write_text(text, encoding="utf-8")
    (path / "sub" / "page.html").write_text(text, encoding="utf-8")
    return path


class Died(BaseException):
    """Stands for SIGKILL: the swap stops where it is, running no clean-up."""


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_killed_between_any_two_steps_keeps_a_complete_folder(tmp_path, monkeypatch, exchange):
    if exchange and publish._renameat2 is None:
        pytest.skip("renameat2 is not available here")
    if not exchange:
        monkeypatch.setattr(publish, "_renameat2", None)
    steps: list[str] = []
    limit: list[int | None] = [None]
    real_rename, real_rmtree = Path.rename, shutil.rmtree

    def counted(function):
        def step(*args, **kwargs):
            if len(steps) == limit[0]:
                raise Died
            steps.append(function.__name__)
            return function(*args, **kwargs)
        return step

    monkeypatch.setattr(Path, "rename", counted(real_rename))
    monkeypatch.setattr(publish.shutil, "rmtree", counted(real_rmtree))
    for stop_at in range(6):
        steps.clear()
        base = tmp_path / f"case{stop_at}"
        final = _folder(base / "site", "old")
        fresh = publish.staging(final)
        steps.clear()
        _folder(fresh, "new")
        limit[0] = stop_at
        try:
            publish.swap_in(fresh, final)
        except Died:
            pass
        limit[0] = None
        publish.recover(final)  # what the next command does first
        contents = {p.relative_to(final).as_posix(): p.read_text(encoding="utf-8") for p in final.rglob("*") if p.is_file()}
        assert contents in ({"index.html": "old", "sub/page.html": "old"}, {"index.html": "new", "sub/page.html": "new"}), (stop_at, steps)
        # and the next build publishes cleanly
        fresh = publish.staging(final)
        _folder(fresh, "next")
        publish.swap_in(fresh, final)
        assert (final / "index.html").read_text(encoding="utf-8") == "next"
        assert sorted(p.name for p in base.iterdir()) == ["site"]
