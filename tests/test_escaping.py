"""Text from data and articles shows literally on the site: no HTML, Markdown tricks or Jinja run."""

from __future__ import annotations

import json
import re

from html.parser import HTMLParser

from conftest import page_text

from incidentbook.build import build

class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attributes: list[tuple[str, str | None]] = []
        self.tags: list[str] = []
        self.scripts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs).get("type"))
            attrs = [a for a in attrs if a != ("type", "application/ld+json")]
        self.attributes.extend(attrs)


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(3))",
    "![img](data:text/html,alert(4))",
    "{{ 7 * 7 }} {% raw %}",
    "--8<-- \"/etc/passwd\"",
    "*bold* _em_ `code` {: onclick=\"alert(5)\" }",
    "| a | b |",
]


def test_hostile_text_shows_literally(example):
    seed = example / "seeds/000_c2266891f276a5e0.txt"
    seed.write_bytes(seed.read_bytes() + ("\n" + " ".join(HOSTILE) + "\n").encode())
    path = example / "data/incidents/ghor-2016-10-25.yaml"
    text = path.read_text(encoding="utf-8")
    hostile_yaml = " ".join(HOSTILE).replace("'", "''")
    text = text.replace("title: Civilians abducted and killed near Firozkoh, Ghor province", f"title: '{hostile_yaml}'")
    text = text.replace("  - description: Civilians collecting firewood for the winter\n",
                        f"  - description: '{hostile_yaml}'\n    evidence:\n      - source: voa-2016-10-26-ghor-quetta\n        quote: '{hostile_yaml}'\n  - description: Civilians collecting firewood for the winter\n")
    path.write_text(text, encoding="utf-8")
    build(example, strict=True, pdf=False)  # PDFs: tests/test_pdf.py and test_hostile.py

    for rel in ("incidents/ghor-2016-10-25/index.html", "incidents/index.html", "index.html",
                "sources/voa-2016-10-26-ghor-quetta/index.html"):
        html = (example / "build/site" / rel).read_text(encoding="utf-8")
        article = html.split("<article", 1)[1].split("</article>", 1)[0]
        parser = _Attributes()
        parser.feed(article)
        assert not [a for a in parser.attributes if a[0].startswith("on")], parser.attributes
        assert not [a for a in parser.attributes if a[0] in ("href", "src") and re.match(r"\s*(javascript|data):", a[1] or "")]
        chart_images = [a for a in parser.attributes  # the static SVG of each chart, shown without JavaScript
                        if a[0] == "src" and re.fullmatch(r"(\.\./)*assets/generated/charts/[a-z0-9-]+\.svg", a[1] or "")]
        assert parser.scripts in ([], ["application/ld+json"]), parser.scripts  # only the page's JSON-LD
        assert parser.tags.count("img") == len(chart_images)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', article, re.S):
            assert "<" not in block and json.loads(block)["@context"] == "https://schema.org"
        assert "<strong>bold</strong>" not in article and "<em>em</em>" not in article
        assert "root:" not in article  # no file was included
    brief = page_text(example, "incidents/ghor-2016-10-25/index.html")
    for fragment in HOSTILE:
        assert fragment in brief, fragment
