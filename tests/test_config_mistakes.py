"""Operator mistakes in the config: each is ONE line from `notifier check-config`, exit 2.

Each case writes a config file (and sets environment variables) as an
operator would, runs `notifier check-config` through `cli.main`, and checks
that stderr is a single `error:` line naming the key, the reason, and where:
the line of the file, or the environment variable. Nothing check-config
accepts may fail the run later, so the limits themselves are run too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import run_cli

from notifier.cli import main

MINIMAL = """[[feeds]]
name = "Wire"
url = "wire.xml"

[[subscribers]]
email = "desk@example.org"
"""
"""Six lines: a case's `before` text shifts them down, its `after` text starts at line 7."""

FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@dataclass(frozen=True)
class Mistake:
    """One operator mistake: the config around MINIMAL, the environment, what stderr must say."""

    id: str
    before: str = ""
    after: str = ""
    expect: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    """The whole config, when MINIMAL does not fit the mistake."""


def _m(id: str, before: str = "", after: str = "", *expect: str, **kw: object) -> Mistake:
    """A Mistake; `expect` may also be given by keyword, with `text` or `env`."""
    given = kw.pop("expect", expect)
    return Mistake(id, before, after, given, **kw)  # type: ignore[arg-type]


DEEP = "[" * 5000 + "]" * 5000

MISTAKES = [
    # --- durations: units, overflow, ranges
    _m("poll-overflow", '[schedule]\npoll_every = "99999999999d"\n', "",
       "schedule.poll_every: must be at most 365d", "line 2"),
    _m("poll-no-unit", '[schedule]\npoll_every = "30"\n', "",
       'schedule.poll_every: needs a unit: "30s"?', "line 2"),
    _m("poll-bare-number", "[schedule]\npoll_every = 1800\n", "",
       'schedule.poll_every: needs a unit: "1800s"?', "line 2"),
    _m("poll-under-a-second", '[schedule]\npoll_every = "0.5s"\n', "",
       "schedule.poll_every: must be at least 1s", "line 2"),
    _m("poll-compound", '[schedule]\npoll_every = "2h30m"\n', "",
       "schedule.poll_every: must be a duration like 30s, 15m, 2h or 1d", "line 2"),
    _m("max-age-overflow", '[alerts]\nmax_age = "1000000d"\n', "",
       "alerts.max_age: must be at most 3650d", "line 2"),
    _m("merge-window-overflow", '[digest]\nmerge_window = "99999999999999999999h"\n', "",
       "digest.merge_window: must be at most 3650d", "line 2"),
    # --- numbers: overflow, inf/nan, booleans are not numbers
    _m("smtp-timeout-1e20", "[smtp]\ntimeout = 1e20\n", "",
       "smtp.timeout: must be at most 3600", "line 2"),
    _m("fetch-timeout-inf", "[fetch]\ntimeout = inf\n", "",
       "fetch.timeout: must be a finite number", "line 2"),
    _m("fetch-timeout-nan", "[fetch]\ntimeout = nan\n", "",
       "fetch.timeout: must be a finite number", "line 2"),
    _m("fetch-timeout-zero", "[fetch]\ntimeout = 0\n", "",
       "fetch.timeout: must be at least 0.1", "line 2"),
    _m("fetch-timeout-unit", '[fetch]\ntimeout = "30s"\n', "",
       "fetch.timeout: must be a number of seconds", "line 2"),
    _m("port-true", "[smtp]\nport = true\n", "",
       "smtp.port: must be a whole number, not true", "line 2"),
    _m("port-float", "[smtp]\nport = 25.0\n", "", "smtp.port: must be a whole number", "line 2"),
    _m("port-range", "[smtp]\nport = 70000\n", "", "smtp.port: must be 1-65535", "line 2"),
    _m("concurrency-zero", "[fetch]\nconcurrency = 0\n", "",
       "fetch.concurrency: must be at least 1", "line 2"),
    _m("max-bytes-huge", "[fetch]\nmax_bytes = 99999999999999999999999\n", "",
       "fetch.max_bytes: must be at most", "line 2"),
    _m("redirects-false", "[fetch]\nmax_redirects = false\n", "",
       "fetch.max_redirects: must be a whole number", "line 2"),
    _m("threshold-float", "[thresholds]\nkilled = 1e3\n", "",
       "thresholds.killed: must be a whole number", "line 2"),
    _m("threshold-huge", "[thresholds]\nkilled = 99999999999999999999\n", "",
       "thresholds.killed: must be at most", "line 2"),
    _m("threshold-negative", "[thresholds]\nkilled = -5\n", "",
       "thresholds.killed: must be at least 1", "line 2"),
    _m("max-entries-zero", "[digest]\nmax_entries = 0\n", "",
       "digest.max_entries: must be at least 1", "line 2"),
    _m("feed-failures-true", "[operator]\nfeed_failures = true\n", "",
       "operator.feed_failures: must be a whole number", "line 2"),
    _m("immediate-factor-inf", "[alerts]\nimmediate_factor = inf\n", "",
       "alerts.immediate_factor: must be a finite number", "line 2"),
    _m("level-factor-huge",
       '[alerts]\nlevels = [{ name = "watch", factor = 1 }, { name = "huge", factor = 1e300 }]\n',
       "", "alerts.levels[1].factor: must be at most 1000", "line 2"),
    _m("level-colour", '[alerts]\nlevels = [{ name = "watch", factor = 1, colour = "red" }]\n',
       "", "alerts.levels[0].colour: must be a colour like #b91c1c", "line 2"),
    _m("flag-as-number", "", '[[feeds]]\nname = "B"\nurl = "wire.xml"\nfetch_full_text = 1\n',
       "feeds[1].fetch_full_text: must be true or false", "line 10"),
    # --- text that reaches headers, terminals and HTTP requests
    _m("sender-crlf", '[smtp]\nsender = "A <a@example.org>\\r\\nBcc: x@evil.org"\n', "",
       "smtp.sender: must not contain control characters", "line 2"),
    _m("sender-two-addresses", '[smtp]\nsender = "A <a@example.org>, B <b@example.org>"\n', "",
       "smtp.sender: must be one address, got 2", "line 2"),
    _m("sender-unquoted-comma", '[smtp]\nsender = "Alerts, Inc <a@example.org>"\n', "",
       "smtp.sender: is not a valid From: value", '"Alerts, Inc" <a@example.org>', "line 2"),
    _m("user-agent-non-ascii", '[fetch]\nuser_agent = "café/1.0"\n', "",
       "fetch.user_agent: must be ASCII", "line 2"),
    _m("user-agent-crlf", '[fetch]\nuser_agent = "a\\r\\nX-Evil: 1"\n', "",
       "fetch.user_agent: must not contain control characters", "line 2"),
    _m("subject-prefix-lf", '[digest]\nsubject_prefix = "[a]\\nBcc: x@evil.org"\n', "",
       "digest.subject_prefix: must not contain control characters", "line 2"),
    _m("subscriber-name-crlf", "",
       '[[subscribers]]\nemail = "b@example.org"\nname = "Desk\\r\\nBcc: x@evil.org"\n',
       "subscribers[1].name: must not contain control characters", "line 9"),
    _m("feed-name-bell", "", '[[feeds]]\nname = "B\\u0007"\nurl = "wire.xml"\n',
       "feeds[1].name: must not contain control characters", "line 8"),
    _m("feed-name-bidi", "", '[[feeds]]\nname = "B\\u202etxt.exe"\nurl = "wire.xml"\n',
       "feeds[1].name: must not contain control characters", "line 8"),
    _m("feed-url-crlf", "", '[[feeds]]\nname = "B"\nurl = "https://x.org/f\\r\\nHost: evil"\n',
       "feeds[1].url: must not contain control characters", "line 9"),
    _m("smtp-host-with-port", '[smtp]\nhost = "mail.example.org:587"\n', "",
       "smtp.host: just the host name: put the port in smtp.port", "line 2"),
    _m("smtp-host-empty", '[smtp]\nhost = ""\n', "", "smtp.host: must not be empty", "line 2"),
    _m("unsubscribe-nul", '[digest]\nlist_unsubscribe = "mailto:u@example.org\\u0000"\n', "",
       "digest.list_unsubscribe: must not contain control characters", "line 2"),
    _m("email-idn-domain", "", '[[subscribers]]\nemail = "desk@exämple.org"\n',
       "subscribers[1].email: the domain must be ASCII: write it as desk@xn--exmple-cua.org",
       "line 8"),
    _m("sender-idn-domain", '[smtp]\nsender = "A <a@exämple.org>"\n', "",
       "smtp.sender: the domain must be ASCII", "line 2"),
    _m("empty-keyword", "", '[[subscribers]]\nemail = "b@example.org"\nexclude_keywords = [""]\n',
       "subscribers[1].exclude_keywords: must not contain empty words", "line 9"),
    # --- structure: missing, misspelt, misplaced, duplicated
    _m("no-feeds", text='feeds = []\n[[subscribers]]\nemail = "desk@example.org"\n',
       expect=("feeds: add at least one [[feeds]] table", "line 1")),
    _m("feed-table-typo", text=MINIMAL.replace("[[feeds]]", "[[feed]]"),
       expect=("feed: unknown key; did you mean [[feeds]]?", "line 1")),
    _m("key-typo", '[smtp]\nsecirity = "tls"\n', "",
       "smtp.secirity: unknown key; did you mean security?", "line 2"),
    _m("key-in-wrong-section", "port = 25\n", "", "port: unknown key; did you mean smtp.port?",
       "line 1"),
    _m("empty-feed-table", "", "[[feeds]]\n", "feeds[1]: name and url are required", "line 7"),
    _m("duplicate-feed", "", '[[feeds]]\nname = "Wire"\nurl = "wire.xml"\n',
       "feeds[1].name: 'Wire' is the name of feeds[0] too; each feed needs a name of its own",
       "line 8"),
    _m("duplicate-subscriber", "", '[[subscribers]]\nemail = "DESK@example.org"\n',
       "subscribers[1].email: 'DESK@example.org' is subscribers[0] too", "line 8"),
    _m("subscriber-unknown-feed", "",
       '[[subscribers]]\nemail = "b@example.org"\nfeeds = ["Wyre"]\n',
       "subscribers[1].feeds: 'Wyre' is not a feed name of this config (did you mean 'Wire'?)",
       "line 9"),
    _m("subscriber-unknown-level", "",
       '[[subscribers]]\nemail = "b@example.org"\nmin_level = "critical"\n',
       "subscribers[1].min_level: 'critical' is not a level", "line 9"),
    _m("levels-out-of-order",
       '[alerts]\nlevels = [{ name = "b", factor = 3 }, { name = "a", factor = 1 }]\n', "",
       "error: alerts.levels: list the levels from the lowest factor", "line 2"),
    _m("section-not-a-table", "smtp = 5\n", "", "smtp: must be a table", "line 1"),
    _m("list-as-string", "", '[[subscribers]]\nemail = "b@example.org"\ncountries = "SYR"\n',
       'subscribers[1].countries: must be a list, like ["a", "b"]', "line 9"),
    _m("kind-unknown", "", '[[subscribers]]\nemail = "b@example.org"\nkinds = ["dead"]\n',
       "subscribers[1].kinds[0]: must be 'displaced', 'killed'", "line 9"),
    _m("method-unknown", '[delivery]\nmethod = "pigeon"\n', "",
       "delivery.method: must be 'smtp' or 'outbox', got 'pigeon'", "line 2"),
    _m("zone-unknown", '[schedule]\ntimezone = "Europe/Geneva"\n', "",
       "schedule.timezone: must be an IANA time zone", "line 2"),
    _m("clock-am", "", '[[subscribers]]\nemail = "b@example.org"\ndigest_at = "7am"\n',
       "subscribers[1].digest_at: must be a time of day HH:MM", "line 9"),
    _m("empty-config", text="", expect=("error: [[feeds]] and [[subscribers]] are required",)),
    _m("level-names-twice",
       '[alerts]\nlevels = [{ name = "a", factor = 1 }, { name = "A", factor = 2 }]\n', "",
       "alerts.levels[1].name: each level needs a name of its own", "line 2"),
    _m("immediate-factor-disagrees",
       '[alerts]\nimmediate_factor = 5\nlevels = [{ name = "a", factor = 1 }]\n', "",
       "alerts.immediate_factor: disagrees with the top level's factor", "line 2"),
    _m("level-in-a-long-array",
       '[alerts]\nlevels = [\n  { name = "a", factor = 1 },\n  { name = "b", factor = "x" },\n]\n',
       "", "alerts.levels[1].factor: must be a number, got 'x'", "line 4"),
    _m("clock-24", '[schedule]\ndigest_at = "24:00"\n', "",
       "schedule.digest_at: must be a time of day HH:MM, got '24:00'", "line 2"),
    _m("zone-empty", "", '[[subscribers]]\nemail = "b@example.org"\ntimezone = ""\n',
       "subscribers[1].timezone: must be an IANA time zone", "line 9"),
    _m("subscriber-threshold-text", "",
       '[[subscribers]]\nemail = "b@example.org"\n[subscribers.thresholds]\nkilled = "many"\n',
       "subscribers[1].thresholds.killed: must be a whole number, got 'many'", "line 10"),
    _m("threshold-kind-typo", "[thresholds]\nkiled = 10\n", "",
       "thresholds.kiled: unknown key; did you mean killed?", "line 2"),
    # --- the file itself
    _m("toml-nested-5000", f"x = {DEEP}\n", "", "nested too deeply", "line 1"),
    _m("toml-nested-300", "[smtp]\nport = " + "[" * 300 + "]" * 300 + "\n", "",
       "smtp.port: nested too deeply", "line 2"),
    _m("number-5000-digits", "[smtp]\nport = " + "9" * 5000 + "\n", "",
       "line 2: a number too long to read (5000 digits)"),
    _m("host-too-long", '[smtp]\nhost = "' + "a" * 300 + '"\n', "",
       "smtp.host: must be at most 253 characters long", "line 2"),
    _m("toml-syntax", "[smtp\nport = 1\n", "", "not valid TOML", "line 1"),
    # --- feeds and paths that cannot work (check-config looks at the disk)
    _m("feed-file-missing", "", '[[feeds]]\nname = "B"\nurl = "feeds/nope.xml"\n',
       "feeds[1].url: 'feeds/nope.xml' is neither an http(s) URL nor an existing file", "line 9"),
    _m("feed-url-no-scheme", "", '[[feeds]]\nname = "B"\nurl = "reliefweb.int/rss.xml"\n',
       "did you mean 'https://reliefweb.int/rss.xml'?", "feeds[1].url", "line 9"),
    _m("feed-url-ftp", "", '[[feeds]]\nname = "B"\nurl = "ftp://x.org/f.xml"\n',
       "feeds[1].url: must be an http(s) URL or a file path, got 'ftp://x.org/f.xml'", "line 9"),
    _m("feed-url-no-host", "", '[[feeds]]\nname = "B"\nurl = "https:///feed.xml"\n',
       "feeds[1].url: 'https:///feed.xml' has no host name", "line 9"),
    _m("feed-url-bad-port", "", '[[feeds]]\nname = "B"\nurl = "https://x.org:99999/f"\n',
       "feeds[1].url: the port of 'https://x.org:99999/f' must be 1-65535", "line 9"),
    _m("feed-url-spaces", "", '[[feeds]]\nname = "B"\nurl = "https://x.org/a b.xml"\n',
       "feeds[1].url: must not contain spaces (write %20)", "line 9"),
    _m("feed-file-is-folder", "", '[[feeds]]\nname = "B"\nurl = "."\n',
       "feeds[1].url: '.' is a folder, not a feed file", "line 9"),
    _m("storage-is-folder", '[storage]\npath = "."\n', "",
       "storage.path: ", "is a folder; name a file in it, like notifier.db", "line 2"),
    _m("storage-under-a-file", '[storage]\npath = "wire.xml/state.db"\n', "",
       "storage.path: ", "wire.xml is a file, not a folder", "line 2"),
    _m("storage-empty", '[storage]\npath = ""\n', "", "storage.path: must not be empty", "line 2"),
    _m("storage-nul", '[storage]\npath = "a\\u0000b.db"\n', "",
       "storage.path: must not contain control characters", "line 2"),
    _m("outbox-is-a-file", '[delivery]\nmethod = "outbox"\noutbox_dir = "wire.xml"\n', "",
       "delivery.outbox_dir: ", "is a file, not a folder", "line 3"),
    _m("templates-missing", '[digest]\ntemplates_dir = "my-templates"\n', "",
       "digest.templates_dir: ", "is not a folder", "line 2"),
    # --- the environment: errors name the variable, never a line of the file
    _m("env-port-true", expect=("smtp.port: must be a whole number, got 'true'",
                                "(from the environment variable NOTIFIER_SMTP__PORT)"),
       env={"NOTIFIER_SMTP__PORT": "true"}),
    _m("env-section-json", '[smtp]\nhost = "mail.example.org"\n',
       expect=("smtp.port: must be 1-65535", "(from the environment variable NOTIFIER_SMTP)"),
       env={"NOTIFIER_SMTP": '{"port": 70000}'}),
    _m("env-feeds-unknown-key",
       expect=("feeds[0].bogus: unknown key", "(from the environment variable NOTIFIER_FEEDS)"),
       env={"NOTIFIER_FEEDS": '[{"name": "x", "url": "https://x.org/f", "bogus": 1}]'}),
    _m("env-not-json", expect=("NOTIFIER_FEEDS: not valid JSON",),
       env={"NOTIFIER_FEEDS": "not json"}),
    _m("env-json-nested", expect=("NOTIFIER_FEEDS: nested too deeply",),
       env={"NOTIFIER_FEEDS": DEEP}),
    _m("env-misspelt", expect=("NOTIFIER_SMTP_PORT: matches no setting",
                               "NOTIFIER_SMTP__PORT"),
       env={"NOTIFIER_SMTP_PORT": "25"}),
    _m("env-duration-no-unit", expect=('schedule.poll_every: needs a unit: "30s"?',
                                       "environment variable NOTIFIER_SCHEDULE__POLL_EVERY"),
       env={"NOTIFIER_SCHEDULE__POLL_EVERY": "30"}),
    _m("env-sender-crlf", expect=("smtp.sender: must not contain control characters",
                                  "environment variable NOTIFIER_SMTP__SENDER"),
       env={"NOTIFIER_SMTP__SENDER": "A <a@example.org>\r\nBcc: x@evil.org"}),
    _m("env-lower-case", expect=("smtp.port: must be 1-65535, got 99999",
                                 "(from the environment variable notifier_smtp__port)"),
       env={"notifier_smtp__port": "99999"}),
    _m("env-feeds-not-a-list", expect=('feeds: must be a list, like ["a", "b"]',
                                       "environment variable NOTIFIER_FEEDS"),
       env={"NOTIFIER_FEEDS": '{"name": "x"}'}),
    _m("env-threshold-text", expect=("thresholds.killed: must be a whole number, got 'abc'",
                                     "environment variable NOTIFIER_THRESHOLDS__KILLED"),
       env={"NOTIFIER_THRESHOLDS__KILLED": "abc"}),
    _m("env-no-subscribers", expect=("subscribers: add at least one [[subscribers]] table",
                                     "environment variable NOTIFIER_SUBSCRIBERS"),
       env={"NOTIFIER_SUBSCRIBERS": "[]"}),
    _m("env-timeout-inf", expect=("fetch.timeout: must be a finite number",
                                  "environment variable NOTIFIER_FETCH__TIMEOUT"),
       env={"NOTIFIER_FETCH__TIMEOUT": "inf"}),
]  # fmt: skip


CheckConfig = Callable[..., tuple[int, list[str]]]


@pytest.fixture
def check_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CheckConfig:
    """`notifier check-config` on a config file: (exit code, stderr lines)."""
    (tmp_path / "wire.xml").write_text(FEED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def check(text: str | bytes, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
        path = tmp_path / "config.toml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(["check-config", "--config", str(path)])
        return code, capsys.readouterr().err.splitlines()

    return check


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_each_mistake_is_one_line_naming_key_reason_and_place(
    check_config: CheckConfig, mistake: Mistake
) -> None:
    text = mistake.text if mistake.text is not None else mistake.before + MINIMAL + mistake.after
    code, err = check_config(text, mistake.env)
    assert code == 2, err
    assert len(err) == 1, "\n".join(err)
    (line,) = err
    assert line.startswith("error: ")
    for expected in mistake.expect:
        assert expected in line
    if mistake.env:
        assert ", line " not in line  # the environment is not a line of config.toml


def test_there_are_at_least_forty_mistakes() -> None:
    assert len(MISTAKES) >= 40
    assert len({m.id for m in MISTAKES}) == len(MISTAKES)


def test_a_file_that_is_not_utf8(check_config: CheckConfig) -> None:
    code, err = check_config('[smtp]\nsender = "Caf\xe9 <a@example.org>"\n'.encode("latin-1"))
    assert code == 2
    assert len(err) == 1
    assert "not UTF-8" in err[0]
    assert "save it as UTF-8" in err[0]


def test_a_file_too_large_to_be_a_config(check_config: CheckConfig, tmp_path: Path) -> None:
    code, err = check_config("# " + "x" * 10_000_000 + "\n" + MINIMAL)
    assert code == 2
    assert len(err) == 1
    assert "larger than 10 MB" in err[0]


def test_dev_zero_as_the_config(check_config: CheckConfig) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    assert main(["check-config", "--config", "/dev/zero"]) == 2


def test_a_folder_given_as_the_config(check_config: CheckConfig, tmp_path: Path) -> None:
    code = main(["check-config", "--config", str(tmp_path)])
    assert code == 2


def test_several_mistakes_are_one_line_each(check_config: CheckConfig) -> None:
    code, err = check_config('[smtp]\nport = 70000\nsecirity = "tls"\n' + MINIMAL)
    assert code == 2
    assert len(err) == 2
    assert err[0].startswith("error: smtp.port: must be 1-65535, got 70000")
    assert "line 2" in err[0]
    assert err[1].startswith("error: smtp.secirity: unknown key")
    assert "line 3" in err[1]


def test_env_overrides_a_section_but_the_file_keeps_its_lines(check_config: CheckConfig) -> None:
    """NOTIFIER_SMTP sets the host only: a bad port is still the file's, with its line."""
    code, err = check_config(
        "[smtp]\nport = 70000\n" + MINIMAL, {"NOTIFIER_SMTP": '{"host": "mail.example.org"}'}
    )
    assert code == 2
    assert len(err) == 1
    assert "smtp.port: must be 1-65535" in err[0]
    assert "config.toml, line 2" in err[0]
    assert "environment" not in err[0]


THE_LIMITS = """
[schedule]
poll_every = "365d"
[fetch]
timeout = 3600
max_bytes = 1000000000
[smtp]
timeout = 3600
port = 65535
[alerts]
max_age = "3650d"
immediate_factor = 1000
[digest]
merge_window = "3650d"
max_entries = 1000
[thresholds]
killed = 10000000000
[delivery]
method = "outbox"
[[feeds]]
name = "Wire"
url = "wire.xml"
alert_on_first_poll = true
[[subscribers]]
email = "desk@example.org"
"""


def test_what_check_config_accepts_runs(tmp_path: Path) -> None:
    """The largest values check-config accepts do not fail `run --once` (no overflow)."""
    (tmp_path / "wire.xml").write_text(FEED, encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(THE_LIMITS, encoding="utf-8")
    checked = run_cli("check-config", "--config", str(cfg))
    assert checked.returncode == 0, checked.stderr
    ran = run_cli("run", "--once", "--config", str(cfg))
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr
