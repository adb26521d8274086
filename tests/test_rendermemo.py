"""Issue 5: a rebuild renders again only the record pages whose inputs changed (rendermemo.py), and
the Markdown it leaves in docs/ is byte for byte what a build from nothing writes, whatever the edit:
a revised article, an incident moved to another place or given to another actor, a renamed actor,
a source's publisher corrected, an incident added or removed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import tree

from incidentbook import rendermemo, site
from incidentbook.build import generate
from incidentbook.cli import main
from incidentbook.load import load_publication
from incidentbook.validate import validate


@pytest.fixture(autouse=True)
def no_chart_images(stand_in_chart_images):
    """Chart images (vl-convert, 50-350 ms each) are not what this is about: a stand-in per spec."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("memo") / "pub"
    assert main(["demo-corpus", "--incidents", "40", "--out", str(root)]) in (0, None)
    return root


def docs(root: Path) -> dict[str, str]:
    return tree(root / "docs")


def run_generate(root: Path, monkeypatch) -> list[str]:
    """generate() as the build calls it; returns the pages rendered (not kept)."""
    rendered: list[str] = []
    original = site.PageRenderer.render

    def spy(self, page):
        rendered.append(page.path)
        return original(self, page)

    monkeypatch.setattr(site.PageRenderer, "render", spy)
    pub = load_publication(root)
    generate(root, pub, validate(pub))
    monkeypatch.setattr(site.PageRenderer, "render", original)
    return rendered


def incident_files(root: Path) -> list[Path]:
    return sorted((root / "data" / "incidents").glob("*.yaml"))


def revise_article(root: Path) -> None:
    """A toll rises in one article ("killing N people" -> N + 4), and the records quoting it follow."""
    for path in incident_files(root):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for report in record["casualties"]:
            match = re.search(r"killing (\d+) people", report["evidence"]["quote"])
            if report["category"] == "killed" and match and report["phrase"] == match.group(1):
                break
        else:
            continue
        break
    source_id, number = report["evidence"]["source"], int(match.group(1))
    old, new = f"killing {number} people", f"killing {number + 4} people"
    source = yaml.safe_load((root / "data" / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8"))
    seed = root / "seeds" / source["seed"]
    seed.write_text(seed.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    for path in incident_files(root):
        text = path.read_text(encoding="utf-8")
        if source_id in text and old in text:
            record = yaml.safe_load(text)
            for report in record["casualties"]:
                if report["evidence"]["source"] == source_id and old in report["evidence"]["quote"]:
                    report["evidence"]["quote"] = report["evidence"]["quote"].replace(old, new)
                    if report["phrase"] == str(number):
                        report["phrase"] = str(number + 4)
            for claim in record.get("responsibility", []):
                for evidence in claim["evidence"]:
                    if evidence["source"] == source_id:
                        evidence["quote"] = evidence["quote"].replace(old, new)
            path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def _edit(path: Path, change) -> None:
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def move_incident(root: Path) -> None:
    """The first incident is found to have happened where another one did (another country)."""
    first, *others = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in incident_files(root)]
    elsewhere = next(o["place"]["id"] for o in others if o["place"]["id"] != first["place"]["id"])
    _edit(incident_files(root)[0], lambda r: r["place"].update(id=elsewhere))


def other_actor(root: Path) -> None:
    """Responsibility for the first incident is given to another actor."""
    first, *others = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in incident_files(root)]
    actor = first["responsibility"][0]["actor"]
    replacement = next(c["actor"] for o in others for c in o.get("responsibility", []) if c["actor"] != actor)

    def change(record):
        for claim in record["responsibility"]:
            claim["actor"] = replacement
            claim["said_by"] = replacement

    _edit(incident_files(root)[0], change)


def rename_actor(root: Path) -> None:
    path = sorted((root / "data" / "actors").glob("*.yaml"))[0]
    path.write_text(re.sub(r"(?m)^name: (.*)$", r"name: \1 (renamed)", path.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")


def correct_publisher(root: Path) -> None:
    path = sorted((root / "data" / "sources").glob("*.yaml"))[0]
    path.write_text(re.sub(r"(?m)^publisher: (.*)$", r"publisher: \1 International", path.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")


def add_incident(root: Path) -> None:
    source = incident_files(root)[3]
    text = source.read_text(encoding="utf-8")
    old_id = yaml.safe_load(text)["id"]
    (source.parent / "syn-new-incident.yaml").write_text(text.replace(f"id: {old_id}", "id: syn-new-incident", 1), encoding="utf-8")


def remove_incident(root: Path) -> None:
    incident_files(root)[5].unlink()


EDITS = {"revised article": revise_article, "moved incident": move_incident, "other actor": other_actor,
         "renamed actor": rename_actor, "corrected publisher": correct_publisher, "added incident": add_incident,
         "removed incident": remove_incident}


@pytest.mark.parametrize("edit", list(EDITS))
def test_rebuild_keeps_unaffected_pages_and_equals_a_clean_build(corpus, tmp_path, monkeypatch, edit):
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    first = run_generate(root, monkeypatch)
    assert (root / rendermemo.MEMO).is_file()
    records = [p for p in first if rendermemo.record_page(p)]
    EDITS[edit](root)
    again = run_generate(root, monkeypatch)

    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("build", "docs"))
    (clean / "docs").mkdir()
    shutil.copy2(root / "docs" / "about.md", clean / "docs" / "about.md")  # the one hand-written page
    run_generate(clean, monkeypatch)
    assert docs(root) == docs(clean)

    rerendered = [p for p in again if rendermemo.record_page(p)]
    assert 0 < len(rerendered) < len(records) / 2, rerendered  # the edit's own pages, not the publication
    if edit == "revised article":  # its source, the records citing it, and their actors and places
        assert len(rerendered) < len(records) / 10, " ".join(sorted(rerendered))


def test_nothing_changed_renders_no_record_page(corpus, tmp_path, monkeypatch):
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    run_generate(root, monkeypatch)
    assert [p for p in run_generate(root, monkeypatch) if rendermemo.record_page(p)] == []


def test_edited_page_file_is_rendered_again(corpus, tmp_path, monkeypatch):
    """A generated page changed by hand (or by a build killed after writing it) is not trusted."""
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    run_generate(root, monkeypatch)
    page = next(p for p in sorted((root / "docs" / "incidents").glob("syn-*.md")))
    page.write_text(page.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    again = run_generate(root, monkeypatch)
    assert [p for p in again if rendermemo.record_page(p)] == [f"incidents/{page.name}"]
    assert "edited by hand" not in page.read_text(encoding="utf-8")


def test_own_site_templates_render_every_page(corpus, tmp_path, monkeypatch):
    """What a publication's own templates read is not known: each of its pages is rendered."""
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    (root / "templates" / "site").mkdir(parents=True, exist_ok=True)
    builtin = Path(site.__file__).parent / "builtin" / "site" / "place.html.j2"
    (root / "templates" / "site" / "place.html.j2").write_text(builtin.read_text(encoding="utf-8"), encoding="utf-8")
    first = run_generate(root, monkeypatch)
    assert sorted(run_generate(root, monkeypatch)) == sorted(first)


def _commit(root: Path, message: str, when: int) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "Analyst",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    for args in (["add", "-A"], ["commit", "-qm", message]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_a_commit_renders_only_the_pages_it_touched(corpus, tmp_path, monkeypatch):
    """In a git repository every change ends in a commit: the pages of the records it touched gain a
    revision and lose "uncommitted changes"; the other pages keep their Markdown (keying the memo on
    the commit being built rendered every page after every commit)."""
    root = tmp_path / "pub"
    shutil.copytree(corpus, root)
    (root / ".gitignore").write_text("build/\ndocs/*\n!docs/about.md\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "init", "-q", "-b", "main"], check=True, capture_output=True)
    _commit(root, "Curate the corpus", 1_700_000_000)
    records = [p for p in run_generate(root, monkeypatch) if rendermemo.record_page(p)]
    revise_article(root)
    uncommitted = [p for p in run_generate(root, monkeypatch) if rendermemo.record_page(p)]
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "data/incidents"], check=True,
                            capture_output=True, text=True).stdout.split()
    changed = next(p for p in uncommitted if f"data/{p[:-len('.md')]}.yaml" in status)  # a revised record's brief
    assert "+ uncommitted changes" in (root / "docs" / changed).read_text(encoding="utf-8")
    _commit(root, "The toll rose in one article", 1_700_086_400)
    committed = [p for p in run_generate(root, monkeypatch) if rendermemo.record_page(p)]
    assert changed in committed and 0 < len(committed) < len(records) / 10, " ".join(committed)
    page = (root / "docs" / changed).read_text(encoding="utf-8")
    assert "+ uncommitted changes" not in page and "The toll rose in one article" in page

    clean = tmp_path / "clean"
    subprocess.run(["git", "clone", "-q", str(root), str(clean)], check=True, capture_output=True)
    run_generate(clean, monkeypatch)
    assert docs(root) == docs(clean)
