"""Reconcile several sources' figures for one incident into a low / best / high range.

Rule (published on the methodology page):
- low: the smallest lower bound that any report gives (the figure every bounded report reaches);
- high: open-ended when any report has no upper bound, else the largest upper bound;
- best: the median of the reports' best estimates, rounded down;
- disagreement: two reports whose ranges cannot both be true (one's high below another's low).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_low

from .model import CasualtyReport

RULE = (
    "low: the smallest lower bound any report gives; high: open-ended when any report has no upper "
    "bound, otherwise the largest upper bound; best: the median of the reports' best estimates"
)


@dataclass(frozen=True)
class Reconciled:
    category: str
    low: int | None
    best: int | None
    high: int | None
    open_ended: bool
    reports: int
    disagreement: bool
    rule: str
    low_exclusive: bool = False  # the lower bound comes from "more than N" (low = N + 1)

    def label(self) -> str:
        return range_label(self.low, self.high, self.best, self.open_ended, self.low_exclusive)


def range_label(low: int | None, high: int | None, best: int | None, open_ended: bool, low_exclusive: bool = False) -> str:
    """'30 or more', 'more than 120', '62–70', 'about 30', 'up to 36', 'unknown'."""
    def n(v: int) -> str:
        return f"{v:,}"

    if low is not None and open_ended:
        return f"more than {n(low - 1)}" if low_exclusive else f"{n(low)} or more"
    if low is not None and high is not None:
        return n(low) if low == high else f"{n(low)}–{n(high)}"
    if high is not None:
        return f"up to {n(high)}" if best is None else f"about {n(best)}, at most {n(high)}"
    if best is not None:
        return f"about {n(best)}"
    return "unknown"


def reconcile(category: str, reports: list[CasualtyReport]) -> Reconciled | None:
    chosen = [r for r in reports if r.category == category]
    if not chosen:
        return None
    readings = [r.reading for r in chosen]
    lows = [x.low for x in readings if x.low is not None]
    highs = [x.high for x in readings if x.high is not None]
    bests = [x.best for x in readings if x.best is not None]
    open_ended = any(x.low is not None and x.high is None or (x.low is None and x.high is None and x.qualifier == "vague") for x in readings)
    low = min(lows) if lows else None
    high = None if open_ended or not highs else max(highs)
    disagreement = bool(lows and highs and min(highs) < max(lows))
    parts = [f"{len(chosen):,} report{'s' if len(chosen) != 1 else ''}"]
    parts.append(f"low {low:,} = smallest lower bound" if low is not None else "no report gives a lower bound")
    parts.append("high open: a report gives no upper bound" if open_ended else (f"high {high:,} = largest upper bound" if high is not None else "no upper bound given"))
    if bests:
        parts.append(f"best {median_low(bests):,} = median of {len(bests):,} best estimate{'s' if len(bests) != 1 else ''}")
    low_exclusive = low is not None and all(x.qualifier == "more-than" for x in readings if x.low == low)
    return Reconciled(category, low, median_low(bests) if bests else None, high, open_ended,
                      len(chosen), disagreement, "; ".join(parts), low_exclusive)
