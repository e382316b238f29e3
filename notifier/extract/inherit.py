"""Sub-counts that take the kind of the count they belong to.

A count with no trigger of its own may continue one that has: "including 66
children", "27,381 families or 92,706 persons", "5 officers were among the 19
killed", "(about 240,000 people)" after a count of households, or, opening the
next sentence, "Another 40" and "Among them, 8,000". `figures.py` calls
`inherit_within` for each sentence; the pipeline calls `inherit_across` with the
last figure of the sentence before.
"""

from __future__ import annotations

import re

from notifier.extract.candidate import Candidate
from notifier.extract.lexicon import (
    AMONG_NEXT_RE,
    INHERIT_LEFT_RE,
    INHERIT_RIGHT_RE,
    OTHER_VERB_RE,
)

_OR_NEXT = re.compile(
    r"\s*[^\W\d_]+(?:,?\s+or\s+(?:about |some |around |nearly |approximately |over |more than )?"
    # "41,390 people from 10,850 families are staying in ...": one count, two units
    r"|\s+from\s+)$",
    re.IGNORECASE,
)
# "640,000 (Peru: 410,000; Ecuador: 230,000)": the parts of the count before, by place.
_PART_BY_PLACE = re.compile(r"[(;]\s*(?:[A-Z][\w'\u2019-]*\s*){1,3}:\s*$")
_SUBSET_OF_NEXT = re.compile(r"\b(?:including|among them|of whom|incl\.)\s*$")
_CONTINUES_BEFORE = re.compile(
    r"\b(?:another|a further|an additional|(?:among|of) (?:them|these|whom),)\s*$", re.IGNORECASE
)
_WITH = re.compile(r"\bwith\s*$")
# "35,000 and 25,000 IDPs respectively": the first count shares the second's noun.
_AND_NEXT = re.compile(r"\s*,?\s*(?:and|or)\s+(?:some |about |around |nearly |over |more than )?")
_RESPECTIVELY = re.compile(r"(?:\s+[^\W\d_][\w'\u2019-]*){0,3}?\s*,?\s*respectively\b")
# "..., and Chad more than 700,000": a name standing for the verb and noun before.
# So does a place with "in": "..., and in Niger 335,000", "and in Kenya's Turkana county 9,000".
_GAPPED = re.compile(
    r"\band\s+(?:in\s+(?:the\s+)?)?(?:[A-Z][\w'\u2019-]+\s+){1,3}"
    r"(?:(?:region|province|state|district|county|governorate|department)\s+)?$"
)
# "Egypt has received about 1.2 million": a country taking in the people counted before.
_HOSTING = re.compile(
    r"\b(?:(?:has|have|had)\s+)?(?:received|taken\s+in|took\s+in|welcomed|hosts|hosting|is\s+hosting"
    r"|is\s+home\s+to)\s*$",
    re.IGNORECASE,
)


# "the Government estimates the figure at up to 1 million": the count before, restated.
_FIGURE_AT = re.compile(
    r"\b(?:the|this|that|its|their)\s+(?:[a-z]+\s+)?(?:figure|number|total|toll|count|tally)"
    r"\s+(?:at|to)\s*$|\bputs?\s+it\s+at\s*$",
    re.IGNORECASE,
)


def _restated(c: Candidate) -> bool:
    """True for a bare count of "the figure" the text gave before: it is of that kind."""
    return not c.has_head_noun and _FIGURE_AT.search(c.pre[-50:]) is not None


def _own_trigger_inside(c: Candidate) -> bool:
    """True when a bracketed count has a trigger of its own: "(85,000 of which relocated)"."""
    closing = c.post.find(")")
    return c.kind is not None and c.term != "" and 0 <= c.post.find(c.term) < closing


def _hosted(c: Candidate) -> bool:
    """True for a bare count that a country takes in: "Egypt has received about 1.2 million"."""
    return not c.has_head_noun and _HOSTING.search(c.pre[-30:]) is not None


def inherit_within(text: str, cands: list[Candidate]) -> None:
    """Give sub-counts the kind of the count they belong to, within one sentence."""
    for i, c in enumerate(cands):
        prev = cands[i - 1] if i > 0 else None
        if (
            prev is not None
            and prev.kind is not None
            and (c.pre.rstrip().endswith("(") or _PART_BY_PLACE.search(c.pre[-40:]))
            and not _own_trigger_inside(c)
        ):
            c.kind, c.term = prev.kind, prev.term  # "34,260 households (about 240,000 people)"
            continue
        if c.kind is not None:
            continue
        nxt = cands[i + 1] if i + 1 < len(cands) else None
        if nxt is not None and nxt.kind is not None:
            between = text[c.number.end : nxt.number.start]
            if (
                (_SUBSET_OF_NEXT.search(nxt.pre) and ("," in between or "(" in between))
                or _OR_NEXT.match(between)
                or AMONG_NEXT_RE.fullmatch(between)
            ):
                c.kind, c.term = nxt.kind, nxt.term  # "27,381 families or 92,706 persons"
                continue
            if _AND_NEXT.fullmatch(between) and _RESPECTIVELY.match(nxt.post):
                c.kind, c.term = nxt.kind, nxt.term  # "35,000 and 25,000 IDPs respectively"
                if not c.has_head_noun:
                    c.unit = nxt.unit
                continue
        if (
            prev is not None
            and prev.kind is not None
            and (
                (
                    (
                        INHERIT_LEFT_RE.search(c.pre[-30:])
                        or INHERIT_RIGHT_RE.match(c.post)
                        or (not c.has_head_noun and _GAPPED.search(c.pre[-40:]))
                    )
                    and not OTHER_VERB_RE.search(c.pre[-30:])
                )
                or (_hosted(c) and prev.kind == "displaced")
                or _restated(c)
            )
        ):
            c.kind, c.term = prev.kind, prev.term
            if not c.has_head_noun:
                c.unit = prev.unit


def inherit_across(text: str, previous: Candidate | None, cands: list[Candidate]) -> None:
    """A bare count that opens with 'with', 'another' or 'more' continues the sentence before.

    So does a country that received a number of the displaced counted before.
    """
    if previous is None or previous.kind is None:
        return
    for c in cands:
        if c.kind is not None:
            return
        if (
            _CONTINUES_BEFORE.search(c.pre[-30:])
            # "Another 780,000": the hedge and filler are cut from `pre`, so the text itself.
            or _CONTINUES_BEFORE.search(text, max(0, c.number.start - 30), c.number.start)
            or (_WITH.search(c.pre[-30:]) and not c.has_head_noun)
            or INHERIT_RIGHT_RE.match(c.post)
            or (previous.kind == "displaced" and _hosted(c))
            or _restated(c)
        ):
            c.kind, c.term = previous.kind, previous.term
            if not c.has_head_noun:
                c.unit = previous.unit
            inherit_within(text, cands)  # the counts after it may continue it
        return
