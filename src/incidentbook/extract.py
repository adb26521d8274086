"""Read casualty figures and statements of responsibility out of single sentences.

Plain patterns, no statistical model: a figure is a number phrase (digits or words, with the
qualifiers phrases.read_phrase understands) tied to a verb of killing, wounding or abduction
right before it ("massacred at least 30", "the abduction and killing of nearly 30") or after it
("Thirty people were killed"). Statements of responsibility are found by their verbs
("claimed responsibility", "denied", "not involved", "blamed", "suspected", "linked to").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lookup import ActorTable, Mention
from .phrases import SCALES, TENS, UNITS, VAGUE, PhraseError, read_phrase

CATEGORY_WORDS = {
    "killed": ["killed", "kill", "kills", "killing", "massacred", "massacre", "massacring", "executed", "executing",
               "execution", "murdered", "murdering", "slaughtered", "slaughtering", "died", "dead", "deaths", "shot"],
    "wounded": ["wounded", "wounding", "injured", "injuring", "hurt"],
    "abducted": ["abducted", "abducting", "abduction", "kidnapped", "kidnapping", "captured", "capturing", "seized",
                 "hostage"],
    "missing": ["missing"],
}
CATEGORY_OF = {word: category for category, words in CATEGORY_WORDS.items() for word in words}
# Words allowed between a verb and the figure it governs ("have abducted and massacred at least 30").
_LINKS = {"and", "or", "then", "later", "of", "the", "have", "has", "had", "been", "were", "was", "also", "reportedly",
          "allegedly", "brutally", "at", "least"}
_AFTER_LINKS = {"were", "was", "are", "have", "has", "had", "been", "being", "reportedly", "also", "later", "all",
                "allegedly", "who", "left", "lay", "found"}
# Nouns after the number that say it counts something other than people.
_UNITS = {"years", "year", "months", "month", "weeks", "week", "days", "day", "hours", "hour", "minutes", "km", "kilometres",
          "kilometers", "miles", "metres", "meters", "percent", "per", "%", "times", "am", "pm", "dollars", "afghanis",
          "rupees", "vehicles", "cars", "houses", "homes", "districts", "provinces"}
ATTACKERS = {"attackers", "attacker", "militants", "militant", "gunmen", "gunman", "assailants", "assailant", "insurgents",
             "bombers", "bomber", "fighters", "terrorists", "jihadists", "insurgent"}
_QUALIFIERS = ["at least", "least", "a minimum of", "no fewer than", "no less than", "more than", "upwards of",
               "in excess of", "over", "nearly", "almost", "close to", "just under", "about", "around", "some",
               "approximately", "roughly", "an estimated", "up to", "as many as", "at most", "no more than",
               "fewer than", "less than"]
_WORD = "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True))
_NUMBER = rf"\d[\d,]*\d|\d|(?:{_WORD})(?:[\s-]+(?:and\s+)?(?:{_WORD}))*"
_VAGUE = "|".join(sorted((v for v in VAGUE if v not in ("a few", "several")), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w,.-])(?:(?P<qual>{'|'.join(sorted(_QUALIFIERS, key=len, reverse=True))})\s+)?"
    rf"(?:(?P<vague>{_VAGUE})|(?P<num>{_NUMBER})(?:\s+of\s+(?P<total>{_NUMBER}))?)(?![\w-])",
    re.IGNORECASE,
)
SPEECH = re.compile(r"\b(?:said|says|say|told|stated|announced|confirmed|added|reported|demanded|urged|called)\b|"
                    r"\baccording to\b", re.IGNORECASE)
STANCES = [
    ("claimed", re.compile(r"\bclaim(?:ed|s|ing)?\s+(?:responsibility|the\s+(?:attack|bombing|killing|assault|raid))|"
                           r"\btook responsibility|\bresponsibility was claimed", re.IGNORECASE)),
    ("denied", re.compile(r"\bden(?:ied|ies|y|ying)\b|\bnot involved\b|\bno involvement\b|\bno role\b|"
                          r"\brejected (?:any )?(?:involvement|responsibility)", re.IGNORECASE)),
    ("attributed", re.compile(r"\bblam(?:ed|es|ing)\b|\blinked to\b|\bcarried out by\b|\battributed\b|\bresponsible for\b",
                              re.IGNORECASE)),
    ("suspected", re.compile(r"\bsuspect(?:ed|s)?\b", re.IGNORECASE)),
]


_NEGATED = re.compile(r"\b(?:no (?:group|one|organi[sz]ation)|nobody|none|not yet|no immediate)\b(?:\s+\w+){0,3}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    category: str
    phrase: str
    group: str | None
    start: int  # offset of the phrase in the sentence


@dataclass(frozen=True)
class Statement:
    stance: str
    actor: Mention
    said_by: str | None
    via: str | None


def _words_before(text: str, end: int) -> list[str]:
    return re.findall(r"[\w'-]+|[^\w\s]", text[:end])[::-1]


def _group(after: str) -> str | None:
    words = []
    for word in re.findall(r"[\w'-]+|[^\w\s]", after)[:4]:
        if not re.fullmatch(r"[A-Za-z][\w'-]*", word) or word.lower() in _AFTER_LINKS or word.lower() in CATEGORY_OF \
                or word.lower() in {"in", "on", "at", "and", "near", "during", "when", "after", "while", "inside", "outside"}:
            break
        words.append(word)
    if not words or words[-1].lower() in {"people", "persons", "others", "other", "more"}:
        return None if not words or len(words) == 1 else " ".join(words[:-1])
    if words[-1].lower() in ATTACKERS:
        return "attackers"
    return " ".join(words)


def _verb_after(after: str) -> list[str]:
    """'Thirty people were killed', 'dozens wounded', '30 of 33 abducted': a verb after the figure and its noun."""
    nouns = 0
    for word in re.findall(r"[\w'-]+|[^\w\s]", after)[:7]:
        low = word.lower()
        if low in CATEGORY_OF and low not in ("execution", "massacre", "killing", "kidnapping", "abduction", "deaths", "hostage"):
            return [CATEGORY_OF[low]]
        if low in _AFTER_LINKS:
            continue
        if low == "of" and nouns == 0:  # "dozens of civilians were abducted", "30 of the passengers were killed"
            continue
        if not re.fullmatch(r"[A-Za-z][\w'-]*", word) or low in ("and", "or", "in", "on", "at", "of", "from", "by") or nouns >= 3:
            return []
        nouns += 1
    return []


def _verbs_before(text: str, start: int) -> list[str]:
    """'abducted and massacred at least 30', 'the abduction and killing of nearly 30': verbs right before the figure."""
    categories = []
    for word in _words_before(text, start):
        low = word.lower()
        if low in CATEGORY_OF:
            categories.append(CATEGORY_OF[low])
        elif low not in _LINKS:
            break
    return categories


def figures(text: str, taken: list[tuple[int, int]] = ()) -> list[Figure]:
    """Casualty figures in one sentence; spans in `taken` (e.g. dates) are not read as numbers."""
    found: list[Figure] = []
    for m in _QUANTITY.finditer(text):
        if any(m.start() < b and a < m.end() for a, b in taken):
            continue
        phrase = m.group(0)
        num = m.group("num") or ""
        if re.fullmatch(r"(?:19|20)\d\d", num) and not m.group("qual"):
            continue  # a year
        try:
            read_phrase(phrase)
        except PhraseError:
            continue
        after = text[m.end():]
        next_words = re.findall(r"[\w%'-]+", after)[:1]
        if next_words and next_words[0].lower() in _UNITS:
            continue
        categories = _verb_after(after) or _verbs_before(text, m.start())
        group = _group(after)
        for category in dict.fromkeys(reversed(categories)):  # text order, once each
            found.append(Figure(category, phrase, group, m.start()))
    return found


def speaker(text: str, mentions: list[Mention]) -> str | None:
    """The actor the sentence reports as speaking: '<actor> said', 'told by', 'according to <actor>'."""
    for m in SPEECH.finditer(text):
        if m.group(0).lower() == "according to":
            after = [a for a in mentions if 0 <= a.start - m.end() <= 3]
            if after:
                return after[0].id
            continue
        before = [a for a in mentions if a.end <= m.start() and len(text[a.end:m.start()].split()) <= 6]
        if before:
            return before[-1].id
        after = [a for a in mentions if 0 <= a.start - m.end() <= 2]
        if after:
            return after[0].id
    return None


def statements(text: str, mentions: list[Mention], actors: ActorTable) -> list[Statement]:
    """Claims, denials, attributions and suspicions in one sentence (at most one of each stance)."""
    out: list[Statement] = []
    groups = [a for a in mentions if actors.is_group(a.id)]
    said = speaker(text, mentions)
    outlets = [a for a in mentions if actors.get(a.id).outlet_of]
    for stance, pattern in STANCES:
        m = pattern.search(text)
        if not m or not groups:
            continue
        if stance == "claimed" and _NEGATED.search(text[:m.start()]):
            continue  # "no group has claimed the attack"
        if stance in ("claimed", "denied"):
            before = [a for a in groups if a.end <= m.start()]
            actor = before[-1] if before else groups[0]
            people = [a for a in mentions if actors.get(a.id).parent == actor.id and actors.get(a.id).kind == "person"]
            said_by = people[0].id if people else actor.id
        else:
            after = [a for a in groups if a.start >= m.end()]
            actor = after[0] if after else groups[-1]
            said_by = said if said != actor.id else None
        if said_by and said_by == actor.id and stance in ("attributed", "suspected"):
            said_by = None
        via = next((o.id for o in outlets if actors.get(o.id).outlet_of in (actor.id, actors.get(actor.id).parent)), None)
        out.append(Statement(stance, actor, said_by, via))
    if any(s.stance in ("claimed", "suspected") for s in out):  # the stronger reading of one sentence wins
        out = [s for s in out if s.stance != "attributed"]
    return out
