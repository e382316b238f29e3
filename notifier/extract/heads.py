"""What the words right after a number say it counts: people, things, or neither.

"1,200 people", "40 trucks", "300 a day earlier": before it looks for a
trigger, `figures.py` reads the head noun after each number. A count of things
is dropped; a count of people keeps its unit (households for "families"); a
count with no noun is decided by its trigger alone.
"""

from __future__ import annotations

import re
from typing import Literal

from notifier.extract.counted import households_after_trigger, thing_after_kind_word
from notifier.extract.fastpath import Patterns
from notifier.extract.lexicon import HOUSEHOLD_NOUNS, NON_PERSON_NOUNS, PERSON_NOUNS, WORD_RE

__all__ = ["BASE", "STOP_HEAD", "Head", "unit_head"]

_FAMILY_MEMBERS = re.compile(r"\s*members\s+of\s+(?:[\w-]+\s+)?(?:famil|household|communit|crew)")
_SKIP_HEAD = frozenset("of the its their his her these those an a more other".split())
# A head noun comes before these: past them the words belong to the predicate.
STOP_HEAD = frozenset(
    """in on at from to for by with were was are is have has had been be will would could may
    might and or who which that as since after before during across near than remain remained
    remains still now deaths dead killed injured wounded missing displaced evacuated homeless
    casualties fatalities died fled face faced facing need needed live lived living
    displacements evacuations injuries last this respectively""".split()
)
#: What the words right after a number say it counts (see `head`): a noun for
#: people, for things or neither; whether it counts households ("families");
#: and that noun's position (1: right after the number), or how many words were
#: read when there is none (0: not one).
Head = tuple[Literal["person", "thing", "none"], bool, int]
NO_HEAD: Head = ("none", False, 0)
BASE: Head = ("thing", False, 0)  # a population the count is part of
#: `head`'s answer when the first word after a number is one of these.
_FIRST: dict[str, Head] = {
    **dict.fromkeys(STOP_HEAD, NO_HEAD),
    **dict.fromkeys(NON_PERSON_NOUNS - STOP_HEAD - _SKIP_HEAD, ("thing", False, 1)),
    **{w: ("person", w in HOUSEHOLD_NOUNS, 1) for w in PERSON_NOUNS - STOP_HEAD - _SKIP_HEAD},
}


def head(post: str, patterns: Patterns) -> Head:
    """Classify the words right after a number, `post`, as counting people, things or neither.

    Up to four words are read, skipping articles and adjectives, until a noun
    from either list is met. A time ("300 a day earlier") counts nothing.
    """
    # Most numbers are followed by one plain word that decides: "people", "houses".
    # (A time opens with "a", "one" or "the", which are none of those words.)
    first = post.split(None, 1)
    if first and first[0] == "members" and _FAMILY_MEMBERS.match(post):
        return "person", False, 1  # "killing eight members of two families"
    if first and first[0].isalpha():
        known = _FIRST.get(first[0].lower())
        if known is not None:
            return known
    if patterns.time_ago.match(post):
        return NO_HEAD
    seen = 0
    for m in WORD_RE.finditer(post, 0, 60):
        word = m.group().lower().rstrip("'\u2019").removesuffix("'s").removesuffix("\u2019s")
        if not word[0].isalpha() or word in STOP_HEAD:
            break
        seen += 1
        if word in _SKIP_HEAD:
            continue
        if word in PERSON_NOUNS:
            return "person", word in HOUSEHOLD_NOUNS, seen
        if word in NON_PERSON_NOUNS:
            return "thing", False, seen
        if seen >= 4:
            break
    return "none", False, seen


def unit_head(post: str, patterns: Patterns) -> Head:
    """`head`, but "80 displaced families" counts households though a trigger comes first."""
    found = head(post, patterns)
    if found[0] == "none" and households_after_trigger(post):
        return "person", True, 2
    if found[0] == "none" and thing_after_kind_word(post, NON_PERSON_NOUNS):
        return "thing", False, 2
    return found
