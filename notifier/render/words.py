"""How figures, places, dates and trends are written for a reader: the digest's vocabulary.

Pure functions from records to short strings, registered as Jinja filters by
`notifier.render.environment`, so the subject, the text part, the HTML part
and an operator's own templates all say a figure the same way.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notifier.extract.models import Agency, Figure, Kind
from notifier.models import Previous, ShownFigure, Structured

_QUALIFIER_WORDS = {"exact": "", "about": "about", "at_least": "at least", "at_most": "up to"}
_SPACE = re.compile(r"\s+")
DAY = "%d %b"
"""A day as the digest writes it: "02 Dec". Zero-padded, so a date never changes how text wraps."""
WHEN = "%d %b %Y %H:%M %Z"
"""A moment: "02 Dec 2026 07:00 UTC"."""


# numbers -----------------------------------------------------------------------


def format_number(value: int) -> str:
    """60000 -> '60,000': digits grouped so a large count is read right at a glance."""
    return f"{value:,}"


def human_number(value: int, *, rounded: bool = False) -> str:
    """A count as reports write it: '60,000', '1.2 million'.

    Millions read as words when they are round to a tenth ('1.2 million'), or
    always when `rounded` (an estimate, a summary cell), rounded to a tenth.
    """
    if value >= 1_000_000 and (rounded or value % 100_000 == 0):
        return f"{round(value / 1_000_000, 1):g} million"
    return format_number(value)


def count_phrase(figure: Figure) -> str:
    """'at least 60,000', 'about 1.2 million', '2,000-3,000': the count with its qualifier.

    The qualifier is kept because 'up to 5,000' and 'at least 5,000' are
    different claims, and a digest must not turn an estimate into a count.
    """
    about = figure.qualifier == "about"
    if figure.qualifier == "range" and figure.high is not None:
        return f"{human_number(figure.value)}\u2013{human_number(figure.high)}"
    count = human_number(figure.value, rounded=about)
    words = _QUALIFIER_WORDS.get(figure.qualifier, "")
    return f"{words} {count}" if words else count


def count_short(figure: Figure) -> str:
    """The subject line's count: '250,000+' for at least, 'about 1.2 million', 'up to 500'."""
    if figure.qualifier == "at_least":
        return f"{human_number(figure.value)}+"
    return count_phrase(figure)


def _plural(figure: Figure) -> bool:
    return figure.value != 1 or figure.qualifier not in ("exact", "about")


def kind_words(kind: Kind) -> str:
    """What follows a count in a sentence: 'displaced', 'at risk'."""
    return kind.replace("_", " ")


def kind_label(kind: Kind) -> str:
    """A heading for a kind of figure: 'At risk' rather than 'at_risk'."""
    return kind_words(kind).capitalize()


# figures -----------------------------------------------------------------------


def figure_phrase(figure: Figure) -> str:
    """'at least 60,000 people displaced': the figure as a reader would say it."""
    count = count_phrase(figure)
    if figure.kind == "casualties":
        return f"{count} {'casualties' if _plural(figure) else 'casualty'}"
    if figure.unit == "households":
        unit = "households" if _plural(figure) else "household"
    else:
        unit = "people" if _plural(figure) else "person"
    return f"{count} {unit} {kind_words(figure.kind)}"


def figure_short(figure: Figure) -> str:
    """'250,000+ displaced': the subject-line form, short enough for an inbox column."""
    noun = " households" if figure.unit == "households" else ""
    return f"{count_short(figure)}{noun} {kind_words(figure.kind)}"


def shown_phrase(shown: ShownFigure) -> str:
    """A figure as the digest lists it; people exposed to a hazard are said to be exposed.

    GDACS counts the people within reach of a hazard; calling them "at risk"
    or "in need" would overstate what the source claims.
    """
    if shown.exposure:
        return exposure_phrase(shown.figure.value, shown.exposure)
    return figure_phrase(shown.figure)


def shown_short(shown: ShownFigure) -> str:
    """The subject-line form of a shown figure: '250,000+ displaced', '795,000 exposed'."""
    if shown.exposure:
        return f"{human_number(shown.figure.value)} exposed"
    return figure_short(shown.figure)


def exposure_phrase(value: int, exposure: str) -> str:
    """'18,830,000 people exposed, within 100 km': exposure as exposure, never as need."""
    people = f"{human_number(value)} {'person' if value == 1 else 'people'} exposed"
    return people if exposure == "exposed" else f"{people}, {exposure}"


def shown_line(shown: ShownFigure) -> str:
    """'at least 60,000 people displaced in Hama, Syria, according to OCHA'."""
    f = shown.figure
    where = figure_where(f)
    comma = "," if shown.exposure and shown.exposure != "exposed" else ""
    line = shown_phrase(shown) + (f"{comma} in {where}" if where else "")
    return line + (f", according to {f.agency}" if f.agency else "")


# trends ------------------------------------------------------------------------


def trend_direction(shown: ShownFigure) -> str:
    """'up', 'down' or 'same' against the figure sent before; '' when there is none."""
    previous = shown.previous
    if previous is None:
        return ""
    if shown.figure.value > previous.value:
        return "up"
    return "down" if shown.figure.value < previous.value else "same"


def trend_phrase(shown: ShownFigure, tz: str = "UTC", now: datetime | None = None) -> str:
    """'up from 60,000 on 02 Dec (Wire A, OCHA)': the change since the figure sent before.

    A figure that went down is said to, never silently replaced; one that did
    not change says since when. '' when nothing was sent before.
    """
    previous = shown.previous
    direction = trend_direction(shown)
    if previous is None:
        return ""
    day = _day(previous.date, tz, now)
    who = ", ".join(x for x in (previous.source, previous.agency) if x)
    said = f" ({who})" if who else ""
    if direction == "same":
        return f"unchanged since {day}{said}"
    return f"{direction} from {previous_count(previous)} on {day}{said}"


def previous_count(previous: Previous) -> str:
    """The earlier count, compared by its lower bound; an estimate stays an estimate."""
    if previous.qualifier == "range" and previous.high is not None:
        return f"{human_number(previous.value)}\u2013{human_number(previous.high)}"
    count = human_number(previous.value, rounded=previous.qualifier == "about")
    return f"about {count}" if previous.qualifier == "about" else count


def _day(value: datetime, tz: str, now: datetime | None) -> str:
    """'02 Dec', with the year when it is not the year of `now`."""
    local = _aware(value).astimezone(ZoneInfo(tz))
    if now is not None and _aware(now).astimezone(ZoneInfo(tz)).year != local.year:
        return local.strftime(f"{DAY} %Y")
    return local.strftime(DAY)


# places ------------------------------------------------------------------------


@functools.cache
def country_name(code: str) -> str:
    """ISO3 -> the name people use ('SYR' -> 'Syria'); codes pycountry does not know pass through.

    pycountry's common name when it has one, else its short name, with the
    inverted forms of the ISO list put in reading order ("Congo, The Democratic
    Republic of the" -> "Democratic Republic of the Congo"). Lists of places
    ("Bonaire, Sint Eustatius and Saba") are not inverted.
    """
    import pycountry  # noqa: PLC0415 - its database loads lazily; only rendering needs it

    country = pycountry.countries.get(alpha_3=code.strip().upper())
    if country is None:
        return code
    name = str(getattr(country, "common_name", None) or country.name)
    head, comma, tail = name.partition(", ")
    if not comma or " and " in tail:
        return name
    tail = tail.removeprefix("The ").removeprefix("the ")
    return f"{tail} {head}"


def figure_where(figure: Figure) -> str:
    """'Idlib, Syria': where a figure was counted, as precisely as the text said.

    When the place is the country itself ("Turkey"; the extractor says so in
    `place_level`), the country is not repeated under its official name
    ("Turkey, Türkiye").
    """
    parts = [figure.place] if figure.place else []
    if figure.country:
        name = country_name(figure.country)
        if name not in parts and figure.place_level != "country":
            parts.append(name)
    return ", ".join(parts)


def agency_name(agency: Agency) -> str:
    """'OCHA (Office for the Coordination of Humanitarian Affairs)': an acronym, spelt out."""
    if not agency.name or agency.name == agency.acronym:
        return agency.acronym
    return f"{agency.acronym} ({agency.name})"


# structured fields -------------------------------------------------------------

GDACS_COLOURS = {"Green": "#2e7d32", "Orange": "#b45309", "Red": "#b91c1c"}
"""GDACS's own alert colours, darkened enough to carry white text."""


def structured_parts(s: Structured | None) -> list[str]:
    """What a source states in its own fields, in words, without the alert level.

    GDACS: ['Tropical cyclone', 'winds up to 130 km/h', '795,000 people exposed
    (within 100 km)']. The alert level is shown apart, in GDACS's colour.
    """
    if s is None:
        return []
    parts = [p for p in (s.event_type, s.severity) if p]
    if s.exposed:
        people = f"{human_number(s.exposed)} people exposed"
        parts.append(people if s.exposure in (None, "exposed") else f"{people} ({s.exposure})")
    return parts


def source_name(s: Structured) -> str:
    """'GDACS', 'ReliefWeb': the source as it names itself."""
    return {"gdacs": "GDACS", "reliefweb": "ReliefWeb"}.get(s.source, s.source)


# dates and text ----------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_time(value: datetime | None, tz: str, fmt: str = WHEN) -> str:
    """A date in the subscriber's zone; naive datetimes are UTC, as the store keeps them."""
    if value is None:
        return ""
    return _aware(value).astimezone(ZoneInfo(tz)).strftime(fmt)


def web_url(link: str) -> str:
    """The link if it is http(s), else ''.

    Autoescaping stops markup, not a `javascript:` or `data:` link from a hostile
    feed; only web links become clickable.
    """
    link = link.strip()
    return link if re.match(r"(?i)https?://[^\s]+$", link) else ""


def oneline(text: str) -> str:
    """Whitespace and line breaks collapsed: a feed's text cannot add lines or headers."""
    return _SPACE.sub(" ", text).strip()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 event', '3 events'."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def on_colour(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (#rrggbb): badge text stays legible.

    WCAG's contrast ratio against both; a configured light level colour gets
    dark text instead of white text nobody can read.
    """
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", colour.strip())
    if match is None:
        return "#ffffff"
    channels = [int(match[1][i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    on_white = 1.05 / (luminance + 0.05)
    on_black = (luminance + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#111111"
