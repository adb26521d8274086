"""The credit a dataset's licence requires, on every page built from that dataset.

A record page carries the credit of each dataset its record — or, for actors and places, the
incidents it lists — cites; section pages and the home page carry the credit of every dataset
in the publication.
"""

from __future__ import annotations

from html import escape

from .model import Source
from .render import md_escape
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

    def html_notice(self, context: dict) -> str:
        """The notice for a page written in HTML (htmlpages.py): the admonition Python-Markdown makes of `notice`."""
        sources = self.for_page(context)
        if not sources:
            return ""
        paragraphs = [f"<p>This page is built in part from <em>{escape(s.title, quote=False)}</em>: {escape(s.attribution or s.publisher, quote=False)}"
                      + (f" Licence: {escape(s.licence, quote=False)}." if s.licence else "") + "</p>" for s in sources]
        return '\n<div class="admonition quote">\n<p class="admonition-title">Data credit</p>\n' + "\n".join(paragraphs) + "\n</div>\n"

    def notice(self, context: dict) -> str:
        """Markdown appended to the page (plain str: adding Markup to the page would escape it)."""
        sources = self.for_page(context)
        if not sources:
            return ""
        lines = ["", "", '!!! quote "Data credit"']
        for s in sources:
            credit = s.attribution or s.publisher
            lines.append(f"    This page is built in part from *{md_escape(s.title)}*: {md_escape(credit)}"
                         + (f" Licence: {md_escape(s.licence)}." if s.licence else "") + "\n")
        return "\n".join(lines) + "\n"
