"""Find every kind trigger of a text in one pass, gated by the first word.

The trigger lexicon is one large alternation; run at every character it costs
about a microsecond per byte. Words are cheap to find, and only a few words can
start a trigger, so the alternation is tried only where such a word starts
(the gate is cached per distinct word). The figures code then looks up the
triggers around each number by offset instead of re-scanning windows.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

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
    mobilized dispatched transferred""".split()
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
        "crossed": "into from over the",
        "forced": "to into",
        "food": "insecur*",
        "sin": "hogar hogares",
        "sans": "abri abris",
        "sem": "abrigo",
    }.items()
    for second in seconds.split()
}
_GATE_RE = re.compile(rf"(?<![^\W\d_]){trie_regex(FIRST_WORDS)}(?![^\W\d_])", re.IGNORECASE)
# The same patterns for the lower-cased text (see wordtrie.lowered).
_GATE_LOW = re.compile(lower_pattern(_GATE_RE.pattern))
_TRIGGER_LOW = re.compile(lower_pattern(TRIGGER_RE.pattern))


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
    if low is None:
        low = lowered(text)
    if low is None:
        scan, gate, match = text, _GATE_RE, TRIGGER_RE.match
    else:
        scan, gate, match = low, _GATE_LOW, _TRIGGER_LOW.match
    hits: list[Hit] = []
    skip_to = 0
    for g in gate.finditer(scan):
        pos = g.start()
        if pos < skip_to:
            continue
        m = match(scan, pos)
        if m is not None:
            end = m.end()
            if end > pos:
                hits.append(Hit(pos, end, m.lastgroup or "", text[pos:end]))
                skip_to = end
    return hits


class Triggers:
    """The triggers of one text, looked up by offset."""

    def __init__(self, text: str, low: str | None = None) -> None:
        self.hits = find_triggers(text, low)
        self.starts = [h.start for h in self.hits]
        # Hits do not overlap: their ends rise with their starts.
        self.ends = [h.end for h in self.hits]
        # kinds[i]: how many of the first i hits name a kind (are not exclusions).
        self.kinds = [0]
        for h in self.hits:
            self.kinds.append(self.kinds[-1] + (h.group != "exclude"))

    def between(self, start: int, end: int) -> list[Hit]:
        """Triggers that lie wholly within [start, end)."""
        i = bisect_left(self.starts, start)
        return self.hits[i : bisect_right(self.ends, end, i)]

    def any_kind(self, start: int, end: int) -> bool:
        """True when a trigger other than an exclusion lies wholly within [start, end)."""
        i = bisect_left(self.starts, start)
        j = bisect_right(self.ends, end, i)
        return j > i and self.kinds[j] > self.kinds[i]
