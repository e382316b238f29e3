"""Alerts -> one digest per subscriber: one entry per event, trends, grouped by country.

Several feeds often carry the same event (a wire story syndicated, an agency
release and the news item about it), and must be read once, with every source
link. But two events are not one because they share a number: entries merge
only when they are the same event (`same_event`): the same structured event id
where the source has one (GDACS), else the same text, else an overlapping place
named below the country, a compatible kind, dates within `digest.merge_window`
and similar titles or evidence.

Each figure shown carries the figure for the same place and kind that the
subscriber was sent before (`previous`), so the email says what got worse.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypeVar

from notifier.extract.models import Figure, Kind
from notifier.models import (
    Alert,
    CountryGroup,
    Digest,
    DigestEntry,
    DigestKind,
    Level,
    Previous,
    SentEarlier,
    ShownFigure,
    Source,
    StoredItem,
    SummaryRow,
)
from notifier.rules import item_countries, people

PreviousLookup = Callable[[Figure, StoredItem], Previous | None]
"""(figure, its item) -> the figure for the same place and kind sent before, or None."""

QUOTE_CHARS = 240
"""Evidence longer than this is trimmed around the figure, at word boundaries."""
_COMPATIBLE: dict[str, frozenset[str]] = {
    "displaced": frozenset({"displaced"}),
    "killed": frozenset({"killed", "casualties"}),
    "injured": frozenset({"injured", "casualties"}),
    "casualties": frozenset({"killed", "injured", "casualties"}),
    "missing": frozenset({"missing"}),
    "at_risk": frozenset({"at_risk"}),
}
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset(
    "the and for with from that this have has had are were was been after over into said says "
    "more than about some people their its his her who which where when amid new".split()
)
_ADMIN = re.compile(r"\s+(?:province|governorate|state|region|district|county|department)$")


# same event ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _EventKeys:
    """What `same_event` compares, worked out once per alert."""

    alert: Alert
    event: str | None
    text: bytes  # a digest of the whitespace-folded text: only ever compared
    places: frozenset[tuple[str, str]]
    kinds: frozenset[str]
    countries: frozenset[str]
    values: frozenset[tuple[str, int]]
    title_words: frozenset[str]
    evidence_words: frozenset[str]

    @property
    def likeness(self) -> tuple[object, ...]:
        """All `same_event` reads but the text and the date: alerts equal here are alike."""
        return (
            self.event,
            self.places,
            self.kinds,
            self.countries,
            self.values,
            self.title_words,
            self.evidence_words,
        )


def _words(text: str) -> frozenset[str]:
    """The words two titles or evidence sentences are compared by."""
    return frozenset(w for w in _WORD.findall(text.casefold()) if w not in _STOP)


def _keys(alert: Alert, words: Callable[[str], frozenset[str]] = _words) -> _EventKeys:
    item = alert.item
    s = item.structured
    figures = alert.triggering or item.figures
    places = frozenset(
        (f.country or "", _ADMIN.sub("", f.place.casefold()))
        for f in figures
        if f.place and f.place_level != "country" and f.place != f.country
    )
    return _EventKeys(
        alert=alert,
        event=f"{s.source}:{s.event_id}" if s and s.event_id else None,
        text=_digest(item.text),
        places=places,
        kinds=frozenset(f.kind for f in figures),
        countries=frozenset(item_countries(item)),
        values=frozenset((f.kind, f.value) for f in figures),
        title_words=words(item.title),
        evidence_words=words(" ".join(f.evidence for f in figures)),
    )


def _digest(text: str) -> bytes:
    folded = " ".join(text.split()).casefold()
    return hashlib.blake2b(folded.encode(), digest_size=16).digest() if folded else b""


def _similar(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(_COMPATIBLE[k] & b for k in a)


def same_event(a: _EventKeys, b: _EventKeys, window: timedelta) -> bool:
    """Whether two alerts report one event; the same number in the same country is not enough."""
    if a.event and b.event:
        return a.event == b.event
    if a.text and a.text == b.text:
        return True  # one article carried by two wires
    if abs(a.alert.item.dated - b.alert.item.dated) > window:
        return False
    return _alike(a, b)


def _alike(a: _EventKeys, b: _EventKeys) -> bool:
    """The rest of `same_event`, for two alerts with no shared id or text, dated within the window.

    It reads only what `_EventKeys.likeness` holds, so alike alerts give one answer.
    """
    if not _compatible(a.kinds, b.kinds):
        return False
    titles = _similar(a.title_words, b.title_words)
    evidence = _similar(a.evidence_words, b.evidence_words)
    if a.places and b.places:
        return bool(a.places & b.places) and (titles >= 0.25 or evidence >= 0.35)
    # Only countries to go by: the same figure and much the same headline. Evidence
    # does not count here: template sentences (alert feeds) read alike for any event.
    return bool(a.countries & b.countries) and bool(a.values & b.values) and titles >= 0.5


def _blocks(keys: _EventKeys) -> list[tuple[str, object]]:
    """The blocking keys of an alert: two alerts `same_event` joins always share one.

    Each way `same_event` can say yes needs something in common: the event id, the
    whole text, a place (when both have places) or a figure (kind and value, when
    one has none). So only the groups sharing a block are tried, not all of them.
    """
    blocks: list[tuple[str, object]] = []
    if keys.event:
        blocks.append(("event", keys.event))
    if keys.text:
        blocks.append(("text", keys.text))
    blocks += [("place", p) for p in keys.places]
    blocks += [("value", v) for v in keys.values]
    return blocks


@dataclass(slots=True)
class _Alike:
    """The members of a group that `same_event` cannot tell apart but by text and date.

    A story syndicated by many feeds, or re-stamped every hour, gives a group
    hundreds of members with the same figures, places and words; `same_event`
    with any of them is the same question but for the date window and the
    text, so it is asked once, against their dates (sorted) and texts.
    """

    keys: _EventKeys
    dates: list[datetime]
    texts: set[bytes]

    def joins(self, keys: _EventKeys, window: timedelta) -> bool:
        """`any(same_event(keys, member, window) for member in self)`, asked once."""
        if keys.event and self.keys.event:
            return keys.event == self.keys.event
        if keys.text and keys.text in self.texts:
            return True
        dated = keys.alert.item.dated
        at = bisect_left(self.dates, dated - window)
        return at < len(self.dates) and self.dates[at] <= dated + window and _alike(keys, self.keys)


def group_alerts(alerts: Sequence[Alert], window: timedelta) -> list[list[Alert]]:
    """Alerts about the same event, grouped; the order of first appearance is kept.

    An alert joins the first group holding an alert of the same event, as if
    every earlier group were tried in order, member by member. Two things keep
    a dry run over tens of thousands of undelivered items near linear: blocking
    keys (`_blocks`) find the only groups that can hold one, and within a group
    the members alike but for date and text (`_Alike`) are tried as one.
    """
    groups: list[list[Alert]] = []
    alike: list[_Alike] = []  # every group's members, alike ones as one
    in_group: list[dict[tuple[object, ...], int]] = []  # per group: likeness -> its _Alike
    index: dict[tuple[str, object], dict[int, set[int]]] = {}  # block -> group -> _Alikes
    # A syndicated story brings the same title and sentences in every copy: their
    # words are kept for this call (the latest 4,096), not for a daemon's lifetime.
    words = lru_cache(maxsize=4096)(_words)
    for keys in (_keys(alert, words) for alert in alerts):
        blocks = _blocks(keys)
        candidates: dict[int, set[int]] = {}
        for block in blocks:
            for number, members in index.get(block, {}).items():
                candidates.setdefault(number, set()).update(members)
        home = next(
            (
                number
                for number in sorted(candidates)
                if any(alike[m].joins(keys, window) for m in candidates[number])
            ),
            None,
        )
        if home is None:
            home = len(groups)
            groups.append([])
            in_group.append({})
        groups[home].append(keys.alert)
        likeness, dated = keys.likeness, keys.alert.item.dated
        member = in_group[home].get(likeness)
        if member is None:
            member = in_group[home][likeness] = len(alike)
            alike.append(_Alike(keys, [dated], {keys.text}))
        else:
            insort(alike[member].dates, dated)
            alike[member].texts.add(keys.text)
        for block in blocks:
            index.setdefault(block, {}).setdefault(home, set()).add(member)
    return groups


# entries ---------------------------------------------------------------------

T = TypeVar("T")


def _unique(values: Sequence[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))


def short_quote(evidence: str, figure: Figure, limit: int = QUOTE_CHARS) -> str:
    """The evidence sentence, trimmed around the figure's number to about `limit` characters."""
    text = " ".join(evidence.split())
    if len(text) <= limit:
        return text
    at = _number_at(text, figure.value)
    start = max(0, at - limit // 2)
    end = min(len(text), start + limit)
    start = max(0, end - limit)
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    return (
        ("\u2026" if start > 0 else "")
        + text[start:end].strip()
        + ("\u2026" if end < len(text) else "")
    )


def _number_at(text: str, value: int) -> int:
    """Where the figure's number is written in the sentence (0 when it is not found as digits)."""
    for written in (f"{value:,}", str(value), f"{value:,}".replace(",", " ")):
        at = text.find(written)
        if at >= 0:
            return at
    if value >= 1_000_000:
        at = text.find(f"{value / 1_000_000:g}")
        if at >= 0:
            return at
    return 0


def _shown(figure: Figure, alert: Alert, previous: PreviousLookup) -> ShownFigure:
    s = alert.item.structured
    exposure = s.exposure if s and s.source == "gdacs" and figure.kind == "at_risk" else None
    return ShownFigure(
        figure=figure,
        quote=short_quote(figure.evidence, figure),
        previous=previous(figure, alert.item),
        exposure=exposure,
    )


def _notes(group: Sequence[Alert]) -> tuple[str, ...]:
    """Where a source's own fields and the text disagree, said plainly, once each."""
    notes: list[str] = []
    for alert in group:
        s = alert.item.structured
        if s is None:
            continue
        name = "GDACS" if s.source == "gdacs" else "ReliefWeb"
        text_countries = {f.country for f in alert.item.figures if f.country}
        if s.countries and text_countries and not text_countries & set(s.countries):
            notes.append(
                f"{name} tags {', '.join(s.countries)}; the text places its figures in "
                f"{', '.join(sorted(text_countries))}"
            )
        if s.exposed:
            read = [f.value for f in alert.item.figures if f.kind == "at_risk"]
            if read and all(abs(v - s.exposed) > 0.2 * s.exposed for v in read):
                notes.append(
                    f"{name} counts {s.exposed:,} people exposed; the text says "
                    f"{', '.join(f'{v:,}' for v in read)}"
                )
    return _unique(notes)


def make_entry(group: Sequence[Alert], previous: PreviousLookup) -> DigestEntry:
    """One digest entry for the alerts of one event; the most severe report leads."""
    ordered = sorted(group, key=lambda a: (-a.level.rank, -a.severity, -a.item.dated.timestamp()))
    lead = ordered[0]
    crossing: dict[tuple[str, int], ShownFigure] = {}
    for alert in ordered:
        for f in alert.triggering:
            if (f.kind, f.value) not in crossing:
                crossing[(f.kind, f.value)] = _shown(f, alert, previous)
    others: dict[tuple[str, int], ShownFigure] = {}
    for alert in ordered:
        for f in alert.item.figures:
            if (f.kind, f.value) not in crossing and (f.kind, f.value) not in others:
                others[(f.kind, f.value)] = _shown(f, alert, previous)
    structured = next((a.item.structured for a in ordered if a.item.structured), None)
    countries: list[str] = []
    if structured and structured.source == "gdacs":
        countries += structured.countries
    countries += [s.figure.country for s in crossing.values() if s.figure.country]
    countries += [c for a in ordered for c in sorted(item_countries(a.item))]
    published = sorted(group, key=lambda a: a.item.dated)
    return DigestEntry(
        title=lead.item.title,
        level=lead.level,
        immediate=any(a.immediate for a in group),
        severity=max(a.severity for a in group),
        countries=_unique(countries),
        figures=tuple(crossing.values()),
        other_figures=tuple(others.values()),
        agencies=_unique([ag for a in ordered for ag in a.item.agencies]),
        organisations=_unique([o for a in ordered for o in a.item.organisations]),
        sources=_unique(
            [Source(a.item.feed, a.item.link, a.item.title, a.item.published) for a in published]
        ),
        structured=structured,
        notes=_notes(ordered),
        item_ids=tuple(sorted({a.item.id for a in group})),
    )


def _rank(entry: DigestEntry) -> tuple[int, float, int]:
    """Entries are shown by level, then size (how far past the threshold), then most people."""
    most = max((people(s.figure) for s in entry.figures), default=0)
    return (-entry.level.rank, -entry.severity, -most)


# the digest ------------------------------------------------------------------


def home_country(entry: DigestEntry) -> str | None:
    """The country an entry is listed under: its top figure's, else its only one, else None."""
    if entry.figures and entry.figures[0].figure.country:
        return entry.figures[0].figure.country
    s = entry.structured
    if s and len(s.countries) == 1:
        return s.countries[0]
    return entry.countries[0] if len(entry.countries) == 1 else None


def _summary(group: CountryGroup) -> SummaryRow:
    largest: dict[Kind, int] = {}
    for entry in group.entries:
        for shown in (*entry.figures, *entry.other_figures):
            f = shown.figure
            largest[f.kind] = max(largest.get(f.kind, 0), people(f))
    feeds = {s.feed for e in group.entries for s in e.sources}
    return SummaryRow(group.country, group.entries[0].level, largest, len(feeds))


def build_digest(
    alerts: Sequence[Alert],
    *,
    email: str,
    name: str,
    kind: DigestKind,
    created: datetime,
    timezone: str,
    levels: tuple[Level, ...],
    max_entries: int,
    merge_window: timedelta,
    previous: PreviousLookup,
    sent_earlier: Sequence[SentEarlier] = (),
) -> Digest | None:
    """The digest for one subscriber; None when there is nothing to say.

    Entries beyond `max_entries` (the least severe) are left for the next
    digest rather than dropped: their items are not claimed.
    """
    if not alerts:
        return None
    entries = sorted(
        (make_entry(g, previous) for g in group_alerts(alerts, merge_window)), key=_rank
    )[:max_entries]
    by_country: dict[str | None, list[DigestEntry]] = {}
    for entry in entries:
        by_country.setdefault(home_country(entry), []).append(entry)
    groups = [CountryGroup(country, tuple(es)) for country, es in by_country.items()]
    # Countries in the order of their most severe entry; "several or none" last.
    groups.sort(key=lambda g: (g.country is None, _rank(g.entries[0])))
    return Digest(
        subscriber_email=email,
        subscriber_name=name,
        kind=kind,
        groups=tuple(groups),
        summary=tuple(_summary(g) for g in groups),
        levels=levels,
        created=created,
        timezone=timezone,
        sent_earlier=tuple(sent_earlier),
    )
