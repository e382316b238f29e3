"""Settings: one TOML file plus NOTIFIER_* environment overrides, validated once at start.

Validation happens here and only here, so a typo is reported before any feed is
fetched, with the key, the reason and the line of the file (`check-config`).
Every key has a default except `[[feeds]]` and `[[subscribers]]`.
"""

from __future__ import annotations

import os
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

from notifier.config import report
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
    People,
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
        raise ConfigError(describe(e, source)) from e
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
    "config_path",
    "is_local_url",
    "load_settings",
    "parse_duration",
    "settings_from_dict",
    "unknown_env_vars",
]
