"""`incidentbook demo-corpus`: a synthetic publication of N incidents, for benchmarks.

Every incident, actor and article is invented (the places are real cities, so the map and the
gazetteer behave as they would with real data). The publication's title says SYNTHETIC and the
footer of every page repeats it. Each incident is reported by two to four articles from
different publishers; each article is a bulletin covering a few incidents, written to seeds/,
and every quote in the records occurs in its article, so the build verifies them as usual.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

import yaml

from .scaffold import init

LABEL = "SYNTHETIC DEMO DATA: every incident, actor and article here is invented by `incidentbook demo-corpus` for benchmarks."

# Real cities (approximate WGS84), grouped by country with a province.
CITIES = [
    ("AF", "Afghanistan", "Kandahar", "Kandahar", 31.61, 65.71), ("AF", "Afghanistan", "Nangarhar", "Jalalabad", 34.43, 70.45),
    ("AF", "Afghanistan", "Kabul", "Kabul", 34.53, 69.17), ("AF", "Afghanistan", "Ghor", "Firozkoh", 34.52, 65.25),
    ("PK", "Pakistan", "Balochistan", "Quetta", 30.18, 66.98), ("PK", "Pakistan", "Khyber Pakhtunkhwa", "Peshawar", 34.01, 71.58),
    ("PK", "Pakistan", "Sindh", "Karachi", 24.86, 67.01), ("PK", "Pakistan", "Punjab", "Lahore", 31.55, 74.34),
    ("IQ", "Iraq", "Nineveh", "Mosul", 36.34, 43.13), ("IQ", "Iraq", "Baghdad", "Baghdad", 33.31, 44.36),
    ("IQ", "Iraq", "Al Anbar", "Ramadi", 33.42, 43.30), ("SY", "Syria", "Deir ez-Zor", "Deir ez-Zor", 35.34, 40.14),
    ("SY", "Syria", "Idlib", "Idlib", 35.93, 36.63), ("NG", "Nigeria", "Borno", "Maiduguri", 11.85, 13.16),
    ("NG", "Nigeria", "Yobe", "Damaturu", 11.75, 11.96), ("SO", "Somalia", "Banaadir", "Mogadishu", 2.05, 45.32),
    ("SO", "Somalia", "Lower Shabelle", "Marka", 1.71, 44.77), ("ML", "Mali", "Mopti", "Mopti", 14.49, -4.20),
    ("ML", "Mali", "Gao", "Gao", 16.27, -0.04), ("BF", "Burkina Faso", "Sahel", "Djibo", 14.10, -1.63),
    ("YE", "Yemen", "Aden", "Aden", 12.79, 45.02), ("YE", "Yemen", "Marib", "Marib", 15.46, 45.33),
    ("PH", "Philippines", "Sulu", "Jolo", 6.05, 121.00), ("PH", "Philippines", "Lanao del Sur", "Marawi", 8.00, 124.29),
    ("CO", "Colombia", "Cauca", "Popayán", 2.44, -76.61), ("IN", "India", "Jammu and Kashmir", "Srinagar", 34.08, 74.80),
    ("MZ", "Mozambique", "Cabo Delgado", "Mocímboa da Praia", -11.35, 40.35), ("CM", "Cameroon", "Far North", "Kolofata", 11.17, 14.01),
    ("EG", "Egypt", "North Sinai", "Arish", 31.13, 33.80), ("LY", "Libya", "Cyrenaica", "Benghazi", 32.12, 20.09),
]
GROUPS = [
    ("Northern Liberation Front", "NLF"), ("Army of the Righteous Path", "ARP"), ("Sahel Emirate Brigades", "SEB"),
    ("Mountain Mujahideen Council", "MMC"), ("Revolutionary People's Guard", "RPG-9"), ("Coastal Resistance Movement", "CRM"),
    ("Sons of the Valley", "SOV"), ("Islamic Front of the Two Rivers", "IFTR"), ("Black Banner Battalion", "BBB"),
    ("People's Liberation Vanguard", "PLV"), ("Desert Lions", "DL"), ("Khorasan Martyrs Brigade", "KMB"),
    ("United Tribal Army", "UTA"), ("Eastern Jihad Organisation", "EJO"), ("Free Highlands Militia", "FHM"),
    ("Lake Chad Mujahideen", "LCM"), ("Green Crescent Front", "GCF"), ("Southern Separatist Army", "SSA"),
    ("Rivers Defence Force", "RDF"), ("Wilayat al-Sahil", "WAS"),
]
PUBLISHERS = ["Demo Wire Service", "Synthetic Times", "Example Broadcasting", "Placeholder Post", "Sample Daily", "Mock Monitor"]
KINDS = [
    ("bombing", "Bombing", "a roadside bomb exploded near {target} in {city}", "bomb attack"),
    ("armed-assault", "Armed assault", "gunmen attacked {target} in {city}", "shooting"),
    ("suicide-bombing", "Suicide bombing", "a suicide bomber struck {target} in {city}", "suicide attack"),
    ("abduction-and-killing", "Abduction and killing", "armed men seized and killed people near {target} in {city}", "abduction and killing"),
]
TARGETS = ["a police checkpoint", "a market", "a mosque", "a military convoy", "a wedding party", "a bus station",
           "a school", "a government office", "a village council meeting", "an army base"]
PHRASES = ["{n}", "at least {n}", "more than {m}", "nearly {n}", "about {n}"]


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True), encoding="utf-8")


def _places() -> list[dict]:
    places, seen = [], set()
    for code, country, province, city, lat, lon in CITIES:
        for place in (
            {"id": _slug(country), "name": country, "kind": "country", "iso_code": code},
            {"id": _slug(f"{province} {code}"), "name": province, "kind": "province", "parent": _slug(country)},
            {"id": _slug(city), "name": city, "kind": "city", "parent": _slug(f"{province} {code}"), "lat": lat, "lon": lon,
             "coordinates_note": "Approximate city centre (real city; the incidents placed here are synthetic)."},
        ):
            if place["id"] not in seen:
                seen.add(place["id"])
                places.append(place)
    return places


def _actors() -> list[dict]:
    actors = [{"id": _slug(name), "name": name, "kind": "armed-group", "aliases": [{"name": short}],
               "description": f"A fictional armed group invented for the synthetic demo corpus. {LABEL}"} for name, short in GROUPS]
    for code, country in sorted({(c[0], c[1]) for c in CITIES}):
        actors.append({"id": f"government-{_slug(country)}", "name": f"Government of {country} (synthetic statements)",
                       "kind": "government", "description": f"Statements attributed to it here are invented. {LABEL}"})
    return actors


def _incident(i: int, rng: random.Random, start: dt.date) -> dict:
    code, country, province, city, _, _ = rng.choice(CITIES)
    kind_id, kind_label, template, noun = rng.choice(KINDS)
    day = start + dt.timedelta(days=rng.randrange(3650))
    group = rng.choice(GROUPS)
    killed, wounded = rng.randrange(0, 60), rng.randrange(0, 120)
    target = rng.choice(TARGETS)
    return {"n": i, "code": code, "country": country, "city": city, "kind": kind_id, "kind_label": kind_label,
            "what": template.format(target=target, city=city), "noun": noun, "day": day, "group": group,
            "killed": killed, "wounded": wounded, "claimed": rng.random() < 0.5, "target": target}


def _count(phrase: str, n: int, one: str, many: str) -> tuple[str, str]:
    """The figure's phrase and its words in the article: ('at least 7', 'at least 7 people'),
    ('one', 'one person'), ('no one', 'no one'); never 'about 1 people' or 'more than 0 others'."""
    if n == 0:
        return "no one", "no one"
    if n == 1:
        return "one", f"one {one}"
    figure = phrase.format(n=n, m=n - 1)
    return figure, f"{figure} {many}"


def _report(event: dict, rng: random.Random) -> tuple[str, dict]:
    """One article's paragraph about the event, and the quotes it contains."""
    when = f"On {event['day'].strftime('%-d %B %Y')}"
    killed, killed_words = _count(rng.choice(PHRASES), event["killed"], "person", "people")
    wounded, wounded_words = _count(rng.choice(PHRASES), event["wounded"], "other", "others")
    what = f"{when}, {event['what']}, killing {killed_words} and wounding {wounded_words}, officials said."
    name, short = event["group"]
    if event["claimed"]:
        who = f"The {name} ({short}) claimed responsibility for the {event['noun']} in a statement."
    else:
        who = f"The Government of {event['country']} (synthetic statements) blamed the {name} for the {event['noun']}."
    return f"{what} {who}", {"when": when, "place": f"in {event['city']}", "killed": killed, "wounded": wounded,
                             "what": what, "who": who}


def write_corpus(out: Path, incidents: int, seed: int = 1, per_article: int = 4) -> dict[str, int]:
    """Write the synthetic publication into out (a new folder). Returns counts of what was written."""
    title = f"SYNTHETIC demo corpus of {incidents:,} incidents (invented, not real events)"
    root = init(out, title=title)
    rng = random.Random(seed)
    with open(root / "mkdocs.yml", "a", encoding="utf-8") as handle:
        handle.write(f"copyright: {json.dumps(LABEL)}\n")
    _dump(root / "data" / "publication.yaml", {"title": title, "description": LABEL, "authors": ["incidentbook demo-corpus"],
                                               "published": "2025-01-01"})
    _dump(root / "data" / "vocabulary.yaml", {"event_types": [
        {"id": k, "label": label, "definition": f"{label} (synthetic demo vocabulary)."} for k, label, _, _ in KINDS]})
    _dump(root / "data" / "places.yaml", {"places": _places()})
    for actor in _actors():
        _dump(root / "data" / "actors" / f"{actor['id']}.yaml", actor)
    start = dt.date(2015, 1, 1)
    events = [_incident(i, rng, start) for i in range(1, incidents + 1)]
    reports: dict[int, list[tuple[str, dict]]] = {e["n"]: [] for e in events}  # event -> [(source id, quotes)]
    publishers = {}
    n_sources = 0
    for publisher in PUBLISHERS:
        last = publisher == PUBLISHERS[-1]  # the last publisher covers whatever nobody else did
        covered = [e for e in events if rng.random() < 0.45 or (last and not reports[e["n"]])]
        for batch_start in range(0, len(covered), per_article):
            batch = covered[batch_start:batch_start + per_article]
            n_sources += 1
            source_id = f"syn-{_slug(publisher)}-{n_sources:06d}"
            paragraphs = []
            for event in batch:
                text, quotes = _report(event, rng)
                paragraphs.append(text)
                reports[event["n"]].append((source_id, quotes))
            body = f"{publisher} bulletin {n_sources} (SYNTHETIC: invented for a benchmark)\n\n" + "\n\n".join(paragraphs) + "\n"
            seed_name = f"{source_id}.txt"
            (root / "seeds" / seed_name).write_text(body, encoding="utf-8")
            published = max(e["day"] for e in batch) + dt.timedelta(days=1)
            _dump(root / "data" / "sources" / f"{source_id}.yaml", {
                "id": source_id, "seed": seed_name, "title": f"{publisher} bulletin {n_sources}", "publisher": publisher,
                "published": published.isoformat(), "licence": "Synthetic text, no rights reserved.", "show_text": True,
                "note": LABEL})
            publishers[source_id] = publisher
    written = 0
    for event in events:
        cites = reports[event["n"]]
        if not cites:
            continue
        written += 1
        name, short = event["group"]
        actor_id = _slug(name)
        government = f"government-{_slug(event['country'])}"
        incident_id = f"syn-{event['n']:06d}-{_slug(event['city'])}-{event['day'].isoformat()}"
        casualties, responsibility = [], []
        for source_id, q in cites:
            ev = {"source": source_id, "quote": q["what"]}
            casualties.append({"category": "killed", "phrase": q["killed"], "evidence": ev})
            casualties.append({"category": "wounded", "phrase": q["wounded"], "evidence": dict(ev)})
            entry = {"actor": actor_id, "stance": "claimed" if event["claimed"] else "attributed",
                     "said_by": actor_id if event["claimed"] else government,
                     "evidence": [{"source": source_id, "quote": q["who"]}]}
            if entry not in responsibility:
                responsibility.append(entry)
        first = cites[0][1]
        distinct = len({publishers[s] for s, _ in cites})
        grade = "confirmed-by-perpetrator" if event["claimed"] else ("multiple-independent-sources" if distinct > 1 else "single-source")
        _dump(root / "data" / "incidents" / f"{incident_id}.yaml", {
            "id": incident_id,
            "title": f"{event['kind_label']} at {event['target']} in {event['city']} (synthetic)",
            "summary": f"SYNTHETIC. {first['what']} {first['who']}",
            "event_type": event["kind"],
            "date": {"earliest": event["day"].isoformat(), "precision": "day",
                     "evidence": [{"source": cites[0][0], "quote": first["when"]}]},
            "place": {"id": _slug(event["city"]), "precision": "city",
                      "evidence": [{"source": cites[0][0], "quote": first["place"]}]},
            "casualties": casualties,
            "responsibility": responsibility,
            "grade": grade,
            "tags": ["synthetic"],
        })
    digest = hashlib.sha256(f"{incidents}/{seed}/{per_article}".encode()).hexdigest()[:12]
    (root / "SYNTHETIC.txt").write_text(f"{LABEL}\nincidents requested: {incidents}, seed: {seed}, corpus {digest}\n", encoding="utf-8")
    return {"incidents": written, "sources": n_sources, "actors": len(_actors()), "places": len(_places())}
