"""Settings: one TOML file plus NOTIFIER_* environment overrides, validated once at start.

Validation happens here and only here, so a typo is reported before any feed is
fetched, with the key, the reason and the line of the file (`check-config`).
Every key has a default except `[[feeds]]` and `[[subscribers]]`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from notifier.errors import ConfigError
from notifier.extract.models import KINDS, Kind
from notifier.models import Level

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


def _parse_clock(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"must be a time of day HH:MM, got {value!r}")


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"must be an IANA time zone such as Europe/Zurich, got {value!r}") from e
    return value


def _check_port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"must be 1-65535, got {value}")
    return value


def _check_iso3(values: list[str]) -> list[str]:
    import pycountry  # noqa: PLC0415 - only configs with country filters pay for the import

    out = []
    for v in values:
        code = v.strip().upper()
        if pycountry.countries.get(alpha_3=code) is None:
            raise ValueError(f"must be ISO 3166-1 alpha-3 codes such as SYR or SDN, got {v!r}")
        out.append(code)
    return out


def _check_email(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueError(f"must be an email address, got {value!r}")
    if not value.partition("@")[0].isascii():
        raise ValueError(f"must be ASCII before the @ (SMTPUTF8 is not used), got {value!r}")
    return value


def _check_label(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 40 or not value.isprintable():
        raise ValueError(f"must be a short printable name, got {value!r}")
    return value


def _check_unsubscribe(value: str) -> str:
    value = value.strip()
    if value and not re.fullmatch(r"(?i)(mailto:[^\s<>@]+@[^\s<>]+|https://[^\s<>]+)", value):
        raise ValueError(
            f"must be a mailto: or https: URL, like mailto:unsubscribe@example.org, got {value!r}"
        )
    return value


def _check_sender(value: str) -> str:
    _, address = parseaddr(value)
    if "@" not in address:
        raise ValueError(
            f"must contain an email address, like 'Humanitarian alerts <alerts@example.org>', "
            f"got {value!r}"
        )
    _check_email(address)
    return value


def is_local_url(url: str) -> bool:
    """A feed URL that names a file: a path, or file:..., rather than http(s)://."""
    return "://" not in url or url.lower().startswith("file:")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Clock = Annotated[time, BeforeValidator(_parse_clock)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
Port = Annotated[int, AfterValidator(_check_port)]
Email = Annotated[str, AfterValidator(_check_email)]
People = Annotated[int, Field(ge=1)]


class _Section(BaseModel):
    """Config sections reject unknown keys: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Section):
    """Where the state lives."""

    path: Path = Path("notifier.db")


class ScheduleSettings(_Section):
    """When the daemon polls and sends the daily digest."""

    poll_every: Duration = timedelta(minutes=30)
    digest_at: Clock = time(7, 0)
    timezone: TimeZone = "UTC"


class DeliverySettings(_Section):
    """How digests leave: by SMTP, or as .eml files in a folder."""

    method: Literal["smtp", "outbox"] = "smtp"
    outbox_dir: Path = Path("outbox")


class SmtpSettings(_Section):
    """The SMTP relay; the password is best given as NOTIFIER_SMTP__PASSWORD."""

    host: str = "localhost"
    port: Port = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: Annotated[str, AfterValidator(_check_sender)] = (
        "Humanitarian alerts <alerts@example.org>"
    )
    timeout: float = Field(default=30, gt=0)


class FetchSettings(_Section):
    """Limits for fetching feeds and linked pages, so one bad server cannot stall a run."""

    concurrency: int = Field(default=16, ge=1, le=256)
    timeout: float = Field(default=20, gt=0)
    max_bytes: int = Field(default=10_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    user_agent: str = "notifier/0.1 (humanitarian alert digest; +https://example.org/notifier)"


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


def _with_defaults(values: dict[Kind, int]) -> dict[Kind, int]:
    return {**DEFAULT_THRESHOLDS, **values}


class LevelSettings(_Section):
    """One severity level: its name, the factor of the threshold it starts at, its colour."""

    name: Annotated[str, AfterValidator(_check_label)]
    factor: float = Field(ge=1, allow_inf_nan=False)
    colour: str = Field(default="#5a5a5a", pattern=r"^#[0-9a-fA-F]{6}$")


LEVEL_NAMES = ("watch", "serious", "severe")
LEVEL_COLOURS = ("#8d6708", "#c2410c", "#b91c1c")
"""Dark amber, orange and red: each readable as a badge with white text (contrast >= 4.5)."""


class AlertSettings(_Section):
    """How severe an alert is, and which alerts are too old to send."""

    immediate_factor: float = Field(default=10, ge=1, allow_inf_nan=False)
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
        if len(set(names)) != len(names):
            raise ValueError("alerts.levels: each level needs a name of its own")
        factors = [lv.factor for lv in levels]
        if factors != sorted(set(factors)):
            raise ValueError(
                "alerts.levels: list the levels from the lowest factor to the highest, "
                f"each factor different (got {factors})"
            )
        if "immediate_factor" in self.model_fields_set and factors[-1] != self.immediate_factor:
            raise ValueError(
                "alerts.immediate_factor and the top level's factor disagree: with "
                "[[alerts.levels]] the top level is what is sent at once, "
                "so remove alerts.immediate_factor"
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


class DigestSettings(_Section):
    """Rendering and merging: templates (empty: the bundled ones), headers, the merge window."""

    templates_dir: Annotated[Path | None, BeforeValidator(lambda v: v or None)] = None
    subject_prefix: str = "[alerts]"
    max_entries: int = Field(default=50, ge=1)
    list_unsubscribe: Annotated[str, AfterValidator(_check_unsubscribe)] = ""
    """A mailto: or https: URL for the List-Unsubscribe header; empty: no header."""
    merge_window: Duration = timedelta(hours=72)
    """Two reports of the same place and kind merge into one entry only within this window."""


class OperatorSettings(_Section):
    """Who is told when a feed keeps failing, and after how many failed polls in a row."""

    email: Annotated[str, AfterValidator(lambda v: _check_email(v) if v.strip() else "")] = ""
    feed_failures: int = Field(default=3, ge=1, le=1000)


class FeedSettings(_Section):
    """One RSS/Atom feed: an http(s) URL or a local file path."""

    name: str = Field(min_length=1)
    url: str = Field(min_length=1)
    fetch_full_text: bool = False
    alert_on_first_poll: bool = False


class SubscriberSettings(_Section):
    """One recipient and what they want to hear about."""

    email: Email
    name: str = ""
    countries: Annotated[list[str], AfterValidator(_check_iso3)] = []
    keywords: list[str] = []
    """Words an item must contain (any of them); empty: no keyword filter."""
    exclude_keywords: list[str] = []
    """Words that keep an item out (any of them)."""
    kinds: list[Kind] = []
    """The figure kinds wanted; empty: all."""
    min_level: str = ""
    """The lowest level wanted (a name from [[alerts.levels]]); empty: all."""
    feeds: list[str] = []
    """Feed names wanted; empty: all."""
    timezone: TimeZone | None = None
    digest_at: Annotated[time | None, BeforeValidator(lambda v: _parse_clock(v) if v else None)] = (
        None
    )
    send_empty: bool = False
    """`serve` sends the daily digest even when nothing crossed, so silence means quiet."""
    thresholds: dict[Kind, People] = {}
    """Per-kind overrides of `[thresholds]`; unset kinds fall back to it."""


class Settings(BaseSettings):
    """The whole configuration; build it with `load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFIER_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    storage: StorageSettings = StorageSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    delivery: DeliverySettings = DeliverySettings()
    smtp: SmtpSettings = SmtpSettings()
    fetch: FetchSettings = FetchSettings()
    thresholds: Annotated[dict[Kind, People], AfterValidator(_with_defaults)] = DEFAULT_THRESHOLDS
    alerts: AlertSettings = AlertSettings()
    digest: DigestSettings = DigestSettings()
    operator: OperatorSettings = OperatorSettings()
    feeds: list[FeedSettings] = Field(min_length=1)
    subscribers: list[SubscriberSettings] = Field(min_length=1)

    @field_validator("feeds")
    @classmethod
    def _unique_feed_names(cls, feeds: list[FeedSettings]) -> list[FeedSettings]:
        _unique("feed names", [f.name for f in feeds])
        return feeds

    @field_validator("subscribers")
    @classmethod
    def _unique_emails(cls, subscribers: list[SubscriberSettings]) -> list[SubscriberSettings]:
        _unique("subscriber emails", [s.email.casefold() for s in subscribers])
        return subscribers

    @model_validator(mode="after")
    def _subscribers_name_what_exists(self) -> Settings:
        """A subscriber's `feeds` and `min_level` must name a feed and a level of this config."""
        feeds = {f.name for f in self.feeds}
        levels = {lv.name.casefold() for lv in self.alerts.level_list()}
        for s in self.subscribers:
            if unknown := [name for name in s.feeds if name not in feeds]:
                raise ValueError(
                    f"subscriber {s.email}: feeds {unknown} are not feed names of this config "
                    f"(feeds: {sorted(feeds)})"
                )
            if s.min_level and s.min_level.casefold() not in levels:
                raise ValueError(
                    f"subscriber {s.email}: min_level {s.min_level!r} is not a level "
                    f"(levels: {[lv.name for lv in self.alerts.level_list()]})"
                )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment first, so NOTIFIER_SMTP__PASSWORD overrides the file."""
        return (env_settings, init_settings)

    def thresholds_for(self, subscriber: SubscriberSettings) -> Thresholds:
        """The thresholds that apply to one subscriber."""
        return {**self.thresholds, **subscriber.thresholds}

    def timezone_for(self, subscriber: SubscriberSettings) -> str:
        """The subscriber's time zone, else the schedule's."""
        return subscriber.timezone or self.schedule.timezone

    def digest_at_for(self, subscriber: SubscriberSettings) -> time:
        """The subscriber's daily digest time, else the schedule's."""
        return subscriber.digest_at or self.schedule.digest_at

    def min_level_for(self, subscriber: SubscriberSettings) -> Level:
        """The lowest level the subscriber wants (the lowest level when unset)."""
        levels = self.alerts.level_list()
        wanted = subscriber.min_level.casefold()
        return next((lv for lv in levels if lv.name.casefold() == wanted), levels[0])


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} must be unique, {value!r} appears twice")
        seen.add(value)


def config_path(explicit: str | Path | None) -> Path:
    """`--config`, else NOTIFIER_CONFIG, else ./config.toml."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(CONFIG_ENV):
        return Path(env)
    return DEFAULT_CONFIG


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, validate and resolve the config; raise ConfigError listing every problem."""
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")  # editors on Windows add a BOM
    except FileNotFoundError as e:
        raise ConfigError(
            f"{file}: config file not found; copy config.example.toml to {file} "
            f"or pass --config PATH (or set {CONFIG_ENV})"
        ) from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{file}: cannot read the config file: {e}") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: not valid TOML: {e}") from e
    return settings_from_dict(data, base_dir=file.resolve().parent, source=(file, text))


def settings_from_dict(
    data: dict[str, Any],
    *,
    base_dir: Path,
    source: tuple[Path, str] | None = None,
    settings_class: type[Settings] | None = None,
) -> Settings:
    """Validate a config mapping; relative paths are resolved against `base_dir`."""
    settings_class = settings_class or Settings
    try:
        settings = settings_class(**data)
    except ValidationError as e:
        raise ConfigError(_describe(e, source)) from e
    except SettingsError as e:
        raise ConfigError(
            f"a NOTIFIER_* environment variable cannot be read: {e}; "
            "lists and tables must be JSON there, e.g. NOTIFIER_SUBSCRIBERS='[...]'"
        ) from e
    return _resolve_paths(settings, base_dir)


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def rel(p: Path) -> Path:
        p = p.expanduser()
        return p if p.is_absolute() else base / p

    templates = settings.digest.templates_dir
    feeds = [
        f.model_copy(update={"url": str(rel(Path(f.url)))}) if _is_relative_path(f.url) else f
        for f in settings.feeds
    ]
    return settings.model_copy(
        update={
            "storage": settings.storage.model_copy(update={"path": rel(settings.storage.path)}),
            "delivery": settings.delivery.model_copy(
                update={"outbox_dir": rel(settings.delivery.outbox_dir)}
            ),
            "digest": settings.digest.model_copy(
                update={"templates_dir": rel(templates) if templates else None}
            ),
            "feeds": feeds,
        }
    )


def _is_relative_path(url: str) -> bool:
    return is_local_url(url) and not url.lower().startswith("file:")


def _describe(error: ValidationError, source: tuple[Path, str] | None) -> str:
    """One line per problem: `key: reason (line N)`, as the operator needs to fix it."""
    lines = []
    for err in error.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if loc[-1:] == ("[key]",):
            # A table of kinds ([thresholds]) refused one of its keys: not a known kind.
            loc, kind = loc[:-1], "extra_forbidden"
        key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        if kind == "extra_forbidden":
            reason = "unknown key (misspelt? see config.example.toml for the keys)"
        elif kind == "missing":
            reason = "required, but missing"
            if loc in (("feeds",), ("subscribers",)):
                reason += f": add at least one [[{loc[0]}]] table"
        elif kind == "value_error":
            reason = str(err["msg"]).removeprefix("Value error, ")
        else:
            reason = f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {err.get('input')!r}"
        where = ""
        env = _env_name(loc)
        if env in os.environ:
            where = f" (from the environment variable {env})"
        elif source is not None:
            line = _find_line(source[1], loc)
            where = f" ({source[0]}, line {line})" if line else f" ({source[0]})"
        lines.append(f"{key}: {reason}{where}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _env_name(loc: tuple[Any, ...]) -> str:
    return "NOTIFIER_" + "__".join(str(p).upper() for p in loc if isinstance(p, str))


def unknown_env_vars(environ: Mapping[str, str] | None = None) -> list[str]:
    """NOTIFIER_* variables that set nothing: a misspelt override is otherwise silently ignored."""
    env = os.environ if environ is None else environ
    unknown = []
    for name in env:
        if not name.startswith("NOTIFIER_") or name == CONFIG_ENV:
            continue
        model: Any = Settings
        for part in name.removeprefix("NOTIFIER_").lower().split("__"):
            fields: dict[str, Any] = {} if model is None else getattr(model, "model_fields", {})
            if model is _KIND_TABLE and part in KINDS:
                model = None  # a kind's threshold: nothing nests below it
            elif part in fields:
                model = _KIND_TABLE if part == "thresholds" else fields[part].annotation
            else:
                unknown.append(name)
                break
    return sorted(unknown)


_KIND_TABLE = object()
"""Stands for a `thresholds` table while walking an env name: its keys are the figure kinds."""


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of a key in TOML text; tomllib does not report positions."""
    path = [str(p) for p in loc if isinstance(p, str)]
    indexes = [p for p in loc if isinstance(p, int)]
    table: list[str] = []
    counts: dict[str, int] = {}
    table_line: int | None = None
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _HEADER.match(line):
            table = [p.strip() for p in m.group(2).split(".")]
            name = ".".join(table)
            if m.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
            idx = counts.get(table[0], 0) if table and table[0] in counts else None
            matches_index = not indexes or idx == indexes[0]
            if table == path[: len(table)] and matches_index:
                table_line = number
                best = best or (number if table == path else None)
            continue
        if (m := _KEY.match(line)) and [*table, m.group(1)] == path:
            idx = counts.get(table[0]) if table and table[0] in counts else None
            if not indexes or idx == indexes[0]:
                return number
    return best or table_line
