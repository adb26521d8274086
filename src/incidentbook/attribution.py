"""The credit a dataset's licence requires, on every page built from that dataset.

A record page carries the credit of each dataset its record — or, for actors and places, the
incidents it lists — cites; section pages and the home page carry the credit of every dataset
in the publication.
"""

from __future__ import annotations

from .model import Source
from .render import html_text, md_escape
from .views import Views


class DatasetCredits:
    def __init__(self, views: Views):
        self.views = views
        self.datasets = {sid: s for sid, s in sorted(views.pub.sources.items()) if s.kind == "dataset"}
        self.cited_by: dict[str, set[tuple[str, str]]] = {
            sid: {(kind, record_id) for kind, record_id, _ in views.citations.get(sid, [])} for sid in self.datasets}

    def _cites(self, kind: str, record_id: str) -> list[Source]:
        return [s for sid, s in self.datasets.items() if (kind, record_id) in self.cited_by[sid]]

    def for_page(self, context: dict) -> list[Source]:
        if not self.datasets:
            return []
        if "incident" in context:
            return self._cites("incident", context["incident"].id)
        if "actor" in context:
            ids = {row.incident.id for row in self.views.actor_incidents(context["actor"].id)}
            return [s for sid, s in self.datasets.items()
                    if ("actor", context["actor"].id) in self.cited_by[sid] or any(("incident", i) in self.cited_by[sid] for i in ids)]
        if "place" in context:
            ids = {i.id for i in self.views.incidents_in(context["place"].id)}
            return [s for sid, s in self.datasets.items() if any(("incident", i) in self.cited_by[sid] for i in ids)]
        if "source" in context:
            return [context["source"]] if context["source"].id in self.datasets else []
        return list(self.datasets.values())

    def notice(self, context: dict, html: bool = False) -> str:
        """The credit appended to the page (plain str: adding Markup to the page would escape it):
        a Markdown admonition, or with `html` the HTML Python-Markdown makes of it (htmlpages.py)."""
        sources = self.for_page(context)
        if not sources:
            return ""
        text, emphasis = (html_text, "<em>{}</em>") if html else (md_escape, "*{}*")
        credits = [f"This page is built in part from {emphasis.format(text(s.title))}: {text(s.attribution or s.publisher)}"
                   + (f" Licence: {text(s.licence)}." if s.licence else "") for s in sources]
        if html:
            return ('\n<div class="admonition quote">\n<p class="admonition-title">Data credit</p>\n'
                    + "\n".join(f"<p>{c}</p>" for c in credits) + "\n</div>\n")
        return "\n".join(["", "", '!!! quote "Data credit"', *(f"    {c}\n" for c in credits)]) + "\n"
