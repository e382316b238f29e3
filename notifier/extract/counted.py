"""What a number counts, read from the phrase around it rather than from a trigger.

A trigger near a number says what happened ("displaced", "injured"), not that
the number counts the people it happened to. Some shapes of phrase make the
number count something else whatever trigger is near, and `figures.py` drops
those numbers before it looks for a trigger:

- a negated count: "none of the 300 residents were injured", "no casualties
  among the 40 passengers", "the 4,000 residents were not evacuated"
  (EXTRACTION.md: not a figure);
- an age after a name: "Amina, 12, fled with her mother";
- a rate: "one child is displaced every second", "300 people per day", "every day, 120";
- a repetition: "uprooted two or three times", "two waves of attacks";
- a family's members after a possessive: "her two children".

`routine_crossing` drops, after the trigger is found, a count of people seen
crossing a border at a checkpoint in a monitoring report ("the observers saw
five persons cross into the Russian Federation"): border traffic, not flight.

`thing_label` and `is_label_tail` read a label line ("Animals affected: 9,200",
"Deaths | 315"): whether its words name things, and whether the number ends it.

`households_after_trigger` reads the unit when a trigger word stands between
the number and its noun ("80 displaced families"), which the head-noun reader
stops at.

Each pattern is anchored at the number and reads only a few words, so the cost
per number stays a handful of short anchored matches.
"""

from __future__ import annotations

import re

from notifier.extract.lexicon import NON_PERSON_NOUNS, PERSON_NOUNS, WORD_RE

_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:none|no\s+one|neither)\s+of\s+(?:the|its|their|these|those|all)?\s*"
    r"|\bno\s+(?:[^\W\d_]+\s+){1,3}(?:among|of)\s+(?:the|its|their|these|those)?\s*)$",
    re.IGNORECASE,
)
# The later ages of a list: "two teachers, aged 34 and 41,".
_LATER_AGES = r"\baged\s+\d{1,3}(?:\s*,\s*\d{1,3})*\s*(?:,|and|or|to|-|\u2013)"
_AGE_LIST_BEFORE = re.compile(_LATER_AGES + r"\s*$")
# "her two children": the members of one family, named, not a count.
# ... and the children of a parent: "a mother of seven".
_POSSESSIVE_BEFORE = re.compile(
    r"\b(?:(?:her|his|my|our|your)|(?:mother|father|parent)s?\s+of)\s+$", re.IGNORECASE
)
# A capitalised name, a comma, the number and a comma: an age in apposition.
_AGE_BEFORE = re.compile(r"\b[A-Z][a-z]+,\s*$")
_AGE_AFTER = re.compile(r"\s*,")
_RATE_AFTER = re.compile(
    r"(?:\s+[^\W\d_]+){0,4}?\s+(?:every|per|each)\s+(?:single\s+|[^\W\d_]+\s+|\d+\s+)?"
    r"(?:second|minute|hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
# "the 4,000 residents were not evacuated": the verb of the count is negated.
_NEGATED_VERB_AFTER = re.compile(
    r"(?:\s+[^\W\d_]+){0,4}?\s+(?:were|was|are|is|have|has|had|did)(?:n[\u2019']t|\s+not|\s+never)"
    r"\s+(?:been\s+|yet\s+been\s+)?(?:evacuated|displaced|injured|hurt|harmed|killed|affected"
    r"|wounded|uprooted|relocated)\b",
    re.IGNORECASE,
)
_RATE_BEFORE = re.compile(
    r"\b(?:every|each)\s+(?:single\s+)?(?:second|minute|hour|day|week|month|year)\s*,?\s*$",
    re.IGNORECASE,
)
_REPEAT_AFTER = re.compile(
    r"(?:(?:,|\s+(?:or|to|and))\s+[^\W\d_]+)?\s+(?:more\s+)?(?:times|waves|rounds|occasions)\b",
    re.IGNORECASE,
)
_HOUSEHOLDS_AFTER = re.compile(
    r"\s+(?:of\s+)?(?:(?:internally|newly|recently|already)\s+)?(?:displaced|affected|evacuated|homeless"
    r"|uprooted|refugee|host|vulnerable)\s+(?:families|households)\b",
    re.IGNORECASE,
)


def not_a_count(text: str, start: int, end: int, sentence_start: int, sentence_end: int) -> bool:
    """True when the number at [start, end) of `text` counts no people, by its phrase shape."""
    before = text[max(sentence_start, start - 60) : start]
    after = text[end : min(sentence_end, end + 60)]
    if (
        _NEGATED_BEFORE.search(before)
        or _POSSESSIVE_BEFORE.search(before)
        or _RATE_BEFORE.search(before)
        or _AGE_LIST_BEFORE.search(before)
        or _NEGATED_VERB_AFTER.match(after)
    ):
        return True
    if _AGE_BEFORE.search(before) and _AGE_AFTER.match(after):
        return True
    return bool(_RATE_AFTER.match(after) or _REPEAT_AFTER.match(after))


_AGE_BOUND_BEFORE = re.compile(
    r"(?:\b(?:children|kids|boys|girls|infants|babies|minors)\s+(?:aged\s+)?(?:under|below)"
    r"|\b(?:under|below|over|above) the age of|\baged(?:\s+between)?|\bages"
    rf"|{_LATER_AGES})\s*$",
    re.IGNORECASE,
)


def age_bound(text: str, start: int, sentence_start: int) -> bool:
    """True for the number of an age bound ("children under five", "aged 12"): it ends no clause."""
    return _AGE_BOUND_BEFORE.search(text, max(sentence_start, start - 30), start) is not None


# "2 displaced camps", "12 evacuation centres": a word of a kind before a noun for things.
_KIND_WORD_THEN = re.compile(
    r"\s+(?:displaced|displacement|evacuation|evacuee|refugee|idp|affected|flooded|relief)"
    r"\s+([^\W\d_]+)",
    re.IGNORECASE,
)


def thing_after_kind_word(post: str, things: frozenset[str]) -> bool:
    """True for "2 displaced camps": a kind word, then a noun of `things` (not people)."""
    m = _KIND_WORD_THEN.match(post)
    return m is not None and m.group(1).lower() in things


def households_after_trigger(post: str) -> bool:
    """True for "80 displaced families": a trigger word, then a noun for households."""
    return _HOUSEHOLDS_AFTER.match(post) is not None


# A monitoring report's words: who watches a border and what it counts.
_MONITORING = re.compile(
    r"\b(?:(?i:observ(?:ed|es|e|ing|ers?|ation)|monitor(?:s|ed|ing)?|entries|exits"
    r"|in both directions|in the opposite direction)|OTs?|OM|BCPs?)\b"
)
# Words that make a crossing a flight.
_FLIGHT = re.compile(
    r"\b(?:fle[de]|flee(?:s|ing)|escap\w*|refugees?|asylum|displac\w*|forced|uprooted"
    r"|evacuat\w*|fighting|violence|shelling|attacks?|bombing)\b",
    re.IGNORECASE,
)
_MONITORING_REACH = 1200  # characters before the sentence looked at for a monitoring report


def routine_crossing(text: str, term: str, sentence_start: int, sentence_end: int) -> bool:
    """True for a border crossing counted by monitors, with no word of flight in its sentence."""
    if not term.startswith("cross"):
        return False
    if _FLIGHT.search(text, sentence_start, sentence_end):
        return False
    lo = max(0, sentence_start - _MONITORING_REACH)
    return _MONITORING.search(text, lo, sentence_end) is not None


_LABEL_START = re.compile(r"[(;]|\d[\d,.]*")
_MEASURE = re.compile(r"\d[\d,.]*\s*[^\W\d_]+")
_POPULATION = frozenset(("population", "populations"))
_FIRST_WORD = re.compile(r"^\s*[^\W\d_][\w'\u2019-]*")
_EMPTY_TAIL = re.compile(r"^[\s()\[\].,;:!?|•*\-\u2013—]*(?:\([^)]*\))?[\s.,;:!?]*$")


def thing_label(core: str) -> bool:
    """True when the number ends a label ("Animals affected:") that names things, not people."""
    tail = core[-80:].rstrip()
    if not tail.endswith((":", "|")):
        return False
    # A measure in the label ("within 100 km") is no noun of the count, and the label
    # starts after the numbers and brackets before it ("520,000 (Chile: 300,000; Peru:").
    line = _MEASURE.sub(" ", tail.rsplit("\n", 1)[-1])
    label = _LABEL_START.split(line[:-1])[-1][-40:]
    words = [w.lower() for w in WORD_RE.findall(label) if w[0].isalpha()]
    return any(w in NON_PERSON_NOUNS for w in words) and not any(
        w in PERSON_NOUNS or w in _POPULATION for w in words
    )


def is_label_tail(post: str, head_words: int) -> bool:
    """True when nothing but the noun follows the number: a table cell or a label line."""
    rest = post
    for _ in range(min(head_words, 2)):
        rest = _FIRST_WORD.sub("", rest, count=1)
    return bool(_EMPTY_TAIL.match(rest[:40]))
