"""What the operator sees: one line per error, quiet under cron, logs a collector can read.

The commands run as subprocesses (`run_cli`, as cron would run them) against a
real feed server and the outbox folder, or through `cli.main` when a fault has
to be planted (an internal error, an interrupt).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FLOODS, QUIET, HttpServer, rss, run_cli, status, write_config

from notifier import service
from notifier.cli import main

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (DEBUG|INFO|WARNING|ERROR) \S+: ")


def wire(tmp_path: Path, http_server: HttpServer, *, gone: bool = False) -> Path:
    """Feed 'Wire' with FLOODS (alerting on its first poll); with `gone`, feed 'Gone' is a 404."""
    http_server.serve("/wire.xml", rss([FLOODS, QUIET]))
    http_server.routes["/gone.xml"] = status(404)
    feeds = [("Wire", http_server.url("/wire.xml"))]
    if gone:
        feeds.append(("Gone", http_server.url("/gone.xml")))
    cfg = write_config(
        tmp_path / "config.toml", feeds=feeds, subscribers=["desk@example.org"], method="outbox"
    )
    text = cfg.read_text().replace('name = "Wire"', 'name = "Wire"\nalert_on_first_poll = true')
    cfg.write_text(text)
    return cfg


# --- -q, and each error once ----------------------------------------------------------


def test_quiet_run_prints_nothing_on_success(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire(tmp_path, http_server)
    result = run_cli("run", "--once", "-q", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1  # quiet, not idle


def test_quiet_check_config_prints_nothing_when_ok(tmp_path: Path) -> None:
    (tmp_path / "wire.xml").write_text(rss([QUIET]), encoding="utf-8")
    cfg = write_config(
        tmp_path / "config.toml", feeds=[("Wire", "wire.xml")], subscribers=["d@example.org"]
    )
    result = run_cli("check-config", "-q", "--config", str(cfg))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_failed_feed_is_reported_once(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire(tmp_path, http_server, gone=True)
    result = run_cli("run", "--once", "--config", str(cfg))
    assert result.returncode == 1
    both = result.stdout + result.stderr
    assert both.count("404") == 1, both
    (line,) = [x for x in both.splitlines() if "404" in x]
    assert line.count("Gone") == 1, line
    assert "feed 'Gone' failed" in result.stdout  # the summary names it, the log says why
    assert "Traceback" not in both


def test_quiet_run_with_a_failure_says_only_the_failure(
    tmp_path: Path, http_server: HttpServer
) -> None:
    cfg = wire(tmp_path, http_server, gone=True)
    result = run_cli("run", "--once", "-q", "--config", str(cfg))
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "Gone" in result.stderr and "404" in result.stderr


# --- log lines: timestamps, JSON, -v -------------------------------------------------------


def test_log_lines_carry_utc_timestamps(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire(tmp_path, http_server, gone=True)
    result = run_cli("run", "--once", "-v", "--config", str(cfg))
    lines = result.stderr.splitlines()
    assert lines
    for line in lines:
        assert STAMP.match(line), line


def test_json_log_lines(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire(tmp_path, http_server, gone=True)
    result = run_cli("run", "--once", "-v", "--log-format", "json", "--config", str(cfg))
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records
    for r in records:
        assert {"time", "level", "logger", "message"} <= set(r)
        assert r["time"].endswith("Z")
    (failed,) = [r for r in records if r["level"] == "ERROR"]
    assert failed["feed"] == "Gone"
    assert "404" in failed["message"]
    assert any(r.get("subscriber") == "desk@example.org" for r in records)


def test_verbose_says_per_feed_and_per_item_what_happened(
    tmp_path: Path, http_server: HttpServer
) -> None:
    cfg = wire(tmp_path, http_server)
    first = run_cli("run", "--once", "-v", "--config", str(cfg)).stderr
    assert "feed 'Wire': fetched" in first
    assert "2 new item(s)" in first
    assert "Floods in Sindh" in first and "displaced 45,000" in first
    assert "Ministers discuss school funding" in first and "no figure" in first
    assert "desk@example.org: 1 digest(s) to send" in first
    assert "sent" in first and "desk@example.org" in first
    again = run_cli("run", "--once", "-v", "--config", str(cfg)).stderr
    assert "feed 'Wire': not modified" in again
    assert "desk@example.org: nothing new to send" in again


def test_default_run_shows_warnings_not_chatter(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire(tmp_path, http_server)
    result = run_cli("run", "--once", "--config", str(cfg))
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.startswith("polled 1 feed(s)")


def test_quiet_and_verbose_together_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("run", "--once", "-q", "-v", "--config", str(tmp_path / "c.toml"))
    assert result.returncode == 2
    assert "not allowed with" in result.stderr


# --- the crash handler ----------------------------------------------------------------------


def _config(tmp_path: Path) -> Path:
    (tmp_path / "wire.xml").write_text(rss([QUIET]), encoding="utf-8")
    return write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", str(tmp_path / "wire.xml"))],
        subscribers=["d@example.org"],
        method="outbox",
    )


def test_an_internal_error_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: object) -> None:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'\nsecond line")

    monkeypatch.setattr(service.Notifier, "feed_status", broken)
    assert main(["feeds", "--config", str(_config(tmp_path))]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: internal error (TypeError: unsupported operand type(s) for +: 'int' and 'str' "
        "second line); run with -v for the traceback, and please report it"
    ]


def test_an_internal_error_with_v_logs_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: object) -> None:
        raise TypeError("boom")

    monkeypatch.setattr(service.Notifier, "feed_status", broken)
    assert main(["feeds", "-v", "--config", str(_config(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.rstrip().splitlines()[-1].startswith("error: internal error (TypeError: boom)")


def test_an_interrupt_exits_130_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(self: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(service.Notifier, "feed_status", interrupted)
    assert main(["feeds", "--config", str(_config(tmp_path))]) == 130
    assert capsys.readouterr().err == ""


def test_ctrl_c_on_a_waiting_command_exits_130_quietly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifier", "extract", "--jsonl", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # started, and most likely waiting for stdin (if not, still importing)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == ""


# --- a reader that goes away: `notifier preview | head` ---------------------------------------


def test_a_closed_pipe_on_stdout_exits_quietly() -> None:
    read, write = os.pipe()
    os.close(read)  # like `| head` that has already exited
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "notifier", "extract", "--jsonl", "-"],
            input=json.dumps({"id": "a", "text": "About 90 people died."}) + "\n",
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert proc.stderr == ""
    assert proc.returncode == 0


def test_preview_into_a_closed_pipe(tmp_path: Path, http_server: HttpServer) -> None:
    """`notifier preview | head`: the reader is gone before the digest is printed."""
    cfg = wire(tmp_path, http_server)
    assert run_cli("run", "--once", "--dry-run", "--config", str(cfg)).returncode == 0
    read, write = os.pipe()
    os.close(read)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "notifier", "preview", "--config", str(cfg)],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert proc.stderr == ""
    assert proc.returncode == 0


def test_a_misspelt_variable_is_warned_of_by_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NOTIFIER_SMTP_PORT", "25")
    assert main(["run", "--once", "--dry-run", "--config", str(_config(tmp_path))]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert "WARNING" in line
    assert "NOTIFIER_SMTP_PORT matches no setting and is ignored" in line
    assert "did you mean NOTIFIER_SMTP__PORT?" in line
