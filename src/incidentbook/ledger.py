"""Casualty ledgers that stay readable whatever the number of reports (issue 7).

An incident's ledger lists every casualty report: one source's figure in its own words. Records
built from datasets or from long lists can hold thousands of reports, many of them identical
(the same figure, from the same voice, for the same group, on the same quote). A page, a PDF or
a chart with 10,000 rows is of no use to a reader and costs minutes to build, so:

- identical reports are shown once, with their number ("×2,500");
- past LEDGER_ROWS distinct rows, the first ones are shown and the page says how many rows and
  reports are left out and where they are (the CSV and JSON downloads hold every report);
- the key facts name at most KEY_FACT_PHRASES distinct phrases per category.

Nothing is dropped silently: every summary says what it summarises. Below the limits, with no
identical reports, the ledger is one row per report exactly as before.

Pure functions of the model; the site and PDF templates call them (`ledger`, `phrase_summary`,
`grouped_statements`), and charts.figure_ledger groups its bars the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import CasualtyReport, Evidence, Incident
from .views import CATEGORIES, reading_label

LEDGER_ROWS = 100  # distinct rows a page's or PDF's ledger table shows
KEY_FACT_PHRASES = 8  # distinct phrases the key facts name per category


@dataclass(frozen=True)
class LedgerRow:
    report: CasualtyReport  # the first of the identical reports this row stands for
    reading: str  # the reading of its phrase, in words
    count: int  # identical reports (1 when the report is unique)


@dataclass(frozen=True)
class Ledger:
    rows: list[LedgerRow]  # the rows shown: category order, then file order
    reports: int  # every published report of the incident
    distinct: int  # distinct rows before the cut

    @property
    def grouped(self) -> bool:
        """Some row stands for several identical reports (the table then shows a Reports column)."""
        return any(row.count > 1 for row in self.rows)

    @property
    def more_rows(self) -> int:
        return self.distinct - len(self.rows)

    @property
    def more_reports(self) -> int:
        return self.reports - sum(row.count for row in self.rows)

    @property
    def summarised(self) -> bool:
        return self.grouped or self.more_rows > 0

    def notes(self) -> list[LedgerRow]:
        return [row for row in self.rows if row.report.note]


def _evidence_key(evidence: Evidence) -> tuple:
    return evidence.source, evidence.quote, evidence.locator


def report_key(report: CasualtyReport) -> tuple:
    """Everything a ledger row shows: reports with equal keys are identical to a reader."""
    return (report.category, report.phrase, report.low, report.high, report.group, report.said_by,
            _evidence_key(report.evidence), report.note)


def _in_category_order(reports) -> list[CasualtyReport]:
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(reports, key=lambda r: order.get(r.category, len(order)))  # stable: file order within a category


def ledger(incident: Incident, limit: int = LEDGER_ROWS) -> Ledger:
    """The incident's ledger rows, identical reports counted once, cut after `limit` rows."""
    groups: dict[tuple, list] = {}
    for report in _in_category_order(incident.casualties):
        key = report_key(report)
        if key in groups:
            groups[key][1] += 1
        else:
            groups[key] = [report, 1]
    labels: dict[tuple, str] = {}  # thousands of reports share a few phrases: read each once

    def reading(report: CasualtyReport) -> str:
        key = (report.phrase, report.low, report.high)
        if key not in labels:
            labels[key] = reading_label(report.reading)
        return labels[key]

    shown = [LedgerRow(report, reading(report), count) for report, count in list(groups.values())[:limit]]
    return Ledger(shown, len(incident.casualties), len(groups))


@dataclass(frozen=True)
class PhraseSummary:
    items: list[tuple[str, Evidence, int]]  # (phrase, its quote, reports giving it) shown
    more_phrases: int  # distinct phrases not named
    more_reports: int  # reports behind them


def phrase_summary(incident: Incident, category: str, limit: int = KEY_FACT_PHRASES) -> PhraseSummary:
    """The distinct phrases of one category, each with one quote and its number of reports."""
    groups: dict[tuple, list] = {}
    for report in incident.casualties:
        if report.category != category:
            continue
        key = (report.phrase, _evidence_key(report.evidence))
        if key in groups:
            groups[key][2] += 1
        else:
            groups[key] = [report.phrase, report.evidence, 1]
    items = [tuple(g) for g in groups.values()]
    shown = items[:limit]
    return PhraseSummary(shown, len(items) - len(shown), sum(g[2] for g in items[limit:]))


@dataclass(frozen=True)
class GroupedStatement:
    statement: object  # views.Statement: the first of identical statements
    count: int

    def __getattr__(self, name):  # templates read the statement's fields directly
        return getattr(self.statement, name)


def grouped_statements(statements) -> list[GroupedStatement]:
    """Statements in their order, identical ones (same speaker, words, record, date and quote) once
    with their number: an actor quoted in 10,000 identical casualty reports gets one line, not 10,000."""
    groups: dict[tuple, list] = {}
    for st in statements:
        key = (st.speaker.id, st.what, st.record_kind, st.record_id, _evidence_key(st.evidence), st.date_label)
        if key in groups:
            groups[key][1] += 1
        else:
            groups[key] = [st, 1]
    return [GroupedStatement(st, count) for st, count in groups.values()]


def count_label(count: int, word: str = "report") -> str:
    """'1 report', '2,500 reports'."""
    return f"{count:,} {word}{'s' if count != 1 else ''}"
