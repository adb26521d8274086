"""The parts of Material's page frame that are the same on many pages, rendered once (issue 8).

Once the record pages skip Python-Markdown (htmlpages.py), Material's templates are most of what
MkDocs spends on a page: 4.4–4.8 ms of `main.html` (1,000-incident corpus), of which the primary
navigation (`partials/nav.html`), the tabs, the header's search box, the palette toggle, the logo,
the back-to-top button and the footer are about half (2.3–2.5 ms with them cached). On a page that is not in the navigation (a record page: a brief, a profile, a source,
a later page of a list) these partials show nothing of the page: the navigation has no active
item, the footer has no previous or next page, and their links are relative to the page's
folder. So, for the duration of `installed(config)`, each of them is rendered once per
(base URL, folder of the page, hidden sidebars) and its text reused on the other such pages; so
are the blocks of `base.html` made of the configuration alone (CACHED_BLOCKS).

Guards, each keeping a page on the theme's own rendering:
- the theme is Material with incidentbook's own templates and nothing else (a publication's
  `custom_dir` may show anything of the page in these partials);
- the page is in the navigation, is the home page, or has a previous or next page;
- a link the partial makes could point into the page's own folder (its relative URL would differ
  from one page to the next): only navigation URLs are made by these partials, and a page whose
  URL starts a navigation page's URL is not served from the cache;
- the first two pages of every key are rendered by the theme and compared: when their text
  differs, that key is never served from the cache.

tests/test_themecache.py builds the example and a demo corpus with and without it (with and
without directory URLs): every file is byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
from collections.abc import Iterator
from pathlib import Path

CACHED = ("partials/nav.html", "partials/tabs.html", "partials/pagefind.html", "partials/palette.html",
          "partials/logo.html", "partials/top.html", "partials/footer.html")
# Blocks of Material's base.html made of the configuration and the page's base URL alone (the
# stylesheets, scripts, fonts, analytics and the `__config` JSON with its translations: about a
# fifth of what is left of main.html, 0.25 ms a page), cached the same way where main.html does
# not override them.
CACHED_BLOCKS = ("styles", "libs", "fonts", "analytics", "config", "scripts")
CHECKED = 2  # renders compared per key before its text is reused


def eligible(config) -> bool:
    """Whether the theme's templates are Material's and incidentbook's own, nothing else."""
    import material
    import mkdocs

    from .mkdocs_config import theme_dir

    theme = config.theme
    if theme.name != "material" or not theme.dirs or os.path.realpath(theme.dirs[0]) != os.path.realpath(theme_dir()):
        return False
    allowed = [os.path.realpath(Path(m.__file__).parent) for m in (material, mkdocs)]
    return all(any(os.path.realpath(d).startswith(a + os.sep) for a in allowed) for d in theme.dirs[1:])


class _Frame:
    """Which pages the cached partials may be reused on, from the navigation (shared by them all)."""

    def __init__(self):
        self.nav_id: int | None = None
        self.nav_pages: set[int] = set()
        self.nav_urls: tuple[str, ...] = ()

    def key(self, context) -> tuple | None:
        """(base URL, folder of the page), or None for a page the partials may show something of."""
        page, nav = context.get("page"), context.get("nav")
        if page is None or nav is None or getattr(page, "is_homepage", True) \
                or page.previous_page is not None or page.next_page is not None:
            return None
        if id(nav) != self.nav_id:
            self.nav_id, self.nav_pages = id(nav), {id(p) for p in nav.pages}
            self.nav_urls = tuple(p.url for p in nav.pages)
        url = page.url
        if id(page) in self.nav_pages or not url or any(u.startswith(url) for u in self.nav_urls):
            return None
        return (context.get("base_url"), posixpath.dirname(url.rstrip("/")))


class _Partial:
    """One partial's root render function (or one block of base.html), with its text remembered per key."""

    def __init__(self, name: str, render, frame: _Frame | None = None):
        self.name, self.render, self.frame = name, render, frame or _Frame()
        self.texts: dict[tuple, str] = {}
        self.seen: dict[tuple, int] = {}
        self.refused: set[tuple] = set()

    def key(self, context) -> tuple | None:
        where = self.frame.key(context)
        return None if where is None else (*where, str(context.get("hidden")))

    def __call__(self, context):
        key = self.key(context)
        if key is None or key in self.refused:
            yield from self.render(context)
            return
        text = self.texts.get(key)
        if text is not None and self.seen[key] >= CHECKED:
            yield text
            return
        rendered = "".join(self.render(context))
        if text is None:
            self.texts[key], self.seen[key] = rendered, 1
        elif text == rendered:
            self.seen[key] += 1
        else:  # the partial showed something of the page after all
            self.refused.add(key)
            del self.texts[key]
        yield rendered


def cache_partials(env) -> None:
    from jinja2 import TemplateNotFound

    frame = _Frame()
    for name in CACHED:
        try:
            template = env.get_template(name)
        except TemplateNotFound:  # a partial this theme does not have: nothing to cache
            continue
        if not isinstance(template.root_render_func, _Partial):
            template.root_render_func = _Partial(name, template.root_render_func, frame)
    try:
        base, main = env.get_template("base.html"), env.get_template("main.html")
    except TemplateNotFound:
        return
    for name in CACHED_BLOCKS:
        # (a block main.html overrides may call it through super(), which finds it by identity)
        if name in base.blocks and name not in main.blocks and not isinstance(base.blocks[name], _Partial):
            base.blocks[name] = _Partial(f"base.html#{name}", base.blocks[name], frame)


@contextlib.contextmanager
def installed(config) -> Iterator[bool]:
    """The theme's environment for `config` reuses the partials above where they cannot differ
    (and in the processes forked meanwhile). Yields whether it applies."""
    from mkdocs.theme import Theme

    if not eligible(config):
        yield False
        return
    original = Theme.get_env

    def get_env(self):
        env = original(self)
        if self is config.theme:
            cache_partials(env)  # (a partial dropped from the environment's cache is loaded again bare: no harm)
        return env

    Theme.get_env = get_env
    try:
        yield True
    finally:
        Theme.get_env = original
