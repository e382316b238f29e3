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
    scale: int = 1  # 1000 for "38.6K", a million for "1.8 million": a rounded value


def _magnitude(value: int) -> tuple[int, int]:
    """The span of precise values a vague plural can restate (thousands: 1,000-9,999)."""
    low = value // 2
    return low, low * 10


def _precision(value: int) -> int:
    """The unit of the last significant digit of a round value: 100 for 38,600."""
    unit = 1
    while value and value % (unit * 10) == 0:
        unit *= 10
    return unit


def _restates_hedged(f: Figure, values: list[int], *, title: bool) -> bool:
    """True when a hedged round count ("nearly 3,000") restates a precise one (2,946).

    A title rounds freely ("toll climbs past 60" over 63, "forcing 300,000 to
    flee" over "more than 312,000"); a highlight in the body restates closely
    ("more than 650,000 displaced" over 658,000), or it is a count of its own.
    """
    n = f.value
    unit = _precision(n)
    if n < 10 or unit < (10 if title else 100):
        return False
    # Said more precisely, so never n itself ("some 87,000 fled" beside 85,000 in a
    # table: two counts).
    values = [v for v in values if _precision(v) < unit]
    if f.qualifier == "at_least":
        return any(n < v < (n * 3 // 2 if title else n * 11 // 10) for v in values)
    if f.qualifier == "at_most":
        return any((n // 2 if title else n * 9 // 10) <= v < n for v in values)
    # "about", or an unhedged round count, which restates only in a title
    return (title or f.qualifier != "exact") and any(
        n * 9 // 10 <= v <= n * 11 // 10 for v in values
    )


def _restates_rounded(value: int, values: list[int]) -> bool:
    """True when `value`, written rounded ("38.6K"), is one of `values` rounded (38,640)."""
    unit = _precision(value)
    # Rounded to the nearest, or cut ("19.6K" for 19,650).
    return any(
        v != value and value in ((v + unit // 2) // unit * unit, v // unit * unit) for v in values
    )


def _score(f: Figure) -> tuple[bool, bool, int]:
    return f.agency is not None, f.qualifier != "exact", len(f.evidence)


def merge_figures(found: list[Found], title_end: int = 0) -> list[Figure]:
    """Figures in text order, each (kind, value, high, unit) once, vague restatements dropped.

    A vague count in the title (before `title_end`) restates any larger precise
    count of its kind: "Thousands flee" over a body that gives 42,000. So does
    a hedged round count in the title ("toll climbs past 2,000" over "2,053"),
    and a rounded count ("38.6K displaced" in a key-figure box) restates the
    count it rounds ("at least 38,640 people have been displaced").
    """
    precise: dict[tuple[str, str], list[int]] = {}
    body: dict[tuple[str, str], list[int]] = {}  # precise, outside the title
    for item in found:
        if not item.vague:
            f = item.figure
            precise.setdefault((f.kind, f.unit), []).append(f.value)
            if f.start >= title_end and item.scale == 1 and f.high is None:
                body.setdefault((f.kind, f.unit), []).append(f.value)
    groups: dict[tuple[str, int, int | None, str], list[Figure]] = {}
    for item in found:
        f = item.figure
        if item.vague and not item.additional:
            low, high = _magnitude(f.value)
            if f.start < title_end:
                high = 1 << 62
            if any(low <= v < high for v in precise.get((f.kind, f.unit), [])):
                continue
        elif (
            f.high is None
            and not item.additional
            and (
                _restates_hedged(f, body.get((f.kind, f.unit), []), title=f.start < title_end)
                or (item.scale > 1 and _restates_rounded(f.value, body.get((f.kind, f.unit), [])))
            )
        ):
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
