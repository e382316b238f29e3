"""Which UN entity a figure is attributed to, from cues around agency mentions.

A mention alone is not attribution ("Three WFP staff were killed"): the
mention must be the source, i.e. followed within a few words by a reporting
verb ("OCHA said", "the UN refugee agency UNHCR said", "WHO figures show") or
preceded by "according to" / "figures from". A sentence with no UN source of
its own takes the last source when it refers back to it ("the agency told a
briefing that ...") or when the sentence before sets it up and ends with ':'.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left

from notifier.extract.agencies import AgencyMention
from notifier.extract.wordtrie import lower_regex, trie_regex

_CUE_WORDS = (
    r"said|says|say|saying|reported|reports|report|estimated|estimates|estimate|warned|warns"
    r"|expressed|told|tells|recorded|records|documented|verified|counted|counts|noted|notes"
    r"|confirmed|confirms|stated|states|announced|added|figures|data|statistics|calculated"
    r"|found|finds|believes|believed|projects|projected|puts|registered|assessed|indicated"
    r"|indicates|suggest|suggests|show|shows|cited|described"
)
#: How far after a mention its cue word may start, in characters and words.
_CUE_REACH = 60
_CUE_WORDS_BETWEEN = 7
# The cue after a mention is the first cue word (between two word boundaries)
# within _CUE_REACH characters, with no '.', ';', '!' nor '?' before it, and the
# mention is a source when at most _CUE_WORDS_BETWEEN words lead up to the end
# of that cue. A later cue word could only be further away, so the first one
# decides. It is searched in the text after the mention with a space in front
# (where the slice after the mention begins, a word boundary), by a pattern
# that opens with a character class and consumes the character before the
# word: re skips along the text in C instead of trying \b at every character.
# The look-behind for a non-word character runs only where a cue word follows;
# group 1 is the cue word.
_AFTER_CUE = re.compile(
    rf"[^a-z](?=({trie_regex(_CUE_WORDS.split('|'))})\b)(?<!\w)",
    re.IGNORECASE,
)
_CUE_STOP = re.compile(r"[.;!?]")
# Phrases that make the mention after them a source ("according to OCHA",
# "figures from the latest UNHCR", "- OCHA"): the text before a mention must
# end with one. `[-\u2013—]\s*$` and `\b(?:phrase)\s+(?:the\s+)?(?:latest\s+)?$`
# are searched at every character of the text before the mention; matched at
# the start of that text reversed, they are one attempt.
_SOURCE_BEFORE = [
    "according to",
    *(
        f"{noun} {prep}"
        for noun in ("figures", "data", "estimates")
        for prep in ("from", "by", "of")
    ),
    *"reported by|cited by|quoting|said|says|told|by|from|per".split("|"),
]
_BEFORE_CUE_REVERSED = re.compile(
    r"\s*[-\u2013—]|(?:\s+tsetal)?(?:\s+eht)?\s+"
    rf"{trie_regex([phrase[::-1] for phrase in _SOURCE_BEFORE], space=' ')}\b",
    re.IGNORECASE,
)
_ANAPHORS = (
    r"(?:(?:the|this|that) (?:UN )?(?:agency|organi[sz]ation|mission|office|fund|programme)"
    r"|(?:its|her|his) office|(?:it|he|she|they) (?:said|says|added|estimated|estimates|reported"
    r"|warned|noted|told))\b"
)
_ANAPHOR = re.compile(rf"\b{_ANAPHORS}", re.IGNORECASE)


_CUE_WORD_LIST = [*_CUE_WORDS.split("|"), "according"]
_CUE_TRIE = trie_regex(_CUE_WORD_LIST)
_CUE_GATE = re.compile(rf"(?<![^\W\d_]){_CUE_TRIE}\b", re.IGNORECASE)
# The two word-start patterns again, searched from the character before the
# span, which they consume. They open with a character class that re skips
# along in C instead of trying the look-behind (or \b) at every character; the
# look-behind after the word keeps the consumed character to a non-letter
# (non-word), and runs only where a word follows.
_CUE_SCAN = re.compile(rf"[^a-z](?={_CUE_TRIE}\b)(?<![^\W\d_])", re.IGNORECASE)
_ANAPHOR_SCAN = re.compile(rf"[^a-z](?={_ANAPHORS})(?<!\w)", re.IGNORECASE)


_AS_IS = (_AFTER_CUE, _BEFORE_CUE_REVERSED, _ANAPHOR, _CUE_GATE, _ANAPHOR_SCAN, _CUE_SCAN)
#: The same patterns for the lower-cased text (see wordtrie.lowered): faster.
_LOWERED = tuple(map(lower_regex, _AS_IS))
#: Past any offset: `Attributor._after` when no mention lies ahead.
_NOWHERE = sys.maxsize


class Attributor:
    """Walks the sentences in order, remembering the last source for references back.

    Mentions are located once per text and found per sentence by bisection; cue
    words are only looked for while there is a source to carry or to drop.
    """

    def __init__(self, text: str, mentions: list[AgencyMention], low: str | None = None) -> None:
        """`low` is `wordtrie.lowered(text)`, scanned instead of `text` when given."""
        self.text = text if low is None else low
        (
            self.after_cue,
            self.before_cue_reversed,
            self.anaphor,
            self.cue_gate,
            self.anaphor_scan,
            self.cue_scan,
        ) = _AS_IS if low is None else _LOWERED
        self.mentions = mentions
        self.mention_starts = [m.start for m in mentions]
        self.last_source: str | None = None
        self.setup: str | None = None
        # The mentions around the end of the last sentence that had any: a
        # sentence that starts after `_before` and ends by `_after` has none,
        # which two comparisons tell where two bisections would.
        self._before = -1
        self._after = self.mention_starts[0] if mentions else _NOWHERE

    def sources(self, start: int, end: int) -> list[AgencyMention]:
        """Mentions in [start, end) that act as the source of a statement."""
        out = []
        starts = self.mention_starts
        lo = bisect_left(starts, start)
        hi = bisect_left(starts, end, lo)
        self._before = starts[hi - 1] if hi else -1
        self._after = starts[hi] if hi < len(starts) else _NOWHERE
        text = self.text
        for m in self.mentions[lo:hi]:
            after = " " + text[m.end : min(end, m.end + 70)]
            cue = self.after_cue.search(after)
            if (
                (
                    cue is not None
                    # The cue word starts at cue.start() in the text after the mention.
                    and cue.start() <= _CUE_REACH
                    and _CUE_STOP.search(after, 0, cue.start() + 1) is None
                    and len(after[: cue.end(1)].split()) <= _CUE_WORDS_BETWEEN
                )
                or self.before_cue_reversed.match(text[max(start, m.start - 40) : m.start][::-1])
            ):
                out.append(m)
        return out

    def _has_cue(self, start: int, end: int) -> bool:
        if start == 0:
            return self.cue_gate.search(self.text, 0, end) is not None
        return self.cue_scan.search(self.text, start - 1, end) is not None

    def _has_anaphor(self, start: int, end: int) -> bool:
        if start == 0:
            return self.anaphor.search(self.text, 0, end) is not None
        return self.anaphor_scan.search(self.text, start - 1, end) is not None

    def sentence(self, start: int, end: int) -> tuple[list[AgencyMention], str | None]:
        """The source mentions of a sentence and the fallback source for its figures.

        Call once per sentence, in order.
        """
        if self._before < start and end <= self._after:  # no mention in the sentence
            if self.last_source is None and self.setup is None:
                return [], None  # nothing to carry: the cue scan can be skipped
            found: list[AgencyMention] = []
        else:
            found = self.sources(start, end)
            if not found and self.last_source is None and self.setup is None:
                return found, None
        if found:  # the sentence's own source: cue words do not matter
            self.last_source = found[-1].acronym
            ends_setup = self.text[start:end].rstrip().endswith(":")
            self.setup = self.last_source if ends_setup else None
            return found, None
        fallback: str | None = None
        has_cue = self._has_cue(start, end)
        if has_cue and self.last_source and self._has_anaphor(start, end):
            fallback = self.last_source
        elif self.setup is not None and not has_cue:
            fallback = self.setup
        if has_cue and fallback is None:
            self.last_source = None
        self.setup = None
        return found, fallback


def attribute(found: list[AgencyMention], fallback: str | None, position: int) -> str | None:
    """The source nearest to the figure at `position`, else the fallback."""
    if not found:
        return fallback
    best = min(found, key=lambda m: min(abs(m.start - position), abs(m.end - position)))
    return best.acronym
