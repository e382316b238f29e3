"""The text/plain part's layout: paragraphs filled to 78 columns, URLs on lines of their own.

A plain-text reader (a terminal client, a phone's preview, a screen reader)
gets the same content as the HTML part. Every line fits in `TEXT_WIDTH`
columns except a line holding a URL, which is never split so that it stays
clickable and can be copied whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from notifier.render.words import oneline

TEXT_WIDTH = 78
"""The longest line of the text part (RFC 5322 recommends 78), URLs excepted."""
_URL = re.compile(r"""(?i)^[(<"']?https?://\S+$""")
"""A word that is a web link, maybe in brackets or quotes or followed by punctuation."""


def is_url(word: str) -> bool:
    """Whether a word is a web link: such a word is never split, and has a line of its own."""
    return bool(_URL.match(word))


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None) -> str:
    """Fill a paragraph to `width` columns, `first` (default `indent`) before its first line.

    A URL goes on a line of its own, whole; any other word longer than a line
    is split, so no line but a URL's passes `width`. Line breaks in the text
    are collapsed: a feed's text cannot add lines of its own.
    """
    lead = indent if first is None else first
    lines: list[str] = []
    line = lead
    bare = True  # nothing but the line's prefix yet

    def flush() -> None:
        nonlocal line, bare
        if not bare:
            lines.append(line.rstrip())
        line, bare = (lead if not lines else indent), True

    for token in oneline(text).split(" "):
        if not token:
            continue
        if is_url(token):
            flush()
            lines.append(line + token)
            line, bare = indent, True
            continue
        word = token
        while len(word) > max(width - len(indent), 1):
            flush()
            take = max(width - len(line), 1)
            lines.append(line + word[:take])
            word = word[take:]
            line, bare = indent, True
        if not bare and len(line) + 1 + len(word) > width:
            flush()
        line += word if bare else " " + word
        bare = False
    flush()
    return "\n".join(lines)


FIGURE_WORDS = (3, 5)
"""Words kept on the line of a quote's figure, within its clause: before it ("forced more
than") and after it ("people to leave their homes")."""


def wrap_quote(
    text: str, value: int | None = None, width: int = TEXT_WIDTH, indent: str = ""
) -> str:
    """Fill a quote like `wrap`, never splitting the words around its figure (`value`).

    "forced more than 60,000 people to leave their homes" stays on one line,
    so the reader sees the claim whole and a search for it finds it: when the
    plain fill would split it, the line holding the figure starts a few words
    before it instead.
    """
    filled = wrap(text, width, indent)
    words = oneline(text).split(" ")
    at = _word_with(words, value) if value is not None else None
    if at is None:
        return filled
    start, end = _figure_phrase(words, at)
    phrase = " ".join(words[start:end])
    if any(phrase in line for line in filled.split("\n")):
        return filled
    head = wrap(" ".join(words[:start]), width, indent)
    tail = wrap(" ".join(words[start:]), width, indent)
    return f"{head}\n{tail}" if head else tail


def _figure_phrase(words: Sequence[str], at: int) -> tuple[int, int]:
    """The words around the figure at `at` that belong with it, within its clause."""
    before, after = FIGURE_WORDS
    start = at
    while start > max(0, at - before) and not words[start - 1].endswith(_CLAUSE_END):
        start -= 1
    end = at + 1
    while end < min(len(words), at + after + 1) and not words[end - 1].endswith(_CLAUSE_END):
        end += 1
    return start, end


_CLAUSE_END = (",", ";", ":", ".", "?", "!")


def _word_with(words: Sequence[str], value: int) -> int | None:
    """The index of the word in which `value` is written in digits (60,000 / 60000), if any."""
    written = (f"{value:,}", str(value))
    for i, word in enumerate(words):
        digits = word.strip(".,;:()\"'\u201c\u201d")
        if digits in written:
            return i
    return None


def columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool],
    width: int = TEXT_WIDTH,
    gap: str = "  ",
) -> list[str] | None:
    """Rows as aligned columns; the first column wraps to what the others leave of `width`.

    Numbers are right-aligned (`right`), so their digits line up. None when
    the other columns leave the first fewer than 12 columns: the caller
    then lists the rows instead of tabling them.
    """
    n = len(header)
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(n)]
    room = width - sum(widths[1:]) - len(gap) * (n - 1)
    if room < 12:
        return None
    first = min(widths[0], room)
    widths[0] = first

    def cell(i: int, value: str) -> str:
        return value.rjust(widths[i]) if right[i] else value.ljust(widths[i])

    out = [gap.join(cell(i, h) for i, h in enumerate(header)).rstrip()]
    out.append(gap.join("-" * w for w in widths))
    for row in rows:
        names = wrap(row[0], first).split("\n")
        out.append(gap.join(cell(i, v) for i, v in enumerate([names[0], *row[1:]])).rstrip())
        out += names[1:]
    return out
