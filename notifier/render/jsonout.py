"""Digest -> the JSON object of `notifier preview --format json` (DESIGN.md, "The digest as JSON").

Operators' scripts feed chat channels and dashboards from it, so the keys
DESIGN.md gives are a contract: never renamed or dropped. Keys beyond them
(`other_figures`, `exposure`, `notes`, ...) may be added. Entries are in the
order the email shows them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from notifier.models import Digest, DigestEntry, Previous, ShownFigure, Source, Structured
from notifier.render.words import trend_direction


def digest_json(digest: Digest) -> dict[str, Any]:
    """The digest as a JSON-ready dict: subscriber, kind, generated, entries, and more."""
    tz = digest.timezone
    return {
        "subscriber": digest.subscriber_email,
        "kind": digest.kind,
        "generated": _iso(digest.created),
        "entries": [_entry(e, tz) for e in digest.entries],
        "subscriber_name": digest.subscriber_name,
        "timezone": tz,
        "summary": [
            {
                "country": row.country,
                "level": row.level.name,
                "largest": dict(row.largest),
                "sources": row.sources,
            }
            for row in digest.summary
        ],
        "sent_earlier": [
            {"title": s.title, "link": s.link, "sent_at": _iso(s.sent_at)}
            for s in digest.sent_earlier
        ],
        "levels": [
            {"name": lv.name, "factor": lv.factor, "colour": lv.colour, "rank": lv.rank}
            for lv in digest.levels
        ],
    }


def _entry(entry: DigestEntry, tz: str) -> dict[str, Any]:
    return {
        "title": entry.title,
        "level": entry.level.name,
        "countries": list(entry.countries),
        "figures": [_figure(s, tz) for s in entry.figures],
        "structured": _structured(entry.structured),
        "sources": [_source(s) for s in entry.sources],
        "immediate": entry.immediate,
        "severity": entry.severity,
        "other_figures": [_figure(s, tz) for s in entry.other_figures],
        "agencies": [{"acronym": a.acronym, "name": a.name} for a in entry.agencies],
        "organisations": [o.name for o in entry.organisations],
        "notes": list(entry.notes),
    }


def _figure(shown: ShownFigure, tz: str) -> dict[str, Any]:
    f = shown.figure
    return {
        "kind": f.kind,
        "value": f.value,
        "high": f.high,
        "unit": f.unit,
        "qualifier": f.qualifier,
        "place": f.place,
        "country": f.country,
        "agency": f.agency,
        "evidence": shown.quote,
        "previous": _previous(shown.previous, tz),
        "exposure": shown.exposure,
        "trend": trend_direction(shown) or None,
    }


def _previous(previous: Previous | None, tz: str) -> dict[str, Any] | None:
    if previous is None:
        return None
    return {
        "value": previous.value,
        "date": _aware(previous.date).astimezone(ZoneInfo(tz)).date().isoformat(),
        "source": previous.source,
        "high": previous.high,
        "qualifier": previous.qualifier,
        "agency": previous.agency,
    }


def _structured(s: Structured | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "source": s.source,
        "alert_level": s.alert_level,
        "event_id": s.event_id,
        "event_type": s.event_type,
        "severity": s.severity,
        "exposed": s.exposed,
        "exposure": s.exposure,
        "episode": s.episode,
        "countries": list(s.countries),
        "tags": list(s.tags),
    }


def _source(s: Source) -> dict[str, Any]:
    return {
        "feed": s.feed,
        "title": s.title,
        "link": s.link,
        "published": _iso(s.published) if s.published else None,
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    """ISO 8601 with its offset; naive datetimes are UTC, as the store keeps them."""
    return _aware(value).isoformat()
