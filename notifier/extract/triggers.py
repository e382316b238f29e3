"""Find every kind trigger of a text in one pass, gated by the first word.

The trigger lexicon is one large alternation; run at every character it costs
about a microsecond per byte. Only a few words can start a trigger, so a
look-ahead on those words gates the alternation, and the scan skips in C from
one word start to the next (see `_SCAN_RE`). The figures code then looks up the
triggers around each number by offset instead of re-scanning windows.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

from notifier.extract.lexicon import TRIGGER_RE
from notifier.extract.wordtrie import lower_pattern, lowered, trie_regex

#: Every word that can open a trigger in lexicon.KIND_GROUPS (a test checks
#: this against the full pattern); '*' ends a stem.
FIRST_WORDS = frozenset(
    """casualties killed killing kills dead died dies die death deaths injured injuring
    injuries wounded wounding hurt hospitalised hospitalized herido heridos blessé blessés
    blesse blesses toll fatalities fatality lives life claimed perished drowned murdered
    massacred slain executed burned bodies fallecid* muerto muertos muerta muertas mort morts
    tués tues tué tue décès deces missing unaccounted desaparecid* disparu disparus
    internally displaced displacement displacing uprooted homeless moved taken
    brought sent managed leave left escape escaped flee fled flees fleeing evacuated
    evacuate evacuating evacuation evacuations evacuees leaving abandon abandoned
    sheltering sheltered took taking sought seeking seek living sleeping staying housed
    accommodated crossing relocated relocation hosted arrived desplazad* evacuad*
    desalojad* damnificad* déplacé déplacés déplacée déplacées deplace* sinistré
    sinistrés sinistre sinistres refugee refugees idp idps asylum migrants pdi pdis need
    needs needed needing require requires required requiring affected exposed threatened
    trapped besieged stranded endangered famine starvation starving hunger malnourished
    concern afectad* reached assisted vaccinated immunised immunized treated rescued returned
    returning returnee returnees received receiving benefit* employ* trained voted votes voters
    every spectators attended enrolled supported screened tested registered made new
    arrivals without spent spend spending deployed mobilised
    mobilized dispatched transferred succumbed slipped slipping streamed streaming poured
    pouring displacements recovered retrieved pulled exhumed headed live lives
    lived remain remains remained helped able
    rushed admitted airlifted deserted evicted evictions eviction slept ipc suffer suffers
    suffered suffering""".split()
) | {
    # Common short words open a trigger only with the word after them.
    f"{first} {second}"
    for first, seconds in {
        "in": "need urgent dire crisis the ipc phase catastrophe emergency temporary public "
        "accommodation "
        "collective relief informal displacement shelters evacuation camps accommodation "
        "tents settlements sites",
        "to": "help assist support serve treat feed protect care reach temporary emergency "
        "accommodation",
        "into": "temporary emergency accommodation",
        "at": "risk grave great serious high imminent heightened increased severe extreme "
        "immediate particular",
        "on": "the",
        "from": "their his her",
        "out": "of",
        "were": "able",
        "per": "day week month year hour capita head person",
        "each": "day",
        "a": "day week",
        # "(have|has) been cut off", "remain(ed) cut off": common words, rare triggers.
        "have": "been",
        "has": "been",
        "remain": "cut",
        "remained": "cut",
        "lost": "their his her",
        "crossed": "into from over the borders international national",
        "forced": "to into out from",
        "food": "insecur*",
        "sin": "hogar hogares",
        "sans": "abri abris",
        "sem": "abrigo",
    }.items()
    for second in seconds.split()
}
# The gate (a look-ahead) lets the trigger alternation run only where a first
# word starts. The pattern consumes the character before that word instead of
# looking behind for it: a pattern that opens with a character class is
# skipped along the text in C to the next candidate, while one that opens with
# a look-behind is tried at every character (twice as slow on a megabyte). The
# text is scanned with a space in front, so that its first word has a
# character before it.
#
# That character must not be a letter, [\W\d_]. The class opening the pattern
# is [^a-z] instead, which re tests from a bitmap, while [\W\d_] asks the
# Unicode database for every character of the text (half as slow again); the
# look-behind after the gate keeps the consumed character to [\W\d_], and runs
# only where the gate passed. (Every character [\W\d_] takes, [^a-z] takes,
# also under IGNORECASE: the letters that fold to a-z are letters.)
_FIRST = trie_regex(FIRST_WORDS)
_SCAN_RE = re.compile(
    rf"[^a-z](?={_FIRST}(?![^\W\d_]))(?<![^\W\d_])(?:{TRIGGER_RE.pattern})", re.IGNORECASE
)
# The same for the lower-cased text (see wordtrie.lowered), and for lower-cased
# ASCII text, where a letter is a-z.
_SCAN_LOW = re.compile(lower_pattern(_SCAN_RE.pattern))
_SCAN_ASCII = re.compile(
    rf"[^a-z](?={lower_pattern(_FIRST)}(?![a-z]))(?:{lower_pattern(TRIGGER_RE.pattern)})"
)


@dataclass(slots=True)
class Hit:
    """A trigger in the text: its span, lexicon group and words."""

    start: int
    end: int
    group: str
    text: str


def find_triggers(text: str, low: str | None = None) -> list[Hit]:
    """Every trigger in `text`, leftmost-first and non-overlapping, as TRIGGER_RE.finditer.

    `low` is `wordtrie.lowered(text)` when the caller has it already.
    """
    return Triggers(text, low).hits


class Triggers:
    """The triggers of one text, looked up by offset."""

    def __init__(self, text: str, low: str | None = None) -> None:
        """`low` is `wordtrie.lowered(text)` when the caller has it already."""
        if low is None:
            low = lowered(text)
        if low is None:
            matches = list(_SCAN_RE.finditer(" " + text))
        else:
            matches = list((_SCAN_ASCII if low.isascii() else _SCAN_LOW).finditer(" " + low))
        # About ten thousand hits per megabyte of a dense text: the lists are
        # built by map and comprehensions over the matches, not hit by hit.
        # Offsets in " " + text: a match starts at the character before the
        # word, which is the word's offset in the text, and ends one past the
        # word's end.
        self.starts = starts = list(map(re.Match.start, matches))
        # Hits do not overlap: their ends rise with their starts.
        self.ends = ends = [end - 1 for end in map(re.Match.end, matches)]
        groups = [m.lastgroup or "" for m in matches]
        # kinds[i]: how many of the first i hits name a kind (are not exclusions).
        self.kinds = list(accumulate(map("exclude".__ne__, groups), initial=0))
        words = map(text.__getitem__, map(slice, starts, ends))
        self.hits = list(map(Hit, starts, ends, groups, words))

    def between(self, start: int, end: int) -> list[Hit]:
        """Triggers that lie wholly within [start, end)."""
        i = bisect_left(self.starts, start)
        return self.hits[i : bisect_right(self.ends, end, i)]

    def any_kind(self, start: int, end: int) -> bool:
        """True when a trigger other than an exclusion lies wholly within [start, end)."""
        i = bisect_left(self.starts, start)
        j = bisect_right(self.ends, end, i)
        return j > i and self.kinds[j] > self.kinds[i]
