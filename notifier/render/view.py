"""What digest templates get beside the records: the top event, the summary, the preheader.

The records (`Digest` and what it holds) say what happened; this module works
out once what several templates need to say it: which entry leads the
subject, the summary table's columns and cells, the text part's summary, the
hidden preheader. Templates stay free of arithmetic, and an operator's own
template gets the same variables (listed in the README's "Templates").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notifier.extract.models import KINDS, Kind
from notifier.models import Digest, DigestEntry, ShownFigure, SummaryRow
from notifier.render.plain import TEXT_WIDTH, columns, wrap
from notifier.render.words import (
    country_name,
    figure_where,
    human_number,
    kind_label,
    oneline,
    plural,
    shown_short,
)

NO_COUNTRY = "Several countries or none"
"""The heading of the entries that have no one country."""
PREHEADER_ENTRIES = 3
SUMMARY_COLUMNS = 3
"""Kinds of figure the HTML summary shows as columns; with more, each row lists its figures.

Three number columns beside the country and the sources fit a 375 px phone
without breaking a number; six would not."""
"""Entries the preheader names; mail clients show about a hundred characters of it."""


@dataclass(frozen=True, slots=True)
class SummaryCell:
    """One number of the summary table, as shown."""

    value: int
    text: str
    """'250,000', '18.8 million': millions in words, so a narrow column can wrap."""
    exposed: bool = False
    """The number counts people exposed to a hazard (GDACS), not people in need."""


def group_name(country: str | None) -> str:
    """The heading of a country group: the country's name, or `NO_COUNTRY`."""
    return NO_COUNTRY if country is None else country_name(country)


def top_event(digest: Digest) -> tuple[DigestEntry | None, ShownFigure | None]:
    """What the subject names: the first entry and its first (most severe) figure.

    The digest is already in the order the email shows it (level, then size),
    so the subject agrees with what the reader sees first; it is never
    reordered here.
    """
    entries = digest.entries
    if not entries:
        return None, None
    first = entries[0]
    return first, (first.figures[0] if first.figures else None)


def entry_place(entry: DigestEntry | None, shown: ShownFigure | None) -> str:
    """'Sofala, Mozambique' from the figure, else the entry's first country, else ''."""
    if entry is None:
        return ""
    where = figure_where(shown.figure) if shown else ""
    if where:
        return where
    return country_name(entry.countries[0]) if entry.countries else ""


def entry_headline(entry: DigestEntry) -> str:
    """'Sofala, Mozambique: 250,000+ displaced (severe)': an entry in a few words."""
    shown = entry.figures[0] if entry.figures else None
    place = entry_place(entry, shown)
    s = entry.structured
    if shown is not None:
        what = shown_short(shown)
    elif s is not None and s.alert_level:
        what = f"GDACS {s.alert_level} alert" + (
            f", {s.event_type.lower()}" if s.event_type else ""
        )
    else:
        what = oneline(entry.title)
    return f"{place + ': ' if place else ''}{what} ({entry.level.name})"


SHOWN_FIGURES = 8
"""Figures over the thresholds an entry lists (and quotes) in the email; the rest are counted.

An event that sixty feeds report can carry a hundred figures: listed whole,
the entry is a page the reader scrolls past, and rendering it took seconds.
The JSON digest (`preview --format json`) keeps them all."""
SHOWN_QUOTES = 4
"""Quotes an entry shows: those of its first figures, one per distinct sentence."""
SHOWN_OTHER = 6
"""An entry's other figures listed in the email."""
SHOWN_SOURCES = 5
"""An entry's sources listed in the email: the latest; the earlier ones are counted."""


def quoted_figures(entry: DigestEntry) -> list[ShownFigure]:
    """The entry's headline figures with a quote, one per distinct quote: what is quoted.

    A reader checks a figure against the words it came from; an entry whose
    figures come from different sentences shows them all, not only the first.
    """
    seen: dict[str, ShownFigure] = {}
    for s in entry.figures[:SHOWN_FIGURES]:
        if s.quote.strip():
            seen.setdefault(oneline(s.quote), s)
    return list(seen.values())[:SHOWN_QUOTES]


def entry_quotes(entry: DigestEntry) -> list[str]:
    """The short quotes behind the entry's headline figures, each once."""
    return [oneline(s.quote) for s in quoted_figures(entry)]


def preheader(digest: Digest) -> str:
    """The hidden line inbox lists show under the subject: how much, where, how bad."""
    entries = digest.entries
    if not entries:
        earlier = len(digest.sent_earlier)
        said = f" {plural(earlier, 'event')} already sent at once." if earlier else ""
        return f"Nothing new crossed your thresholds since the last digest.{said}"
    countries = {g.country for g in digest.groups if g.country is not None}
    head = f"{plural(len(entries), 'event')} in {plural(len(countries), 'country', 'countries')}"
    named = "; ".join(entry_headline(e) for e in entries[:PREHEADER_ENTRIES])
    more = len(entries) - PREHEADER_ENTRIES
    return f"{head}: {named}" + (f"; and {more} more." if more > 0 else ".")


def summary_kinds(digest: Digest) -> list[Kind]:
    """The kinds with a number in some summary row: the table's columns, in the usual order."""
    return [k for k in KINDS if any(row.largest.get(k) for row in digest.summary)]


def summary_cells(digest: Digest) -> list[dict[Kind, SummaryCell]]:
    """The summary table's numbers, one dict per `digest.summary` row."""
    groups = {g.country: g for g in digest.groups}
    out = []
    for row in digest.summary:
        group = groups.get(row.country)
        shown = [s for e in group.entries for s in (*e.figures, *e.other_figures)] if group else []
        cells: dict[Kind, SummaryCell] = {}
        for kind, value in row.largest.items():
            if value:
                exposed = kind == "at_risk" and _exposure_only(shown, value)
                cells[kind] = SummaryCell(value, human_number(value, rounded=True), exposed)
        out.append(cells)
    return out


def _exposure_only(shown: list[ShownFigure], largest: int) -> bool:
    """Whether the largest 'at risk' number is GDACS exposure, with no report of need as large."""
    exposure = any(s.exposure and s.figure.value == largest for s in shown)
    need = any(
        not s.exposure and s.figure.kind == "at_risk" and s.figure.value >= largest
        for s in shown
        if s.figure.unit == "people"
    )
    return exposure and not need


def summary_text(digest: Digest, width: int = TEXT_WIDTH) -> str:
    """The summary as aligned text columns, or as one line per country when they do not fit."""
    kinds = summary_kinds(digest)
    cells = summary_cells(digest)
    header = ["Country", "Level", *(kind_label(k) for k in kinds), "Sources"]
    rows = [
        [
            group_name(row.country),
            row.level.name,
            *(_text_cell(c.get(k)) for k in kinds),
            str(row.sources),
        ]
        for row, c in zip(digest.summary, cells, strict=True)
    ]
    right = [False, False, *(True for _ in kinds), True]
    table = columns(header, rows, right=right, width=width)
    if table is None:
        table = [
            wrap(_summary_line(row, c, kinds), width, "    ", "  - ")
            for row, c in zip(digest.summary, cells, strict=True)
        ]
    if any(c.exposed for cs in cells for c in cs.values()):
        table.append(wrap(f"* {EXPOSED_NOTE}", width, "  "))
    return "\n".join(table)


EXPOSED_NOTE = "people exposed to the hazard (GDACS), not people in need"


def _text_cell(cell: SummaryCell | None) -> str:
    if cell is None:
        return ""
    return cell.text + ("*" if cell.exposed else "")


def _summary_line(row: SummaryRow, cells: dict[Kind, SummaryCell], kinds: list[Kind]) -> str:
    figures = ", ".join(
        f"{_text_cell(cells[k])} {kind_label(k).lower()}" for k in kinds if k in cells
    )
    sources = plural(row.sources, "source")
    return f"{group_name(row.country)} ({row.level.name}): {figures or 'no figure'}; {sources}"


def digest_context(digest: Digest, prefix: str) -> dict[str, Any]:
    """Every variable the digest templates get (documented in the README's "Templates")."""
    top_entry, top_figure = top_event(digest)
    entries = digest.entries
    cells = summary_cells(digest)
    kinds = summary_kinds(digest)
    return {
        "digest": digest,
        "entries": entries,
        "prefix": prefix,
        "tz": digest.timezone,
        "top_entry": top_entry,
        "top_figure": top_figure,
        "top_place": entry_place(top_entry, top_figure),
        "more": max(len(entries) - 1, 0),
        "preheader": preheader(digest),
        "summary_kinds": kinds,
        "summary_columns": len(kinds) <= SUMMARY_COLUMNS,
        "summary_cells": cells,
        "summary_exposed": any(c.exposed for row in cells for c in row.values()),
        "countries": sorted({g.country for g in digest.groups if g.country is not None}),
        "has_gdacs": any(e.structured and e.structured.source == "gdacs" for e in entries),
        "has_exposure": any(s.exposure for e in entries for s in (*e.figures, *e.other_figures)),
        "exposed_note": EXPOSED_NOTE,
        "no_country": NO_COUNTRY,
        "shown_figures": SHOWN_FIGURES,
        "shown_other": SHOWN_OTHER,
        "shown_sources": SHOWN_SOURCES,
    }
