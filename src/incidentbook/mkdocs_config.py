"""Settings incidentbook adds to the publication's mkdocs.yml at build time, without editing it:
its theme additions (Open Graph tags, per-page edition in the footer) and the footer line naming
the publication's version.

mkdocs.yml stays plain and portable: `mkdocs build` alone still builds the site, only without
these additions. A publication with its own `theme.custom_dir` keeps it (and ours is not added).
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from .load import Publication


def theme_dir() -> str:
    return str(resources.files("incidentbook").joinpath("builtin/theme"))


def config_overrides(root: Path, pub: Publication, tool_version: str) -> dict:
    """Keyword arguments for mkdocs.config.load_config. The commit is not here but in each page's
    front matter (`edition`), so that a commit changes only the pages whose inputs it changed."""
    from mkdocs.utils.yaml import yaml_load

    with open(root / "mkdocs.yml", encoding="utf-8") as f:
        raw = yaml_load(f) or {}
    theme = raw.get("theme") or {"name": "material"}
    if isinstance(theme, str):
        theme = {"name": theme}
    if "custom_dir" not in theme:
        theme = {**theme, "custom_dir": theme_dir()}
    edition = (f"{html.escape(pub.info.title)}, version {html.escape(pub.info.version)} · "
               f"built with incidentbook {html.escape(tool_version)} · records licensed {html.escape(pub.info.licence)}")
    own = raw.get("copyright")
    overrides: dict = {"theme": theme, "copyright": f"{own}<br>{edition}" if own else edition}
    if pub.info.site_url:
        overrides["site_url"] = pub.info.site_url
    return overrides
