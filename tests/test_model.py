import datetime as dt

import pytest
from pydantic import ValidationError

from incidentbook.evidence import IndexedText, normalise
from incidentbook.model import CasualtyReport, DateInterval
from incidentbook.reconcile import reconcile


def test_date_interval_defaults_and_labels():
    d = DateInterval(earliest="2016-10-25", time_of_day="night")
    assert d.latest == dt.date(2016, 10, 25) and d.days == 1
    assert d.label() == "25 Oct 2016, night"
    assert DateInterval(earliest="2016-10-24", latest="2016-10-25", precision="days").label() == "24–25 Oct 2016"
    assert DateInterval(earliest="2016-10-01", latest="2016-10-31", precision="month").label() == "October 2016"
    assert DateInterval(earliest="2016-09-30", latest="2016-10-02", precision="days").label() == "30 Sep – 2 Oct 2016"


@pytest.mark.parametrize("fields, message", [
    ({"earliest": "2016-10-25", "latest": "2016-10-24", "precision": "days"}, "before earliest"),
    ({"earliest": "2016-10-24", "latest": "2016-10-25"}, "precision 'day' needs"),
    ({"earliest": "2016-02-30"}, "day value is outside expected range"),
    ({"earliest": "2016-10-25", "inferred": True}, "needs `reasoning`"),
    ({"earliest": "2016-10-25", "precision": "fortnight"}, "Input should be"),
])
def test_date_interval_rejects(fields, message):
    with pytest.raises(ValidationError, match=message):
        DateInterval(**fields)


def _report(phrase, category="killed", **kw):
    return CasualtyReport(category=category, phrase=phrase, evidence={"source": "s", "quote": phrase}, **kw)


def test_reconcile_ghor_rule():
    rec = reconcile("killed", [_report("at least 30"), _report("nearly 30")])
    assert (rec.low, rec.best, rec.high, rec.open_ended) == (30, 30, None, True)
    assert rec.label() == "30 or more"
    assert "smallest lower bound" in rec.rule and not rec.disagreement


def test_reconcile_closed_ranges_and_disagreement():
    rec = reconcile("killed", [_report("10-12"), _report("20")])
    assert (rec.low, rec.high, rec.best) == (10, 20, 20)
    assert rec.disagreement
    assert reconcile("wounded", [_report("10")]) is None


def test_analyst_override_and_bounds():
    assert _report("scores of people", low=40, high=60).reading.low == 40
    with pytest.raises(ValidationError, match=r"low \(40\) is greater than high \(30\)"):
        _report("x", low=40, high=30)
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        _report("x", low=-1, high=3)


def test_quote_normalisation():
    text = "He said “nothing but\n  propaganda.” – and left\u200b."
    idx = IndexedText.build("line one\n" + text)
    assert idx.find('said "nothing but propaganda." - and left.') == (2, 1)
    assert idx.find("nothing but Propaganda") is None
    assert normalise("a\u00a0 b") == "a b"
