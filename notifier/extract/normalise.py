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

# "1,2 million": a comma before one or two digits and a scale word is a decimal
# comma; "1,200 million" (three digits) is not.
_DECIMAL_COMMA_RE = re.compile(r",\d{1,2}\s?(?:million|mln|mio|billion|bn|m)\b", re.IGNORECASE)
# Comparison signs before a count ("> 300K", "\u2264 50") in words the hedges know.
_SIGNS = {">": "more than ", "\u2265": "at least ", "<": "fewer than ", "\u2264": "up to "}
_OR_EQUAL = {">": "at least ", "<": "up to "}
_SIGN_RES = [re.compile(rf"{re.escape(sign)}=? ?(?=[0-9])") for sign in _SIGNS]
# "1.250.000": dots grouping thousands, two groups or more (with one,
# "4.400 people" is read as thousands by `numbers` already).
_DOTTED_RE = re.compile(r"(?:\.\d{3}){2,}(?!\d)")
# A word broken at the end of a line by a hyphen ("dis-\nplaced"), as PDF
# conversion leaves it; the pattern opens with its literal.
_HYPHENATED_RE = re.compile(r"-\n(?<=[a-z]-\n)(?=[a-z])")
# Where PDF conversion lost a space: a word glued to a count ("at
# least140,000"), a trigger glued to the hedge before its count
# ("displacedabout 4,400", a word of eight letters or more before the count),
# or a count glued to the word after it ("1.2Mpeople in need", from inline
# HTML elements). So are "60'000" and "60\u2019000" (an apostrophe groups
# thousands in Swiss usage) and decimal commas (above). All are searched for
# in a copy of the text with every character mapped to its class, one byte
# per character (a lower-case letter 'a', a digit '0', 'M' or 'K' as 'K', a
# space, an apostrophe, a comma, a dot, anything else '_'): there the pattern opens
# with a literal '0', which is found fast, where '[0-9]' would be tested at
# every character.
_CLASSES = bytes(
    ord(
        "a"
        if chr(i).islower() and chr(i).isascii()
        else "0"
        if chr(i).isdigit() and chr(i).isascii()
        else "K"
        if chr(i) in "MK"
        else "'"
        if chr(i) in "'?"  # '?': U+2019 and any other character past latin-1
        else ","
        if i == ord(",")
        else "."
        if i == ord(".")
        else " "
        if i == 32
        else "_"
    )
    for i in range(256)
)
_GLUED_RE = re.compile(
    # After a digit, most characters are digits and spaces: one class test
    # turns them away before the three look-aheads.
    rb"0(?:(?=[',.Ka])(?:(?P<dots>)(?=\.000\.000(?!0))|(?P<swiss>)(?='000(?!0))|(?P<decimal>)(?=,00?(?!0))|(?P<after>K?)(?=aaa))"
    rb"|(?<=a0)|(?<=a{8} 0)(?P<hedge>))"
)
# The hedge glued to a trigger, only after "-ed", "-ing" or "-s", so that
# "roundabout", "moreover" and "handsome" stay whole.
_GLUED_HEDGE_RE = re.compile(
    r"(?:ed|ng|[a-z]s)(about|around|nearly|almost|approximately|some|over)$"
)
# Two sentences glued at their full stop ("officials said.At least 40"): a
# word of three lower-case letters, a dot, a capitalised word. (Host names are
# in lower case; "U.S." has one letter before its dots.)
_GLUED_SENTENCE_RE = re.compile(r"\.(?<=[a-z]{3}\.)(?=[A-Z][a-z])")
# What a glued count must look like (separators, or four digits and more), so
# that "covid19", "h5n1" and "m23" stay whole.
_COUNT_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{4,})(?!\w)")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The repaired text and where its offsets drift from the original's.

    From `points[i]` on (an offset in `text`, where replacement i ends), an
    offset plus `shifts[i]` is the offset in the original. Replacement i
    starts at `starts[i]` in `text` and at `origins[i]` in the original; an
    offset inside it (in an inserted table label) maps to `origins[i]`.
    """

    text: str
    points: tuple[int, ...]
    shifts: tuple[int, ...]
    starts: tuple[int, ...]
    origins: tuple[int, ...]

    def original(self, pos: int) -> int:
        """The offset in the original text of the offset `pos` in `self.text`."""
        i = bisect_right(self.points, pos) - 1
        if i + 1 < len(self.starts) and self.starts[i + 1] < pos:
            return self.origins[i + 1]  # inside a replacement
        return pos if i < 0 else pos + self.shifts[i]


#: An edit of the original text: replace [start, end) with the string.
Edit = tuple[int, int, str]


def normalise(text: str, extra: list[Edit] | None = None) -> Normalised | None:
    """The text with invisible characters, broken and glued words and foreign separators repaired.

    `extra` are further edits (tables.py adds labels to table cells). None when
    there is nothing to change: the caller keeps the text as it is.
    """
    edits = list(extra or ())
    if any(c in text for c in INVISIBLE):
        edits.extend((m.start(), m.end(), "") for m in _INVISIBLE_RE.finditer(text))
    for sign, pattern in zip(_SIGNS, _SIGN_RES, strict=True):
        if sign in text:
            edits.extend(
                (
                    m.start(),
                    m.end(),
                    _OR_EQUAL.get(sign, _SIGNS[sign]) if "=" in m.group() else _SIGNS[sign],
                )
                for m in pattern.finditer(text)
            )
    # The pattern's literal is searched for faster than `"-\n" in text` would be.
    edits.extend((m.start(), m.end(), "") for m in _HYPHENATED_RE.finditer(text))
    edits.extend(_glued(text))
    edits.extend((m.end(), m.end(), " ") for m in _GLUED_SENTENCE_RE.finditer(text))
    if not edits:
        return None
    return apply_edits(text, edits)


def _glued(text: str) -> list[Edit]:
    """Spaces that part glued words and counts; thousands and decimal marks made English."""
    out: list[Edit] = []
    classes = text.encode("latin-1", "replace").translate(_CLASSES)
    for m in _GLUED_RE.finditer(classes):
        digit = m.start()
        if m.lastgroup == "swiss":
            if text[digit + 1] in "'\u2019":
                out.append((digit + 1, digit + 2, ","))
        elif m.lastgroup == "decimal":
            # Not after a year: "in 2023,2 million" lost a space, not a decimal.
            four_digits = digit >= 3 and text[digit - 3 : digit + 1].isdigit()
            if not four_digits and _DECIMAL_COMMA_RE.match(text, digit + 1):
                out.append((digit + 1, digit + 2, "."))
        elif m.lastgroup == "dots":
            dotted = _DOTTED_RE.match(text, digit + 1)
            if dotted is not None:
                out.extend((dot, dot + 1, ",") for dot in range(dotted.start(), dotted.end(), 4))
        elif m.lastgroup == "after":
            out.append((m.end(), m.end(), " "))
        elif m.lastgroup == "hedge":
            glued = _GLUED_HEDGE_RE.search(text, digit - 20, digit - 1)
            if glued is not None:
                out.append((glued.start(1), glued.start(1), " "))
        elif _COUNT_RE.match(text, digit):
            out.append((digit, digit, " "))
    return out


def apply_edits(text: str, edits: list[Edit]) -> Normalised:
    """`text` with the edits made; an edit that overlaps an earlier one is dropped."""
    edits.sort(key=lambda e: (e[0], e[1]))
    parts: list[str] = []
    points: list[int] = []
    shifts: list[int] = []
    starts: list[int] = []
    origins: list[int] = []
    pos = 0  # in the original
    out_len = 0  # of the text built so far
    for start, end, new in edits:
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(new)
        starts.append(out_len + start - pos)
        origins.append(start)
        out_len += start - pos + len(new)
        pos = end
        points.append(out_len)
        shifts.append(end - out_len)
    parts.append(text[pos:])
    return Normalised("".join(parts), tuple(points), tuple(shifts), tuple(starts), tuple(origins))


def visible(text: str) -> str:
    """`text` without its invisible characters (for evidence cut from the original)."""
    return text.translate(_DROP_INVISIBLE)
