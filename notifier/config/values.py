"""The value types of the config: durations, times of day, zones, ports, addresses.

Each is checked once, when the config is read, and a bad value gets the reason
an operator can act on ("must be a duration like 30s, 15m, 2h or 1d").
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
)

CONFIG_ENV = "NOTIFIER_CONFIG"
DEFAULT_CONFIG = Path("config.toml")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> timedelta:
    """`30s`, `15m`, `2h`, `1d`, or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    else:
        raise ValueError(f"must be a duration like 30s, 15m, 2h or 1d, got {value!r}")
    if seconds < 1:
        raise ValueError(f"must be at least 1 second, got {value!r}")
    return timedelta(seconds=seconds)


def parse_clock(value: object) -> time:
    """A time of day, HH:MM (the daily digest's time)."""
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"must be a time of day HH:MM, got {value!r}")


def check_timezone(value: str) -> str:
    """An IANA time zone name that this machine's zone database knows."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"must be an IANA time zone such as Europe/Zurich, got {value!r}") from e
    return value


def check_port(value: int) -> int:
    """A TCP port number."""
    if not 1 <= value <= 65535:
        raise ValueError(f"must be 1-65535, got {value}")
    return value


def check_iso3(values: list[str]) -> list[str]:
    """ISO 3166-1 alpha-3 country codes, upper-cased."""
    import pycountry  # noqa: PLC0415 - only configs with country filters pay for the import

    out = []
    for v in values:
        code = v.strip().upper()
        if pycountry.countries.get(alpha_3=code) is None:
            raise ValueError(f"must be ISO 3166-1 alpha-3 codes such as SYR or SDN, got {v!r}")
        out.append(code)
    return out


def check_email(value: str) -> str:
    """An email address that SMTP can carry without SMTPUTF8."""
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueError(f"must be an email address, got {value!r}")
    if not value.partition("@")[0].isascii():
        raise ValueError(f"must be ASCII before the @ (SMTPUTF8 is not used), got {value!r}")
    return value


def check_label(value: str) -> str:
    """A short printable name (a level's), shown in subjects and badges."""
    value = value.strip()
    if not value or len(value) > 40 or not value.isprintable():
        raise ValueError(f"must be a short printable name, got {value!r}")
    return value


def check_unsubscribe(value: str) -> str:
    """A mailto: or https: URL for List-Unsubscribe, or empty."""
    value = value.strip()
    if value and not re.fullmatch(r"(?i)(mailto:[^\s<>@]+@[^\s<>]+|https://[^\s<>]+)", value):
        raise ValueError(
            f"must be a mailto: or https: URL, like mailto:unsubscribe@example.org, got {value!r}"
        )
    return value


def check_sender(value: str) -> str:
    """A From: value with an address in it: the envelope sender and Message-ID domain."""
    _, address = parseaddr(value)
    if "@" not in address:
        raise ValueError(
            f"must contain an email address, like 'Humanitarian alerts <alerts@example.org>', "
            f"got {value!r}"
        )
    check_email(address)
    return value


def is_local_url(url: str) -> bool:
    """A feed URL that names a file: a path, or file:..., rather than http(s)://."""
    return "://" not in url or url.lower().startswith("file:")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Clock = Annotated[time, BeforeValidator(parse_clock)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Port = Annotated[int, AfterValidator(check_port)]
Email = Annotated[str, AfterValidator(check_email)]
People = Annotated[int, Field(ge=1)]
