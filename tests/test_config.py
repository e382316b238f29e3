"""Config: every key validated once, errors name the key, the reason and the line."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest

from notifier.config import config_path, load_settings, parse_duration, unknown_env_vars
from notifier.errors import ConfigError
from notifier.extract import KINDS

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
[[feeds]]
name = "Wire"
url = "feeds/wire.xml"

[[subscribers]]
email = "desk@example.org"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_every_section() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.schedule.poll_every == timedelta(minutes=30)
    assert settings.schedule.digest_at == time(7, 0)
    assert settings.thresholds["displaced"] == 10000
    assert settings.subscribers[1].countries == ["SDN", "TCD", "SSD"]
    assert settings.thresholds_for(settings.subscribers[1])["displaced"] == 5000
    assert settings.thresholds_for(settings.subscribers[1])["at_risk"] == 100000
    assert settings.digest.templates_dir is None


def test_example_documents_every_key() -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    settings = load_settings(ROOT / "config.example.toml")
    for section in ("storage", "schedule", "delivery", "smtp", "fetch", "alerts"):
        for key in type(getattr(settings, section)).model_fields:
            assert f"\n{key} = " in text, f"{section}.{key} is not in config.example.toml"
    for kind in KINDS:
        assert f"\n{kind} = " in text, f"thresholds.{kind} is not in config.example.toml"
    for section in (settings.digest, settings.operator, settings.subscribers[0]):
        for key in set(type(section).model_fields) - {"thresholds"}:  # a table of its own
            assert f"\n{key} = " in text, f"{key} is not in config.example.toml"


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL))
    assert settings.storage.path == tmp_path / "notifier.db"
    assert settings.delivery.outbox_dir == tmp_path / "outbox"
    assert settings.feeds[0].url == str(tmp_path / "feeds/wire.xml")
    assert settings.smtp.port == 587
    assert settings.timezone_for(settings.subscribers[0]) == "UTC"


def test_keep_days_default_and_range(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, MINIMAL)).storage.keep_days == 90
    for bad in ("0", "36501", '"90d"'):
        with pytest.raises(ConfigError, match="keep_days"):
            load_settings(write(tmp_path, MINIMAL + f"\n[storage]\nkeep_days = {bad}\n"))


def test_fetch_slots_and_workers(tmp_path: Path) -> None:
    fetch = load_settings(write(tmp_path, MINIMAL)).fetch
    assert (fetch.concurrency, fetch.per_host, fetch.workers) == (128, 8, None)
    for text, count in (('"auto"', None), ("0", 0), ("3", 3)):
        config = write(tmp_path, MINIMAL + f"\n[fetch]\nworkers = {text}\n")
        assert load_settings(config).fetch.workers == count
    for bad in ("-1", "65", "1.5", '"many"'):
        with pytest.raises(ConfigError, match="workers"):
            load_settings(write(tmp_path, MINIMAL + f"\n[fetch]\nworkers = {bad}\n"))
    for key, bad in (("per_host", "0"), ("concurrency", "1025")):
        with pytest.raises(ConfigError, match=key):
            load_settings(write(tmp_path, MINIMAL + f"\n[fetch]\n{key} = {bad}\n"))


def test_http_urls_are_left_alone(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL.replace("feeds/wire.xml", "https://x.org/f")))
    assert settings.feeds[0].url == "https://x.org/f"


def test_bad_values_name_key_reason_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[smtp]\nport = 70000\nsecirity = "tls"\n' + MINIMAL)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert "smtp.port: must be 1-65535, got 70000" in message
    assert "line 2" in message
    assert "smtp.secirity: unknown key" in message
    assert "line 3" in message


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('[schedule]\npoll_every = "5x"\n', "schedule.poll_every: must be a duration"),
        ('[schedule]\ndigest_at = "25:00"\n', "schedule.digest_at: must be a time of day"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone: must be an IANA time zone"),
        ('[delivery]\nmethod = "pigeon"\n', "delivery.method"),
        ("[thresholds]\nkilled = 0\n", "thresholds.killed"),
        ("[thresholds]\nkiled = 10\n", "thresholds.kiled: unknown key"),
        ("[bogus]\nx = 1\n", "bogus: unknown key"),
    ],
)
def test_each_bad_key_is_reported(tmp_path: Path, snippet: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings(write(tmp_path, snippet + MINIMAL))


def test_subscriber_errors_point_at_the_table(tmp_path: Path) -> None:
    text = MINIMAL + '\n[[subscribers]]\nemail = "not-an-address"\ncountries = ["XXX"]\n'
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text))
    message = str(err.value)
    assert "subscribers[1].email: must be an email address" in message
    assert "subscribers[1].countries: must be ISO 3166-1 alpha-3" in message
    assert "line 10)" in message  # the second [[subscribers]] table, not the first
    assert "line 11)" in message


def test_feeds_and_subscribers_are_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^\[\[feeds\]\] and \[\[subscribers\]\] are required"):
        load_settings(write(tmp_path, '[smtp]\nhost = "x"\n'))
    with pytest.raises(ConfigError, match=r"^feeds: required.*\[\[feeds\]\]"):
        load_settings(write(tmp_path, '[[subscribers]]\nemail = "d@example.org"\n'))


def test_duplicate_feed_names(tmp_path: Path) -> None:
    text = MINIMAL + '[[feeds]]\nname = "Wire"\nurl = "b.xml"\n'
    with pytest.raises(
        ConfigError, match=r"feeds\[1\]\.name: 'Wire' is the name of feeds\[0\] too"
    ):
        load_settings(write(tmp_path, text))


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[smtp\nport = 1"))
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_SMTP__PASSWORD", "s3cret")
    monkeypatch.setenv("NOTIFIER_SMTP__PORT", "2525")
    settings = load_settings(write(tmp_path, "[smtp]\nport = 25\n" + MINIMAL))
    assert settings.smtp.port == 2525
    assert settings.smtp.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_config_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config_path(None) == Path("config.toml")
    monkeypatch.setenv("NOTIFIER_CONFIG", str(tmp_path / "env.toml"))
    assert config_path(None) == tmp_path / "env.toml"
    assert config_path("cli.toml") == Path("cli.toml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1.5h", 5400)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0s", "must be at least 1s"),
        (90, 'needs a unit: "90s"?'),
        ("90", 'needs a unit: "90s"?'),
        ("3651d", "must be at most 3650d"),
        ("9" * 400 + "s", "must be at most 3650d"),
        (True, "must be a duration like"),
    ],
)
def test_durations_refused(value: object, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        parse_duration(value)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('[smtp]\nsender = "Humanitarian alerts"\n', "smtp.sender: must contain an email address"),
        ('[[subscribers]]\nemail = "DESK@example.org"\n', "is subscribers\\[0\\] too"),
        ('[[subscribers]]\nemail = "josé@example.org"\n', "must be ASCII before the @"),
    ],
)
def test_addresses_are_checked_before_any_mail(tmp_path: Path, snippet: str, expected: str) -> None:
    text = MINIMAL + snippet if snippet.startswith("[[") else snippet + MINIMAL
    with pytest.raises(ConfigError, match=expected):
        load_settings(write(tmp_path, text))


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL, encoding="utf-8-sig")
    assert load_settings(path).feeds[0].name == "Wire"


def test_file_urls_are_kept_as_written(tmp_path: Path) -> None:
    text = MINIMAL.replace("feeds/wire.xml", "file:///srv/feeds/wire.xml")
    assert load_settings(write(tmp_path, text)).feeds[0].url == "file:///srv/feeds/wire.xml"


def test_errors_from_the_environment_name_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFIER_DELIVERY__METHOD", "pigeon")
    with pytest.raises(
        ConfigError, match="from the environment variable NOTIFIER_DELIVERY__METHOD"
    ):
        load_settings(write(tmp_path, '[delivery]\nmethod = "outbox"\n' + MINIMAL))
    monkeypatch.setenv("NOTIFIER_DELIVERY__METHOD", "outbox")
    monkeypatch.setenv("NOTIFIER_FEEDS", "not json")
    with pytest.raises(ConfigError, match="NOTIFIER_FEEDS: not valid JSON"):
        load_settings(write(tmp_path, MINIMAL))


def test_misspelt_environment_variables_are_found() -> None:
    env = {
        "NOTIFIER_SMTP_PASSWORD": "x",
        "NOTIFIER_SMTP__PASSWORD": "x",
        "NOTIFIER_CONFIG": "c.toml",
        "NOTIFIER_FETCH__TIMEOUT": "3",
        "NOTIFIER_BOGUS": "1",
        "NOTIFIER_THRESHOLDS__KILLED": "10",
        "NOTIFIER_THRESHOLDS__KILED": "10",
        "HOME": "/root",
    }
    assert unknown_env_vars(env) == [
        "NOTIFIER_BOGUS",
        "NOTIFIER_SMTP_PASSWORD",
        "NOTIFIER_THRESHOLDS__KILED",
    ]


def test_a_threshold_from_the_environment_keeps_the_other_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFIER_THRESHOLDS__KILLED", "7")
    settings = load_settings(write(tmp_path, MINIMAL))
    assert settings.thresholds["killed"] == 7
    assert settings.thresholds["displaced"] == 10000
