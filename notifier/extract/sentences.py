"""Split text into sentences, as (start, end) offsets into the text.

Feeds and scraped pages break lines in three ways that matter: paragraph and
list boundaries (a sentence ends), hard-wrapped prose (a line ends mid-sentence
and the next starts in lower case), and key-figure boxes where a number stands
alone on its line above its label ("459" / "people killed"). The last two are
joined, so that a figure and its trigger end up in one sentence.
"""

from __future__ import annotations

import re

_LINE_RE = re.compile(r"[^\n]+")
_NUMBER_ONLY = re.compile(
    r"[•·\-*\s]*(?:about|around|over|some|more than|up to|nearly|approximately|at least|~)?\s*"
    r"[\d.,\u00a0\u202f +]+(?:[mMkK]|bn|mln|million|billion)?\+?\s*$",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"\b(?:and|or|of|the|to|in|on|at|by|for|from|with|some|about|over|around|nearly|than|as|a|an"
    r"|into|were|was|are|is|have|has|had|been|be|had|that|which|who|while|including|least)\s*$",
    re.IGNORECASE,
)
# A sentence ends at . ! ? (and closing quotes/brackets) before a space and an
# upper-case letter, a digit, a quote or a bullet. Initials and abbreviations
# ("U.N. Security Council", "4 a.m. Friday") are checked in Python on the few
# matches: look-behinds in the pattern would run at every character.
_SPLIT_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[\u2022A-Z0-9])")
_ABBREVIATIONS = frozenset(
    """no nos mr mrs ms dr st mt jan feb aug sep sept oct nov dec gen gov vs cf approx incl etc
    lt col capt sgt prof rev est fig""".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` closes an initial or an abbreviation, not a sentence."""
    if text[dot] != ".":
        return False
    before = text[dot - 1 : dot]
    if before != "." and not (before.isalnum() and not before.isdecimal()):
        return False  # no letter (nor a dot) before the dot: _WORD_BEFORE cannot match
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if m is None:
        return False
    word = m.group(1)
    if len(word) == 1:
        return True  # "U.N.", "a.m.", "J. Smith"
    return word.lower() in _ABBREVIATIONS


def _lines(text: str) -> list[tuple[int, int]]:
    """Logical lines: physical lines with wrapped prose and key-figure boxes joined."""
    spans = [(m.start(), m.end()) for m in _LINE_RE.finditer(text) if m.group().strip()]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev_start, prev_end = out[-1]
            prev = text[prev_start:prev_end]
            gap = text[prev_end:start]
            head = text[start:end].lstrip()
            if gap.count("\n") <= 1 and _joins(prev, head):
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return out


def _joins(prev: str, head: str) -> bool:
    if len(prev) < 40 and _NUMBER_ONLY.fullmatch(prev) and not _NUMBER_ONLY.fullmatch(head[:40]):
        return True  # key-figure box: the number above its label
    tail = prev.rstrip()[-16:]
    if tail[-1:] in ".!?:;":
        return False
    first = head[:1]
    return first.islower() or (bool(_DANGLING.search(tail)) and (first.isalnum() or first == "("))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, in order; whitespace is trimmed off both ends."""
    out: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text):
        pos = line_start
        for m in _SPLIT_RE.finditer(text, line_start, line_end):
            if _is_abbreviation(text, m.start()):
                continue
            cut = m.start() + len(m.group().rstrip())
            _append(text, out, pos, cut)
            pos = m.end()
        _append(text, out, pos, line_end)
    return out


def _append(text: str, out: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))
