"""Find every number in a text that could be a count, ranges merged.

`NumberIndex` scans a text once for where its numbers are (how a number is
written and its value: `numerals.py`), then works out values, ranges ("between
2,000 and 3,000", "2,000-3,000") and exclusions only in the sentences asked for.
Deciding whether a number is a figure is `figures.py`'s job: this module only
drops what can never be a count (money, percentages, times, dates, codes,
ratios). The scan and the exclusion tests are gated so that most of the text
and most numbers cost a character-class skip or a dictionary look-up.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from notifier.extract.numerals import (
    NUMBER_RE,
    NUMBER_START_WORDS,
    NumberMention,
    parse_digits,
    parse_token,
)
from notifier.extract.wordtrie import lower_pattern, lowered, trie_regex

_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_DATE_AFTER = re.compile(rf"\s*(?:{_MONTHS})\b\.?")
_DATE_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s*$")
_MONEY_BEFORE = re.compile(
    r"(?:[$€£¥₹\u20a0-\u20cf\u09f3]|\b(?:US|USD|EUR|CHF|GBP|Rs|Tk|Sh|KSh|KES|NGN|PHP|MZN|INR|PKR"
    r"|BDT|AFN|ETB|SDG|UAH|TRY|ZAR|AUD|CAD|MXN|COP|BRL|XOF|XAF|CFA|FCFA|Ksh|Tsh|Ush)"
    r"\s?\$?)\s*$",
)
_CURRENCIES = """dollar dollars euro euros franc francs pound pounds kronor krona kroner taka
    rupee rupees reais real dirham dirhams peso pesos yuan yen rand naira shilling shillings dinar
    dinars riyal riyals lira cedi cedis birr kwacha afghanis hryvnia hryvnias ruble rubles rouble
    roubles usd eur""".split()
# Tried after every number: the currencies as a trie, and the word before them
# possessive (giving letters back to it can never let white space follow).
_MONEY_AFTER = re.compile(
    rf"\s*+(?:[a-z]++\s+)?{trie_regex(frozenset(_CURRENCIES))}\b",
    re.IGNORECASE,
)
_GLUED_UNIT = re.compile(r"[^\W\d_]")
_PERCENT_AFTER = re.compile(r"\s*(?:%|per\s*cent\b|percent\b|pc\b|percentage\b)", re.IGNORECASE)
_TIME_AFTER = re.compile(r"(?::\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT\b|UTC\b|hrs\b|h\b))")
# Words a number after which is a code, not a count: "Phase 3", "Resolution 2417".
_CODE_WORDS = """no nos number phase level category magnitude resolution update chapter page
    article tel fax ext vol issue item room flight route highway grade step round stage part
    section annex box figure table paragraph covid sr ipc""".split()
_CODE_BEFORE = re.compile(
    rf"(?:\b(?:{'|'.join(_CODE_WORDS)})\.?\s*|[+#:/\u2013]|(?<!-)-|\d[ .])$",
    re.IGNORECASE,
)
_RATIO_AFTER = re.compile(
    r"\s+(?:in|out of)\s+(?:\d|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE
)
_RATIO_BEFORE = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:in|out of)\s+$",
    re.IGNORECASE,
)
# A number that names, after a capitalised noun: "Camp 11", "Block 4", "Zone 3".
_NAME_WORDS = """Camp Block Sector Zone Site Road Gate Ward Building Station Checkpoint Unit
    Battalion Brigade Division Terminal Platform Plot Area""".split()
_NAME_BEFORE = re.compile(rf"\b(?:{'|'.join(_NAME_WORDS)})\s$")
_RANGE_JOIN = re.compile(r"\s*(?:-|\u2013|—|to)\s*$")
_RANGE_JOINERS = frozenset(["-", "\u2013", "—", "to"])
_BETWEEN = re.compile(r"\bbetween\s*$", re.IGNORECASE)
_AND_JOIN = re.compile(r"\s+and\s+$", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\bfrom\s*$", re.IGNORECASE)

_AFTER_EXCLUDED = re.compile(
    "|".join(
        f"(?:{p.pattern})" if not p.flags & re.IGNORECASE else f"(?i:{p.pattern})"
        for p in (_MONEY_AFTER, _PERCENT_AFTER, _TIME_AFTER, _RATIO_AFTER, _DATE_AFTER)
    )
)
_BEFORE_EXCLUDED = re.compile(
    "|".join(
        f"(?:{p.pattern})" if not p.flags & re.IGNORECASE else f"(?i:{p.pattern})"
        for p in (_MONEY_BEFORE, _RATIO_BEFORE, _DATE_BEFORE)
    )
)


_BEFORE_OR_CODE = re.compile(
    f"{_BEFORE_EXCLUDED.pattern}|(?i:{_CODE_BEFORE.pattern})|{_NAME_BEFORE.pattern}"
)


#: Lower-case words that can open an exclusion after a number, once blanks are
#: skipped: percentages, times, months, ratios ("in", "out of") and currencies.
_AFTER_WORDS = frozenset(
    """percent pc percentage am pm gmt utc hrs h in january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov
    dec""".split()
) | {"per cent", "out of"}
# A necessary condition of _AFTER_EXCLUDED or a glued unit, matched on the
# lower-cased text: case-sensitive literals whose first characters rule out a
# branch at once, where the IGNORECASE pattern tries every branch. Right after
# the number any character but a blank, a digit or common punctuation lets the
# exact patterns decide ("%", ":15", "km", "23rd"); after blanks, only a word
# of _AFTER_WORDS, a currency, or one word then a currency can follow.
_AFTER_WORDS_RE = trie_regex(_AFTER_WORDS, space=r"\s*")
_AFTER_GATE = re.compile(
    rf"[^\s\d.,;)\]\-]|\s++(?:%|[ap]\.m\.|{_AFTER_WORDS_RE}\b"
    rf"|(?:[a-z]++\s++)?{trie_regex(frozenset(_CURRENCIES))}\b)"
)


def _excluded(text: str, low: str | None, n: NumberMention) -> bool:
    """True for numbers that are never counts: money, percentages, times, dates, codes.

    One combined pattern on each side keeps this to two regex calls per number;
    `low` (the lower-cased text, None when it may not stand in for `text`) lets
    a faster gate skip the pattern after most numbers.
    """
    end = n.end
    if low is None or _AFTER_GATE.match(low, end, end + 24):
        if _AFTER_EXCLUDED.match(text, end, end + 24):
            return True
        if not n.word and not n.vague and _GLUED_UNIT.match(text, end, end + 1):
            return True  # "35C", "3km", "23rd": a unit or an ordinal glued to the digits
    start = n.start
    before = text[start - 14 if start > 14 else 0 : start]
    if not _may_end_exclusion(before):
        return False
    if n.vague or n.word:
        return _BEFORE_EXCLUDED.search(before) is not None
    return _BEFORE_OR_CODE.search(before) is not None


#: Every word that can end a match of _BEFORE_OR_CODE (money, ratio, date, code).
_BEFORE_WORDS = (
    frozenset(
        """us usd eur chf gbp rs tk sh ksh kes ngn php mzn inr pkr bdt afn etb sdg uah try zar aud
    cad mxn cop brl xof xaf cfa fcfa tsh ush in of january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec""".split()
    )
    | frozenset(_CODE_WORDS)
    | frozenset(w.lower() for w in _NAME_WORDS)
)


def _may_end_exclusion(before: str) -> bool:
    """False when no exclusion before a number can match `before`: a cheap test first.

    Each alternative of _BEFORE_OR_CODE ends, before trailing spaces, with a
    symbol, a digit, a dot or one of _BEFORE_WORDS standing as a whole word.
    """
    tail = before.rstrip()
    if not tail:
        return False
    last = tail[-1]
    if not (last.isalnum() or last == "_"):
        return last in "$\u20ac\u00a3\u00a5\u20b9+#:/-\u2013.\u09f3" or "\u20a0" <= last <= "\u20cf"
    if last.isdecimal():
        return True
    word = tail.rsplit(None, 1)[-1]
    if not word.isalpha():
        return True  # "(US", "x_no": let the pattern decide
    word = word.lower()
    if word == "of":
        # "of" only ends a ratio, "out of" (IGNORECASE folds no other letter to these).
        return tail[-6:].lower() == "out of"
    return word in _BEFORE_WORDS


# One pass finds every token. The pattern consumes the character before the
# number instead of looking behind for it (NUMBER_RE's look-behind): a pattern
# that opens with a character class is skipped along the text in C, one that
# opens with a look-behind is tried at every character. The look-ahead gate
# lets the number alternation run only at digits and number words. The text is
# scanned with a space in front, so that a number at its very start has a
# character before it.
#
# The class that opens it is [^a-z0-9_.,/], which re tests from a bitmap, where
# [^\w.,/] would ask the Unicode database at every character; it takes every
# character [^\w.,/] takes (also under IGNORECASE: what folds to a-z is a
# letter), and the look-behind after the gate, run only where a number starts,
# keeps the consumed character to [^\w.,/].
_START = rf"(?=\d|{trie_regex(NUMBER_START_WORDS)}(?![\w]))"
_BODY = NUMBER_RE.pattern.removeprefix(r"(?<![\w.,/])")
_SCAN_RE = re.compile(rf"[^a-z0-9_.,/]{_START}(?<![\w.,/]){_BODY}", re.IGNORECASE)
_SCAN_LOW = re.compile(lower_pattern(_SCAN_RE.pattern))
#: For lower-cased ASCII text the class alone decides.
_SCAN_ASCII = re.compile(_SCAN_LOW.pattern.replace(r"(?<![\w.,/])", "", 1))
#: Two numbers further apart than this never form a range (see _merge_range).
_RANGE_GAP = 6


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in `text` that could be a count, ranges merged, sorted by start."""
    return NumberIndex(text).between(0, len(text))


class NumberIndex:
    """The numbers of one text, parsed only where they are asked for.

    One scan finds where every number token starts and ends (as `find_numbers`
    would, including a word number cut before "and"); values, ranges and
    exclusions are worked out per request, from the run of tokens around it
    that lie within range-joining distance of each other, so a request sees
    exactly what a parse of the whole text would give.
    """

    def __init__(self, text: str, low: str | None = None) -> None:
        if low is None:
            low = lowered(text)
        self.text = text
        self.low = low
        # (start, end, match or parsed mention or None) for every token.
        self.tokens = _tokens(text, low)
        self.starts = [t[0] for t in self.tokens]

    def has_any(self, start: int, end: int) -> bool:
        """True when a number token starts in [start, end) (it may still not be a count)."""
        i = bisect_left(self.starts, start)
        return i < len(self.starts) and self.starts[i] < end

    def between(self, start: int, end: int) -> list[NumberMention]:
        """The numbers that start in [start, end), as `find_numbers` on the whole text."""
        tokens = self.tokens
        lo = bisect_left(self.starts, start)
        hi = bisect_left(self.starts, end, lo)
        if lo == hi:
            return []
        while lo > 0 and tokens[lo][0] - tokens[lo - 1][1] <= _RANGE_GAP:
            lo -= 1
        while hi < len(tokens) and tokens[hi][0] - tokens[hi - 1][1] <= _RANGE_GAP:
            hi += 1
        singles = []
        for token_start, token_end, parsed in tokens[lo:hi]:
            if isinstance(parsed, NumberMention):
                singles.append(parsed)
            elif parsed is not None:  # only numbers in digits are left to parse
                n = parse_digits(parsed, token_start, token_end)
                if n is not None:
                    singles.append(n)
        return _combine(self.text, self.low, singles, start, end)


_Token = tuple[int, int, "re.Match[str] | NumberMention | None"]


def _tokens(text: str, low: str | None) -> list[_Token]:
    """Every number token, in order; digits are parsed later, words and vague plurals now."""
    if low is None:
        scan, pattern = text, _SCAN_RE
    else:
        scan, pattern = low, _SCAN_ASCII if low.isascii() else _SCAN_LOW
    padded = " " + scan
    out: list[_Token] = []
    pos = 0
    while pos >= 0:
        resume = -1
        for m in pattern.finditer(padded, pos):
            # Offsets in `padded`: the match starts at the character before the
            # number, which is the number's offset in the text.
            start, end = m.start(), m.end() - 1
            if m.lastgroup not in ("word", "vague"):
                out.append((start, end, m))
                continue
            n = parse_token(text, m, start, end)
            if n is None:
                out.append((start, end, None))
                continue
            out.append((start, n.end, n))
            if n.end < end:
                # A word number cut before "and": the scan goes on after the cut
                # ("two and three" are two numbers).
                resume = n.end
                break
        pos = resume
    return out


def _combine(
    text: str, low: str | None, singles: list[NumberMention], start: int, end: int
) -> list[NumberMention]:
    """Ranges merged from adjacent numbers, then those that start in [start, end) and can be counts.

    The numbers around [start, end) only serve to merge ranges as a parse of
    the whole text would: whether they are counts is not asked.
    """
    out: list[NumberMention] = []
    count = len(singles)
    i = 0
    while i < count:
        n = singles[i]
        i += 1
        # Most neighbours are too far apart to form a range: ruled out before a call.
        if i < count and singles[i].start - n.end <= _RANGE_GAP:
            merged = _merge_range(text, n, singles[i])
            if merged is not None:
                n = merged
                i += 1
        if start <= n.start < end and not _excluded(text, low, n):
            out.append(n)
    return out


def _merge_range(text: str, low: NumberMention, high: NumberMention) -> NumberMention | None:
    """One range mention from "A-B", "A to B" or "between A and B", else None."""
    if low.vague or high.vague or high.start - low.end > _RANGE_GAP:
        return None
    gap = text[low.end : high.start]
    joiner = gap.strip()
    # What _RANGE_JOIN or _AND_JOIN can leave between the blanks (IGNORECASE
    # folds no other letter to "a", "n" or "d"): ":", "," or "of" end here.
    if joiner not in _RANGE_JOINERS and joiner.lower() != "and":
        return None
    before = text[max(0, low.start - 12) : low.start]
    dashed = bool(_RANGE_JOIN.match(gap)) and len(gap) <= 5 and not _FROM_BEFORE.search(before)
    between = bool(_AND_JOIN.match(gap)) and bool(_BETWEEN.search(before))
    if not (dashed or between):
        return None
    lo, hi = low.value, high.value
    if high.scale > 1 and low.scale == 1 and not low.word and lo * high.scale <= hi:
        lo *= high.scale  # "between 2 and 3 million": the scale is written once
    if hi <= lo or low.yearlike or high.yearlike:
        return None
    return NumberMention(low.start, high.end, lo, hi, False, high.plus, False, low.word)
