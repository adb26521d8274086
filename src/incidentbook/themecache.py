"""The parts of Material's page frame that are the same on many pages, rendered once (issue 8).

Once the record pages skip Python-Markdown (htmlpages.py), Material's templates are most of what
MkDocs spends on a page: 4.4–4.8 ms of `main.html` (1,000-incident corpus), of which the primary
navigation (`partials/nav.html`), the tabs, the header's search box, the palette toggle, the logo,
the back-to-top button and the footer are about half (2.3–2.5 ms with them cached). On a page that is not in the navigation (a record page: a brief, a profile, a source,
a later page of a list) these partials show nothing of the page: the navigation has no active
item, the footer has no previous or next page, and their links are relative to the page's
folder. So, for the duration of `installed(config)`, each of them is rendered once per
(base URL, folder of the page, hidden sidebars) and its text reused on the other such pages; so
are the blocks of `base.html` made of the configuration alone (CACHED_BLOCKS), the table of
contents per folder and headings (TOC), the partials around the page's text per folder, front
matter and edit URL (CONTENT_PARTS), and the module of translations base.html imports on every
page is made once (LANGUAGE). Then, for such a page, main.html itself is not run: its whole text
is filled from a frame learnt once per folder and kind of page, with holes for the page's title,
description, text and links (PageFrame): a quarter less of MkDocs's CPU at 1,000 incidents
(BENCHMARKS.md).

Guards, each keeping a page on the theme's own rendering:
- the theme is Material with incidentbook's own templates and nothing else (a publication's
  `custom_dir` may show anything of the page in these partials);
- the page is in the navigation, is the home page, or has a previous or next page;
- a link the partial makes could point into the page's own folder (its relative URL would differ
  from one page to the next): only navigation URLs are made by these partials, and a page whose
  URL starts a navigation page's URL is not served from the cache;
- the first two pages of every key are rendered by the theme and compared: when their text
  differs, that key is never served from the cache (so are a frame's, after its two probes agree).

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
          "partials/logo.html", "partials/top.html")
# The footer names the commit the page's content comes from (incidentbook's partials/copyright.html:
# `edition` in its front matter), which differs from page to page of a folder in a publication
# under git: cached per folder and front matter, as CONTENT_PARTS are.
FOOTER = "partials/footer.html"
# Blocks of Material's base.html made of the configuration and the page's base URL alone (the
# stylesheets, scripts, fonts, analytics and the `__config` JSON with its translations: about a
# fifth of what is left of main.html, 0.25 ms a page), cached the same way where main.html does
# not override them.
CACHED_BLOCKS = ("styles", "libs", "fonts", "analytics", "config", "scripts")
CHECKED = 2  # renders compared per key before its text is reused
# The page's table of contents (partials/toc.html) is made of the page's headings alone, and record
# pages of one kind share them (11 different ones on the 1,824 record pages of the 1,000-incident
# corpus): cached per folder and headings.
TOC = "partials/toc.html"
# Keys kept at most by a partial whose key holds something of the page (the table of contents, the
# CONTENT_PARTS below): a publication whose pages all differ keeps no more than that in memory.
MAX_KEYS = 4096
# The partials content.html includes around the page's text: tags, edit buttons, the source file's
# dates, the feedback form, comments. They read the page's front matter, its edit URL and the tags
# and git plugins' context, nothing else of it (the feedback form also its URL and title, so it is
# not cached when configured): cached per folder and all of those.
CONTENT_PARTS = ("partials/tags.html", "partials/actions.html", "partials/source-file.html",
                 "partials/feedback.html", "partials/comments.html", "partials/javascripts/content.html")
# base.html imports partials/language.html "with context" on every page: a new module, whose only
# content is the macro t(key) looking up the theme language's strings (0.15 ms a page). It is made
# once per configuration and language instead.
LANGUAGE = "partials/language.html"


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

    def bounded(self, key: tuple) -> tuple | None:
        """`key`, unless it is new and MAX_KEYS are kept already (for keys holding something of the page)."""
        return key if key in self.texts or len(self.texts) < MAX_KEYS else None

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


def _toc_signature(items) -> tuple:
    """What partials/toc.html and toc-item.html show of a table of contents: each entry's level,
    title, URL and typeset title (a plugin's), and its children."""
    return tuple((item.level, str(item.title), item.url, str(getattr(item, "typeset", None)), _toc_signature(item.children))
                 for item in items)


class _Toc(_Partial):
    """partials/toc.html, remembered per folder and headings (_Partial's guards and checks)."""

    def key(self, context) -> tuple | None:
        where = super().key(context)
        toc = getattr(context.get("page"), "toc", None)
        if where is None or toc is None:
            return None
        items = list(toc)
        if items and items[0].level == 1:  # as toc.html does: the page's title is not listed, its sections are
            return self.bounded((*where, 1, _toc_signature(items[0].children)))
        return self.bounded((*where, 0, _toc_signature(items)))


def _meta_key(page) -> tuple:
    """The page's front matter but its title and description (which no cached part shows)."""
    return tuple(sorted((str(k), repr(v)) for k, v in (page.meta or {}).items() if k not in ("title", "description")))


class _PagePart(_Partial):
    """A partial that may show the page's front matter or edit URL (CONTENT_PARTS), remembered
    per folder and those (_Partial's guards and checks)."""

    def key(self, context) -> tuple | None:
        where = super().key(context)
        if where is None:
            return None
        config = context.get("config")
        if self.name == "partials/feedback.html" and ((config.extra or {}).get("analytics") if config else True):
            return None
        page = context.get("page")
        meta = _meta_key(page)
        plugins = tuple(repr(context.get(name)) for name in ("tags", "git_info", "committers", "committers_source"))
        return self.bounded((*where, page.edit_url, meta, plugins))


def cache_language(template) -> None:
    """Make base.html's `import "partials/language.html" as lang with context` reuse one module
    per configuration and language (it reads nothing of the page)."""
    original = template.make_module
    if getattr(original, "incidentbook_cached", False):
        return
    modules: dict[tuple, object] = {}

    def make_module(vars=None, shared=False, locals=None):
        config = (vars or {}).get("config")
        theme = getattr(config, "theme", None)
        if theme is None or not shared:  # (the importing template's locals: language.html reads none)
            return original(vars, shared, locals)
        key = (id(config), str(theme["language"]))
        module = modules.get(key)
        if module is None:
            module = modules[key] = original(vars, shared, locals)
        return module

    make_module.incidentbook_cached = True
    template.make_module = make_module


# The whole frame of a record page (main.html with everything the partials above cache), as text
# with holes for what differs from one such page to the next (PageFrame, FRAME_SLOTS).
PAGE_FRAME = True
def _skip_link(page) -> str | None:
    """The skip link's target, the page's h1 (base.html: the first entry of its table of contents)."""
    toc = list(page.toc or [])
    return toc[0].url if toc and toc[0].level == 1 else None


# What of the page main.html may show that the frame's key leaves out, by the letter of its marker:
# each a hole in the frame (the skip link's value starts with "#", which the `url` filter leaves as it is).
FRAME_SLOTS = {"T": lambda page: page.title, "M": lambda page: (page.meta or {}).get("title"),
               "D": lambda page: (page.meta or {}).get("description"), "C": lambda page: page.content,
               "S": _skip_link, "U": lambda page: page.canonical_url, "E": lambda page: page.edit_url}
_HOLE = "\ue000"  # (a character of Unicode's private use area: no page's frame holds it)
_PROBE = '<b>&amp;"x\'</b> y'
_PROBE_LONG = _PROBE + " word" * 80  # longer than any truncate() of main.html
# The context MkDocs gives a page's template (mkdocs.commands.build.get_context)
_CONTEXT = {"nav", "pages", "base_url", "extra_css", "extra_javascript", "mkdocs_version", "build_date_utc", "config", "page"}


def _transforms(env) -> list:
    """What main.html may do to a value before showing it: Jinja's own filters, as its templates
    chain them (no autoescape in MkDocs's environment)."""
    from markupsafe import escape

    striptags, truncate = env.filters["striptags"], env.filters["truncate"]
    return [str, lambda v: str(escape(v)), striptags, lambda v: str(escape(striptags(v))),
            lambda v: str(escape(truncate(env, striptags(v), 300)))]


class _ProbeLink:
    """The first entry of a probe page's table of contents (the page's title, its h1): only its
    URL (the skip link's) is shown, and its children (the table of contents)."""

    def __init__(self, url: str, entry):
        self.url, self.level, self.children = url, entry.level, entry.children
        self.title, self.id, self.typeset = entry.title, getattr(entry, "id", ""), getattr(entry, "typeset", None)


class _Probe:
    """A page as the frame is learnt from: the values of FRAME_SLOTS replaced by markers."""

    def __init__(self, page, values: dict[str, str]):
        self._page = page
        meta = dict(page.meta or {})
        if "M" in values:
            meta["title"] = values["M"]
        if "D" in values:
            meta["description"] = values["D"]
        self.meta, self.title, self.content = meta, values.get("T", page.title), values.get("C", page.content)
        self.canonical_url, self.edit_url = values.get("U", page.canonical_url), values.get("E", page.edit_url)
        toc = list(page.toc or [])
        if "S" in values:
            toc[0] = _ProbeLink(values["S"], toc[0])
        self.toc = toc

    def __getattr__(self, name):
        return getattr(self._page, name)


class PageFrame:
    """main.html's render function, filling a frame learnt once per key instead of running the
    templates, for pages the cached partials apply to (_Frame.key).

    The key holds everything of the context main.html shows but the page's FRAME_SLOTS (its
    title, description, text, canonical and edit URLs, the skip link to its h1): the folder and
    base URL, the front matter's other keys, whether each slot is set, whether the text has an h1,
    the table of contents below the h1, what plugins added to the context. For each key, the
    templates are run twice on a probe page whose slots are markers (short, and longer than any
    truncation); each marker found in the text is a hole, filled with the page's value through the
    one filter chain (_transforms) that gives what both probes show there. The text between holes
    must be the same in both. Then, as for every cached partial, the first CHECKED pages of a key
    are rendered by the templates too and compared; a key whose probes or checks disagree is never
    filled."""

    def __init__(self, template, frame: _Frame):
        self.template, self.render, self.frame = template, template.root_render_func, frame
        self.frames: dict[tuple, tuple] = {}
        self.seen: dict[tuple, int] = {}
        self.refused: set[tuple] = set()
        self.transforms = _transforms(template.environment)
        self.filled = 0

    def _values(self, page) -> dict[str, str] | None:
        """The page's FRAME_SLOTS that are set, or None for a page this cannot be done for."""
        values = {name: value for name, get in FRAME_SLOTS.items() if (value := get(page))}
        if any(type(value) is not str for value in values.values()) or not values.get("S", "#").startswith("#") \
                or "\\" in values.get("S", ""):
            return None
        return values

    def key(self, context, values: dict[str, str]) -> tuple | None:
        where = self.frame.key(context)
        config, page = context.get("config"), context.get("page")
        if where is None or config is None or (config.extra or {}).get("analytics"):
            return None  # (the feedback form shows the page's URL and title)
        meta = _meta_key(page)
        toc = list(page.toc or [])
        contents = (1, _toc_signature(toc[0].children)) if "S" in values else (0, _toc_signature(toc))
        others = tuple(sorted((name, repr(value)) for name, value in context.get_all().items()
                              if name not in _CONTEXT and name not in self.template.environment.globals))
        key = (*where, id(config), id(context.get("nav")), tuple(context.get("extra_css") or ()),
               tuple(context.get("extra_javascript") or ()), meta, tuple(sorted(values)), "<h1" in page.content,
               contents, others)
        return key if key in self.frames or len(self.frames) < MAX_KEYS else None

    def _probe(self, context, page, values: dict[str, str]) -> str:
        variables = dict(context.get_all())
        variables["page"] = _Probe(page, values)
        return "".join(self.render(self.template.new_context(variables)))

    def learn(self, context, page, values: dict[str, str]) -> tuple | None:
        """(texts between holes, (slot, transform) of each hole), or None where the probes disagree."""
        def marked(payload: str) -> dict[str, str]:
            marks = {name: ("#" if name == "S" else "") + _HOLE + name + payload for name in values}
            if "<h1" in values.get("C", ""):  # (content.html adds an h1 of the title to a text without one)
                marks["C"] += "<h1></h1>"
            return marks

        short, long = marked(_PROBE), marked(_PROBE_LONG)
        first, second = self._probe(context, page, short), self._probe(context, page, long)
        texts, holes, here, there = [], [], 0, 0
        while True:
            one, two = first.find(_HOLE, here), second.find(_HOLE, there)
            if (one < 0) != (two < 0):
                return None
            if one < 0:
                break
            name = first[one + 1:one + 2]
            if name not in values or second[two + 1:two + 2] != name:
                return None
            one, two = one - (name == "S"), two - (name == "S")
            for transform in self.transforms:
                made, made_long = transform(short[name]), transform(long[name])
                if first.startswith(made, one) and second.startswith(made_long, two):
                    break
            else:
                return None
            if first[here:one] != second[there:two]:
                return None
            texts.append(first[here:one])
            holes.append((name, transform))
            here, there = one + len(made), two + len(made_long)
        if first[here:] != second[there:]:
            return None
        texts.append(first[here:])
        return tuple(texts), tuple(holes)

    @staticmethod
    def fill(frame: tuple, values: dict[str, str]) -> str:
        texts, holes = frame
        parts = [texts[0]]
        for (name, transform), text in zip(holes, texts[1:]):
            parts += (transform(values[name]), text)
        return "".join(parts)

    def __call__(self, context):
        page = context.get("page")
        values = self._values(page) if PAGE_FRAME and page is not None and isinstance(page.content, str) else None
        key = self.key(context, values) if values is not None else None
        if key is None or key in self.refused:
            yield from self.render(context)
            return
        frame = self.frames.get(key)
        if frame is None:
            frame = self.learn(context, page, values)
            if frame is None:
                self.refused.add(key)
                yield from self.render(context)
                return
            self.frames[key], self.seen[key] = frame, 0
        text = self.fill(frame, values)
        if self.seen[key] < CHECKED:
            rendered = "".join(self.render(context))
            if rendered != text:  # the templates show something of the page the key leaves out
                self.refused.add(key)
                del self.frames[key]
                yield rendered
                return
            self.seen[key] += 1
        else:
            self.filled += 1
        yield text


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
    for name in (*CONTENT_PARTS, FOOTER):
        try:
            template = env.get_template(name)
        except TemplateNotFound:
            continue
        if not isinstance(template.root_render_func, _Partial):
            template.root_render_func = _PagePart(name, template.root_render_func, frame)
    try:
        toc = env.get_template(TOC)
        if not isinstance(toc.root_render_func, _Partial):
            toc.root_render_func = _Toc(TOC, toc.root_render_func, frame)
        cache_language(env.get_template(LANGUAGE))
    except TemplateNotFound:
        pass
    try:
        base, main = env.get_template("base.html"), env.get_template("main.html")
    except TemplateNotFound:
        return
    if not isinstance(main.root_render_func, PageFrame):
        main.root_render_func = PageFrame(main, frame)
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
