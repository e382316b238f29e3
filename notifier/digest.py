"""Alerts -> one digest per subscriber, with one entry per event.

Several feeds often carry the same event (a wire story syndicated, an agency
release and the news item about it). Entries are merged when their items have
the same text, or report the same triggering figure (kind and value) for the
same country, so the subscriber reads the event once with every source link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, TypeVar

from notifier.extract.models import Agency, Figure, Organisation
from notifier.models import Alert, Digest, DigestEntry, Source
from notifier.rules import item_countries


def _event_keys(alert: Alert) -> set[tuple[str, ...]]:
    countries = sorted(item_countries(alert.item)) or [""]
    keys: set[tuple[str, ...]] = {("text", " ".join(alert.item.text.split()).casefold())}
    for f in alert.triggering:
        for country in [f.country] if f.country else countries:
            keys.add((f.kind, str(f.value), f.unit, country))
    return keys


def group_alerts(alerts: Sequence[Alert]) -> list[list[Alert]]:
    """Alerts about the same event, grouped; the order of first appearance is kept."""
    groups: list[list[Alert]] = []
    keys: list[set[tuple[str, ...]]] = []
    for alert in alerts:
        mine = _event_keys(alert)
        for i, theirs in enumerate(keys):
            if mine & theirs:
                groups[i].append(alert)
                theirs.update(mine)
                break
        else:
            groups.append([alert])
            keys.append(mine)
    return groups


T = TypeVar("T")


def _unique(values: Sequence[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))


def make_entry(group: Sequence[Alert]) -> DigestEntry:
    """One digest entry for the alerts of one event."""
    lead = max(group, key=lambda a: (a.severity, len(a.triggering)))
    triggering: dict[tuple[str, int], Figure] = {}
    for alert in sorted(group, key=lambda a: -a.severity):
        for f in alert.triggering:
            triggering.setdefault((f.kind, f.value), f)
    others: dict[tuple[str, int], Figure] = {}
    for alert in group:
        for f in alert.item.figures:
            if (f.kind, f.value) not in triggering:
                others.setdefault((f.kind, f.value), f)
    agencies: list[Agency] = [a for alert in group for a in alert.item.agencies]
    orgs: list[Organisation] = [o for alert in group for o in alert.item.organisations]
    countries: list[str] = [f.country for f in triggering.values() if f.country]
    countries += [c for alert in group for c in alert.item.countries]
    published = sorted(group, key=lambda a: a.item.published or a.item.fetched_at)
    return DigestEntry(
        title=lead.item.title,
        sources=_unique(
            [Source(a.item.feed, a.item.link, a.item.title, a.item.published) for a in published]
        ),
        figures=tuple(triggering.values()),
        other_figures=tuple(others.values()),
        agencies=_unique(agencies),
        organisations=_unique(orgs),
        countries=_unique(countries),
        evidence=lead.triggering[0].evidence,
        immediate=any(a.immediate for a in group),
        item_ids=tuple(sorted({a.item.id for a in group})),
    )


def build_digest(
    alerts: Sequence[Alert],
    *,
    email: str,
    name: str,
    kind: Literal["daily", "immediate"],
    created: datetime,
    timezone: str,
    max_entries: int,
) -> Digest | None:
    """The digest for one subscriber; None when there is nothing to say.

    Entries are ordered immediate first, then by severity. Entries beyond
    `max_entries` are left for the next digest rather than dropped.
    """
    if not alerts:
        return None
    entries = [make_entry(g) for g in group_alerts(alerts)]
    entries.sort(key=lambda e: (not e.immediate, -_severity(e, alerts)))
    return Digest(
        subscriber_email=email,
        subscriber_name=name,
        kind=kind,
        entries=tuple(entries[:max_entries]),
        created=created,
        timezone=timezone,
    )


def _severity(entry: DigestEntry, alerts: Sequence[Alert]) -> float:
    ids = set(entry.item_ids)
    return max(a.severity for a in alerts if a.item.id in ids)
