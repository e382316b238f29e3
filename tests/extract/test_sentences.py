"""Sentence splitting: where sentences end, which lines join, and the trimmed offsets."""

from __future__ import annotations

import pytest

from notifier.extract.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (" \n\t\n ", []),
        (
            "At 4 a.m. Friday the U.N. Security Council met. Dr. Smith spoke. It ended.",
            ["At 4 a.m. Friday the U.N. Security Council met.", "Dr. Smith spoke.", "It ended."],
        ),
        (
            "Aid came from Approx. 3 towns. Etc. Done. Gen. Smith left.",
            ["Aid came from Approx. 3 towns.", "Etc. Done.", "Gen. Smith left."],
        ),
        ("No. 5 was hit. Mr. Smith said so.", ["No. 5 was hit.", "Mr. Smith said so."]),
        ("Wait... Then it came.   \n\n  The end.  ", ["Wait...", "Then it came.", "The end."]),
        # '!' and '?' end sentences too (the text does not take the dot-only pattern).
        (
            'The toll rose to\n12,000 people. Was it more? Yes! "Quite." (Indeed.)',
            ["The toll rose to\n12,000 people.", "Was it more?", "Yes!", '"Quite."', "(Indeed.)"],
        ),
    ],
)
def test_sentence_ends(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Hard-wrapped prose: the next line starts in lower case.
        (
            "Aid was sent to the\nregion after the floods. Roads were cut.",
            ["Aid was sent to the\nregion after the floods.", "Roads were cut."],
        ),
        # A line that ends on a dangling word goes on; one that ends a word does not.
        ("Figures from\nOCHA show it.", ["Figures from\nOCHA show it."]),
        ("The band\nPlayed on.", ["The band", "Played on."]),
        ("Aid reached Sindh.\nRoads were cut.", ["Aid reached Sindh.", "Roads were cut."]),
        # Key-figure boxes: each number joins its label, the heading stays alone.
        (
            "KEY FIGURES\n  459  \npeople killed\n1.2 million\npeople displaced\n\nNext one.",
            ["KEY FIGURES", "459  \npeople killed", "1.2 million\npeople displaced", "Next one."],
        ),
        # A sentence end that runs across a line break inside a joined line still splits.
        ("459.\nPeople killed", ["459.", "People killed"]),
        # The join sees the untrimmed line: "~ " reads as a number, "~" does not.
        ("~ \nPeople killed", ["~ \nPeople killed"]),
        ("~\nPeople killed", ["~", "People killed"]),
        # A blank line (even of spaces) always ends the line.
        ("Aid was sent to the\n   \nregion.", ["Aid was sent to the", "region."]),
    ],
)
def test_line_joins(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_sentence_end_at_a_line_end_is_not_a_split_inside_the_line() -> None:
    text = "First line ends here.  \nSecond line. Third\n\nFourth."
    assert sentences(text) == ["First line ends here.", "Second line.", "Third", "Fourth."]
    assert split_sentences(text)[0] == (0, len("First line ends here."))
