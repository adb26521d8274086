"""What readers see on the example's key pages."""

from __future__ import annotations

import re

from conftest import indexed_records, page_text

from incidentbook.model import MODEL_CLASSES


def test_ghor_brief(built_example):
    text = page_text(built_example, "incidents/ghor-2016-10-25/index.html")
    assert "Killed 30 or more · 2 reports: “at least 30” 4 , “nearly 30” 5" in text
    assert "Authorities in Afghanistan said Wednesday that extremists linked to Islamic State have abducted and massacred at least 30 civilians" in text
    assert "Denied by Taliban , according to Zabihullah Mujahid" in text
    assert "reports linking the Taliban to the killing of civilians are \"nothing but propaganda.\"" in text
    assert "25 Oct 2016, night inferred" in text
    assert "near Firozkoh , Ghor , Afghanistan · precision: near the named place" in text
    assert "Single source" in text
    assert "✓ verified" in text


def test_quetta_brief(built_example):
    text = page_text(built_example, "incidents/quetta-police-college-2016-10-24/index.html")
    assert "Killed 62 or more" in text
    assert "Wounded more than 120 · 1 report: “more than 120”" in text
    assert "killed least 62 young recruits and wounded more than 120 others" in text
    assert "Claimed by Islamic State Khorasan (named as “IS”)" in text
    assert "via Islamic State news agency" in text
    assert "Confirmed by perpetrator" in text


def test_isk_profile_lists_incidents_and_relationships(built_example):
    text = page_text(built_example, "actors/islamic-state-khorasan/index.html")
    assert "Civilians abducted and killed near Firozkoh, Ghor province" in text
    assert "Attack on the police training college in Quetta" in text
    assert "Joined by members of Tehreek-e-Taliban (TTP)" in text
    assert "Many of them are Pakistani Pashtun (militants) from the TTP who joined IS-K" in text
    assert "Joined by members of Islamic Movement of Uzbekistan" in text
    assert "Hafiz Saeed Khan regional chief killed" in text


def test_parent_profile_inherits_branch_incidents(built_example):
    text = page_text(built_example, "actors/islamic-state/index.html")
    assert "(as Islamic State Khorasan)" in text
    taliban = page_text(built_example, "actors/taliban/index.html")
    assert "denial of responsibility" in taliban and "Zabihullah Mujahid (spokesman)" in taliban


def test_footnotes_link_to_verified_source_lines(built_example):
    html = (built_example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    lines = set(re.findall(r'href="../../sources/voa-2016-10-26-ghor-quetta/#L(\d+)"', html))
    assert {"4", "12", "20"} <= lines  # Authorities…, Tuesday night, the Taliban denial
    source = (built_example / "build/site/sources/voa-2016-10-26-ghor-quetta/index.html").read_text(encoding="utf-8")
    assert 'id="L12"' in source and "ib-cited" in source


def test_home_headline_and_nav_lists_sections_only(built_example):
    text = page_text(built_example, "index.html")
    assert "92+ killed" in text and "2 incidents" in text
    html = (built_example / "build/site/index.html").read_text(encoding="utf-8")
    outside_article = re.sub(r"<article.*?</article>", "", html, flags=re.S)
    assert "ghor-2016-10-25" not in outside_article  # records are not in the navigation
    assert 'href="incidents/"' in outside_article  # sections are


def test_place_and_sources_pages(built_example):
    ghor = page_text(built_example, "places/ghor/index.html")
    assert "AF-GHO" in ghor and "Civilians abducted and killed near Firozkoh" in ghor
    assert "Islamic State Khorasan" in ghor  # operates there
    sources = page_text(built_example, "sources/index.html")
    assert "eeaf28f75429" in sources
    voa = page_text(built_example, "sources/voa-2016-10-26-ghor-quetta/index.html")
    assert "English (en)" in voa  # the language's name, not the bare ISO 639-1 code


def test_methodology_documents_every_field(built_example):
    text = page_text(built_example, "methodology/index.html")
    for model in MODEL_CLASSES:
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"
            assert f"{name} " in text, f"{model.__name__}.{name} missing from methodology"
    assert "at least N, a minimum of N" in text


def test_drafts_are_not_published(example):
    from incidentbook.build import build

    path = example / "data/incidents/quetta-police-college-2016-10-24.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    build(example, pdf=False)
    assert not (example / "build/site/incidents/quetta-police-college-2016-10-24").exists()
    assert "police training college" not in page_text(example, "incidents/index.html")


def test_citations_of_a_source_without_published_text_link_to_its_page_not_a_line(example):
    """A source whose licence does not allow publishing its text (show_text: false) has no line
    anchors on its page: citations link to the page, and a strict build has no broken anchor."""
    from incidentbook.build import build

    path = example / "data" / "sources" / "voa-2016-10-26-ghor-quetta.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("show_text: true", "show_text: false"), encoding="utf-8")
    build(example, strict=True, pdf=False)
    brief = (example / "build/site/incidents/ghor-2016-10-25/index.html").read_text(encoding="utf-8")
    assert "voa-2016-10-26-ghor-quetta/#L" not in brief
    assert re.search(r'href="\.\./\.\./sources/voa-2016-10-26-ghor-quetta/"[^>]*>line \d+<', brief)
    # its quotes, the only part of its text it shows, are what the search finds it by
    record = indexed_records(example / "build/site")["/sources/voa-2016-10-26-ghor-quetta/"]
    assert "abducted and massacred at least 30 civilians" in record["content"]


def test_relative_paths_are_posixpaths():
    """site.relative is posixpath.relpath for the generator's paths (relative to docs/)."""
    import itertools
    import posixpath

    from incidentbook.site import relative

    folders = ["", "incidents", "actors", "actors/x", "actors/x/incidents", "sources/y/quotes", "data", "data/incidents"]
    files = ["index.md", "incidents/a.md", "actors/x.md", "actors/x/incidents/page_2.md", "data/incidents/a.json",
             "feeds/actors/x.xml", "assets/generated/pdf/incidents/a.pdf", "actors/xy.md", "incidents", "actors/x"]
    for path, start in itertools.product(files, folders):
        assert relative(path, start) == posixpath.relpath(path, start or "."), (path, start)
