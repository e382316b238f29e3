"""Which stored items alert a subscriber, at which level, and why (or why not).

Pure functions over stored items and settings, evaluated when a digest is
composed rather than when an item is stored: a subscriber who lowers a
threshold or adds a country gets the effect on the next digest.

An item alerts when one of its figures reaches the subscriber's threshold for
its kind; its level comes from the largest figure / threshold ratio against the
levels' factors. A source's own alert level wins over the text: a GDACS Green
alert ("no humanitarian impact expected") is never above the lowest level nor
sent at once, Orange and Red map onto the upper levels and alert even when the
text holds no figure. `judge` gives the reasons in an operator's words; it is
what `notifier explain` prints and what `evaluate` decides by.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from notifier.config import Settings, SubscriberSettings, Thresholds
from notifier.extract.models import Figure
from notifier.models import Alert, Level, StoredItem, Verdict

PEOPLE_PER_HOUSEHOLD = 5
"""Household counts are compared with people thresholds at this size (the usual planning figure)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """What the rules need to know of one subscriber, resolved from the config once per digest."""

    subscriber: SubscriberSettings
    thresholds: Thresholds
    levels: tuple[Level, ...]
    min_level: Level
    oldest: datetime
    """Items dated before this are too old to alert (`alerts.max_age`)."""

    @classmethod
    def of(cls, settings: Settings, subscriber: SubscriberSettings, now: datetime) -> Policy:
        """The policy for `subscriber` under `settings`, with ages counted from `now`."""
        return cls(
            subscriber=subscriber,
            thresholds=settings.thresholds_for(subscriber),
            levels=settings.alerts.level_list(),
            min_level=settings.min_level_for(subscriber),
            oldest=now - settings.alerts.max_age,
        )


def people(figure: Figure) -> int:
    """The figure as a count of people, for comparison with thresholds."""
    return figure.value * (PEOPLE_PER_HOUSEHOLD if figure.unit == "households" else 1)


def item_countries(item: StoredItem) -> set[str]:
    """Countries of the item, of its figures and of its source's tags."""
    tagged = set(item.structured.countries) if item.structured else set()
    return set(item.countries) | {f.country for f in item.figures if f.country} | tagged


@lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(k.strip()) for k in keywords if k.strip())
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def _keyword_found(item: StoredItem, keywords: Sequence[str]) -> str | None:
    """The first of `keywords` in the item's title or text, as written there."""
    wanted = tuple(k for k in keywords if k.strip())
    if not wanted:
        return None
    found = _keyword_pattern(wanted).search(f"{item.title}\n{item.text}")
    return found.group() if found else None


def in_countries(figure: Figure, item: StoredItem, subscriber: SubscriberSettings) -> bool:
    """The country filter applies to where the figure was counted, not to every country named.

    A figure without a country of its own takes the item's countries.
    """
    if not subscriber.countries:
        return True
    wanted = set(subscriber.countries)
    return figure.country in wanted if figure.country else bool(item_countries(item) & wanted)


def level_for(ratio: float, levels: Sequence[Level]) -> Level:
    """The highest level whose factor the ratio reaches (the lowest for anything that crossed)."""
    reached = [lv for lv in levels if ratio >= lv.factor]
    return reached[-1] if reached else levels[0]


def source_level(item: StoredItem, levels: Sequence[Level]) -> Level | None:
    """The level a source's own alert level maps to: GDACS Green, Orange, Red; else None."""
    alert = item.structured.alert_level if item.structured else None
    if alert == "Red":
        return levels[-1]
    if alert == "Orange":
        return levels[max(len(levels) - 2, 0)]
    if alert == "Green":
        return levels[0]
    return None


def evaluate(item: StoredItem, policy: Policy) -> Alert | None:
    """The alert this item raises under this policy, or None."""
    return judge(item, policy).alert


def judge(item: StoredItem, policy: Policy) -> Verdict:  # noqa: PLR0911, PLR0912 - one reason per branch
    """Whether the item alerts, at which level, and every reason, in the order they were decided."""
    s = policy.subscriber
    reasons: list[str] = []

    def no(reason: str) -> Verdict:
        return Verdict(s.email, None, (*reasons, reason))

    if not item.alertable:
        return no(
            f"recorded at the first poll of feed {item.feed!r}, which never alerts "
            "(set alert_on_first_poll = true on the feed to change that)"
        )
    if s.feeds and item.feed not in s.feeds:
        return no(f"from feed {item.feed!r}, which is not among this subscriber's feeds {s.feeds}")
    if item.dated < policy.oldest:
        return no(
            f"dated {item.dated:%d %b %Y}, older than alerts.max_age "
            f"(alerts go back to {policy.oldest:%d %b %Y})"
        )
    if s.keywords and _keyword_found(item, s.keywords) is None:
        return no(f"none of the keywords {s.keywords} is in its title or text")
    if excluded := _keyword_found(item, s.exclude_keywords):
        return no(f"contains {excluded!r}, one of the exclude_keywords")
    crossing: list[tuple[float, Figure]] = []
    for figure in item.figures:
        what = f"{figure.kind} {figure.value:,}" + (f" in {figure.place}" if figure.place else "")
        limit = policy.thresholds.get(figure.kind)
        if s.kinds and figure.kind not in s.kinds:
            reasons.append(f"{what}: the kind {figure.kind} is not among the kinds wanted")
        elif limit is None:
            reasons.append(f"{what}: no threshold for {figure.kind}")
        elif not in_countries(figure, item, s):
            where = figure.country or "/".join(sorted(item_countries(item))) or "no country"
            reasons.append(f"{what}: counted in {where}, not in the countries wanted {s.countries}")
        elif (ratio := people(figure) / limit) < 1:
            reasons.append(f"{what}: below the threshold of {limit:,}")
        else:
            crossing.append((ratio, figure))
            reasons.append(f"{what}: {ratio:.1f}x the threshold of {limit:,}")
    crossing.sort(key=lambda pair: -pair[0])
    severity = crossing[0][0] if crossing else 0.0
    from_source = source_level(item, policy.levels)
    structured = item.structured
    if not crossing:
        if from_source is None or from_source.rank == 0:
            return no("no figure crossed a threshold")
        if s.countries and structured and not set(structured.countries) & set(s.countries):
            return no(
                f"{structured.source} places it in {list(structured.countries)}, "
                f"not in the countries wanted {s.countries}"
            )
        if s.kinds and "at_risk" not in s.kinds:
            return no(
                f"a {structured.source if structured else ''} alert with no figure; "
                "the kinds wanted leave out at_risk"
            )
    level = level_for(severity, policy.levels) if crossing else policy.levels[0]
    if from_source is not None and structured is not None:
        reasons.append(
            f"{structured.source} rates it {structured.alert_level}: level {from_source.name} "
            f"(the figures alone give {level.name})"
        )
        level = from_source
    else:
        reasons.append(f"level {level.name}: the largest figure is {severity:.1f}x its threshold")
    if level.rank < policy.min_level.rank:
        return no(f"level {level.name} is below this subscriber's min_level {s.min_level!r}")
    green = structured is not None and structured.alert_level == "Green"
    immediate = level.rank == len(policy.levels) - 1 and not green
    alert = Alert(
        item=item,
        triggering=tuple(f for _, f in crossing),
        severity=severity,
        level=level,
        immediate=immediate,
    )
    return Verdict(s.email, alert, tuple(reasons))
