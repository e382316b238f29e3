r"""Repair text as feeds and PDF converters deliver it, with a map back to the original offsets.

The extractor's patterns expect "displaced about 4,400 people". What arrives
may be "dis\u00adplaced about 4,\u200b400", "displacedabout 4,400" (a line
break lost by a PDF converter), "60'000" (Swiss thousands) or "1,2 million"
(a decimal comma). `normalise` rewrites those spots with a few small edits
and keeps, per edit, how far the rewritten text has drifted from the
original, so that offsets found in the rewritten text map back to the
input: EXTRACTION.md promises offsets into the text the caller gave.

Most texts need no repair: cheap `in` tests decide that before any pattern
runs, and then `normalise` returns None and costs next to nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

#: Characters a reader does not see: zero-width spaces and joiners, the word
#: joiner, the byte-order mark and the soft hyphen. They split words and numbers.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]+")
_DROP_INVISIBLE = {ord(c): None for c in INVISIBLE}

# "60'000", "60\u2019000": an apostrophe between digits groups thousands (Swiss usage).
# One pattern per mark, each opening with its literal: found fast.
_SWISS_RES = [re.compile(rf"{mark}(?<=[0-9]{mark})(?=[0-9]{{3}}(?![0-9]))") for mark in "'\u2019"]
# "1,2 million": a comma before one or two digits and a scale word is a decimal
# comma; "1,200 million" (three digits) is not.
_DECIMAL_COMMA_RE = re.compile(
    r",(?<=\d,)(?=\d{1,2}\s?(?:million|mln|mio|billion|bn|m)\b)", re.IGNORECASE
)
# Where PDF conversion lost a space: a word glued to a count ("at
# least140,000"), or a trigger glued to the hedge before its count
# ("displacedabout 4,400", a word of eight letters or more before the count).
# The pattern opens with the digit and looks behind it: one that opens with
# letters would be tried at every letter of the text.
# A count glued to the word after it ("1.2Mpeople in need", from inline HTML
# elements) is parted too.
_GLUED_RE = re.compile(
    r"[0-9](?:(?<=[a-z][0-9])|(?<=[a-z]{8} [0-9])(?P<hedge>)|(?P<after>[mMkK]?)(?=[a-z]{3}))"
)
# The hedge glued to a trigger, only after "-ed", "-ing" or "-s", so that
# "roundabout", "moreover" and "handsome" stay whole.
_GLUED_HEDGE_RE = re.compile(
    r"(?:ed|ng|[a-z]s)(about|around|nearly|almost|approximately|some|over)$"
)
# What a glued count must look like (separators, or four digits and more), so
# that "covid19", "h5n1" and "m23" stay whole.
_COUNT_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{4,})(?!\w)")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The repaired text and where its offsets drift from the original's.

    From `points[i]` on (an offset in `text`), an offset plus `shifts[i]` is
    the offset in the original.
    """

    text: str
    points: tuple[int, ...]
    shifts: tuple[int, ...]

    def original(self, pos: int) -> int:
        """The offset in the original text of the offset `pos` in `self.text`."""
        i = bisect_right(self.points, pos) - 1
        return pos if i < 0 else pos + self.shifts[i]


#: An edit of the original text: replace [start, end) with the string.
Edit = tuple[int, int, str]


def normalise(text: str, extra: list[Edit] | None = None) -> Normalised | None:
    """The text with invisible characters, glued words and foreign separators repaired.

    `extra` are further edits (tables.py adds labels to table cells). None when
    there is nothing to change: the caller keeps the text as it is.
    """
    edits = list(extra or ())
    if any(c in text for c in INVISIBLE):
        edits.extend((m.start(), m.end(), "") for m in _INVISIBLE_RE.finditer(text))
    edits.extend((m.start(), m.end(), ",") for p in _SWISS_RES for m in p.finditer(text))
    if "," in text:
        edits.extend((m.start(), m.end(), ".") for m in _DECIMAL_COMMA_RE.finditer(text))
    edits.extend(_glued(text))
    if not edits:
        return None
    return apply_edits(text, edits)


def _glued(text: str) -> list[Edit]:
    """Spaces that part a word glued to a count, or a trigger glued to its hedge."""
    out: list[Edit] = []
    for m in _GLUED_RE.finditer(text):
        digit = m.start()
        if m.lastgroup == "after":
            out.append((m.end(), m.end(), " "))
            continue
        if m.lastgroup is None:
            if _COUNT_RE.match(text, digit):
                out.append((digit, digit, " "))
            continue
        glued = _GLUED_HEDGE_RE.search(text, digit - 20, digit - 1)
        if glued is not None:
            out.append((glued.start(1), glued.start(1), " "))
    return out


def apply_edits(text: str, edits: list[Edit]) -> Normalised:
    """`text` with the edits made; an edit that overlaps an earlier one is dropped."""
    edits.sort(key=lambda e: (e[0], e[1]))
    parts: list[str] = []
    points: list[int] = []
    shifts: list[int] = []
    pos = 0  # in the original
    out_len = 0  # of the text built so far
    for start, end, new in edits:
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(new)
        out_len += start - pos + len(new)
        pos = end
        points.append(out_len)
        shifts.append(end - out_len)
    parts.append(text[pos:])
    return Normalised("".join(parts), tuple(points), tuple(shifts))


def visible(text: str) -> str:
    """`text` without its invisible characters (for evidence cut from the original)."""
    return text.translate(_DROP_INVISIBLE)
