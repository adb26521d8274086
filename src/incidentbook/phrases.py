"""Read a source's casualty phrase ("at least 30", "nearly 30", "dozens", "30 of 33") as a range.

The reading keeps what the words commit to and no more: "at least 30" has a lower bound and no
upper bound; "about 30" has a best estimate and no bounds. The table is documented on the
methodology page (see `READING_RULES`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, replace

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a dozen": 12, "dozen": 12,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

# Vague quantities: (low, high) the words commit to.
VAGUE = {
    "a few": (2, None),
    "several": (3, None),
    "dozens": (24, None),
    "several dozen": (24, None),
    "scores": (40, None),
    "hundreds": (200, None),
    "several hundred": (200, None),
    "thousands": (2000, None),
}

LOWER_OPEN = ("at least", "a minimum of", "no fewer than", "no less than", "least")
ABOVE = ("more than", "over", "upwards of", "in excess of", "above")
NEARLY = ("nearly", "almost", "close to", "just under")
ABOUT = ("about", "around", "some", "approximately", "roughly", "an estimated", "estimated", "up to about")
UPPER = ("up to", "as many as", "at most", "no more than")
BELOW = ("fewer than", "less than", "under")
NONE = ("no one", "nobody", "none", "no-one")  # "no one was killed": a figure of 0, as the source states it

READING_RULES = [
    ("N (a plain number, in digits or words)", "low = high = best = N"),
    ("no one, nobody, none", "low = high = best = 0"),
    ("at least N, a minimum of N, no fewer than N", "low = N, no upper bound, best = N"),
    ("more than N, over N, upwards of N", "low = N + 1, no upper bound, best = N + 1"),
    ("nearly N, almost N, close to N", "no lower bound, high = N, best = N"),
    ("about N, around N, some N, approximately N", "best = N, no bounds"),
    ("up to N, as many as N, at most N", "no lower bound, high = N, no best estimate"),
    ("fewer than N, less than N", "no lower bound, high = N − 1, no best estimate"),
    ("N to M, N-M, between N and M", "low = N, high = M, no best estimate"),
    ("N of M (e.g. 30 of 33 abducted)", "low = high = best = N; M kept as the total"),
    ("N (+M), N (+M attackers) (victims plus attackers, as in some datasets)", "N read as above; M kept as attackers"),
    ("N+ (as in some datasets)", "low = N, no upper bound, best = N"),
    ("a few / several / dozens / scores / hundreds / thousands",
     "low = 2 / 3 / 24 / 40 / 200 / 2,000, no upper bound, no best estimate"),
]


@dataclass(frozen=True)
class Reading:
    low: int | None
    high: int | None
    best: int | None
    qualifier: str  # exact, at-least, more-than, nearly, about, up-to, fewer-than, range, vague
    of_total: int | None = None
    extra_attackers: int | None = None

    @property
    def open_ended(self) -> bool:
        return self.low is not None and self.high is None


class PhraseError(ValueError):
    pass


_NUM = r"\d[\d,]*|[a-z][a-z -]*"


def parse_number(text: str) -> int:
    """'62', '2,500', 'thirty', 'Thirty-two', 'a dozen', 'two hundred and five' -> int."""
    t = text.strip().lower().replace(",", "")
    if re.fullmatch(r"\d+", t):
        return int(t)
    if t in UNITS:
        return UNITS[t]
    words = [w for w in re.split(r"[\s-]+", t) if w and w != "and"]
    if not words:
        raise PhraseError(f"no number in {text!r}")
    total = current = 0
    for w in words:
        if w in ("a", "an") and current == 0:
            current = 1
        elif w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w in SCALES:
            current = max(current, 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total += current
                current = 0
        elif re.fullmatch(r"\d+", w):
            current += int(w)
        else:
            raise PhraseError(f"{w!r} is not a number word")
    return total + current


def _starts(t: str, prefixes: tuple[str, ...]) -> tuple[str, str] | None:
    for p in sorted(prefixes, key=len, reverse=True):
        if t.startswith(p + " "):
            return p, t[len(p) + 1:].strip()
    return None


@lru_cache(maxsize=4096)  # a Reading is immutable; a record may repeat one phrase thousands of times
def read_phrase(phrase: str) -> Reading:
    """Read a casualty phrase. Raises PhraseError with a reason when it cannot be read."""
    try:
        return _read(phrase)
    except PhraseError as exc:
        if "backwards" in str(exc) or "larger than the whole" in str(exc) or "cannot read" in str(exc):
            raise
        raise PhraseError(
            f"cannot read {phrase!r} as a figure ({exc}); write it as the source does, e.g. 'at least 30', "
            "'nearly 30', 'more than 120', '30 of 33', 'dozens', or give low/high explicitly"
        ) from None


def _read(phrase: str) -> Reading:
    t = " ".join(phrase.strip().lower().replace("\u2013", "-").replace("\u2014", "-").split())
    t = t.rstrip(".")
    if not t:
        raise PhraseError("empty phrase")
    if t in VAGUE:
        low, high = VAGUE[t]
        return Reading(low, high, None, "vague")
    if t in NONE:
        return Reading(0, 0, 0, "exact")
    m = re.fullmatch(r"(.+?)\s*\(\s*\+\s*(\d[\d,]*)(?:\s+(?:attackers?|assailants?|terrorists?|militants?|perpetrators?|bombers?))?\s*\)", t)
    if m:
        return replace(_read(m.group(1)), extra_attackers=parse_number(m.group(2)))
    m = re.fullmatch(r"(\d[\d,]*)\s*\+", t)
    if m:
        n = parse_number(m.group(1))
        return Reading(n, None, n, "at-least")
    m = (re.fullmatch(rf"between ({_NUM}) and ({_NUM})", t)
         or re.fullmatch(rf"({_NUM}) to ({_NUM})", t)
         or re.fullmatch(r"(\d[\d,]*)\s*-\s*(\d[\d,]*)", t))
    if m:
        try:
            low, high = parse_number(m.group(1)), parse_number(m.group(2))
        except PhraseError:
            m = None  # not a range of numbers ("up to 36"): try the qualifiers below
    if m:
        if low > high:
            raise PhraseError(f"range {phrase!r} runs backwards ({low} > {high})")
        return Reading(low, high, None, "range")
    m = re.fullmatch(rf"({_NUM}) of ({_NUM})", t)
    if m:
        n, total = parse_number(m.group(1)), parse_number(m.group(2))
        if n > total:
            raise PhraseError(f"{n} of {total}: the part is larger than the whole")
        return Reading(n, n, n, "exact", of_total=total)
    for prefixes, build in (
        (LOWER_OPEN, lambda n: Reading(n, None, n, "at-least")),
        (ABOVE, lambda n: Reading(n + 1, None, n + 1, "more-than")),
        (NEARLY, lambda n: Reading(None, n, n, "nearly")),
        (UPPER, lambda n: Reading(None, n, None, "up-to")),
        (BELOW, lambda n: Reading(None, max(n - 1, 0), None, "fewer-than")),
        (ABOUT, lambda n: Reading(None, None, n, "about")),
    ):
        hit = _starts(t, prefixes)
        if hit:
            rest = hit[1]
            if rest in VAGUE:
                low, high = VAGUE[rest]
                return Reading(low, high, None, "vague")
            return build(parse_number(rest))
    try:
        n = parse_number(t)
    except PhraseError:
        raise PhraseError(
            f"cannot read {phrase!r} as a figure; write it as the source does, e.g. 'at least 30', "
            "'nearly 30', 'more than 120', '30 of 33', 'dozens', or give low/high explicitly"
        ) from None
    return Reading(n, n, n, "exact")
