"""Split text into sentences, as (start, end) offsets into the text.

Feeds and scraped pages break lines in three ways that matter: paragraph and
list boundaries (a sentence ends), hard-wrapped prose (a line ends mid-sentence
and the next starts in lower case), and key-figure boxes where a number stands
alone on its line above its label ("459" / "people killed"). The last two are
joined, so that a figure and its trigger end up in one sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from notifier.extract.wordtrie import trie_regex

# A block: non-blank lines with single newlines between them, from its first to
# its last non-space character. Only lines inside a block can join, so a text
# of paragraphs (one line each) never reaches the per-line loop of _lines. The
# pattern opens with a character class, so the scan between blocks runs in C.
_BLOCK_RE = re.compile(r"\S(?:[^\n]*\S)?(?:[^\S\n]*\n[^\S\n]*\S(?:[^\n]*\S)?)*")
_NUMBER_ONLY = re.compile(
    r"[•·\-*\s]*(?:about|around|over|some|more than|up to|nearly|approximately|at least|~)?\s*"
    r"[\d.,\u00a0\u202f +]+(?:[mMkK]|bn|mln|million|billion)?\+?\s*$",
    re.IGNORECASE,
)
# Dangling words end a line that goes on on the next one. The words are spelt
# backwards and matched at the start of the reversed line end: one attempt,
# where `\b(?:...)\s*$` would be tried at every character.
_DANGLING_WORDS = (
    "and|or|of|the|to|in|on|at|by|for|from|with|some|about|over|around|nearly|than|as|a|an"
    "|into|were|was|are|is|have|has|had|been|be|had|that|which|who|while|including|least"
)
_DANGLING_REVERSED = re.compile(
    rf"{trie_regex([w[::-1] for w in _DANGLING_WORDS.split('|')])}(?!\w)", re.IGNORECASE
)
# A sentence ends at . ! ? (and closing quotes/brackets) before a space and an
# upper-case letter, a digit, a quote or a bullet. Initials and abbreviations
# ("U.N. Security Council", "4 a.m. Friday") are checked in Python on the few
# matches: look-behinds in the pattern would run at every character.
_SPLIT_RE = re.compile(r"([.!?][\"'\u201d\u2019)\]]*)\s+(?=[\"'\u201c\u2018(\[\u2022A-Z0-9])")
#: _SPLIT_RE for a text with no '!' nor '?': a pattern that opens with a literal
#: is skipped along the text several times faster than one opening with a class.
_SPLIT_DOT_RE = re.compile(_SPLIT_RE.pattern.replace("[.!?]", r"\.", 1))
_ABBREVIATIONS = frozenset(
    """no nos mr mrs ms dr st mt jan feb aug sep sept oct nov dec gen gov vs cf approx incl etc
    lt col capt sgt prof rev est fig""".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?$")
#: Last three letters of the abbreviations of three letters or more: a dot after
#: three ASCII letters that end no abbreviation ("Sindh.") ends a sentence.
_ENDINGS = frozenset(word[-3:] for word in _ABBREVIATIONS if len(word) >= 3)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` closes an initial or an abbreviation, not a sentence.

    `split_sentences` has already ruled out its common case, a dot after three
    ASCII letters that end no abbreviation.
    """
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
    """Logical lines, trimmed: physical lines with wrapped prose and key-figure boxes joined."""
    out: list[tuple[int, int]] = []
    for m in _BLOCK_RE.finditer(text):
        start, end = m.span()
        if text.find("\n", start, end) < 0:
            out.append((start, end))
        else:
            _block_lines(text, start, end, out)
    return out


def _block_lines(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append the trimmed logical lines of the block [start, end) to `out`.

    `_joins` sees whole physical lines, untrimmed: its patterns tell "about "
    from "about", so the block is widened to its first and last physical line.
    """
    first_start = text.rfind("\n", 0, start) + 1
    last_end = text.find("\n", end)
    physical = text[first_start : len(text) if last_end < 0 else last_end].split("\n")
    prev = physical[0]  # the logical line being built
    line_start = start  # its first non-space character
    pos = first_start + len(prev) + 1  # where the next physical line starts
    for line in physical[1:]:
        head = line.lstrip()
        if _joins(prev, head):
            prev = f"{prev}\n{line}"
        else:
            out.append((line_start, pos - 1 - len(prev) + len(prev.rstrip())))
            prev = line
            line_start = pos + len(line) - len(head)
        pos += len(line) + 1
    out.append((line_start, end))


def _joins(prev: str, head: str) -> bool:
    if len(prev) < 40 and number_only(prev) and not number_only(head[:40]):
        return True  # key-figure box: the number above its label
    tail = prev.rstrip()
    if tail[-1:] in ".!?:;":
        return False
    first = head[:1]
    if first.islower():
        return True
    return (first.isalnum() or first == "(") and _DANGLING_REVERSED.match(tail[:-17:-1]) is not None


#: Characters of the number in _NUMBER_ONLY: a line of nothing else is one.
_PLAIN_NUMBER = "0123456789.,\u00a0\u202f +"


def number_only(line: str) -> bool:
    """A key figure's line: _NUMBER_ONLY.fullmatch, with labels ("people killed") ruled out first.

    A line that opens with an ASCII letter no qualifier word starts with cannot
    match, and a failed fullmatch costs as much as ten string tests.
    """
    first = line[:1]
    if first.isascii() and first.isalpha() and first not in "aAoOsSmMuUnN":
        return False
    rest = line.lstrip(_PLAIN_NUMBER)
    if not rest:
        return line != ""  # "76,200": [\d.,\u00a0\u202f +]+ takes it whole
    if first.isascii() and first.isdigit():
        # Nothing before the number takes a digit, so the number starts the
        # line and after it only a unit, '+' and spaces may follow.
        after = rest[0]
        if after.isascii() and after.isalpha() and after not in "mMkKbB":
            return False  # "96 users have voted"
    return _NUMBER_ONLY.fullmatch(line) is not None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, in order; whitespace is trimmed off both ends.

    _SPLIT_RE runs once over the whole text. A match belongs to the logical
    line its '.' is in, and splits it only when its look-ahead lies inside
    that line too: a match that runs across the end of the line is a line
    break, already a sentence end.
    """
    out: list[tuple[int, int]] = []
    lines = _lines(text)
    if not lines:
        return out
    index = 0
    pos, end = lines[0]
    split = _SPLIT_RE if "!" in text or "?" in text else _SPLIT_DOT_RE
    for m in split.finditer(text):
        dot, after = m.span()
        if dot >= end:
            out.append((pos, end))
            index += 1
            pos, end = lines[index]
            while end <= dot:
                out.append((pos, end))
                index += 1
                pos, end = lines[index]
        if after >= end:
            continue
        if text[dot] == ".":
            # _is_abbreviation's common case, tested here without the call (one
            # per sentence): a dot after three ASCII letters that end no
            # abbreviation. When dot < 3 the slice is empty (the match runs at
            # least two characters past the dot) and the call decides.
            last3 = text[dot - 3 : dot]
            if not (
                last3.isascii() and last3.isalpha() and last3.lower() not in _ENDINGS
            ) and _is_abbreviation(text, dot):
                continue
        out.append((pos, m.end(1)))
        pos = after
    out.append((pos, end))
    out.extend(lines[index + 1 :])
    if ("|" in text and " | " in text) or "\t" in text:  # '|': found at memchr speed
        return _split_cells(text, out)
    return out


_CELL_SEPARATOR = re.compile(r"[ \t]*(?: \| |\t)[ \t]*")
# Each opens with a literal, found fast: where the text has cell separators.
_SEPARATOR_LITERALS = [re.compile(p) for p in (r" \| ", r"\t")]


def _split_cells(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences split between table cells that each hold a number.

    "Deaths 315 | Injured 1,630" is two figures, each with its own label: as
    one sentence, "Injured" would reach back to 315. A cell without a number
    ("Abyei | 1,200 killed", "1,200 | people killed") stays with its neighbour.
    """
    seps = sorted(m.start() for p in _SEPARATOR_LITERALS for m in p.finditer(text))
    out: list[tuple[int, int]] = []
    for start, end in sentences:
        i = bisect_left(seps, start)
        if i == len(seps) or seps[i] >= end:
            out.append((start, end))
            continue
        pos = start
        for m in _CELL_SEPARATOR.finditer(text, start, end):
            nxt = _CELL_SEPARATOR.search(text, m.end(), end)
            right_end = end if nxt is None else nxt.start()
            left = max(pos, _cell_start(text, pos, m.start()))
            if _has_digit(text, left, m.start()) and _has_digit(text, m.end(), right_end):
                out.append((pos, m.start()))
                pos = m.end()
        out.append((pos, end))
    return out


def _cell_start(text: str, pos: int, end: int) -> int:
    """Where the last cell of [pos, end) starts."""
    last = max(text.rfind(" | ", pos, end), text.rfind("\t", pos, end))
    return pos if last < 0 else last + 1


def _has_digit(text: str, start: int, end: int) -> bool:
    return any(c.isdigit() for c in text[start:end])
