"""Give the rows of a table or a list the kind that their header or heading names.

A figure's trigger is usually beside its number. In a table it is not: the
header row says "District | Displaced | Killed" and the rows below carry bare
numbers ("Abyei | 1,200 | 15"); a heading "Deaths by district" stands over
lines "Garissa: 12". `table_edits` returns edits (see `normalise`) that write
the header's kind word after each number of its column ("1,200 Displaced"),
so that the sentence cascade sees a trigger beside the number; the figures'
offsets are mapped back to the original, whose evidence is printed.

Cells are separated as `notifier.htmltext` writes table rows (" | ") or as
plain text does (tabs). Rows with a label beside each number ("Deaths 315 |
Injured 1,630") need no header: `sentences` splits them at the separator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from notifier.extract.normalise import Edit

# A header cell or a heading names a kind with one of these words.
_KIND_WORD = re.compile(
    r"\b(?:displaced|displacement|idps?|evacuated|evacuees|refugees|homeless|killed|dead"
    r"|deaths?|fatalities|injured|injuries|wounded|missing|casualties|affected"
    r"|in need|at risk)\b",
    re.IGNORECASE,
)
# A cell that is a number and nothing else ("1,200", "~3.4k", "12,000+").
_NUMBER_CELL = re.compile(r"\s*[~\u2248]?\d[\d,.\u00a0\u202f]*(?:\s?(?:[kKmM]|million))?\+?\s*$")
# A line that ends with a number: a row under a heading ("Garissa: 12").
# Searched for as a line break after a digit: a literal first is found fast.
_ROW_END = re.compile(r"\n(?<=[0-9]\n)")
_ROW = re.compile(r"[^\n\d]{1,50}?(?:\s*[:|\t\-\u2013]\s*|\s+)(\d[\d,.]*)[ \t]*$")
_SEPARATOR = re.compile(r" \| |\t")
_MAX_LINE = 60


def table_edits(text: str) -> list[Edit]:
    """Insertions of kind words after the numbers of headed columns and lists."""
    edits: list[Edit] = []
    if " | " in text or "\t" in text:
        _headed_columns(text, edits)
    if "\n" in text:
        _headed_lists(text, edits, _ROW_END.finditer(text))
    return edits


def _headed_columns(text: str, edits: list[Edit]) -> None:
    """Rows under a header row whose cells name kinds."""
    header: dict[int, str] | None = None
    width = 0
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if " | " not in line and "\t" not in line:
            header = None
            continue
        cells = _SEPARATOR.split(line)
        if not any(c.isdigit() for c in line):
            kinds = {}
            for i, cell in enumerate(cells):
                m = _KIND_WORD.search(cell)
                if m is not None and len(cell) <= 40:
                    kinds[i] = m.group(0)
            header, width = (kinds or None), len(cells)
            continue
        if header is None or len(cells) != width:
            continue
        offset = start
        for i, cell in enumerate(cells):
            if i in header and _NUMBER_CELL.match(cell) and _KIND_WORD.search(cell) is None:
                at = offset + len(cell.rstrip())
                edits.append((at, at, f" {header[i]}"))
            offset += len(cell)
            sep = _SEPARATOR.match(text, offset)
            offset = offset if sep is None else sep.end()


def _headed_lists(text: str, edits: list[Edit], row_ends: Iterator[re.Match[str]]) -> None:
    """Lines "Name: 12" under a short heading that names a kind ("Deaths by district")."""
    done = 0
    for m in row_ends:
        if m.start() < done:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        # Walk up over the rows to the line above them.
        rows: list[int] = []
        first = line_start
        while True:
            line_end = text.find("\n", first)
            line = text[first : len(text) if line_end < 0 else line_end]
            row = _ROW.match(line) if len(line) <= _MAX_LINE else None
            if row is None or _KIND_WORD.search(line) is not None:
                break
            rows.append(first + row.end(1))
            if first == 0:
                first = -1
                break
            first = text.rfind("\n", 0, first - 1) + 1
        # Then down over the rows below the matched one.
        below = text.find("\n", m.start())
        while below >= 0 and rows:
            nxt = below + 1
            line_end = text.find("\n", nxt)
            line = text[nxt : len(text) if line_end < 0 else line_end]
            row = _ROW.match(line) if len(line) <= _MAX_LINE else None
            if row is None or _KIND_WORD.search(line) is not None:
                break
            rows.append(nxt + row.end(1))
            below = line_end
        done = len(text) if below < 0 else below
        if not rows or first < 0:
            continue
        heading_end = text.find("\n", first)
        heading = text[first:heading_end]
        kind = _KIND_WORD.search(heading)
        if kind is None or len(heading) > _MAX_LINE or any(c.isdigit() for c in heading):
            continue
        edits.extend((at, at, f" {kind.group(0)}") for at in rows)
