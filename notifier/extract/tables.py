"""Give the numbers of tables, lists and key-figure boxes the kind their labels name.

A figure's trigger is usually beside its number. In a table it is not: the
header row says "District | Displaced | Killed" and the rows below carry bare
numbers ("Abyei | 1,200 | 15"); a heading "Deaths by district" stands over
lines "Garissa: 12"; a key-figure box may put its label above its number
("People in need" / "1.2M"). `table_edits` returns edits (see `normalise`)
that write the kind after each such number ("1,200 people displaced"), so
that the sentence cascade sees a trigger beside the number; the figures'
offsets are mapped back to the original, whose evidence is printed.

Cells are separated as `notifier.htmltext` writes table rows (" | "), or as
plain text does (tabs, or runs of three spaces and more). Rows with a label
beside each number ("Deaths 315 | Injured 1,630") need no header:
`sentences` splits them at the separator. A number above its label (the
common key-figure box) is joined to it by `sentences` too.
"""

from __future__ import annotations

import re

from notifier.extract.normalise import Edit
from notifier.extract.sentences import number_only

# A header cell, a heading or a label names a kind with one of these words.
_KIND_WORD = re.compile(
    r"\b(?:(?P<displaced>displaced|displacements?|idps?|evacuated|evacuees|refugees|homeless"
    r"|asylum[- ]seekers|in (?:[a-z]+ )?(?:shelters|camps|sites|cent(?:re|er)s))"
    r"|(?P<killed>killed|dead|deaths?|fatalities)|(?P<injured>injured|injuries|wounded)"
    r"|(?P<missing>missing)|(?P<casualties>casualties)"
    r"|(?P<at_risk>affected|in need|at risk))\b",
    re.IGNORECASE,
)
#: What is written after a number for each group of _KIND_WORD.
_WRITTEN = {
    "displaced": "displaced",
    "killed": "killed",
    "injured": "injured",
    "missing": "missing",
    "casualties": "casualties",
    "at_risk": "in need",
}
# A label that counts things, not people: "Houses affected", "Schools damaged".
_THINGS = re.compile(
    r"\b(?:houses?|homes?|shelters?|buildings?|schools?|facilit\w*|hospitals?|roads?|bridges?"
    r"|districts?|areas?|villages?|communities|provinces?|regions?|hectares?|ha|km|acres?"
    r"|livestock|animals?|cattle|crops?|cases?|incidents?|attacks?|trucks?|vehicles?"
    r"|sites?|camps?|cent(?:re|er)s?|locations?|settlements?"
    r"|percent(?:age)?|rate|share|proportion|ratio)\b",
    re.IGNORECASE,
)
_GROUPED_BY = re.compile(r"\s(?:by|per|in each)\s", re.IGNORECASE)
_HOUSEHOLDS = re.compile(r"\b(?:households|families)\b", re.IGNORECASE)
# A cell that is a number and nothing else ("1,200", "~3.4k", "12,000+").
_NUMBER_CELL = re.compile(r"\s*[~\u2248]?\d[\d,.\u00a0\u202f]*(?:\s?(?:[kKmM]|million))?\+?\s*$")
# Line ends after a digit, a scale letter or '+': where rows and key figures
# end. The pattern opens with the line break, a literal that is found fast.
_ROW_END = re.compile(r"\n(?:(?<=[0-9]\n)|(?<=[0-9][mMkK+]\n))")
# A row of a list: a name and a number ("Garissa: 12", "• Juba - 3,400").
_ROW = re.compile(r"[^\n\d]{1,50}?(?:\s*[:|\t\-\u2013]\s*|\s+)(\d[\d,.]*)[ \t]*$")
# A year is no count: "In 2024" under a heading is prose, "2019 | 1,200" a year's row.
_YEAR = re.compile(r"\s*(?:19|20)\d\d\s*$")
# A pipe takes the spaces that pad its cells ("Bay      | 312,000"), or a run of
# spaces before it would split first and leave the pipe in the next cell.
_SEPARATOR = re.compile(r" +\| +|\t| {3,}")
# A Markdown rule under a header row ("|---|:--:|"): it neither heads nor ends the table.
_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")
_MAX_LINE = 60
_MAX_BLOCK = 40  # lines walked up from a row to find its heading


def table_edits(text: str) -> list[Edit]:
    """Insertions of kinds after the numbers of headed columns, lists and key figures."""
    edits: list[Edit] = []
    if "\n" not in text:
        ends = []
    else:
        ends = [m.start() for m in _ROW_END.finditer(text)]
        if text[-1:].isdigit() or text[-1:] in ("m", "M", "k", "K", "+"):
            ends.append(len(text))
    # '|' and '\t' are found at memchr speed; a run of spaces is looked for
    # only where lines end in numbers, as a space-aligned table's rows do.
    if ("|" in text and " | " in text) or "\t" in text or (ends and "   " in text):
        _headed_columns(text, edits)
    if ends:
        _headed_rows(text, ends, edits)
    return edits


def _label(cell: str) -> str | None:
    """What to write after a number that `cell` labels ("people displaced"), if it names a kind.

    The kind must be named before any "by district" ("Deaths by district"; not
    "Top countries by displacement"), and the label must count people: not
    "Houses affected", not "Affected (%)".
    """
    if len(cell) > 40 or any(c.isdigit() for c in cell):
        return None
    head = _GROUPED_BY.split(cell, maxsplit=1)[0]
    m = _KIND_WORD.search(head)
    # The things are looked for outside the kind's words ("In safety centres" counts people).
    if m is None or m.lastgroup is None or "%" in cell:
        return None
    if _THINGS.search(head[: m.start()]) or _THINGS.search(head[m.end() :]):
        return None
    unit = "households" if _HOUSEHOLDS.search(cell) else "people"
    return f"{unit} {_WRITTEN[m.lastgroup]}"


def _headed_columns(text: str, edits: list[Edit]) -> None:
    """Rows under a header row whose cells name kinds."""
    header: dict[int, str] | None = None
    width = 0
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if header is not None and _RULE.match(line.strip()):
            continue
        if " | " not in line and "\t" not in line and "   " not in line:
            header = None
            continue
        # A Markdown row opens and closes with '|': the cells are between.
        inner = line.strip().strip("|").strip()
        cells = _SEPARATOR.split(inner)
        if not any(c.isdigit() for c in line):
            kinds = {i: label for i, cell in enumerate(cells) if (label := _label(cell))}
            _households_column(cells, kinds)
            header, width = (kinds or None), len(cells)
            continue
        if header is not None and len(cells) == width + 1:
            # An empty corner cell (row names above no header) is lost in
            # conversion: the header names the last columns.
            header, width = {i + 1: label for i, label in header.items()}, width + 1
        if header is None or len(cells) != width:
            _labelled_cells(line, start, cells, edits)
            continue
        offset = start + line.find(inner)
        aligned = " | " not in line and "\t" not in line
        for i, cell in enumerate(cells):
            if i in header and _NUMBER_CELL.match(cell) and not _YEAR.match(cell):
                at = offset + len(cell.rstrip())
                edits.append((at, at, f" {header[i]}"))
            offset += len(cell)
            sep = _SEPARATOR.match(text, offset)
            if sep is not None and aligned:
                # Spaces made a cell separator that `sentences` splits at.
                edits.append((sep.start(), sep.end(), " | "))
            offset = offset if sep is None else sep.end()


def _households_column(cells: list[str], kinds: dict[int, str]) -> None:
    """A bare "Households" column counts the households of the table's one kind of people.

    "Locality | IDPs | Households": the second column counts displaced households.
    """
    written = {label.split(" ", 1)[1] for label in kinds.values()}
    if len(written) != 1:
        return
    kind = written.pop()
    for i, cell in enumerate(cells):
        if i not in kinds and _BARE_HOUSEHOLDS.fullmatch(cell.strip()):
            kinds[i] = f"households {kind}"


_BARE_HOUSEHOLDS = re.compile(r"(?:households|families|hh|no\.? of (?:households|families))", re.I)


# A cell of a label and its number ("Missing 12", "In need: 5,000").
_LABELLED_CELL = re.compile(r"([^\d|\t]{3,40}?)\s*:?\s*(\d[\d,.]*(?:\s?[kKmM]\b|\s?million)?)\s*$")


def _labelled_cells(line: str, start: int, cells: list[str], edits: list[Edit]) -> None:
    """The kind of each label after its number, in a row of labelled cells."""
    if len(cells) < 2:
        return
    offset = 0  # in the line
    for cell in cells:
        cell_start = line.find(cell, offset)
        offset = cell_start + len(cell)
        m = _LABELLED_CELL.match(cell)
        label = None if m is None else _label(m.group(1))
        if m is not None and label:
            at = start + cell_start + m.end(2)
            edits.append((at, at, f" {label}"))


def _lines_up(text: str, end: int) -> list[tuple[int, int]]:
    """The lines of the block that ends at `end`, last first, up to a blank line or _MAX_BLOCK."""
    out: list[tuple[int, int]] = []
    while len(out) < _MAX_BLOCK:
        start = text.rfind("\n", 0, end) + 1
        if not text[start:end].strip():
            break
        out.append((start, end))
        if start == 0:
            break
        end = start - 1
    return out


def _headed_rows(text: str, ends: list[int], edits: list[Edit]) -> None:
    """Rows "Garissa: 12" under a heading that names a kind, and key figures under their labels."""
    done = -1
    for end in ends:
        if end <= done:
            continue
        lines = _lines_up(text, end)
        lines.reverse()
        # The block goes on below the row: its last line ends the work.
        below = end
        while below < len(text) and text[below] == "\n" and below + 1 < len(text):
            nxt = text.find("\n", below + 1)
            nxt = len(text) if nxt < 0 else nxt
            if not text[below + 1 : nxt].strip():
                break
            lines.append((below + 1, nxt))
            below = nxt
        done = below
        _label_rows(text, lines, edits)


def _label_rows(text: str, lines: list[tuple[int, int]], edits: list[Edit]) -> None:
    """Edits for one block of lines: a list under a heading, or key figures under labels."""
    texts = [text[s:e].strip() for s, e in lines]
    first = next((i for i, t in enumerate(texts) if number_only(t)), None)
    if first is not None and first > 0 and _label(texts[first - 1]):
        # Key figures with their labels above them: every label gives its number its kind.
        for i in range(first, len(texts)):
            label = _label(texts[i - 1]) if number_only(texts[i]) else None
            if label:
                at = lines[i][0] + len(text[lines[i][0] : lines[i][1]].rstrip())
                edits.append((at, at, f" {label}"))
        return
    if len(texts) == 1 and number_only(texts[0]):
        _lone_key_figure(text, lines[0], edits)
        return
    heading: str | None = None
    heading_at = _heading_above(text, lines[0][0])
    if heading_at is not None:
        heading = _label(heading_at) if len(heading_at) <= _MAX_LINE else None
    run: list[int] = []  # where the kind goes in the rows under the heading
    for i, line in enumerate(texts):
        row = _ROW.match(line) if len(line) <= _MAX_LINE else None
        if (
            row is not None
            and not _KIND_WORD.search(line)
            and line[:1] in _ROW_OPENERS
            and not _YEAR.match(row.group(1))
        ):
            start = text.find(line, lines[i][0])  # where the stripped line starts
            run.append(start + row.end(1))
            continue
        _flush(heading, run, edits)
        heading = _label(line) if len(line) <= _MAX_LINE and line[:1].isupper() else None
    _flush(heading, run, edits)


#: What a row of a list opens with: a capital (a place) or a bullet.
_ROW_OPENERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ\u2022\u00b7*-\u2013")


def _flush(heading: str | None, run: list[int], edits: list[Edit]) -> None:
    """The kind of the heading after each row of the run, when it is a list (two rows or more)."""
    if heading and len(run) >= 2:
        edits.extend((at, at, f" {heading}") for at in run)
    run.clear()


def _lone_key_figure(text: str, line: tuple[int, int], edits: list[Edit]) -> None:
    """A number alone in its paragraph takes the kind of the label paragraph beside it.

    Key-figure boxes made of paragraphs ("620,000" / "people displaced")
    arrive with blank lines between number and label. The label is the one
    above when it is not itself the label of a number above it, else the one
    below.
    """
    start, end = line
    number = text[start:end].strip()
    if sum(c.isdigit() for c in number) < 3 or _YEAR.match(number):
        return  # a page number, a year
    above = _paragraph_above(text, start)
    above_label = None if above is None else _label(above[0])
    if above_label and above is not None:
        above2 = _paragraph_above(text, above[1])
        if above2 is None or not number_only(above2[0]):
            _insert(text, line, above_label, edits)
            return
    # "1,450" / "deaths" / "620,000": "deaths" above is the label of the number above it.
    below = text.find("\n", end + 2) if text[end : end + 2] == "\n\n" else -2
    if below != -2:
        following = text[end + 2 : len(text) if below < 0 else below].strip()
        below_label = _label(following) if _is_label(following) else None
        if below_label:
            _insert(text, line, below_label, edits)
            return
    if above_label:
        _insert(text, line, above_label, edits)


def _is_label(line: str) -> bool:
    """A label of a key figure: a few words, not a sentence."""
    return line[:1].isalpha() and line[-1:] not in ".!?:" and line.count(" ") < 6


def _insert(text: str, line: tuple[int, int], label: str, edits: list[Edit]) -> None:
    at = line[0] + len(text[line[0] : line[1]].rstrip())
    edits.append((at, at, f" {label}"))


def _paragraph_above(text: str, start: int) -> tuple[str, int] | None:
    """The one-line paragraph above a blank line above `start`, and where it starts."""
    if start < 2 or text[start - 2 : start] != "\n\n":
        return None
    line_start = text.rfind("\n", 0, start - 2) + 1
    if line_start > 0 and text[line_start - 2 : line_start] != "\n\n":
        return None  # the last line of a longer paragraph
    line = text[line_start : start - 2].strip()
    return (line, line_start) if _is_label(line) or number_only(line) else None


def _heading_above(text: str, start: int) -> str | None:
    """The line above a blank line above `start` ("Displacement by state" over a list), if any."""
    if start < 2 or text[start - 2 : start] != "\n\n":
        return None
    line_start = text.rfind("\n", 0, start - 2) + 1
    line = text[line_start : start - 2].strip()
    return line if line and line[-1:] not in ".!?" else None
