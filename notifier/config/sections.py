"""The sections of the config file, one pydantic model each; unknown keys are refused."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    model_validator,
)

from notifier.config.values import (
    Clock,
    Duration,
    Email,
    FilePath,
    Flag,
    KeyedError,
    Name,
    Number,
    People,
    PollInterval,
    Port,
    Seconds,
    Text,
    TimeZone,
    Whole,
    Words,
    check_ascii_header,
    check_colour,
    check_email,
    check_host,
    check_iso3,
    check_label,
    check_sender,
    check_text,
    check_unsubscribe,
    parse_clock,
    path_text,
    worker_count,
)
from notifier.extract.models import KINDS, Kind
from notifier.models import Level


class _Section(BaseModel):
    """Config sections reject unknown keys: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_database_url(value: SecretStr) -> SecretStr:
    """Empty (SQLite at `path`), or a PostgreSQL URL; never echoed: it may hold a password."""
    url = value.get_secret_value().strip()
    if url and not re.match(r"(?i)postgres(?:ql)?://", url):
        raise ValueError(
            "must be empty (SQLite at storage.path) or a PostgreSQL URL, "
            "like postgresql://notifier@db.example.org/notifier"
        )
    return SecretStr(url)


class StorageSettings(_Section):
    """Where the state lives: a SQLite file, or a PostgreSQL database several instances share."""

    path: FilePath = Path("notifier.db")
    url: Annotated[SecretStr, AfterValidator(check_database_url)] = SecretStr("")
    """postgresql://USER:PASSWORD@HOST:PORT/DB puts all state there instead of `path`."""
    keep_days: Whole = Field(default=90, ge=1, le=36500)
    """Days items, figures and sent digests are kept: the database stops growing there."""


class ScheduleSettings(_Section):
    """When the daemon polls and sends the daily digest."""

    poll_every: PollInterval = timedelta(minutes=30)
    digest_at: Clock = time(7, 0)
    timezone: TimeZone = "UTC"


class DeliverySettings(_Section):
    """How digests leave: by SMTP, or as .eml files in a folder."""

    method: Literal["smtp", "outbox"] = "smtp"
    outbox_dir: FilePath = Path("outbox")


class SmtpSettings(_Section):
    """The SMTP relay; the password is best given as NOTIFIER_SMTP__PASSWORD."""

    host: Annotated[str, Field(max_length=253), AfterValidator(check_host)] = "localhost"
    port: Port = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: Text = ""
    password: SecretStr = SecretStr("")
    sender: Annotated[str, Field(max_length=500), AfterValidator(check_sender)] = (
        "Humanitarian alerts <alerts@example.org>"
    )
    timeout: Seconds = Field(default=30, ge=0.1, le=3600, allow_inf_nan=False)


class FetchSettings(_Section):
    """Limits for fetching feeds and linked pages, so one bad server cannot stall a run."""

    concurrency: Whole = Field(default=128, ge=1, le=1024)
    """Requests in flight at once. Sized for latency, not cores: a request mostly waits."""
    per_host: Whole = Field(default=8, ge=1, le=1024)
    """Requests in flight to one host and port: politeness, and no slow host takes every slot.
    Loopback hosts (this machine, e.g. a local aggregator) are held to `concurrency` only."""
    workers: Annotated[Annotated[int, Field(ge=0, le=64)] | None, BeforeValidator(worker_count)] = (
        None
    )
    """Processes that parse feeds and extract figures: None ("auto") one per core, 0 none."""
    timeout: Seconds = Field(default=20, ge=0.1, le=3600, allow_inf_nan=False)
    max_bytes: Whole = Field(default=10_000_000, ge=1024, le=1_000_000_000)
    max_redirects: Whole = Field(default=5, ge=0, le=20)
    user_agent: Annotated[str, Field(max_length=500), AfterValidator(check_ascii_header)] = (
        "notifier/0.1 (humanitarian alert digest; +https://example.org/notifier)"
    )
    allow_internal: Annotated[tuple[str, ...], AfterValidator(check_allow_internal)] = ()
    """Internal hosts, host:port or networks that redirects and linked pages may reach."""


_HOST_NAME = re.compile(r"^[a-z0-9_]([a-z0-9_.-]{0,252})$")


def check_allow_internal(entries: tuple[str, ...]) -> tuple[str, ...]:
    """Each entry as a host, host:port, [IPv6]:port or network (CIDR), normalised to lower case."""
    return tuple(_allow_entry(entry) for entry in entries)


def _allow_entry(raw: str) -> str:
    entry = raw.strip().lower()
    problem = (
        f"{raw!r} is not a host, host:port or network such as "
        '"aggregator.lan", "10.0.0.5:8080" or "10.0.0.0/8"'
    )
    if "/" in entry:
        try:
            return str(ipaddress.ip_network(entry, strict=False))
        except ValueError as e:
            raise ValueError(problem) from e
    host, port = entry, ""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else ("x" if rest else "")
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not _HOST_NAME.match(host) or ":" in host:
            raise ValueError(problem) from None
    else:
        host = str(address)
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"{problem}; the port must be 1-65535")
    if not port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


DEFAULT_THRESHOLDS: dict[Kind, int] = {
    "displaced": 10000,
    "killed": 50,
    "injured": 100,
    "missing": 50,
    "casualties": 100,
    "at_risk": 100000,
}
"""People per kind; an item crosses when any of its figures reaches its kind's threshold.

The kinds themselves are declared once, by the extractor (`KINDS`): a kind it
learns is a key here, in `[thresholds]` and in each subscriber's overrides."""
if missing := set(KINDS) - set(DEFAULT_THRESHOLDS):  # pragma: no cover - caught at import
    raise ImportError(f"DEFAULT_THRESHOLDS lacks the figure kind(s) {sorted(missing)}")

Thresholds = Mapping[Kind, int]
"""People per kind, every kind present: what `Settings.thresholds_for` returns."""


def with_default_thresholds(values: dict[Kind, int]) -> dict[Kind, int]:
    """`[thresholds]` as given, every kind it leaves out at its default."""
    return {**DEFAULT_THRESHOLDS, **values}


MAX_FACTOR = 1000
"""A level starts at this many times the threshold at most."""


class LevelSettings(_Section):
    """One severity level: its name, the factor of the threshold it starts at, its colour."""

    name: Annotated[str, AfterValidator(check_label)]
    factor: Number = Field(ge=1, le=MAX_FACTOR, allow_inf_nan=False)
    colour: Annotated[str, AfterValidator(check_colour)] = "#5a5a5a"


LEVEL_NAMES = ("watch", "serious", "severe")
LEVEL_COLOURS = ("#8d6708", "#c2410c", "#b91c1c")
"""Dark amber, orange and red: each readable as a badge with white text (contrast >= 4.5)."""


class AlertSettings(_Section):
    """How severe an alert is, and which alerts are too old to send."""

    immediate_factor: Number = Field(default=10, ge=1, le=MAX_FACTOR, allow_inf_nan=False)
    """The top level's factor when `levels` is not set."""
    max_age: Duration = timedelta(days=7)
    levels: list[LevelSettings] = []
    """Lowest first; empty: watch 1x, serious 3x, severe `immediate_factor` x."""

    @model_validator(mode="after")
    def _check_levels(self) -> AlertSettings:
        levels = self.levels
        if not levels:
            return self
        names = [lv.name.casefold() for lv in levels]
        for n, name in enumerate(names):
            if name in names[:n]:
                raise KeyedError(("levels", n, "name"), "each level needs a name of its own")
        factors = [lv.factor for lv in levels]
        if factors != sorted(set(factors)):
            raise KeyedError(
                ("levels",),
                "list the levels from the lowest factor to the highest, "
                f"each factor different (got {factors})",
            )
        if "immediate_factor" in self.model_fields_set and factors[-1] != self.immediate_factor:
            raise KeyedError(
                ("immediate_factor",),
                "disagrees with the top level's factor: with alerts.levels the top level "
                "is what is sent at once, so remove alerts.immediate_factor",
            )
        return self

    def level_list(self) -> tuple[Level, ...]:
        """The levels, lowest first, as the rules and templates use them."""
        if self.levels:
            return tuple(
                Level(lv.name, lv.factor, lv.colour, rank) for rank, lv in enumerate(self.levels)
            )
        factors = (1.0, min(3.0, self.immediate_factor), self.immediate_factor)
        return tuple(
            Level(name, factor, colour, rank)
            for rank, (name, factor, colour) in enumerate(
                zip(LEVEL_NAMES, factors, LEVEL_COLOURS, strict=True)
            )
        )


def _folder_or_none(value: object) -> object:
    """An empty templates_dir is no folder: the bundled templates."""
    return path_text(value) if value else None


class DigestSettings(_Section):
    """Rendering and merging: templates (empty: the bundled ones), headers, the merge window."""

    templates_dir: Annotated[Path | None, BeforeValidator(_folder_or_none)] = None
    subject_prefix: Annotated[str, Field(max_length=100), AfterValidator(check_text)] = "[alerts]"
    max_entries: Whole = Field(default=50, ge=1, le=1000)
    list_unsubscribe: Annotated[str, AfterValidator(check_unsubscribe)] = ""
    """A mailto: or https: URL for the List-Unsubscribe header; empty: no header."""
    merge_window: Duration = timedelta(hours=72)
    """Two reports of the same place and kind merge into one entry only within this window."""


class OperatorSettings(_Section):
    """Who is told when a feed keeps failing, and after how many failed polls in a row."""

    email: Annotated[str, AfterValidator(lambda v: check_email(v) if v.strip() else "")] = ""
    feed_failures: Whole = Field(default=3, ge=1, le=1000)


class FeedSettings(_Section):
    """One RSS/Atom feed: an http(s) URL or a local file path."""

    name: Name
    url: Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(check_text)]
    """Whether it can be fetched (scheme, host, port) is checked by `Settings`."""
    fetch_full_text: Flag = False
    alert_on_first_poll: Flag = False


class SubscriberSettings(_Section):
    """One recipient and what they want to hear about."""

    email: Email
    name: Annotated[str, Field(max_length=200), AfterValidator(check_text)] = ""
    countries: Annotated[list[str], AfterValidator(check_iso3)] = []
    keywords: Words = []
    """Words an item must contain (any of them); empty: no keyword filter."""
    exclude_keywords: Words = []
    """Words that keep an item out (any of them)."""
    kinds: list[Kind] = []
    """The figure kinds wanted; empty: all."""
    min_level: Text = ""
    """The lowest level wanted (a name from [[alerts.levels]]); empty: all."""
    feeds: list[str] = []
    """Feed names wanted; empty: all."""
    timezone: TimeZone | None = None
    digest_at: Annotated[time | None, BeforeValidator(lambda v: parse_clock(v) if v else None)] = (
        None
    )
    send_empty: Flag = False
    """`serve` sends the daily digest even when nothing crossed, so silence means quiet."""
    thresholds: dict[Kind, People] = {}
    """Per-kind overrides of `[thresholds]`; unset kinds fall back to it."""
