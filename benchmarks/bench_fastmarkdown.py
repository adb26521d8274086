"""Python-Markdown with and without incidentbook's inline shortcut (fastmarkdown.py), on the
pages of a built publication's docs/ (issue 8).

    .venv/bin/python benchmarks/bench_fastmarkdown.py DOCS_GLOB [--pages 1500]

Converts a random sample of the Markdown pages (front matter removed) with the extensions of the
publication's mkdocs.yml (incidentbook's: tables, footnotes, admonition, attr_list, md_in_html,
pymdownx.details, toc with permalinks), once as Python-Markdown does and once with the shortcut,
in this process; prints the CPU milliseconds a page of each, and how many pages' HTML differ
(must be 0).
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import time

import markdown

from incidentbook import fastmarkdown

EXTENSIONS = ["tables", "footnotes", "admonition", "attr_list", "md_in_html", "pymdownx.details", "toc"]
CONFIGS = {"toc": {"permalink": True}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs_glob", help="e.g. '/tmp/bw31/workers-2/docs/**/*.md' (quoted)")
    parser.add_argument("--pages", type=int, default=1500)
    args = parser.parse_args()
    files = sorted(glob.glob(args.docs_glob, recursive=True))
    random.Random(1).shuffle(files)
    files = files[:args.pages]
    texts = []
    for name in files:
        with open(name, encoding="utf-8") as f:
            text = f.read()
        texts.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)

    def convert_all() -> tuple[list[str], float]:
        started = time.process_time()
        out = [markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS).convert(t) for t in texts]
        return out, (time.process_time() - started) / len(texts) * 1000

    markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS).convert(texts[0])  # imports, compiled patterns
    plain, plain_ms = convert_all()
    with fastmarkdown.installed():
        fast, fast_ms = convert_all()
    print(json.dumps({"pages": len(texts), "python_markdown_ms": round(plain_ms, 1), "with_shortcut_ms": round(fast_ms, 1),
                      "pages_differing": sum(a != b for a, b in zip(plain, fast))}, indent=1))


if __name__ == "__main__":
    main()
