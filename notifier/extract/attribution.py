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
from dataclasses import dataclass

from notifier.extract.agencies import AgencyMention

_CUE_WORDS = (
    r"said|says|say|saying|reported|reports|report|estimated|estimates|estimate|warned|warns"
    r"|expressed|told|tells|recorded|records|documented|verified|counted|counts|noted|notes"
    r"|confirmed|confirms|stated|states|announced|added|figures|data|statistics|calculated"
    r"|found|finds|believes|believed|projects|projected|puts|registered|assessed|indicated"
    r"|indicates|suggest|suggests|show|shows|cited|described"
)
_AFTER_CUE = re.compile(
    rf"^(?:[^.;!?]{{0,60}}?)\b(?:{_CUE_WORDS})\b",
    re.IGNORECASE,
)
_BEFORE_CUE = re.compile(
    r"(?:\b(?:according to|figures (?:from|by|of)|data (?:from|by|of)|estimates (?:from|by|of)"
    r"|reported by|cited by|quoting|said|says|told|by|from|per)\s+(?:the\s+)?(?:latest\s+)?"
    r"|[-\u2013—]\s*)$",
    re.IGNORECASE,
)
_ANY_CUE = re.compile(rf"\b(?:according to|{_CUE_WORDS})\b", re.IGNORECASE)
_ANAPHOR = re.compile(
    r"\b(?:(?:the|this|that) (?:UN )?(?:agency|organi[sz]ation|mission|office|fund|programme)"
    r"|(?:its|her|his) office|it (?:said|says|added|estimated|estimates|reported|warned|noted))\b",
    re.IGNORECASE,
)


def _words_between(text: str) -> int:
    return len(text.split())


@dataclass(slots=True)
class Attributor:
    """Walks the sentences in order, remembering the last source for references back."""

    text: str
    mentions: list[AgencyMention]
    last_source: str | None = None
    setup: str | None = None
    _pos: int = 0

    def sources(self, start: int, end: int) -> list[AgencyMention]:
        """Mentions in [start, end) that act as the source of a statement."""
        out = []
        for m in self.mentions:
            if m.start < start:
                continue
            if m.start >= end:
                break
            after = self.text[m.end : min(end, m.end + 70)]
            cue = _AFTER_CUE.match(after)
            if (cue and _words_between(cue.group()) <= 7) or _BEFORE_CUE.search(
                self.text[max(start, m.start - 40) : m.start]
            ):
                out.append(m)
        return out

    def sentence(self, start: int, end: int) -> tuple[list[AgencyMention], str | None]:
        """The source mentions of a sentence and the fallback source for its figures.

        Call once per sentence, in order.
        """
        sentence = self.text[start:end]
        found = self.sources(start, end)
        fallback: str | None = None
        if not found:
            if _ANAPHOR.search(sentence) and _ANY_CUE.search(sentence):
                fallback = self.last_source
            elif self.setup is not None and not _ANY_CUE.search(sentence):
                fallback = self.setup
        if found:
            self.last_source = found[-1].acronym
        elif _ANY_CUE.search(sentence) and fallback is None:
            self.last_source = None
        self.setup = found[-1].acronym if found and sentence.rstrip().endswith(":") else None
        return found, fallback


def attribute(found: list[AgencyMention], fallback: str | None, position: int) -> str | None:
    """The source nearest to the figure at `position`, else the fallback."""
    if not found:
        return fallback
    best = min(found, key=lambda m: min(abs(m.start - position), abs(m.end - position)))
    return best.acronym
