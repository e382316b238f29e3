"""The value types of the config: durations, numbers, texts, addresses, URLs, paths.

Each is checked once, when the config is read, and a bad value gets the reason
an operator can act on ("must be a duration like 30s, 15m, 2h or 1d"). The
ranges are what the run can use: nothing accepted here may overflow a date or
a timer later, and no text that reaches a mail header, an HTTP request or a
terminal may carry a line break or another control character.
"""

from __future__ import annotations

import email.errors
import email.policy
import ipaddress
import math
import re
import unicodedata
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
)

CONFIG_ENV = "NOTIFIER_CONFIG"
DEFAULT_CONFIG = Path("config.toml")


class KeyedError(ValueError):
    """A value error that knows the key it is about, below where it was raised.

    A validator of a whole table (unique names, levels in order) raises it so the
    operator is pointed at the key and its line, not at the table.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


# --- durations ---------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_DURATION = timedelta(seconds=1)
MAX_DURATION = timedelta(days=3650)
"""Ten years: far beyond any sensible age or window, and far from a date's limits."""
MAX_POLL_INTERVAL = timedelta(days=365)


def parse_duration(value: object, *, most: timedelta = MAX_DURATION) -> timedelta:
    """`30s`, `15m`, `2h`, `1d`: a number and its unit, from 1 second to `most`."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif _is_number(value) or (isinstance(value, str) and _is_plain_number(value)):
        number = str(value).strip()
        raise ValueError(f'needs a unit: "{number}s"? (s, m, h or d, like 30s, 15m, 2h or 1d)')
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    else:
        raise ValueError(f"must be a duration like 30s, 15m, 2h or 1d, got {short(value)}")
    if not seconds >= MIN_DURATION.total_seconds():
        raise ValueError(f"must be at least 1s, got {short(value)}")
    if seconds > most.total_seconds():
        raise ValueError(f"must be at most {most.days}d, got {short(value)}")
    return timedelta(seconds=seconds)


def parse_poll_interval(value: object) -> timedelta:
    """How often the daemon polls: 1 second to a year."""
    return parse_duration(value, most=MAX_POLL_INTERVAL)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_plain_number(text: str) -> bool:
    return re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", text) is not None


# --- numbers: booleans are not numbers, and numbers are not booleans ------------------


def whole_number(value: object) -> object:
    """Refuse `true`, `false` and `25.0` where a whole number belongs (strings are the env's)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, not {str(value).lower()}")  # noqa: TRY004 - pydantic reports ValueErrors
    if isinstance(value, float):
        raise ValueError(f"must be a whole number, got {short(value)}")  # noqa: TRY004
    return value


def worker_count(value: object) -> object:
    """`"auto"` (None: one worker process per core) or a whole number of them."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return None
    return whole_number(value)


def seconds(value: object) -> object:
    """Refuse `true` and `"30s"` where a number of seconds belongs."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number of seconds, like 30, not {str(value).lower()}")  # noqa: TRY004
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            raise ValueError(
                f"must be a number of seconds, like 30 (no unit), got {short(value)}"
            ) from None
    return value


def number(value: object) -> object:
    """Refuse `true` where a number belongs."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")  # noqa: TRY004
    return value


def flag(value: object) -> object:
    """Refuse `1` where `true` or `false` belongs."""
    if _is_number(value):
        raise ValueError(f"must be true or false, got {short(value)}")
    return value


def check_port(value: int) -> int:
    """A TCP port number."""
    if not 1 <= value <= 65535:
        raise ValueError(f"must be 1-65535, got {value}")
    return value


# --- texts -------------------------------------------------------------------------

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""C0 and C1 controls, line and paragraph separators, direction overrides, lone surrogates."""
_NAMED = {"\n": "a line break (\\n)", "\r": "a carriage return (\\r)", "\t": "a tab (\\t)"}


def check_text(value: str) -> str:
    """No control or direction-override characters: the text may reach a header or a terminal."""
    if m := _CONTROL.search(value):
        ch = m.group()
        what = _NAMED.get(ch, f"U+{ord(ch):04X}")
        raise ValueError(
            f"must not contain control characters, found {what} at character {m.start() + 1}"
        )
    return value


def check_name(value: str) -> str:
    """A name shown to people (a feed's, a subscriber's): printable, not blank."""
    check_text(value)
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def check_ascii_header(value: str) -> str:
    """A value sent as an HTTP header as it is (the User-Agent): printable ASCII."""
    check_text(value)
    if not value.isascii():
        plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        raise ValueError(
            f"must be ASCII (it is sent as an HTTP header), got {short(value)}; "
            f"write {plain!r} instead"
        )
    return value


def check_words(values: list[str]) -> list[str]:
    """Keywords: each a word or phrase, none empty (an empty one matches every item)."""
    for word in values:
        check_text(word)
        if not word.strip():
            raise ValueError('must not contain empty words ("")')
    return values


def check_label(value: str) -> str:
    """A short printable name (a level's), shown in subjects and badges."""
    value = value.strip()
    if not value or len(value) > 40 or not value.isprintable():
        raise ValueError(f"must be a short printable name, got {short(value)}")
    return value


def check_colour(value: str) -> str:
    """A colour as #rrggbb (a level's badge)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"must be a colour like #b91c1c, got {short(value)}")
    return value


def check_host(value: str) -> str:
    """A host name or IP address, nothing else (the SMTP relay)."""
    check_text(value)
    host = value.strip()
    if not host:
        raise ValueError("must not be empty: the relay's host name, like localhost")
    if "://" in host or "/" in host:
        raise ValueError(f"just the host name, like mail.example.org, got {short(value)}")
    if any(ch.isspace() for ch in host):
        raise ValueError(f"must not contain spaces, got {short(value)}")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise ValueError(
                f"just the host name: put the port in smtp.port, got {short(value)}"
            ) from None
    return host


# --- addresses and URLs ------------------------------------------------------------


def check_email(value: str) -> str:
    """An email address that SMTP can carry without SMTPUTF8."""
    check_text(value)
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueError(f"must be an email address, got {short(value)}")
    local, _, domain = value.rpartition("@")
    if not local.isascii():
        raise ValueError(f"must be ASCII before the @ (SMTPUTF8 is not used), got {short(value)}")
    if not domain.isascii():
        try:
            ascii_domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"the domain must be ASCII, got {short(value)}") from None
        raise ValueError(f"the domain must be ASCII: write it as {local}@{ascii_domain}")
    return value


def check_sender(value: str) -> str:
    """One From: mailbox, `Name <address>` or `address`: the envelope sender, Message-ID domain."""
    check_text(value)
    if "@" not in value:
        raise ValueError(
            f"must contain an email address, like 'Humanitarian alerts <alerts@example.org>', "
            f"got {short(value)}"
        )
    try:
        header = email.policy.default.header_factory("From", value)
        addresses = [a.addr_spec for a in header.addresses]
        defects = header.defects
    except (email.errors.HeaderParseError, IndexError, ValueError):
        addresses, defects = [], [ValueError()]
    if len(addresses) > 1 and not defects:
        raise ValueError(f"must be one address, got {len(addresses)} ({', '.join(addresses)})")
    if len(addresses) != 1 or defects:
        m = re.fullmatch(r"\s*(.*?)\s*<([^<>]*)>\s*", value)
        example = f'"{m.group(1)}" <{m.group(2)}>' if m else '"Alerts, Inc" <alerts@example.org>'
        raise ValueError(
            f"is not a valid From: value, got {short(value)}; quote a name with commas or "
            f"dots: {example}"
        )
    check_email(addresses[0])
    return value


def check_unsubscribe(value: str) -> str:
    """A mailto: or https: URL for List-Unsubscribe, or empty."""
    check_text(value)
    value = value.strip()
    if value and not (
        value.isascii() and re.fullmatch(r"(?i)(mailto:[^\s<>@]+@[^\s<>]+|https://[^\s<>]+)", value)
    ):
        raise ValueError(
            "must be a mailto: or https: URL in ASCII, like mailto:unsubscribe@example.org, "
            f"got {short(value)}"
        )
    return value


def is_local_url(url: str) -> bool:
    """A feed URL that names a file: a path, or file:..., rather than http(s)://."""
    return "://" not in url or url.lower().startswith("file:")


def check_feed_url(value: str) -> str:
    """An http(s) URL that can be fetched, or a file path (whose file check-config looks for)."""
    check_text(value)
    if not value.strip():
        raise ValueError("must not be empty: an http(s) URL or a file path")
    if is_local_url(value):
        return value
    try:
        parts = urlsplit(value)
    except ValueError as e:
        raise ValueError(f"{short(value)} is not a valid URL ({e})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"must be an http(s) URL or a file path, got {short(value)}")
    if any(ch.isspace() for ch in value):
        raise ValueError(f"must not contain spaces (write %20), got {short(value)}")
    if not parts.hostname:
        raise ValueError(f"{short(value)} has no host name")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"the port of {short(value)} must be 1-65535")
    return value


# --- times, zones, places, paths ----------------------------------------------------


def parse_clock(value: object) -> time:
    """A time of day, HH:MM (the daily digest's time)."""
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"must be a time of day HH:MM, got {short(value)}")


def check_timezone(value: str) -> str:
    """An IANA time zone name that this machine's zone database knows."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(
            f"must be an IANA time zone such as Europe/Zurich, got {short(value)}"
        ) from e
    return value


def check_iso3(values: list[str]) -> list[str]:
    """ISO 3166-1 alpha-3 country codes, upper-cased."""
    import pycountry  # noqa: PLC0415 - only configs with country filters pay for the import

    out = []
    for v in values:
        code = v.strip().upper()
        if pycountry.countries.get(alpha_3=code) is None:
            raise ValueError(f"must be ISO 3166-1 alpha-3 codes such as SYR or SDN, got {short(v)}")
        out.append(code)
    return out


def path_text(value: object) -> object:
    """A path as written: not empty, no control characters (a NUL cannot be opened)."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        check_text(value)
    return value


# --- how values are quoted in messages ---------------------------------------------


def short(value: object, limit: int = 60) -> str:
    """`repr` of a value, cut to `limit` characters: a 10 MB value makes a one-line message."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and value.bit_length() > 200:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, str | int | float | bool | Path | None):
        text = repr(str(value) if isinstance(value, Path) else value)
    else:
        text = _shape(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shape(value: Any) -> str:  # noqa: ANN401 - any value TOML or JSON can hold
    """A cut-down repr of a list or table that never recurses into deep nesting."""
    if isinstance(value, list):
        return "[...]" if value else "[]"
    if isinstance(value, dict):
        return "{...}" if value else "{}"
    return type(value).__name__


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
PollInterval = Annotated[timedelta, BeforeValidator(parse_poll_interval)]
Clock = Annotated[time, BeforeValidator(parse_clock)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Whole = Annotated[int, BeforeValidator(whole_number)]
Seconds = Annotated[float, BeforeValidator(seconds)]
Number = Annotated[float, BeforeValidator(number)]
Flag = Annotated[bool, BeforeValidator(flag)]
Port = Annotated[int, BeforeValidator(whole_number), AfterValidator(check_port)]
Email = Annotated[str, Field(max_length=254), AfterValidator(check_email)]
Text = Annotated[str, Field(max_length=1000), AfterValidator(check_text)]
Name = Annotated[str, Field(max_length=200), AfterValidator(check_name)]
Words = Annotated[list[str], AfterValidator(check_words)]
FilePath = Annotated[Path, BeforeValidator(path_text)]
MAX_PEOPLE = 10_000_000_000
"""More people than live on Earth: a threshold this high means "never"."""
People = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=MAX_PEOPLE)]
