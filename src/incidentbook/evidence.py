"""Verify that every quote occurs in its source, and find where.

Matching normalises only what copying text between programs changes without changing the
words: runs of white space (including line breaks and non-breaking spaces), typographic quotes
and apostrophes, dashes, and zero-width characters and the byte-order mark. Letters, digits,
case and punctuation otherwise must match exactly.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f]")

NORMALISATION_RULES = [
    "runs of white space, line breaks and non-breaking spaces count as one space",
    "typographic quotes and apostrophes (‘ ’ “ ” „) count as straight ones (' \")",
    "dashes and hyphens (‐ ‒ – — ―, minus) count as a hyphen (-)",
    "zero-width characters (joiners and non-joiners, as in Arabic-script text), right-to-left and "
    "left-to-right marks and the byte-order mark are ignored, so a Dari or Arabic quote matches whether "
    "or not it was copied with them; the letters themselves must match, in their stored (logical) order",
]


def normalise(text: str) -> str:
    if not text.isascii():  # every character the rules change is outside ASCII, except white space
        text = _INVISIBLE.sub("", text).translate(_TRANSLATE)
    return " ".join(text.split())  # str.split() splits on the same white space as the regex \s


@dataclass
class IndexedText:
    """A text normalised once, with the normal-text index where each line of the original begins.

    Normalising line by line and joining the non-empty lines with one space gives the same text
    as normalising the whole (a line break is white space, and white space collapses), so the
    line of a match is one bisection away and no per-character map is needed.
    """

    original: str
    normal: str
    line_starts: list[int]  # normal index where each non-empty line begins
    line_numbers: list[int]  # its line number in the original (1-based)

    @classmethod
    def build(cls, text: str) -> IndexedText:
        pieces: list[str] = []
        line_starts: list[int] = []
        line_numbers: list[int] = []
        size = 0
        for number, line in enumerate(text.split("\n"), 1):
            normal = normalise(line)
            if not normal:
                continue
            if pieces:
                pieces.append(" ")
                size += 1
            line_starts.append(size)
            line_numbers.append(number)
            pieces.append(normal)
            size += len(normal)
        return cls(text, "".join(pieces), line_starts, line_numbers)

    def find(self, quote: str) -> tuple[int, int] | None:
        """(line, count) of the first occurrence of the quote, or None when absent."""
        needle = normalise(quote)
        if not needle:
            return None
        at = self.normal.find(needle)
        if at < 0:
            return None
        line = self.line_numbers[bisect.bisect_right(self.line_starts, at) - 1]
        return line, self.normal.count(needle)


def closest_passage(text: IndexedText, quote: str, min_score: float = 60.0) -> tuple[str, int] | None:
    """The passage of the (new) text most like a quote that no longer occurs, with its similarity in %.

    Used to suggest the replacement when a source was revised ("at least 30" -> "at least 35")."""
    from rapidfuzz import fuzz

    needle = normalise(quote)
    if not needle or not text.normal:
        return None
    alignment = fuzz.partial_ratio_alignment(needle, text.normal)
    if alignment is None or alignment.score < min_score:
        return None
    passage = text.normal[alignment.dest_start:alignment.dest_end].strip()
    return passage, int(alignment.score)
