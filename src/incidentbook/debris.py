"""Spot scraping debris in an article: lines an analyst should not quote as the article's words.

Scraped news text carries photo captions (often twice, the first copy cut off), photo credits,
comment boxes, share buttons and news tickers. These are found line by line with plain rules, so
the result is the same every time and each finding names its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_TRUNCATED = 12  # shorter prefixes are too likely to be a heading followed by its own text

_CREDIT = re.compile(
    r"^\s*(?:\(?\s*(?:photo|image|picture|file photo|credit)s?\s*(?:credit)?\s*[:/(]|©|\(c\)\s)"
    r"|(?:^|[\s(/|])(?:AP|AFP|Reuters|Getty Images|EPA|Xinhua|Shutterstock)(?:\s+Photo)?\)?\s*$",
    re.IGNORECASE,
)
_COMMENTS = re.compile(
    r"^\s*(?:\d+\s+)?(?:comments?|leave a (?:comment|reply)|post a comment|add (?:a )?comment|"
    r"(?:log|sign) in to (?:comment|reply)|join the discussion|show comments|view comments|"
    r"share (?:this|on)\b|follow us on|subscribe(?: to)?\b|sign up for|newsletter|advertisement|"
    r"related(?: articles| stories| content)?\s*:?\s*$|read more\b|recommended\b|most (?:read|popular)\b|"
    r"click here\b|print this\b|email this\b)",
    re.IGNORECASE,
)
_TICKER = re.compile(r"^\s*(?:breaking(?: news)?|live(?: updates)?|trending(?: now)?|top stories|latest news|just in|news ticker)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Debris:
    line: int  # 1-based
    kind: str  # repeated line, truncated caption, photo caption, photo credit, comment box, ticker
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.text}"


def find_debris(text: str) -> list[Debris]:
    """Every line that looks like scraping debris, in line order (a line is reported once)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found: dict[int, Debris] = {}

    def note(index: int, kind: str) -> None:
        found.setdefault(index, Debris(index + 1, kind, lines[index].strip()))

    previous: int | None = None  # index of the previous non-empty line
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if previous is not None:
            before = lines[previous].strip()
            if line == before:
                note(i, "repeated line")
            elif len(before) >= MIN_TRUNCATED and len(line) > len(before) and line.startswith(before):
                note(previous, "truncated caption")
                note(i, "photo caption")
            elif len(line) >= MIN_TRUNCATED and len(before) > len(line) and before.startswith(line):
                note(i, "truncated repeat")
        if len(line) < 200 and _CREDIT.search(line):
            note(i, "photo credit")
        elif len(line) < 120 and _COMMENTS.match(line):
            note(i, "comment box")
        elif len(line) < 160 and (_TICKER.match(line) or line.count(" | ") >= 3):
            note(i, "ticker")
        previous = i
    return [found[i] for i in sorted(found)]


def debris_lines(text: str) -> set[int]:
    """1-based numbers of the lines find_debris reports."""
    return {d.line for d in find_debris(text)}
