"""Settings: one TOML file plus NOTIFIER_* environment overrides, validated once at start.

Validation happens here and only here, so a typo is reported before any feed is
fetched, with the key, the reason and the line of the file (`check-config`).
Every key has a default except `[[feeds]]` and `[[subscribers]]`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
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

from notifier.config import checks, report
from notifier.config.lines import MAX_DEPTH, deep_line, deep_loc
from notifier.config.report import describe
from notifier.config.sections import (
    DEFAULT_THRESHOLDS,
    AlertSettings,
    DeliverySettings,
    DigestSettings,
    FeedSettings,
    FetchSettings,
    LevelSettings,
    OperatorSettings,
    ScheduleSettings,
    SmtpSettings,
    StorageSettings,
    SubscriberSettings,
    Thresholds,
    with_default_thresholds,
)
from notifier.config.values import (
    CONFIG_ENV,
    DEFAULT_CONFIG,
    KeyedError,
    People,
    check_feed_url,
    is_local_url,
    parse_duration,
)
from notifier.errors import ConfigError
from notifier.extract.models import Kind
from notifier.models import Level


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
    thresholds: Annotated[dict[Kind, People], AfterValidator(with_default_thresholds)] = (
        DEFAULT_THRESHOLDS
    )
    alerts: AlertSettings = AlertSettings()
    digest: DigestSettings = DigestSettings()
    operator: OperatorSettings = OperatorSettings()
    feeds: list[FeedSettings] = Field(min_length=1)
    subscribers: list[SubscriberSettings] = Field(min_length=1)

    @field_validator("feeds")
    @classmethod
    def _feeds_can_be_fetched(cls, feeds: list[FeedSettings]) -> list[FeedSettings]:
        """Each feed's URL can be fetched (http(s) or a file), each feed has a name of its own."""
        for n, feed in enumerate(feeds):
            try:
                check_feed_url(feed.url)
            except ValueError as e:
                raise KeyedError((n, "url"), str(e)) from e
        names = [f.name for f in feeds]
        for n, name in enumerate(names):
            if name in names[:n]:
                raise KeyedError(
                    (n, "name"),
                    f"{name!r} is the name of feeds[{names.index(name)}] too; "
                    "each feed needs a name of its own",
                )
        return feeds

    @field_validator("subscribers")
    @classmethod
    def _unique_emails(cls, subscribers: list[SubscriberSettings]) -> list[SubscriberSettings]:
        emails = [s.email.casefold() for s in subscribers]
        for n, email in enumerate(emails):
            if email in emails[:n]:
                raise KeyedError(
                    (n, "email"),
                    f"{subscribers[n].email!r} is subscribers[{emails.index(email)}] too; "
                    "list each address once (case does not count)",
                )
        return subscribers

    @model_validator(mode="after")
    def _subscribers_name_what_exists(self) -> Settings:
        """A subscriber's `feeds` and `min_level` must name a feed and a level of this config."""
        feeds = [f.name for f in self.feeds]
        levels = [lv.name for lv in self.alerts.level_list()]
        for n, s in enumerate(self.subscribers):
            for name in s.feeds:
                if name not in feeds:
                    close = difflib.get_close_matches(name, feeds, n=1)
                    hint = f"did you mean {close[0]!r}?" if close else f"feeds: {feeds}"
                    raise KeyedError(
                        ("subscribers", n, "feeds"),
                        f"{name!r} is not a feed name of this config ({hint})",
                    )
            if s.min_level and s.min_level.casefold() not in {lv.casefold() for lv in levels}:
                raise KeyedError(
                    ("subscribers", n, "min_level"),
                    f"{s.min_level!r} is not a level (levels: {levels})",
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


MAX_CONFIG_BYTES = 10_000_000
"""Ten megabytes: thousands of feeds fit; a larger file is not a config."""


def config_path(explicit: str | Path | None) -> Path:
    """`--config`, else NOTIFIER_CONFIG, else ./config.toml."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(CONFIG_ENV):
        return Path(env)
    return DEFAULT_CONFIG


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, validate and resolve the config; raise ConfigError listing every problem."""
    file, text, data = _read(path)
    settings = _validate(data, (file, text), Settings)
    return _resolve_paths(settings, file.resolve().parent)


def check_config(path: str | Path | None = None) -> tuple[Settings, list[str]]:
    """`load_settings`, and the problems only the disk and the environment can tell.

    `check-config` asks this: a feed file that does not exist, a state file that
    cannot be made where it is named, a NOTIFIER_* variable that sets nothing,
    one line each. A run does not refuse these (a feed file may appear later; one
    missing feed is that feed's error), but an operator checking the config
    wants to know.
    """
    file, text, data = _read(path)
    settings = _validate(data, (file, text), Settings)
    base = file.resolve().parent
    problems = checks.problems(settings, base, (file, text)) + checks.env_problems(Settings)
    return _resolve_paths(settings, base), problems


def _read(path: str | Path | None) -> tuple[Path, str, dict[str, Any]]:
    """The config file, its text and what it says, or a ConfigError of one line."""
    file = config_path(path)
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_CONFIG_BYTES + 1)  # /dev/zero is not a config either
    except FileNotFoundError as e:
        raise ConfigError(
            f"{file}: config file not found; copy config.example.toml to {file} "
            f"or pass --config PATH (or set {CONFIG_ENV})"
        ) from e
    except IsADirectoryError as e:
        raise ConfigError(f"{file}: is a folder; --config names the config file") from e
    except OSError as e:
        raise ConfigError(f"{file}: cannot read the config file: {e.strerror or e}") from e
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{file}: larger than {MAX_CONFIG_BYTES // 1_000_000} MB, which no config is "
            "(config.example.toml is 7 kB); is --config naming the right file?"
        )
    try:
        text = raw.decode("utf-8-sig")  # editors on Windows add a BOM
    except UnicodeDecodeError as e:
        at = raw[: e.start].count(b"\n") + 1
        raise ConfigError(f"{file}, line {at}: not UTF-8 text; save it as UTF-8") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: not valid TOML: {e}") from e
    except ValueError as e:  # a number of thousands of digits: Python refuses to convert it
        m = re.search(r"\d{1000,}", text)
        where = f", line {text.count(chr(10), 0, m.start()) + 1}" if m else ""
        raise ConfigError(
            f"{file}{where}: a number too long to read "
            f"({len(m.group()) if m else 'thousands of'} digits); no key takes one that large"
        ) from e
    except RecursionError as e:
        raise ConfigError(
            f"{file}, line {deep_line(text)}: values nested too deeply (more than "
            f"{MAX_DEPTH} levels of [ ] or {{ }}); no key of the config nests more than a few"
        ) from e
    if (loc := deep_loc(data)) is not None:
        raise ConfigError(
            f"{report.key_of(loc)}: nested too deeply (more than {MAX_DEPTH} levels of "
            f"[ ] or {{ }}){report.where(loc, (file, text))}"
        )
    return file, text, data


def settings_from_dict(
    data: dict[str, Any],
    *,
    base_dir: Path,
    source: tuple[Path, str] | None = None,
    settings_class: type[Settings] | None = None,
) -> Settings:
    """Validate a config mapping; relative paths are resolved against `base_dir`."""
    settings = _validate(data, source, settings_class or Settings)
    return _resolve_paths(settings, base_dir)


def _validate(
    data: dict[str, Any], source: tuple[Path, str] | None, settings_class: type[Settings]
) -> Settings:
    """The settings from `data` and the environment, or a ConfigError with a line per problem."""
    checks.check_env_depth()
    try:
        return settings_class(**data)
    except ValidationError as e:
        raise ConfigError("\n".join(describe(e, source, settings_class))) from e
    except SettingsError as e:
        raise ConfigError(checks.env_json_problem(e)) from e
    except RecursionError as e:
        raise ConfigError(
            f"values nested too deeply (more than {MAX_DEPTH} levels of [ ] or {{ }})"
        ) from e


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def rel(p: Path) -> Path:
        return checks.resolve(p, base)

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


def unknown_env_vars(environ: Mapping[str, str] | None = None) -> list[str]:
    """NOTIFIER_* variables that set nothing: a misspelt override is otherwise silently ignored."""
    return report.unknown_env_vars(Settings, environ)


__all__ = [
    "CONFIG_ENV",
    "DEFAULT_THRESHOLDS",
    "AlertSettings",
    "DeliverySettings",
    "DigestSettings",
    "FeedSettings",
    "FetchSettings",
    "LevelSettings",
    "OperatorSettings",
    "ScheduleSettings",
    "Settings",
    "SmtpSettings",
    "StorageSettings",
    "SubscriberSettings",
    "Thresholds",
    "check_config",
    "config_path",
    "is_local_url",
    "load_settings",
    "parse_duration",
    "settings_from_dict",
    "unknown_env_vars",
]
