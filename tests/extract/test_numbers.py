"""Number normalisation: every way a count is written, and what is never a count."""

from __future__ import annotations

import pytest

from notifier.extract import numbers
from notifier.extract.numbers import NumberIndex, find_numbers
from notifier.extract.numerals import parse_words


def values(text: str) -> list[tuple[int, int | None]]:
    return [(n.value, n.high) for n in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,500 people", 12500),
        ("a toll of 1,136", 1136),
        ("14 000 residents", 14000),
        ("3\u00a0385 persons", 3385),
        ("2.000 mineros", 2000),
        ("4.2 million people", 4_200_000),
        ("4.2m people", 4_200_000),
        ("4.2M people", 4_200_000),
        ("5.5 mln people", 5_500_000),
        ("1.1bn people", 1_100_000_000),
        ("1.1 billion people", 1_100_000_000),
        ("410K displaced", 410_000),
        ("16 thousand people", 16000),
        ("sixteen people", 16),
        ("Forty-two people", 42),
        ("two million people", 2_000_000),
        ("half a million people", 500_000),
        ("a dozen villagers", 12),
        ("two dozen families", 24),
        ("one hundred and twenty families", 120),
        ("three thousand five hundred people", 3500),
        ("a hundred people", 100),
    ],
)
def test_values(text: str, expected: int) -> None:
    assert values(text)[0] == (expected, None)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("dozens of people", 24),
        ("scores of civilians", 40),
        ("hundreds of families", 200),
        ("thousands of residents", 2000),
        ("tens of thousands of people", 20_000),
        ("hundreds of thousands of people", 200_000),
        ("millions of people", 2_000_000),
        ("several hundred people", 200),
    ],
)
def test_vague_plurals_give_the_least_they_imply(text: str, value: int) -> None:
    (n,) = find_numbers(text)
    assert (n.value, n.vague) == (value, True)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("between 2,000 and 3,000 people", 2000, 3000),
        ("2,000-3,000 people", 2000, 3000),
        ("2,000\u20133,000 people", 2000, 3000),
        ("2,000 to 3,000 people", 2000, 3000),
        ("between 2 and 3 million people", 2_000_000, 3_000_000),
        ("700-800 deaths", 700, 800),
    ],
)
def test_ranges(text: str, low: int, high: int) -> None:
    assert values(text) == [(low, high)]


def test_from_a_to_b_is_two_numbers_not_a_range() -> None:
    assert values("the toll rose from 78 to 96") == [(78, None), (96, None)]


def test_two_and_three_are_two_numbers() -> None:
    assert values("two and three") == [(2, None), (3, None)]
    # The scan goes on after the cut, and past the end of the first match.
    assert values("Five and six hundred, then 7 and eight") == [
        (5, None),
        (600, None),
        (7, None),
        (8, None),
    ]


def test_plus_sign_is_kept() -> None:
    (n,) = find_numbers("155,000+ people")
    assert n.plus


def test_year_is_marked() -> None:
    (n,) = find_numbers("in 2019")
    assert n.yearlike


@pytest.mark.parametrize(
    "text",
    [
        "an appeal for $45 million",
        "US$ 29.9 million",
        "\u20ac300,000",
        "300,000 rupees",
        "70 million Swiss francs",
        "55 per cent",
        "about 85%",
        "at 3:30 p.m.",
        "at 7 a.m.",
        "on 24 March",
        "March 24",
        "Jan 10,2018",
        "Flash Update No. 4",
        "Resolution 2677",
        "magnitude 7.8",
        "Covid-19",
        "tel. +249 912 178 245",
        "one in seven people",
        "zero",
    ],
)
def test_never_counts(text: str) -> None:
    assert values(text) == []


def test_parse_words_rejects_non_numbers() -> None:
    assert parse_words("two hundred") == 200
    assert parse_words("fish") is None


def test_offsets_point_at_the_number() -> None:
    text = "Officials said nearly 8,000 were evacuated."
    (n,) = find_numbers(text)
    assert text[n.start : n.end] == "8,000"


def test_number_index_parts_agree_with_the_whole_text() -> None:
    text = (
        "Between 2 and 3 million fled. 0-5 people, 2,000-3,000 more; two and three. "
        "In 2019 some 12 to 15 families (about 60-70 people) left. $5 and 40% and 7."
    )
    whole = [(n.start, n.value, n.high) for n in find_numbers(text)]
    index = NumberIndex(text)
    for step in (1, 3, 7, 20):
        parts = [
            (n.start, n.value, n.high)
            for cut in range(0, len(text), step)
            for n in index.between(cut, cut + step)
        ]
        assert parts == whole


@pytest.mark.parametrize(
    "before",
    [
        "US$ ",
        "costs $",
        "KSh ",
        "one in ",
        "two out of ",
        "2 OUT OF ",
        "on Sept. ",
        "No. ",
        "(Phase ",
        "room #",
        "page 2 ",
        "covid-",
        "level:",
        "in March ",
        "ipc ",
        "x/",
    ],
)
def test_cheap_exclusion_test_lets_every_exclusion_through(before: str) -> None:
    assert numbers._BEFORE_OR_CODE.search(before) is not None
    assert numbers._may_end_exclusion(before)


@pytest.mark.parametrize("before", ["killed ", "some ", "said, ", "the casino ", "a toll of "])
def test_cheap_exclusion_test_skips_plain_words(before: str) -> None:
    assert not numbers._may_end_exclusion(before)


def test_letters_that_ignorecase_folds_do_not_break_vague_plurals_nor_scales() -> None:
    """A text with a long s or a dotted I is scanned case-insensitively as it is.

    "hundred" with a long s then matches as "hundreds", and its value must be found all the same.
    """
    assert values("hundred\u017f fled") == [(200, None)]
    assert values("m\u0130llions fled") == [(2_000_000, None)]
    assert values("5 thou\u017fand fled") == [(5000, None)]


@pytest.mark.parametrize(
    "after",
    [
        "%",
        " per cent",
        " Per  Cent",
        " percentage",
        " PC",
        ":30",
        " a.m.",
        "pm",
        " GMT",
        " h",
        " hrs",
        " in 5",
        " out of ten",
        " March",
        "\nSept.",
        " dollars",
        " US dollars",
        " million euros",
        " KRONOR",
        "km",
        "rd",
        "\u00b2",
    ],
)
def test_gate_after_a_number_lets_every_exclusion_through(after: str) -> None:
    text = "5" + after
    assert numbers._AFTER_EXCLUDED.match(text, 1, 25) or numbers._GLUED_UNIT.match(text, 1, 2)
    assert numbers._AFTER_GATE.match(text.lower(), 1, 25)
    assert find_numbers(text) == []


@pytest.mark.parametrize(
    "after", [" people", " people killed", ".", ", ", ") ", "-year-old", "\n\n"]
)
def test_gate_after_a_number_skips_plain_words_and_punctuation(after: str) -> None:
    assert not numbers._AFTER_GATE.match(("5" + after).lower(), 1, 25)
    assert values("5" + after) == [(5, None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("between 2 AND 3 people", [(2, 3)]),
        ("2 TO 3 people", [(2, None), (3, None)]),
        ("2 to 3 people", [(2, 3)]),
        ("2 \u2014 3 people", [(2, 3)]),
        ("2, 3 people", [(2, None), (3, None)]),
        ("2 of 3 people", [(2, None), (3, None)]),
    ],
)
def test_range_joiners(text: str, expected: list[tuple[int, int | None]]) -> None:
    assert values(text) == expected


def test_digits_with_thousands_separators_are_never_years() -> None:
    (grouped,) = find_numbers("2,000 people")
    (bare,) = find_numbers("2000 people")
    assert (grouped.value, grouped.yearlike) == (2000, False)
    assert (bare.value, bare.yearlike) == (2000, True)


def test_numbers_around_a_request_only_serve_to_merge_ranges() -> None:
    text = "about 5 - 7 people, 8%"
    index = NumberIndex(text)
    assert [(n.value, n.high) for n in index.between(0, len(text))] == [(5, 7)]
    assert [(n.value, n.high) for n in index.between(0, 8)] == [(5, 7)]
    assert [(n.value, n.high) for n in index.between(8, len(text))] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234,567 people", [(1234, None)]),
        ("11,34,427 people", [(1_134_427, None)]),
        ("1 234 567 people", [(1_234_567, None)]),
        ("123 4567 people", [(123, None)]),
        ("12,3456 people", [(12, None)]),
        ("1,234.5 million people", [(1_234_500_000, None)]),
        ("5thousand people", [(5000, None)]),
        ("5  million people", [(5_000_000, None)]),
    ],
)
def test_digit_groups_are_tried_only_after_at_most_three_digits(
    text: str, expected: list[tuple[int, int | None]]
) -> None:
    assert values(text) == expected


def test_every_vague_plural_the_pattern_takes_has_a_value() -> None:
    for tens, least in (("tens", 20), ("hundreds", 200)):
        for scale, size in (("thousands", 1000), ("millions", 10**6)):
            assert values(f"{tens} of {scale}") == [(least * size, None)]
    for few in ("several", "a few"):
        for unit, least in (("dozen", 24), ("hundred", 200), ("thousand", 2000)):
            assert values(f"{few} {unit}") == [(least, None)]


def test_a_number_glued_to_a_letter_is_no_token_in_text_that_is_not_ascii() -> None:
    """Non-ASCII text is scanned with a look-behind for the character before the number."""
    assert values("\u2022 5 people, caf\u00e95, \u00e9five, 7") == [(5, None), (7, None)]
    assert values("\u017f 12 fled, x12") == [(12, None)]  # a text lower() cannot stand in for
