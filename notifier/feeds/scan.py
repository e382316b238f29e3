"""Feed bytes made safe for feedparser, before it sees them: one linear pass each, no parsing.

feedparser builds every entry of a document before any cap can apply, and it
rejects a whole document for one bad character reference. So the bytes are
first cut after the MAX_ITEMS-th entry, and cleared of what XML forbids
(control bytes, references to characters that cannot exist), here, by scans
that only look for `<` and `&#` and never go back over what they passed.
"""

from __future__ import annotations

import re

_INTERNAL_DTD = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL | re.IGNORECASE)
"""A DOCTYPE with an internal subset. Real feeds never declare entities; hostile ones do
("billion laughs", or one 50 KB entity referenced 20,000 times: 1 GB once expanded).
Dropping the subset leaves the references undefined, so they stay short literal text."""

_TOKEN = re.compile(
    rb"<!--|<!\[CDATA\[|<(/?)((?:[A-Za-z_][\w.-]*:)?(?:item|entry))(?=[\s/>])", re.IGNORECASE
)
"""What the entry scan stops at: comments and CDATA (skipped whole, so markup written
inside them is not counted) and start or end tags of RSS items and Atom entries,
under any namespace prefix."""

_CROWDED_TAG = re.compile(
    rb"(<[^\s<>/!?]++)(?:\s++[^\s=<>/]++\s*+=\s*+(?:\"[^\"<]*+\"|'[^'<]*+')){256,}+"
)
"""A start tag with 256 attributes or more: never in a real feed. expat hands all of
them over in one call, which no deadline can interrupt (1.2 million attributes: 13 s,
490 MB). Possessive, so the scan never goes back: linear in the document."""

_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_WIDE_OR_EBCDIC = (b"\xfe\xff", b"\xff\xfe", b"\x00\x00\xfe\xff", b"\x4c\x6f\xa7\x94")
_STATEFUL = re.compile(rb"iso-?2022|csiso2022", re.IGNORECASE)
"""ISO-2022 encodings switch character sets with ESC, SO and SI: those bytes are text there."""

Span = tuple[int, int]


def prepare(data: bytes, max_entries: int, content_type: str | None = None) -> bytes:
    """The document feedparser is given.

    No internal DTD, no element with hundreds of attributes, no bytes or character
    references XML forbids, and nothing after the first `max_entries` entries.
    """
    data = _INTERNAL_DTD.sub(b"", data, count=1)
    data = _CROWDED_TAG.sub(rb"\1", data)  # the element stays, without its attributes
    if _ascii_compatible(data, content_type):
        data = data.translate(None, _CONTROL_BYTES)
    if b"&#" in data:
        data = _CHAR_REF.sub(_valid_reference, data)
    spans = entry_spans(data, max_entries + 1)
    if len(spans) > max_entries:
        data = _cut(data, spans[max_entries][0], spans[-1])
    return data


def entry_spans(data: bytes, most: int) -> list[Span]:
    """(start, end) of each of the first `most` entries, in one pass that never goes back.

    An entry starts at an item/entry start tag met outside any entry, or at one of
    the same name met inside (an unclosed `<item><item>`, as feedparser reads it);
    an element of that local name under another prefix, inside an entry, is its
    child (`<media:item>`). An entry ends at its end tag, at the next entry's start,
    or at the end of the document. A comment or CDATA section left open hides the
    rest of the document, as it does from an XML parser.
    """
    spans: list[Span] = []
    inside: bytes | None = None
    pos = 0
    while True:
        found = _TOKEN.search(data, pos)
        if found is None:
            break
        token = found.group()
        if token.startswith(b"<!"):
            closer = b"-->" if token == b"<!--" else b"]]>"
            end = data.find(closer, found.end())
            if end < 0:
                break
            pos = end + len(closer)
            continue
        tag_end = data.find(b">", found.end())
        if tag_end < 0:
            break
        pos = tag_end + 1
        name = found.group(2).lower()
        if found.group(1):  # an end tag
            if name == inside:
                spans[-1] = (spans[-1][0], pos)
                inside = None
            continue
        if inside is not None and name != inside:
            continue  # a child element that shares the local name
        if len(spans) == most:
            break
        if inside is not None:
            spans[-1] = (spans[-1][0], found.start())
        spans.append((found.start(), pos))
        inside = None if data[tag_end - 1 : tag_end] == b"/" else name
    if inside is not None and spans:
        spans[-1] = (spans[-1][0], len(data))
    return spans


def _cut(data: bytes, cut: int, extra: Span) -> bytes:
    """`data` without the entries from `cut` on, keeping what follows the last entry.

    What follows the last entry of the document (`</channel></rss>`, `</feed>`)
    is found from the end: the last end tag, or self-closing start tag, of an
    entry of the same name as the first one dropped.
    """
    name = _TOKEN.match(data, extra[0])
    raw = name.group(2) if name else b"item"
    tail = max(_last_end(data, b"</" + raw, cut), _last_end(data, b"<" + raw, cut, empty=True))
    return data[:cut] + data[tail:] if tail > cut else data[:cut]


def _last_end(data: bytes, opening: bytes, after: int, *, empty: bool = False) -> int:
    """End of the last tag after `after` that starts with `opening`; -1 if there is none.

    With `empty`, only a self-closing tag counts (the last entry's start tag, when
    the entry has no end tag to find).
    """
    end = len(data)
    while (start := data.rfind(opening, after, end)) >= 0:
        end = start
        if data[start + len(opening) : start + len(opening) + 1] not in _NAME_ENDS:
            continue  # <items>, </items>: another element
        close = data.find(b">", start)
        if close < 0 or (empty and data[close - 1 : close] != b"/"):
            return -1
        return close + 1
    return -1


_NAME_ENDS = (b" ", b"\t", b"\r", b"\n", b"/", b">")


def _ascii_compatible(data: bytes, content_type: str | None) -> bool:
    """True when control bytes in `data` can only be control characters.

    Not so in UTF-16/32 (every other byte of ASCII text is NUL), EBCDIC, or ISO-2022.
    """
    head = data[:512]
    if head.startswith(_WIDE_OR_EBCDIC) or b"\x00" in head[:4]:
        return False
    return not (_STATEFUL.search(head) or _STATEFUL.search((content_type or "").encode()))


def _valid_reference(ref: re.Match[bytes]) -> bytes:
    """A character reference XML allows, as it was; else U+FFFD, or nothing for a control.

    U+FFFD stands for a character that cannot exist (a surrogate, past U+10FFFF).
    """
    hexa, decimal = ref.group(1), ref.group(2)
    digits = (hexa or decimal).lstrip(b"0") or b"0"
    if len(digits) > 8:
        return b"&#xFFFD;"
    value = int(digits, 16 if hexa else 10)
    if value in (0x9, 0xA, 0xD) or 0x20 <= value <= 0xD7FF or 0xE000 <= value <= 0xFFFD:
        return ref.group()
    if 0x10000 <= value <= 0x10FFFF:
        return ref.group()
    return b"" if value < 0x20 else b"&#xFFFD;"
