"""The speed-ups of fastpath.py change no answer: each lets every match of its pattern through.

The held-out and blind texts serve only as a supply of real text around numbers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from notifier.extract.fastpath import (
    AS_IS,
    SHORTEST_WINDOW,
    EndPattern,
    Patterns,
    TextBefore,
    patterns_for,
)
from notifier.extract.lexicon import (
    CLAUSE_END_RE,
    CONNECTOR_RE,
    FILLER_RE,
    HEDGES,
    LEFT_EXCLUDE_RE,
    LEFT_TRIGGER_RE,
    LIVES_RE,
    QUALIFIER_RE,
    RAISING_TO_RE,
    TOLL_REACHED_RE,
)
from notifier.extract.sentences import split_sentences
from notifier.extract.wordtrie import lowered

DATA = Path(__file__).parent / "data"
TEXTS = [
    json.loads(line)["text"]
    for name in ("heldout.jsonl", "blind.jsonl")
    for line in (DATA / name).read_text().splitlines()
    if line.strip()
]
# Every hedge, and wordings of the hand-kept word sets that the texts above may lack.
TEXTS += [
    f"Officials said {hedge.strip()} 40 people fled."
    for hedge in "|".join(HEDGES.values()).split("|")
]
TEXTS += [
    "Partners trained 300 volunteers and are training 40 staff; WFP aims to reach 20,000 people.",
    "They handed out kits to 200 families, fed 4,000 people and rescued 30 people.",
    "The programme, benefiting 3,000 people and targeting 2,000 households, employed 40 people.",
    "Clinics served 300 people, helped 40 people, supported 30 families and treated 40 patients.",
    "Teams distributed food to 300 people, delivered aid to 600 families, assisted 300 people.",
    "Partners provided shelter to 40 people, immunised 300 children and are vaccinating 50 children.",
    "Children under 5, those aged 5, people over the age of 60 and those aged between 5 and 12.",
    "Boats built to hold 30 people, a capacity of 500 people, one in 5 children, out of 9 homes.",
    "Stocks enough for 2,000 families, sufficient for 90 days, designed for 300 people.",
    "A town of 40,000 and a city of 2 million; the toll reached 55, raising the number to 60.",
]
# Texts whose last word before a number is long, or not a word, or missing.
TEXTS += [
    "Floods displaced-and-uprooted-and-evacuated-people-everywhere 5 people.",
    "The toll passed the mark of more-than-anyone-could-have-imagined 12 dead.",
    "Some (about 40 people) were killed; ~ 300 others fled. Approx. 25 injured.",
    " " * 40 + "12 people were killed, bringing the total to 40.",
]
LOWERED = Patterns(lower=True)
NUMBER = re.compile(r"\d+|\b(?:two|three|eight|dozens|hundreds|thousands)\b")


def befores() -> list[str]:
    """The text before each number, as the rules see it (up to 400 chars), and shorter cuts.

    The cuts end where a hedge or filler may have been cut off ("more than").
    """
    out = []
    for text in TEXTS:
        for m in NUMBER.finditer(text):
            pre = text[max(0, m.start() - 400) : m.start()]
            out.append(pre)
            out += [pre[: w.start()] for w in re.finditer(r"\s\S", pre[-40:])]
    return out


BEFORES = befores()
END_PATTERNS = [
    # (the pattern, the fast path's name for it, the widths the rules search)
    (FILLER_RE, "filler", (40,)),
    (QUALIFIER_RE, "qualifier", (40,)),
    (LEFT_TRIGGER_RE, "left_trigger", (45,)),
    (TOLL_REACHED_RE, "toll_reached", (150,)),
    (CONNECTOR_RE, "connector", (30,)),
    (RAISING_TO_RE, "raising_to", (120,)),
]


@pytest.mark.parametrize(("pattern", "name", "widths"), END_PATTERNS)
def test_end_patterns_find_what_their_pattern_finds(
    pattern: re.Pattern[str], name: str, widths: tuple[int, ...]
) -> None:
    """The last-word test never skips a window that the pattern matches, as is or lower-cased."""
    as_is: EndPattern = getattr(AS_IS, name)
    low: EndPattern = getattr(LOWERED, name)
    matched = 0
    for pre in BEFORES:
        for width in widths:
            expected = pattern.search(pre[-width:])
            matched += expected is not None
            found = as_is.search(TextBefore(pre), width)
            assert (found and found.span()) == (expected and expected.span()), (name, pre[-width:])
            found = low.search(TextBefore(pre.lower()), width)
            assert (found and found.span()) == (expected and expected.span()), (name, pre[-width:])
    assert matched, "no window matched: the test would prove nothing"


def test_the_exclusion_before_a_number_is_found_in_either_window() -> None:
    """One hint search over both windows finds what the pattern finds in each."""
    matched = 0
    for pre in BEFORES:
        for cut in (0, 5, 12):
            core = pre[: len(pre) - cut]
            expected = bool(LEFT_EXCLUDE_RE.search(core[-80:]) or LEFT_EXCLUDE_RE.search(pre[-25:]))
            for patterns, text, text_core in (
                (AS_IS, pre, core),
                (LOWERED, pre.lower(), core.lower()),
            ):
                found = patterns.left_exclude.found(TextBefore(text_core), 80, TextBefore(text), 25)
                assert found == expected, (core[-80:], pre[-25:])
            matched += expected
    assert matched, "no window matched: the test would prove nothing"


def test_the_last_word_is_read_once_for_every_window() -> None:
    """`TextBefore` reads the last word once; windows of 25 characters or more share it."""
    assert TextBefore("the total stood at ").ends is not None
    assert TextBefore("x" * 40).ends is None  # a word longer than the shortest window
    assert TextBefore(" " * 40).ends is None  # blanks
    assert TextBefore("").ends == 0
    assert min(w for _, _, widths in END_PATTERNS for w in widths) >= SHORTEST_WINDOW
    assert SHORTEST_WINDOW <= 25  # the shorter window of the exclusion before a number


def test_a_connector_run_together_with_its_particle_is_let_through() -> None:
    """CONNECTOR_RE matches "beat" as "be" + "at": the last-word test must not skip it."""
    for window in ("security forces beat ", "the total stood at ", "figures: "):
        assert CONNECTOR_RE.search(window)
        assert AS_IS.connector.search(TextBefore(window), 30)


def test_sentence_gates_only_drop_patterns_that_cannot_match() -> None:
    sentences = 0
    for text in TEXTS:
        low = lowered(text)
        assert low is not None
        for start, end in split_sentences(text):
            patterns = patterns_for(low, start, end)
            sentence = text[start:end]
            if patterns.clause_end is None:
                assert CLAUSE_END_RE.search(sentence) is None, sentence
            if patterns.lives is None:
                assert LIVES_RE.search(sentence) is None, sentence
            sentences += 1
    assert sentences > 500
    assert patterns_for(None, 0, 10) is AS_IS  # a text that cannot be lower-cased: no gate
