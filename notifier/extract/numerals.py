"""How a number is written, and what it is worth: one token of `NUMBER_RE`.

Digits with any separators ("60,000", "11,34,427", "2.000 mineros"), decimals
with a scale word ("1.3 million", "1.3m"), number words ("one hundred and
twenty", "half a million", "a dozen") and vague plurals, which give the least
they imply ("tens of thousands": 20,000). Finding the numbers of a text,
merging ranges and dropping what is not a count is `numbers.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notifier.extract.wordtrie import folded

_UNIT_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS_WORDS = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_SCALE_WORDS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_SCALE_SUFFIX = {
    "million": 10**6,
    "mln": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "thousand": 1000,
    "k": 1000,
    "lakh": 100_000,  # South Asian scales: "4 lakh" = 400,000, "2 crore" = 20 million
    "lakhs": 100_000,
    "crore": 10**7,
    "crores": 10**7,
}

#: Vague plurals and the least they imply (EXTRACTION.md, "Values").
VAGUE_VALUES = {
    "dozens": 24,
    "scores": 40,
    "hundreds": 200,
    "thousands": 2000,
    "millions": 2_000_000,
    "tens of thousands": 20_000,
    "hundreds of thousands": 200_000,
    "tens of millions": 20_000_000,
    "hundreds of millions": 200_000_000,
    "several dozen": 24,
    "several hundred": 200,
    "several thousand": 2000,
    "a few dozen": 24,
    "a few hundred": 200,
    "a few thousand": 2000,
}


def _alt(words: object) -> str:
    return "|".join(sorted(map(str, words), key=len, reverse=True))  # type: ignore[call-overload]


_WORD = (
    rf"(?:{_alt(_TENS_WORDS)})(?:-(?:{_alt(k for k in _UNIT_WORDS if 0 < _UNIT_WORDS[k] < 10)}))?"
    rf"|{_alt(k for k in _UNIT_WORDS if k != 'zero')}"
)
_SCALE = _alt([*_SCALE_WORDS, "dozen"])
_WORDNUM = (
    rf"(?:half\s+an?\s+(?:million|billion|dozen)"
    rf"|(?:an?|one|three)\s+quarters?\s+of\s+an?\s+(?:million|billion)\b"
    rf"|(?:{_WORD}|an?)\s+(?:{_SCALE})\b(?:(?:\s+and\s+|\s+|-)(?:{_WORD}|{_SCALE})\b)*"
    rf"|(?:{_WORD})\b(?:(?:\s+and\s+|\s+|-)(?:{_WORD}|{_SCALE})\b)*)"
)
_VAGUE = (
    r"(?:tens|hundreds)\s+of\s+(?:thousands|millions)|(?:several|a\s+few)\s+(?:dozen|hundred|thousand)"
    r"|dozens|scores|hundreds|thousands|millions"
)
# The grouped forms all need a separator after at most three digits: the
# look-ahead spares most numbers trying them one by one.
_DIGITS = (
    r"(?=\d{1,3}+[, \u00a0\u202f]\d)(?:"
    r"\d{1,2}(?:,\d{2})+,\d{3}(?!\d)"  # Indian grouping: 11,34,427
    r"|\d{1,3}(?:,\d{3}(?!\d))+(?:\.\d+)?"
    r"|\d{1,3}(?:[ \u00a0\u202f]\d{3}(?![\d,]))+)"
    r"|\d++(?:\.\d+)?"
)
#: One number as written; its groups tell how (see `parse_token`).
NUMBER_RE = re.compile(
    rf"(?<![\w.,/])(?:(?P<vague>{_VAGUE})\b"
    rf"|(?P<dig>{_DIGITS})(?:(?P<sscale>\s*+(?:million|mln|mn|billion|bn|thousand|lakhs?|crores?)\b)"
    r"|(?P<tscale>m|bn|k)(?![\w]))?(?P<plus>\+)?"
    rf"|(?P<word>{_WORDNUM})(?![\w-]))",
    re.IGNORECASE,
)

#: Words that can open a number in words or a vague plural (`numbers.py` tries
#: the number pattern only at digits and at these words).
NUMBER_START_WORDS = frozenset(
    [*_UNIT_WORDS, *_TENS_WORDS, "half", "several", "dozens", "scores", "hundreds"]
    + ["thousands", "millions", "tens", "a few"]
    + [f"{a} {s}" for a in ("a", "an") for s in ("dozen", "hundred", "thousand", "million")]
    + ["a billion", "a quarter", "one quarter", "three quarters"]
    + [f"{t}-{u}" for t in _TENS_WORDS for u in list(_UNIT_WORDS)[1:10]]
)


@dataclass(slots=True)
class NumberMention:
    """A number in the text: `value` (and `high` for a range) as integers.

    `vague` marks a vague plural ("thousands"): its value is the least it
    implies. `plus` marks "155,000+". `yearlike` marks a bare 1800-2100 that
    is only a count when a noun for people follows it.
    """

    start: int
    end: int
    value: int
    high: int | None = None
    vague: bool = False
    plus: bool = False
    yearlike: bool = False
    word: bool = False
    scale: int = 1


_LETTERS = re.compile(r"[a-z]+")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def parse_words(phrase: str) -> int | None:
    """Value of a number phrase in words, or None when the words do not form one."""
    total = 0
    current = 0.0
    for tok in _LETTERS.findall(phrase.lower()):
        if tok in ("a", "an"):
            current = current or 1
        elif tok == "half":
            current = 0.5
        elif tok in ("and", "of"):
            continue
        elif tok in ("quarter", "quarters"):
            current = (current or 1) * 0.25
        elif tok in _UNIT_WORDS:
            current += _UNIT_WORDS[tok]
        elif tok in _TENS_WORDS:
            current += _TENS_WORDS[tok]
        elif tok == "dozen":
            current = (current or 1) * 12
        elif tok == "hundred":
            current = (current or 1) * 100
        elif tok in _SCALE_WORDS:
            total += int((current or 1) * _SCALE_WORDS[tok])
            current = 0
        else:
            return None
    value = total + int(current)
    return value or None


def _trim_words(text: str, start: int, end: int) -> int:
    """End of a word number, cut before an 'and' that joins two counts.

    "one hundred and twenty" is one number; "two and three" are two.
    """
    phrase = text[start:end]
    for m in _AND.finditer(phrase):
        before = phrase[: m.start()].split()[-1].lower()
        if before not in _SCALE_WORDS:
            return start + m.start()
    return end


_EURO_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _digit_value(digits: str, scale: int | None) -> int | None:
    clean = digits.replace(",", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if scale is None and "." in clean and _EURO_THOUSANDS.fullmatch(clean):
        clean = clean.replace(".", "")  # European thousands: "2.000 mineros"
    number = float(clean)
    if scale is None:
        return int(number) if number.is_integer() else None
    return round(number * scale)


def parse_token(text: str, m: re.Match[str], start: int, end: int) -> NumberMention | None:
    """The mention of `m`, a token of `NUMBER_RE` spanning [start, end) of `text`.

    None when its words form no number or its value is zero.
    """
    group = m.lastgroup  # "vague", "word", or the last group of a number in digits
    if group == "vague":
        key = " ".join(folded(m.group("vague")).split())
        return NumberMention(start, end, VAGUE_VALUES[key], None, True)
    if group == "word":
        end = _trim_words(text, start, end)
        value = parse_words(text[start:end])
        if value is None:
            return None
        return NumberMention(start, end, value, None, False, False, False, True)
    return parse_digits(m, start, end)


def parse_digits(m: re.Match[str], start: int, end: int) -> NumberMention | None:
    """The mention of `m`, a token of `NUMBER_RE` in digits spanning [start, end)."""
    digits = m.group("dig")
    if m.lastgroup == "dig":  # no scale nor "+" (most numbers)
        plain = digits.isdigit()
        whole = digits if plain else digits.replace(",", "")
        if len(whole) <= 15 and whole.isdigit():
            # Up to 15 digits a float is exact, so int() gives what
            # _digit_value would, for "1,136" as for "1136".
            value = int(whole)
            if not value:
                return None
            yearlike = plain and len(digits) == 4 and 1800 <= value <= 2100
            return NumberMention(start, end, value, None, False, False, yearlike)
    suffix = folded((m.group("sscale") or m.group("tscale") or "").strip())
    scale = _SCALE_SUFFIX[suffix] if suffix else None
    scaled = _digit_value(digits, scale)
    if not scaled:
        return None
    yearlike = not suffix and digits.isdigit() and len(digits) == 4 and 1800 <= scaled <= 2100
    # Positional: a dataclass __init__ called with keywords costs twice as much.
    plus = bool(m.group("plus"))
    return NumberMention(start, end, scaled, None, False, plus, yearlike, False, scale or 1)
