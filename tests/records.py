"""Builders of the records rules and digests work on: figures, stored items, alerts.

Plain constructors with sensible defaults, so each test states only what it is about.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notifier.config import Settings, SubscriberSettings, settings_from_dict
from notifier.extract.models import Agency, Figure
from notifier.models import StoredItem, Structured
from notifier.rules import Policy

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def fig(
    kind: str,
    value: int,
    *,
    unit: str = "people",
    country: str | None = "SDN",
    place: str | None = None,
    evidence: str = "",
    agency: str | None = None,
) -> Figure:
    return Figure(
        kind,  # type: ignore[arg-type]
        value,
        None,
        unit,  # type: ignore[arg-type]
        "exact",
        agency,
        place,
        country,
        kind,
        evidence or f"{value:,} people {kind}.",
        0,
        9,
    )


def item(
    i: int,
    *figs: Figure,
    title: str = "",
    text: str = "",
    feed: str = "Wire",
    countries: tuple[str, ...] = ("SDN",),
    published: datetime | None = NOW,
    structured: Structured | None = None,
    alertable: bool = True,
) -> StoredItem:
    return StoredItem(
        id=i,
        feed=feed,
        guid=f"g{i}",
        link=f"http://x.org/{i}",
        title=title or f"Item {i}",
        published=published,
        fetched_at=NOW,
        text=text or f"text of item {i}",
        summary="",
        alertable=alertable,
        figures=figs,
        agencies=(Agency("UNHCR", "UN refugee agency"),),
        organisations=(),
        countries=countries,
        structured=structured,
    )


def gdacs(level: str, event: str = "EQ1", exposed: int = 0, *countries: str) -> Structured:
    return Structured(
        source="gdacs",
        event_id=event,
        event_type="Earthquake",
        alert_level=level,
        countries=countries,
        exposed=exposed,
        exposure="within 100 km",
    )


def settings(**sections: Any) -> Settings:
    data: dict[str, Any] = {
        "feeds": [{"name": "Wire", "url": "wire.xml"}, {"name": "Agency", "url": "agency.xml"}],
        "subscribers": [{"email": "desk@example.org"}],
        **sections,
    }
    return settings_from_dict(data, base_dir=Path(__file__).parent)


def policy(settings_: Settings | None = None, **subscriber: Any) -> Policy:
    s = settings_ or settings()
    sub = SubscriberSettings(email="desk@example.org", **subscriber)
    if subscriber:
        s = s.model_copy(update={"subscribers": [sub]})
    return Policy.of(s, sub, NOW + timedelta(hours=1))
