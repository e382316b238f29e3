"""Attribution: a sentence's own UN source, and the source carried to the sentences after it."""

from __future__ import annotations

import pytest

from notifier.extract.agencies import find_agencies
from notifier.extract.attribution import Attributor
from notifier.extract.sentences import split_sentences
from notifier.extract.wordtrie import lowered


def walk(text: str, lower: bool = True) -> list[tuple[list[str], str | None]]:
    """(source acronyms, fallback) of every sentence, walked in order."""
    attributor = Attributor(text, find_agencies(text), lowered(text) if lower else None)
    out = []
    for start, end in split_sentences(text):
        found, fallback = attributor.sentence(start, end)
        out.append(([m.acronym for m in found], fallback))
    return out


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A reference back carries the source; a sentence with other cue words drops it.
        (
            "OCHA said 12 people died. Roads were cut. The agency said 40 were hurt. "
            "Police reported 3 deaths. The agency said 5 more.",
            [(["OCHA"], None), ([], None), ([], "OCHA"), ([], None), ([], None)],
        ),
        # A sentence that sets up with ':' lends its source to the next one only.
        (
            "WFP figures show the following:\n\n300 people displaced.\n\n12 people killed.",
            [(["WFP"], None), ([], "WFP"), ([], None)],
        ),
        # A mention is no source without a cue ("Three WFP staff were killed").
        ("Three WFP staff were killed. It was cold.", [([], None), ([], None)]),
        ("No agency here. None at all.", [([], None), ([], None)]),
    ],
)
def test_sources_and_fallbacks(
    text: str, expected: list[tuple[list[str], str | None]], lower: bool
) -> None:
    assert walk(text, lower) == expected


def test_skipped_sentences_do_not_hide_later_mentions() -> None:
    # The pipeline skips sentences (link lists): mentions inside them are passed over.
    text = "Intro line. UNHCR said 5 fled. Filler text. UNICEF said 9 died. The end."
    spans = split_sentences(text)
    attributor = Attributor(text, find_agencies(text), lowered(text))
    first = attributor.sentence(*spans[0])
    last_but_one = attributor.sentence(*spans[3])
    assert first == ([], None)
    assert [m.acronym for m in last_but_one[0]] == ["UNICEF"]
    assert attributor.sentence(*spans[4]) == ([], None)


def test_a_sentence_ending_just_before_a_mention_has_none() -> None:
    text = "Aid was sent. OCHA said 5 died."
    attributor = Attributor(text, find_agencies(text), lowered(text))
    mention = text.index("OCHA")
    assert attributor.sentence(0, mention) == ([], None)
    found, _ = attributor.sentence(mention, len(text))
    assert [m.acronym for m in found] == ["OCHA"]


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize(
    ("text", "start", "cue", "anaphor"),
    [
        ("Said the agency", 0, True, True),
        ("x said it", 1, True, False),
        ("unsaid", 2, False, False),  # the letter before the span still counts
        ("The agency noted", 3, True, False),  # "agency" alone is no anaphor
        ("Ethe agency reported", 1, True, False),
        ("1 it said", 1, True, True),
        ("sayings", 0, False, False),
    ],
)
def test_cue_and_anaphor_scans_see_the_character_before_the_span(
    text: str, start: int, cue: bool, anaphor: bool, lower: bool
) -> None:
    attributor = Attributor(text, [], lowered(text) if lower else None)
    assert attributor._has_cue(start, len(text)) is cue
    assert attributor._has_anaphor(start, len(text)) is anaphor
