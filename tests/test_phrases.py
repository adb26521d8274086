import pytest

from incidentbook.phrases import PhraseError, read_phrase
from incidentbook.views import reading_label


@pytest.mark.parametrize(
    "phrase, low, high, best",
    [
        ("at least 30", 30, None, 30),
        ("least 62", 62, None, 62),  # the seed's typo for "at least"
        ("nearly 30", None, 30, 30),
        ("almost 30", None, 30, 30),
        ("more than 120", 121, None, 121),
        ("over 2,500", 2501, None, 2501),
        ("some 30", None, None, 30),
        ("about 30", None, None, 30),
        ("dozens", 24, None, None),
        ("up to 36", None, 36, None),
        ("fewer than 10", None, 9, None),
        ("30 of 33", 30, 30, 30),
        ("Thirty", 30, 30, 30),
        ("thirty-two", 32, 32, 32),
        ("two hundred and five", 205, 205, 205),
        ("a dozen", 12, 12, 12),
        ("5-10", 5, 10, None),
        ("between five and 10", 5, 10, None),
        ("62 (+3)", 62, 62, 62),
        ("62", 62, 62, 62),
        ("nearly 8,000", None, 8000, 8000),
        ("no one", 0, 0, 0),  # "no one was killed"
        ("Nobody", 0, 0, 0),
        ("none", 0, 0, 0),
        ("one", 1, 1, 1),
    ],
)
def test_reading(phrase, low, high, best):
    r = read_phrase(phrase)
    assert (r.low, r.high, r.best) == (low, high, best)


def test_open_ended_and_extras():
    assert read_phrase("at least 30").open_ended
    assert not read_phrase("nearly 30").open_ended
    assert read_phrase("30 of 33").of_total == 33
    assert read_phrase("62 (+3)").extra_attackers == 3


@pytest.mark.parametrize("phrase, message", [
    ("many", "cannot read 'many'"),
    ("no", "cannot read 'no'"),  # "no" alone is not a figure a source states
    ("10-5", "runs backwards"),
    ("40 of 33", "larger than the whole"),
    ("", "cannot read"),
])
def test_unreadable(phrase, message):
    with pytest.raises(PhraseError, match=message):
        read_phrase(phrase)


def test_labels():
    assert reading_label(read_phrase("at least 30")) == "30 or more"
    assert reading_label(read_phrase("nearly 30")) == "about 30, at most 30"
    assert reading_label(read_phrase("up to 36")) == "up to 36"
    assert reading_label(read_phrase("some 30")) == "about 30"
    assert reading_label(read_phrase("5-10")) == "5–10"
    assert reading_label(read_phrase("30 of 33")) == "30 (of 33)"
    assert reading_label(read_phrase("more than 120")) == "more than 120"
