"""Atom feeds of revisions: site-wide and per actor. Pure: revisions in, XML bytes out."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .history import Revision

KIND_TITLE = {"incident": "Incident", "actor": "Actor", "source": "Source"}


def describe(revision: Revision, name: str) -> str:
    """One plain-text paragraph: what changed and why."""
    text = f"{KIND_TITLE[revision.kind]} {revision.action}: {name}."
    if revision.changes:
        shown = "; ".join(f"{c.field}: {c.short()[0] or '(none)'} → {c.short()[1] or '(none)'}" for c in revision.changes[:5])
        text += f" {shown}"
        if len(revision.changes) > 5 or revision.more_changes:
            text += f"; and {len(revision.changes) - 5 + revision.more_changes if len(revision.changes) > 5 else revision.more_changes} more"
        text += "."
    for source_id, commit in revision.caused_by:
        text += f" Follows the change to source {source_id} in commit {commit.short} ({commit.date.isoformat()})."
    return text + f" Commit {revision.commit.short}: {revision.commit.subject}"


def atom(feed_id: str, title: str, self_href: str, site_href: str, updated: str,
         entries: list[tuple[Revision, str, str]]) -> bytes:
    """entries: (revision, record name, page href). Hrefs may be relative to the feed's address."""
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"  <id>{escape(feed_id)}</id>", f"  <title>{escape(title)}</title>",
           f"  <updated>{escape(entries[0][0].commit.iso if entries else updated)}</updated>",
           f"  <link rel=\"self\" href={quoteattr(self_href)}/>", f"  <link rel=\"alternate\" href={quoteattr(site_href)}/>",
           "  <author><name>incidentbook</name></author>"]
    for revision, name, href in entries:
        entry_id = f"{feed_id}:{revision.commit.sha}:{revision.kind}:{revision.record_id}"
        out += ["  <entry>", f"    <id>{escape(entry_id)}</id>",
                f"    <title>{escape(KIND_TITLE[revision.kind] + ' ' + revision.action + ': ' + name)}</title>",
                f"    <updated>{escape(revision.commit.iso)}</updated>",
                f"    <link rel=\"alternate\" href={quoteattr(href)}/>",
                f"    <summary>{escape(describe(revision, name))}</summary>", "  </entry>"]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")
