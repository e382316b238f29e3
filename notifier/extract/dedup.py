"""One figure per fact: merge repeats, drop vague restatements of precise figures.

A headline and the body often state the same count ("60,000 displaced" over
"more than 60,000 people ... according to OCHA"): the repeat that says more
(a hedge, a source, a full sentence) is kept and the others lend it what it
lacks. "Thousands evacuated" over a body that gives "nearly 8,000" adds
nothing and is dropped, unless it counts others ("thousands more").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import attrgetter

from notifier.extract.models import Figure


@dataclass(slots=True)
class Found:
    """A figure with what dedup needs to know about how it was written."""

    figure: Figure
    vague: bool
    additional: bool


def _magnitude(value: int) -> tuple[int, int]:
    """The span of precise values a vague plural can restate (thousands: 1,000-9,999)."""
    low = value // 2
    return low, low * 10


def _score(f: Figure) -> tuple[bool, bool, int]:
    return f.agency is not None, f.qualifier != "exact", len(f.evidence)


def merge_figures(found: list[Found], title_end: int = 0) -> list[Figure]:
    """Figures in text order, each (kind, value, high, unit) once, vague restatements dropped.

    A vague count in the title (before `title_end`) restates any larger precise
    count of its kind: "Thousands flee" over a body that gives 42,000.
    """
    precise: dict[tuple[str, str], list[int]] = {}
    for item in found:
        if not item.vague:
            f = item.figure
            precise.setdefault((f.kind, f.unit), []).append(f.value)
    groups: dict[tuple[str, int, int | None, str], list[Figure]] = {}
    for item in found:
        f = item.figure
        if item.vague and not item.additional:
            low, high = _magnitude(f.value)
            if f.start < title_end:
                high = 1 << 62
            if any(low <= v < high for v in precise.get((f.kind, f.unit), [])):
                continue
        groups.setdefault((f.kind, f.value, f.high, f.unit), []).append(f)
    # Most figures are stated once: nothing to merge.
    out = [repeats[0] if len(repeats) == 1 else _merged(repeats) for repeats in groups.values()]
    out.sort(key=attrgetter("start"))
    return out


def _merged(repeats: list[Figure]) -> Figure:
    """The repeat that says most, lent what the others add (a source, a hedge, a place)."""
    best = max(repeats, key=_score)
    if best.agency is None:
        agency = next((f.agency for f in repeats if f.agency), None)
        if agency is not None:
            best = replace(best, agency=agency)
    if best.qualifier == "exact":
        hedged = next((f.qualifier for f in repeats if f.qualifier != "exact"), None)
        if hedged is not None:
            best = replace(best, qualifier=hedged)
    if best.place is None:
        place = next((f for f in repeats if f.place), None)
        if place is not None:
            best = replace(
                best, place=place.place, country=place.country, place_level=place.place_level
            )
    return best
