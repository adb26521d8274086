"""PDF export: the report and per-record PDFs carry the same figures, quotes and names as the site,
print data literally (no Typst markup from data ever runs) and are compiled only when changed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
import typst
import yaml

import incidentbook
from incidentbook.build import build, check
from incidentbook.pdf import typst_str, typst_text
from incidentbook.views import Views

INJECTION = '#read("/etc/passwd") $x$ *bold* <lab> @ref _u_ `raw` ~ = - + / \\ "q" [b] // c /* d'


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def outline_titles(path: Path) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title
    return list(walk(pypdf.PdfReader(path).outline))


def test_report_has_figures_quotes_and_names(built_example):
    report = built_example / "build" / "pdf" / "report.pdf"
    text = text_of(report)
    for figure in ("at least 30", "nearly 30", "62 or more", "more than 120"):
        assert figure in text
    pub, verification = check(built_example)
    views = Views(pub, verification)
    for incident in views.published.values():
        assert incident.title in text
        for report_ in incident.casualties:
            assert f"“{report_.evidence.quote}”" in text
    for actor in pub.actors.values():
        assert actor.name in text
    for seed in pub.seeds.values():
        assert seed.sha256 in text  # sources chapter: full fingerprints
    assert "commit" in text and "Contents" in text


def test_outline_has_every_brief_and_profile(built_example):
    pub, _ = check(built_example)
    titles = outline_titles(built_example / "build" / "pdf" / "report.pdf")
    for chapter in ("Executive summary", "Incident briefs", "Actor profiles", "Context figures", "Sources", "Methodology"):
        assert chapter in titles
    for incident in pub.incidents.values():
        assert incident.title in titles
    for actor in pub.actors.values():
        assert actor.name in titles


def test_report_links_work_and_metadata(built_example):
    reader = pypdf.PdfReader(built_example / "build" / "pdf" / "report.pdf")
    assert reader.metadata.title == "Islamic State Khorasan, October 2016"
    assert reader.metadata.author == "incidentbook example team"
    assert reader.metadata["/CreationDate"].startswith("D:20161026")  # the publication date, not the clock
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot or "/D" in (annot.get("/A") or {}):
                internal += 1
    assert internal > 50  # brief → actor → source links, footnotes and contents


def test_record_pdfs_exist_and_are_linked_from_the_site(built_example):
    pub, _ = check(built_example)
    for incident_id, incident in pub.incidents.items():
        pdf = built_example / "build" / "pdf" / "incidents" / f"{incident_id}.pdf"
        text = text_of(pdf)
        assert incident.title in text
        assert incident.title in outline_titles(pdf)
        site_copy = built_example / "build" / "site" / "assets" / "generated" / "pdf" / "incidents" / f"{incident_id}.pdf"
        assert site_copy.read_bytes() == pdf.read_bytes()
        page = (built_example / "build" / "site" / "incidents" / incident_id / "index.html").read_text(encoding="utf-8")
        assert f'href="../../assets/generated/pdf/incidents/{incident_id}.pdf"' in page
    ghor = text_of(built_example / "build" / "pdf" / "incidents" / "ghor-2016-10-25.pdf")
    assert "at least 30" in ghor and "nearly 30" in ghor and "Amnesty International" in ghor
    # the brief's ledger chart, whose image is drawn for the PDFs only (chartkit.Chart.site_image)
    assert "Casualty figures as ranges, source by source" in ghor
    for actor_id, actor in pub.actors.items():
        pdf = built_example / "build" / "pdf" / "actors" / f"{actor_id}.pdf"
        assert actor.name in text_of(pdf)
        page = (built_example / "build" / "site" / "actors" / actor_id / "index.html").read_text(encoding="utf-8")
        assert f'href="../../assets/generated/pdf/actors/{actor_id}.pdf"' in page


@pytest.mark.parametrize("value", [INJECTION, 'a"b\\', '\\"; #panic("x") //', "tab\there\nnewline", "=== heading", "1. not a list", "http://x.y"])
def test_typst_text_prints_literally(value):
    source = f"{typst_text(value)}\n\n#let s = {typst_str(value)}\n#assert(s == {typst_str(value)})"
    pdf = typst.compile(source.encode("utf-8"), ignore_system_fonts=True)
    extracted = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert extracted == " ".join(value.split())


def test_injected_markup_prints_literally(example):
    path = example / "data" / "incidents" / "ghor-2016-10-25.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["summary"] = INJECTION
    record["title"] = "Firozkoh <lab> @ref $x$ #read(\"/etc/passwd\")"
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # A publication's templates/pdf/ overrides the built-in template of the same name.
    override = example / "templates" / "pdf" / "incident.typ.j2"
    override.parent.mkdir(parents=True, exist_ok=True)
    builtin = Path(incidentbook.__file__).parent / "builtin" / "pdf" / "incident.typ.j2"
    override.write_text(builtin.read_text(encoding="utf-8") + "\nPrepared for the board.\n", encoding="utf-8")
    build(example, strict=True)
    assert "Prepared for the board." in text_of(example / "build" / "pdf" / "incidents" / "ghor-2016-10-25.pdf")
    for pdf in (example / "build" / "pdf" / "incidents" / "ghor-2016-10-25.pdf", example / "build" / "pdf" / "report.pdf"):
        text = text_of(pdf)
        assert " ".join(INJECTION.split()) in text
        assert record["title"] in text
        assert "root:" not in text  # /etc/passwd was not read


def test_arabic_alias_renders_right_to_left(example):
    path = example / "data" / "actors" / "islamic-state-khorasan.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["aliases"].append({"name": "ولایت خراسان", "note": "Dari"})
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build(example, strict=True)
    pdf = example / "build" / "pdf" / "actors" / "islamic-state-khorasan.pdf"
    # Laid out right to left, the second word comes first in visual order.
    assert "خراسان ولایت" in text_of(pdf)
    if Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf").is_file():
        fonts = {str(font) for page in pypdf.PdfReader(pdf).pages for font in page["/Resources"]["/Font"].values()
                 for font in [font.get_object()["/BaseFont"]]}
        assert any("NotoNaskhArabic" in font for font in fonts)


def test_unchanged_pdfs_are_not_recompiled(example):
    first = build(example)
    assert first.pdfs_compiled == 1 + len(first.pub.incidents) + len(first.pub.actors)
    out = example / "build" / "pdf"
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}
    second = build(example)
    assert (second.pdfs_compiled, second.pdfs_unchanged) == (0, first.pdfs_compiled)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")} == mtimes
    # Change one incident's summary: only its brief and the report are compiled again.
    path = example / "data" / "incidents" / "ghor-2016-10-25.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Gunmen abducted", "Armed men abducted"), encoding="utf-8")
    third = build(example)
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert third.pdfs_compiled == 2 and len(manifest) == first.pdfs_compiled
    changed = {p for p in out.rglob("*.pdf") if p.stat().st_mtime_ns != mtimes[p]}
    assert changed == {out / "report.pdf", out / "incidents" / "ghor-2016-10-25.pdf"}


def test_no_pdf_builds_the_site_without_pdfs_or_links(example):
    build(example, strict=True, pdf=False)
    assert not (example / "build" / "pdf").exists()
    page = (example / "build" / "site" / "incidents" / "ghor-2016-10-25" / "index.html").read_text(encoding="utf-8")
    assert ".pdf" not in page
