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
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td "
    "tfoot th thead tr ul".split()
)
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl section article".split())
_SKIP = frozenset(("script", "style", "template", "noscript", "head", "svg", "iframe"))
_TAG_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>")


def looks_like_html(text: str) -> bool:
    """True when `text` carries markup (a tag or an entity), not just a stray '<'."""
    return bool(_TAG_HINT.search(text)) or ("&" in text and html.unescape(text) != text)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag in _PARAGRAPH else "\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag in _PARAGRAPH else "\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


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
