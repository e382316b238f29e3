"""HTML to plain text that keeps block boundaries.

Feed content is HTML; the extractor works on sentences and lines, so paragraphs,
list items, headings, table rows and `<br>` must become line breaks, and
scripts/styles must vanish. The stdlib parser is tolerant of the broken markup
feeds carry and fast enough (no tree is built).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    "address article aside blockquote body caption dd div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody "
    "tfoot thead tr ul".split()
)
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl section article".split())
_SKIP = frozenset(("script", "style", "template", "noscript", "head", "svg", "iframe"))
_TAG_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>")


def looks_like_html(text: str) -> bool:
    """True when `text` carries markup (a tag or an entity), not just a stray '<'."""
    return bool(_TAG_HINT.search(text)) or ("&" in text and html.unescape(text) != text)


class _TextParser(HTMLParser):
    """Collects visible text; breaks are merged so nested blocks give one break, not many."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def _break(self, kind: str) -> None:
        while self.parts:
            last = self.parts[-1]
            if last in ("\n", "\n\n"):
                self.parts[-1] = max(last, kind, key=len)
                return
            if last.strip(" "):
                break
            self.parts.pop()  # spaces between blocks are not text
        self.parts.append(kind)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self._break("\n\n" if tag in _PARAGRAPH else "\n")
        if tag == "pre":
            self.pre += 1
        if tag == "li" and not self.skip:
            self.parts.append("• ")
        elif tag in ("td", "th") and self.parts and self.parts[-1] not in ("\n", "\n\n"):
            self.parts.append(" | ")  # a table row stays one line: "1,200 | people killed"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self._break("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self._break("\n\n" if tag in _PARAGRAPH else "\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        # Source line breaks are spaces in HTML, except inside <pre>.
        self.parts.append(data if self.pre else _WHITESPACE.sub(" ", data))


_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2009\u202f]+")
_BLANKS = re.compile(r"\n\s*\n\s*")


def html_to_text(markup: str) -> str:
    """Visible text of `markup`: one blank line between paragraphs, one newline per line break.

    Whitespace inside a line collapses to one space, as a browser would show it.
    """
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    raw = "".join(parser.parts)
    lines = (_SPACES.sub(" ", line).strip() for line in raw.split("\n"))
    text = "\n".join(lines)
    return _BLANKS.sub("\n\n", text).strip()


def to_text(content: str) -> str:
    """Plain text of feed content that may or may not be HTML."""
    return html_to_text(content) if looks_like_html(content) else content.strip()
