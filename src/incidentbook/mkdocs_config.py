"""Settings incidentbook adds to the publication's mkdocs.yml at build time, without editing it:
its theme additions (Open Graph tags, per-page edition in the footer, the Pagefind search box),
the footer line naming the publication's version, and Material's `search` plugin turned off
(`incidentbook build` indexes the site with Pagefind instead: sitesearch.py).

mkdocs.yml stays plain and portable: `mkdocs build` alone still builds the site, only without
these additions (and with Material's own search). A publication with its own `theme.custom_dir`
keeps it (and ours is not added).
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from .load import Publication
from .problems import Problem, ProblemsFound


def read_mkdocs_yml(root: Path) -> dict:
    """The publication's mkdocs.yml as MkDocs reads it (its !ENV and !relative tags included).
    Raises ProblemsFound naming the file and line when it is not valid YAML or not a mapping."""
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(root / "mkdocs.yml", encoding="utf-8") as f:
            raw = yaml_load(f)
    except FileNotFoundError:  # not a publication: said by the command line, or by MkDocs itself
        return {}
    except ConfigurationError as exc:
        cause = exc.__cause__ or exc.__context__
        mark = getattr(cause, "problem_mark", None)
        reason = getattr(cause, "problem", None) or str(cause or exc)
        raise ProblemsFound([Problem("mkdocs.yml", mark.line + 1 if mark else None, "", f"malformed YAML: {reason}")]) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ProblemsFound([Problem("mkdocs.yml", 1, "", "must be a mapping of MkDocs settings")])
    return raw


def directory_urls(root: Path) -> bool:
    """mkdocs.yml's use_directory_urls (MkDocs's default: true): how MkDocs will serve the pages."""
    return bool(read_mkdocs_yml(root).get("use_directory_urls", True))


def theme_dir() -> str:
    return str(resources.files("incidentbook").joinpath("builtin/theme"))


SEARCH_PLUGINS = ("search", "material/search")


def without_search(plugins) -> list:
    """mkdocs.yml's `plugins` (a list of names and one-key mappings, or a mapping; MkDocs' default
    `[search]` when absent) without Material's search plugin, in the list form MkDocs accepts."""
    if plugins is None:
        plugins = ["search"]
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    else:
        entries = [(item, None) if isinstance(item, str) else next(iter(item.items())) for item in plugins]
    return [name if options is None else {name: options} for name, options in entries if name not in SEARCH_PLUGINS]


def config_overrides(root: Path, pub: Publication, tool_version: str, pagefind: bool = True) -> dict:
    """Keyword arguments for mkdocs.config.load_config. The commit is not here but in each page's
    front matter (`edition`), so that a commit changes only the pages whose inputs it changed.

    With `pagefind` (the build), Material's search plugin is left out: no `search/search_index.json`
    (loaded whole by the browser), and the theme's header shows the Pagefind search box instead
    (builtin/theme/partials/header.html). The live preview passes False and keeps Material's search,
    since it serves pages that Pagefind has not indexed. A publication with its own custom_dir also
    keeps Material's search: its templates cannot show ours."""
    raw = read_mkdocs_yml(root)
    theme = raw.get("theme") or {"name": "material"}
    if isinstance(theme, str):
        theme = {"name": theme}
    if "custom_dir" not in theme:
        theme = {**theme, "custom_dir": theme_dir()}
    edition = (f"{html.escape(pub.info.title)}, version {html.escape(pub.info.version)} · "
               f"built with incidentbook {html.escape(tool_version)} · records licensed {html.escape(pub.info.licence)}")
    own = raw.get("copyright")
    overrides: dict = {"theme": theme, "copyright": f"{own}<br>{edition}" if own else edition}
    if pagefind and theme.get("custom_dir") == theme_dir():
        overrides["plugins"] = without_search(raw.get("plugins"))
    if pub.info.site_url:
        overrides["site_url"] = pub.info.site_url
    return overrides
