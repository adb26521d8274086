"""`incidentbook init DIR`: a new, empty publication with the standard layout, ready to build."""

from __future__ import annotations

import json
from pathlib import Path

MKDOCS_YML = """\
site_name: {title}
docs_dir: docs
site_dir: build/site
theme:
  name: material
  font: false          # no Google Fonts: the site makes no third-party requests
  features: [navigation.tabs, navigation.indexes, navigation.top, search.suggest]
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: blue grey
      toggle: {{icon: material/weather-night, name: Switch to dark mode}}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: blue grey
      toggle: {{icon: material/weather-sunny, name: Switch to light mode}}
plugins: [search]
markdown_extensions: [tables, footnotes, admonition, attr_list, md_in_html, pymdownx.details, {{toc: {{permalink: true}}}}]
extra_css: [assets/generated/incidentbook.css]
extra_javascript: [assets/generated/charts.js]
nav:
  - Home: index.md
  - Map: map.md
  - Incidents: incidents/index.md
  - Actors: actors/index.md
  - Places: places/index.md
  - Sources: sources/index.md
  - Context: context.md
  - Data: data/index.md
  - Quality: quality.md
  - What changed: changes.md
  - Methodology: methodology.md
  - About: about.md
not_in_nav: |
  /incidents/*.md
  /actors/*.md
  /places/*.md
  /sources/*.md
  /quality/*.md
"""

FILES = {
    "data/publication.yaml": "title: {title}\ndescription: >\n  What this publication covers, for whom, and from which sources.\n",
    "data/vocabulary.yaml": (
        "event_types:\n"
        "  - id: armed-assault\n    label: Armed assault\n    definition: An attack with firearms or other weapons, without explosives as the main means.\n"
        "  - id: bombing\n    label: Bombing\n    definition: An attack by explosive device without an accompanying armed raid.\n"
        "  - id: abduction-and-killing\n    label: Abduction and killing\n    definition: People are seized by an armed group and killed while in its hands.\n"
    ),
    "data/places.yaml": "places: []\n",
    "data/context.yaml": "figures: []\n",
    "data/sources/.keep": "",
    "data/incidents/.keep": "",
    "data/actors/.keep": "",
    "seeds/.keep": "",
    "templates/site/.keep": "",
    "docs/about.md": "# About this publication\n\nWho publishes it, how to cite it, and how to send corrections.\n",
    ".gitignore": (
        ".venv/\nbuild/\ndocs/index.md\ndocs/incidents/\ndocs/actors/\ndocs/places/\ndocs/sources/\n"
        "docs/context.md\ndocs/methodology.md\ndocs/map.md\ndocs/quality.md\ndocs/quality/\ndocs/changes.md\ndocs/data/\ndocs/feeds/\ndocs/assets/generated/\n"
    ),
}


def init(directory: Path, title: str | None = None) -> Path:
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} exists and is not empty; choose a new folder")
    title = title or directory.name.replace("-", " ").replace("_", " ").title()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "mkdocs.yml").write_text(MKDOCS_YML.format(title=json.dumps(title)), encoding="utf-8")
    for rel, text in FILES.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(title=json.dumps(title)) if "{title}" in text else text, encoding="utf-8")
    return directory
