"""Which stored items a subscriber is alerted to, and how urgently.

Pure functions over stored items and settings, evaluated when a digest is
composed rather than when an item is stored: a subscriber who lowers a
threshold or adds a country gets the effect on the next digest.
"""

from __future__ import annotations

import re
from functools import lru_cache

from notifier.config import SubscriberSettings, Thresholds
from notifier.extract.models import Figure
from notifier.models import Alert, StoredItem

PEOPLE_PER_HOUSEHOLD = 5
"""Household counts are compared with people thresholds at this size (the usual planning figure)."""


def people(figure: Figure) -> int:
    """The figure as a count of people, for comparison with thresholds."""
    return figure.value * (PEOPLE_PER_HOUSEHOLD if figure.unit == "households" else 1)


def item_countries(item: StoredItem) -> set[str]:
    """Countries of the item and of its figures."""
    return set(item.countries) | {f.country for f in item.figures if f.country}


@lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(k.strip()) for k in keywords if k.strip())
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def matches_keywords(item: StoredItem, subscriber: SubscriberSettings) -> bool:
    """The subscriber's keyword filter; no keywords match everything."""
    keywords = tuple(k for k in subscriber.keywords if k.strip())
    return not keywords or bool(_keyword_pattern(keywords).search(f"{item.title}\n{item.text}"))


def in_countries(figure: Figure, item: StoredItem, subscriber: SubscriberSettings) -> bool:
    """The country filter applies to where the figure was counted, not to every country named.

    A figure without a country of its own takes the item's countries.
    """
    if not subscriber.countries:
        return True
    wanted = set(subscriber.countries)
    return figure.country in wanted if figure.country else bool(set(item.countries) & wanted)


def evaluate(
    item: StoredItem,
    subscriber: SubscriberSettings,
    thresholds: Thresholds,
    *,
    immediate_factor: float,
) -> Alert | None:
    """The alert this item raises for this subscriber, or None."""
    if not item.alertable or not matches_keywords(item, subscriber):
        return None
    crossing: list[tuple[float, Figure]] = []
    for figure in item.figures:
        limit = thresholds.get(figure.kind)
        if limit is None or not in_countries(figure, item, subscriber):
            continue
        ratio = people(figure) / limit
        if ratio >= 1:
            crossing.append((ratio, figure))
    if not crossing:
        return None
    crossing.sort(key=lambda pair: -pair[0])
    severity = crossing[0][0]
    return Alert(
        item=item,
        triggering=tuple(f for _, f in crossing),
        severity=severity,
        immediate=severity >= immediate_factor,
    )
