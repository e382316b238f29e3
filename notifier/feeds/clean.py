"""Text from feeds, made safe and bounded when an Item is built, so nothing later sees the raw form.

A feed's author controls every character of its titles, texts, links and ids.
Control characters (C0 but newline and tab, DEL, C1) can clear a terminal or
write to its clipboard, and CR/LF can split a mail header; bidi overrides and
isolates reorder what a reader sees; lone surrogates cannot even be encoded.
They are removed here. And every field has a cap, so one entry cannot make a
digest too big for the relay.
"""

from __future__ import annotations

import re

MAX_TITLE = 500
"""Characters of a title kept; a longer one is cut at a word, with an ellipsis."""
MAX_LINK = 2048
"""Characters of a link kept; a longer link is dropped (a cut link leads elsewhere)."""
MAX_FIELD = 200
"""Characters of a structured field (an event id, a tag) kept."""
MAX_TAGS = 20
"""Tags or countries read from one entry."""

_NEWLINES = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\ufeff\ufff9-\ufffb\ufffe\uffff"  # BOM, interlinear annotation, non-characters
    "\ud800-\udfff"  # lone surrogates (from a reference to one)
    "\U000e0000-\U000e007f]"  # tag characters: invisible ASCII
)


def clean(text: str) -> str:
    """`text` without control, bidi-override and other invisible formatting characters.

    Line breaks of any kind (CR, CRLF, NEL, U+2028/9) become newlines; tabs stay.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _UNSAFE.sub("", text.translate(_NEWLINES))


def one_line(text: str) -> str:
    """`text` cleaned, its whitespace, line breaks included, collapsed to single spaces."""
    return " ".join(clean(text).split())


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word before `limit` characters with an ellipsis if longer."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    cut = head.rsplit(" ", 1)[0] if " " in head[limit // 2 :] else head
    return cut.rstrip(" ,;:.") + "…"


def field(value: str | None) -> str | None:
    """A structured field on one line, at most MAX_FIELD characters; None when empty."""
    if value is None:
        return None
    return shorten(value, MAX_FIELD) or None
