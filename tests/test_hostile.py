"""Issue 7: the hostile corpus (tests/hostile/) in every kind of text field and in the seed.

Nothing runs, nothing is interpreted, no file is read: the site's HTML holds no live payload, the
browser opens no dialog and makes no foreign request, the PDFs print the text literally.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from browserkit import browser, goto, serve_site  # noqa: F401  (fixtures)
from conftest import copy_example, page_text
from test_privacy import open_search

from incidentbook.build import build

HOSTILE_DIR = Path(__file__).parent / "hostile"
PAYLOADS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(HOSTILE_DIR.glob("*.txt"))}
CORPUS = "\n\n".join(PAYLOADS.values())  # one paragraph per payload
SOURCE = "voa-2016-10-26-ghor-quetta"
PAGES = {  # page -> where the corpus is shown on it
    "brief": "incidents/ghor-2016-10-25/index.html",
    "profile": "actors/islamic-state-khorasan/index.html",
    "place": "places/ghor/index.html",
    "source": f"sources/{SOURCE}/index.html",
}
FILE_CONTENT = re.compile(r"root:[x*]?:0:0|daemon:[x*]?:1:1")  # a line of /etc/passwd


def flat(text: str) -> str:
    return " ".join(text.split())


def _rotated(i: int) -> str:
    """The corpus starting at a different payload for each field, so each payload starts some field."""
    values = list(PAYLOADS.values())
    k = i % len(values)
    return "\n\n".join(values[k:] + values[:k])


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")


def make_hostile(root: Path) -> None:
    """Put the corpus into every kind of text field of the example publication and into its seed."""
    seed = root / "seeds/000_c2266891f276a5e0.txt"
    seed.write_bytes(seed.read_bytes() + b"\n" + CORPUS.encode("utf-8") + b"\n")
    quote = {"source": SOURCE, "quote": CORPUS}
    n = iter(range(1000))

    def incident(d):
        d["title"], d["summary"] = _rotated(next(n)), _rotated(next(n))
        d["date"]["time_of_day"] = _rotated(next(n))
        d["date"]["reasoning"] = _rotated(next(n))
        d["date"]["evidence"].append(dict(quote))
        d["place"]["evidence"].append(dict(quote))
        d["targets"].insert(0, {"description": _rotated(next(n)), "evidence": [dict(quote)]})
        for report in d["casualties"]:
            report["group"], report["note"] = _rotated(next(n)), _rotated(next(n))
        for statement in d["responsibility"]:
            statement["named_as"], statement["note"] = CORPUS, _rotated(next(n))  # named_as must occur in a quote
            statement["evidence"].append(dict(quote))

    def actor(d):
        d["name"], d["description"] = _rotated(next(n)), _rotated(next(n))
        d["aliases"].append({"name": _rotated(next(n)), "evidence": [dict(quote)], "note": _rotated(next(n))})
        for leader in d["leaders"]:
            leader["role"] = _rotated(next(n))
        for relationship in d["relationships"]:
            relationship["note"] = _rotated(next(n))
        for area in d["areas"]:
            area["note"] = _rotated(next(n))

    def places(d):
        ghor = next(p for p in d["places"] if p["id"] == "ghor")
        ghor["name"], ghor["coordinates_note"] = _rotated(next(n)), _rotated(next(n))
        ghor["alt_names"] = [_rotated(next(n))]

    def source(d):
        for key in ("title", "publisher", "author", "note", "licence"):
            d[key] = _rotated(next(n))

    def context(d):
        for figure in d["figures"]:
            figure["metric"], figure["qualifier"] = _rotated(next(n)), _rotated(next(n))

    def vocabulary(d):
        kind = next(t for t in d["event_types"] if t["id"] == "abduction-and-killing")
        kind["label"], kind["definition"] = _rotated(next(n)), _rotated(next(n))

    def publication(d):
        d["subtitle"], d["description"] = _rotated(next(n)), _rotated(next(n))
        d["authors"] = [_rotated(next(n))]

    for rel, change in (("data/incidents/ghor-2016-10-25.yaml", incident), ("data/actors/islamic-state-khorasan.yaml", actor),
                        ("data/places.yaml", places), (f"data/sources/{SOURCE}.yaml", source), ("data/context.yaml", context),
                        ("data/vocabulary.yaml", vocabulary), ("data/publication.yaml", publication)):
        _edit_yaml(root / rel, change)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("hostile") / "pub")
    make_hostile(root)
    build(root, strict=True)
    return root


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.inline_scripts: list[tuple[str | None, str]] = []
        self._in_script: str | None | bool = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script" and "src" not in dict(attrs):
            self._in_script = dict(attrs).get("type")
            self.inline_scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script is not False:
            kind, text = self.inline_scripts[-1]
            self.inline_scripts[-1] = (kind, text + data)


def _html_files(root: Path) -> list[Path]:
    return sorted((root / "build/site").rglob("*.html"))


def test_corpus_covers_every_family():
    families = {name.split("-")[0] for name in PAYLOADS}
    assert families == {"html", "md", "jinja", "pymdownx", "typst"}
    for needle in ("<script>", "onerror=", "<svg onload", "javascript:", "data:", "](", "<div markdown", "{{", "{%",
                   '--8<-- "/etc/passwd"', '#read("/etc/passwd")'):
        assert needle in CORPUS, needle


def test_no_live_payload_in_any_page(hostile):
    pages = _html_files(hostile)
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _Elements()
        parser.feed(text)
        where = page.relative_to(hostile / "build/site")
        for tag, attrs in parser.elements:
            handlers = [a for a in attrs if a.startswith("on")]
            assert not handlers, (where, tag, handlers)
            for name in ("href", "src", "action", "formaction", "xlink:href", "srcset"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), (where, tag, name, value)
                assert "tracker.example" not in value and "evil.example" not in value, (where, tag, name, value)
            assert tag not in ("iframe", "base", "object", "embed", "frame"), (where, tag)
            assert not (tag == "meta" and attrs.get("http-equiv")), (where, attrs)
        for kind, script in parser.inline_scripts:
            if kind == "application/ld+json":
                assert "<" not in script, where
                json.loads(script)
            else:
                assert "alert" not in script and "etc/passwd" not in script, (where, script[:200])
        without_jsonld = re.sub(r'<script type="application/ld\+json">.*?</script>', "", text, flags=re.S)
        for name, payload in PAYLOADS.items():
            if "<" in payload:
                assert payload not in without_jsonld, (where, name)
        visible = html.unescape(re.sub(r"<[^>]+>", " ", without_jsonld))
        assert "1337" not in visible and "looploop" not in visible.replace(" ", ""), where  # no Jinja ran
        assert not FILE_CONTENT.search(visible), where  # no file was included


def test_every_payload_shows_literally(hostile):
    for kind, rel in PAGES.items():
        text = page_text(hostile, rel)
        for name, payload in PAYLOADS.items():
            for paragraph in re.split(r"\n\s*\n", payload):  # a blank line may start a new paragraph
                assert flat(paragraph) in text, (kind, name, paragraph)
    titles = re.findall(r"<title>(.*?)</title>", (hostile / "build/site" / PAGES["brief"]).read_text(encoding="utf-8"), re.S)
    assert "<" not in titles[0] and flat(PAYLOADS["html-script"]) in html.unescape(titles[0])


def test_downloads_keep_the_text_as_data(hostile):
    records = json.loads((hostile / "build/site/data/incidents/ghor-2016-10-25.json").read_text(encoding="utf-8"))
    assert flat(PAYLOADS["html-script"]) in flat(json.dumps(records, ensure_ascii=False)).replace('\\"', '"')
    for path in (hostile / "build/site").rglob("*"):
        if path.suffix in (".json", ".csv", ".geojson", ".xml", ".txt"):
            assert not FILE_CONTENT.search(path.read_text(encoding="utf-8", errors="replace")), path


def _pdf_text(path: Path) -> str:
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return _squeeze(unicodedata.normalize("NFKC", text))


def _squeeze(text: str) -> str:
    """Without white space and hyphens: text extraction renders line breaks and hyphenation unevenly
    (a hyphen may come out as a soft hyphen, which also marks where a word was broken)."""
    return re.sub(r"[\s\-\xad\u2010\u2011]", "", text)


def test_pdfs_print_payloads_literally_and_read_no_file(hostile):
    out = hostile / "build/pdf"
    for rel in ("incidents/ghor-2016-10-25.pdf", "actors/islamic-state-khorasan.pdf"):
        text = _pdf_text(out / rel)
        for name, payload in PAYLOADS.items():
            assert _squeeze(payload) in text, (rel, name)
        assert not FILE_CONTENT.search(text), rel
    # every PDF (the report holds the corpus dozens of times): poppler's pdftotext is 50x faster than pypdf
    pdftotext = shutil.which("pdftotext")
    for pdf in sorted(out.rglob("*.pdf")):
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout if pdftotext \
            else _pdf_text(pdf)
        assert not FILE_CONTENT.search(text), pdf


@pytest.mark.browser
def test_nothing_runs_in_the_browser(hostile, browser, serve_site):
    url = serve_site(hostile / "build/site")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    dialogs, errors, foreign = [], [], []
    context.route("**/*", lambda r: (foreign.append(r.request.url), r.abort()) if not r.request.url.startswith(url)
                  else r.continue_())
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    for rel in (*PAGES.values(), "index.html", "incidents/index.html", "actors/index.html", "places/index.html",
                "sources/index.html", "context/index.html", "map/index.html", "methodology/index.html"):
        goto(page, url + rel.removesuffix("index.html"))
    for query in ("injected", "onerror", "script"):  # words of the corpus (lunr does not index "alert(" as "alert")
        goto(page, url)
        open_search(page, query)
        page.wait_for_timeout(300)
        assert page.locator(".md-search-result img, .md-search-result script, .md-search-result iframe").count() == 0
    context.close()
    assert dialogs == [], dialogs
    assert errors == [], errors
    assert foreign == [], foreign
