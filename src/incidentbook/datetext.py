"""Find dates in an article and resolve them against its publication date.

"Tuesday night" in an article published on Wednesday 26 October 2016 is 25 October 2016; the
reading is marked inferred and carries its reasoning, as the data model asks. Only the forms
below are read; anything else is left for the analyst.

    weekdays        (late / early) (on) Tuesday (night / morning / ...), Monday night's attack
    relative days   yesterday, last night, today, this morning
    weeks, months   last week, earlier this week, this week, last month
    calendar        3 March, March 3, Oct. 25, 2016, in March, in March 2015
    parts of years  early 2015, mid-2015, late 2015, in 2015
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9,
               "Oct": 10, "Nov": 11, "Dec": 12})
PARTS_OF_YEAR = {"early": ((1, 1), (4, 30)), "mid": ((5, 1), (8, 31)), "late": ((9, 1), (12, 31))}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_TIME = r"(?P<time>night|morning|evening|afternoon)"
# A weekday right after these words dates the statement, not the event ("said Wednesday").
_STATEMENT = re.compile(r"\b(?:said|says|told|announced|stated|claimed|denied|reported|added|confirmed)(?:\s+\w+)?\s+(?:on\s+)?$",
                        re.IGNORECASE)

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("weekday", re.compile(r"(?:(?P<edge>[Ll]ate|[Ee]arly)\s+(?:on\s+)?)?(?:\b[Oo]n\s+)?\b(?P<weekday>" + "|".join(WEEKDAYS)
                           + r")\b(?:\s+" + _TIME + r")?(?:'s)?")),
    ("calendar", re.compile(r"\b" + _DAY + r"\s+" + _MONTH + r"(?:,?\s+" + _YEAR + r")?\b")),
    ("calendar", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"(?:,\s+" + _YEAR + r")?\b")),
    ("month", re.compile(r"\b(?P<pre>(?:[Ii]n|[Ss]ince|[Dd]uring|[Uu]ntil|[Bb]y)\s+)?(?:(?P<part>[Ee]arly|[Mm]id-?|[Ll]ate)\s*)?" + _MONTH + r"(?:\s+" + _YEAR + r")?\b")),
    ("year", re.compile(r"\b(?:(?P<part>[Ee]arly|[Mm]id-?|[Ll]ate)\s*|[Ii]n\s+)" + _YEAR + r"\b")),
    ("relative", re.compile(r"\b(?P<rel>[Yy]esterday|[Ll]ast night|[Tt]oday|[Tt]his morning|[Tt]onight|[Ll]ast week|"
                            r"[Ee]arlier this week|[Tt]his week|[Ll]ast month)\b")),
]


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets into the text searched
    end: int
    phrase: str
    earliest: dt.date
    latest: dt.date
    precision: str
    time_of_day: str | None
    inferred: bool
    reasoning: str | None
    statement: bool  # dates a statement ("said Wednesday") rather than an event


def _long(day: dt.date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _weekday(m: re.Match, published: dt.date) -> tuple | None:
    wanted = WEEKDAYS.index(m.group("weekday"))
    day = published - dt.timedelta(days=(published.weekday() - wanted) % 7)
    time = m.group("time") or (m.group("edge").lower() if m.group("edge") else None)
    if day == published:
        why = f"the article was published on {_long(published)}, the same weekday"
    else:
        why = f"the {m.group('weekday')} before {_long(published)} (the article's publication date) is {day.day} {day.strftime('%B %Y')}"
    return day, day, "day", time, True, f'The article says "{m.group(0).strip()}"; {why}.'


def _calendar(m: re.Match, published: dt.date) -> tuple | None:
    month, day = MONTHS[m.group("month")], int(m.group("day"))
    if m.group("year"):
        try:
            date = dt.date(int(m.group("year")), month, day)
        except ValueError:
            return None
        return date, date, "day", None, False, None
    year = published.year
    try:
        date = dt.date(year, month, day)
        if date > published:
            date = dt.date(year - 1, month, day)
    except ValueError:
        return None
    return date, date, "day", None, True, (f'The article says "{m.group(0)}" without a year; the latest such day not after '
                                           f"its publication on {_long(published)} is in {date.year}.")


def _month(m: re.Match, published: dt.date) -> tuple | None:
    month = MONTHS[m.group("month")]
    year = int(m.group("year")) if m.group("year") else (published.year if month <= published.month else published.year - 1)
    if not (m.group("year") or m.group("part") or m.group("pre")):
        return None  # a bare "May", "March" or "Jan" is too often a verb or a name
    first, last = dt.date(year, month, 1), _last_day(year, month)
    part = (m.group("part") or "").lower().rstrip("-")
    precision = "month"
    if part:
        first, last, precision = {"early": (first, first.replace(day=10)), "mid": (first.replace(day=11), first.replace(day=20)),
                                  "late": (first.replace(day=21), last)}[part] + ("days",)
    inferred = bool(part) or not m.group("year")
    reasoning = None
    if inferred:
        bits = []
        if part:
            bits.append(f'"{part}" is read as days {first.day}–{last.day} of the month')
        if not m.group("year"):
            bits.append(f"no year is given; the latest such month not after publication ({_long(published)}) is in {year}")
        reasoning = f'The article says "{m.group(0)}"; ' + "; ".join(bits) + "."
    return first, last, precision, None, inferred, reasoning


def _year(m: re.Match, published: dt.date) -> tuple | None:
    year = int(m.group("year"))
    part = (m.group("part") or "").lower().rstrip("-")
    if not part:
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year", None, False, None
    (m1, d1), (m2, d2) = PARTS_OF_YEAR[part]
    first, last = dt.date(year, m1, d1), dt.date(year, m2, d2)
    return first, last, "days", None, True, (f'The article says "{m.group(0)}", read here as '
                                             f"{first.strftime('%B')} to {last.strftime('%B')} {year}.")


def _relative(m: re.Match, published: dt.date) -> tuple | None:
    rel = m.group("rel").lower()
    one = dt.timedelta(days=1)
    monday = published - dt.timedelta(days=published.weekday())
    if rel in ("yesterday", "last night"):
        first = last = published - one
        time = "night" if rel == "last night" else None
        precision = "day"
    elif rel in ("today", "this morning", "tonight"):
        first = last = published
        time = {"this morning": "morning", "tonight": "night"}.get(rel)
        precision = "day"
    elif rel == "last week":
        first, last, time, precision = monday - 7 * one, monday - one, None, "week"
    elif rel in ("earlier this week", "this week"):
        last = published - one if rel.startswith("earlier") else published
        if last < monday:
            return None
        first, time, precision = monday, None, "days" if last > monday else "day"
    else:  # last month
        last = published.replace(day=1) - one
        first, time, precision = last.replace(day=1), None, "month"
    span = _long(first) if first == last else f"{_long(first)} to {_long(last)}"
    return first, last, precision, time, True, (f'The article, published on {_long(published)}, says "{m.group(0)}": {span}.')


_READERS = {"weekday": _weekday, "calendar": _calendar, "month": _month, "year": _year, "relative": _relative}


def find_dates(text: str, published: dt.date) -> list[DateMention]:
    """Every date the text gives, resolved against the publication date, in text order."""
    taken: list[tuple[int, int]] = []
    mentions: list[DateMention] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < b and a < end for a, b in taken):
                continue
            read = _READERS[kind](m, published)
            if read is None:
                continue
            first, last, precision, time, inferred, reasoning = read
            if first > published:
                continue  # a future date is a plan or a typo; leave it to the analyst
            taken.append((start, end))
            statement = kind == "weekday" and bool(_STATEMENT.search(text[max(0, start - 40):start]))
            mentions.append(DateMention(start, end, m.group(0).strip(), first, last, precision, time, inferred, reasoning, statement))
    return sorted(mentions, key=lambda d: d.start)
