"""Machine-readable metadata for pages: schema.org JSON-LD (Event for briefs, Organization or
Person for profiles) and the text of "Cite this page"."""

from __future__ import annotations

import json

from markupsafe import Markup

from .model import Actor, Incident
from .views import Views


def _script(data: dict) -> Markup:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # `<`, `>` and `&` escaped so no value can close the script element or start markup
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def incident_jsonld(views: Views, incident: Incident) -> dict:
    place = views.pub.places[incident.place.id]
    location: dict = {"@type": "Place", "name": views.place_label(place.id)}
    if place.lat is not None:
        location["geo"] = {"@type": "GeoCoordinates", "latitude": place.lat, "longitude": place.lon}
    country = views.country_code(place.id)
    if country:
        location["address"] = {"@type": "PostalAddress", "addressCountry": country}
    about = []
    for entry in views.timeline(incident):
        actor = views.pub.actors[entry.actor]
        item = {"@type": "Person" if actor.kind == "person" else "Organization", "name": actor.name}
        if item not in about:
            about.append(item)
    return {
        "@context": "https://schema.org", "@type": "Event", "name": incident.title,
        "description": incident.summary, "startDate": incident.date.earliest.isoformat(),
        "endDate": incident.date.latest.isoformat(), "location": location, "about": about,
    }


def actor_jsonld(views: Views, actor: Actor) -> dict:
    data: dict = {
        "@context": "https://schema.org", "@type": "Person" if actor.kind == "person" else "Organization",
        "name": actor.name, "description": actor.description or actor.name,
    }
    if actor.aliases:
        data["alternateName"] = [a.name for a in actor.aliases]
    if actor.parent:
        parent = {"@type": "Organization", "name": views.pub.actors[actor.parent].name}
        data["affiliation" if actor.kind == "person" else "parentOrganization"] = parent
    if actor.role:
        data["jobTitle"] = actor.role
    return data


def jsonld_block(views: Views, kind: str, record) -> Markup:
    data = incident_jsonld(views, record) if kind == "incident" else actor_jsonld(views, record)
    return _script(data)
