"""Adapters for sources whose entries carry structured fields: GDACS and ReliefWeb.

The text of an entry is read by the extractor like any other; what these
sources also state in fields of their own (an alert level, an event id, the
countries, the population exposed) is more reliable than anything read from
prose, so it is kept beside the text as a `Structured` record. Every other
feed has none and goes through the text path alone.

Fields come from feedparser's parsed entry: namespaced elements appear as
`prefix_name` keys (`gdacs_alertlevel`), elements with attributes as dicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from notifier.extract.places import find_places
from notifier.feeds.clean import MAX_FIELD, MAX_TAGS, field, one_line
from notifier.htmltext import html_to_text
from notifier.models import Structured

GDACS_EVENT_TYPES = {
    "EQ": "Earthquake",
    "TC": "Tropical cyclone",
    "FL": "Flood",
    "VO": "Volcano",
    "DR": "Drought",
    "WF": "Wildfire",
    "TS": "Tsunami",
}
GDACS_LEVELS = ("Green", "Orange", "Red")
_RELIEFWEB_TAG = re.compile(
    r'<div class="tag (?P<kind>[a-z]+)">[^:<]*:(?P<values>[^<]*)</div>', re.IGNORECASE
)
"""A tag line. No `\\s*` after the colon: beside `[^<]*` it made the scan quadratic
(40,000 spaces and no </div>: 7 s). The values are stripped one by one anyway."""
_MAX_SCANNED = 50_000
"""Characters of a summary searched for ReliefWeb's tag lines, which come first."""
_ISO3 = re.compile(r"^[A-Z]{3}$")


def read_structured(entry: Mapping[str, Any], link: str) -> Structured | None:
    """The structured fields of a GDACS or ReliefWeb entry; None for any other feed."""
    if any(str(key).startswith("gdacs_") for key in entry):
        return _gdacs(entry)
    host = (urlsplit(link).hostname or "").lower()
    summary = _text(entry.get("summary"))[:_MAX_SCANNED]
    if (
        host == "reliefweb.int"
        or host.endswith(".reliefweb.int")
        or 'class="tag country"' in summary
    ):
        return _reliefweb(entry, summary)
    return None


def episode_guid(guid: str, structured: Structured | None) -> str:
    """GDACS gives every episode of an event the event's guid: keep each episode as an item.

    Without this, the store would take a new episode (a cyclone growing from
    Green to Orange) for the entry it already has and never alert on it.
    """
    if structured is None or structured.source != "gdacs" or not structured.episode:
        return guid
    return f"{guid}#episode-{structured.episode}"


# GDACS -----------------------------------------------------------------------


def _gdacs(entry: Mapping[str, Any]) -> Structured:
    kind = _text(entry.get("gdacs_eventtype")).strip().upper()
    event = _text(entry.get("gdacs_eventid")).strip()
    level = _text(entry.get("gdacs_alertlevel")).strip().capitalize()
    exposed, exposure = _gdacs_population(entry.get("gdacs_population"))
    return Structured(
        source="gdacs",
        event_id=field(f"{kind}{event}") if event else None,
        event_type=field(GDACS_EVENT_TYPES.get(kind, kind or None)),
        alert_level=level if level in GDACS_LEVELS else None,
        countries=_gdacs_countries(entry),
        exposed=exposed,
        exposure=exposure,
        severity=field(_gdacs_severity(kind, entry.get("gdacs_severity"))),
        episode=field(_text(entry.get("gdacs_episodeid"))),
    )


def _gdacs_countries(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """ISO3 codes from gdacs:iso3, then from the country names GDACS lists."""
    iso3 = _text(entry.get("gdacs_iso3"))[:_MAX_SCANNED]
    listed = re.split(r"[,;\s]+", iso3, maxsplit=MAX_TAGS)
    codes = [c for c in (c.strip().upper() for c in listed[:MAX_TAGS]) if _ISO3.match(c)]
    for name in _text(entry.get("gdacs_country")).split(",", MAX_TAGS)[:MAX_TAGS]:
        code = country_code(name[:MAX_FIELD])
        if code:
            codes.append(code)
    return tuple(dict.fromkeys(codes))[:MAX_TAGS]


def _gdacs_population(value: object) -> tuple[int | None, str | None]:
    """(people exposed, in words how they are counted) from gdacs:population."""
    number, unit = _value_and_unit(value)
    if number is None:
        return None, None
    unit_words = unit.lower().replace(" ", "")
    if "100km" in unit_words:
        exposure = "within 100 km"
    elif unit_words.startswith("pop"):
        exposure = "in the path of strong winds" if unit_words[3:].isdigit() else "exposed"
    else:
        exposure = "exposed"
    return int(number), exposure


def _gdacs_severity(kind: str, value: object) -> str | None:
    number, unit = _value_and_unit(value)
    if number is None or number == 0:
        return None
    if kind == "EQ" or unit == "M":
        return f"magnitude {number:g}"
    if unit.lower() == "km/h":
        return f"winds up to {number:,.0f} km/h"
    if unit.lower() == "km2":
        return f"{number:,.0f} km\u00b2 affected"
    return f"{number:g} {unit}".strip()


def _value_and_unit(value: object) -> tuple[float | None, str]:
    """GDACS puts numbers in a `value` attribute (feedparser: a dict), or in the text."""
    if isinstance(value, Mapping):
        raw, unit = str(value.get("value", "")), str(value.get("unit", ""))
    else:
        raw, unit = _text(value), ""
    match = re.search(r"\d+(?:\.\d+)?", raw.replace(",", ""))
    if match is None:
        return None, unit
    number = float(match.group())
    return (number if number < 1e12 else None), unit.strip()


# ReliefWeb -------------------------------------------------------------------


def _reliefweb(entry: Mapping[str, Any], summary: str) -> Structured:
    """Countries and disaster tags from ReliefWeb's tag lines ("Country: Sudan, Chad")."""
    countries: list[str] = []
    tags: list[str] = []
    for match in _RELIEFWEB_TAG.finditer(summary):
        if len(countries) >= MAX_TAGS and len(tags) >= MAX_TAGS:
            break
        values = [html_to_text(v[:MAX_FIELD]) for v in match["values"].split(",", MAX_TAGS)]
        values = [one_line(v) for v in values[:MAX_TAGS]]
        kind = match["kind"].lower()
        if kind == "country":
            countries += [c for c in map(country_code, values) if c]
        elif kind in ("disaster", "theme", "format"):
            tags += [v for v in values if v]
    return Structured(
        source="reliefweb",
        countries=tuple(dict.fromkeys(countries))[:MAX_TAGS],
        tags=tuple(dict.fromkeys(tags))[:MAX_TAGS],
    )


def country_code(name: str) -> str | None:
    """ISO3 of a country name as sources write it ("Syrian Arab Republic", "Viet Nam")."""
    name = " ".join(name.split())
    if not name:
        return None
    for mention in find_places(name):
        if mention.level == "country" and mention.start == 0:
            return mention.country
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
