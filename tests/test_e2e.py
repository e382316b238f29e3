"""`notifier run --once` as a subprocess against a real feed server and a real SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    FLOODS,
    QUIET,
    SMALL,
    HttpServer,
    Mailbox,
    parts,
    rss,
    run_cli,
    wire_config,
    write_config,
)

pytestmark = pytest.mark.usefixtures("on_backend")  # each test on SQLite and PostgreSQL


def test_run_once_end_to_end(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    cfg = wire_config(tmp_path, http_server, port)

    first = run_cli("run", "--once", "--config", str(cfg))
    assert first.returncode == 0, first.stderr
    assert box.messages == []
    assert "first poll of 'Wire'" in first.stdout

    http_server.serve("/wire.xml", rss([FLOODS, SMALL, QUIET]))
    second = run_cli("run", "--once", "--config", str(cfg))
    assert second.returncode == 0, second.stderr
    assert len(box.messages) == 1
    rcpts, msg = box.messages[0]
    assert rcpts == ["desk@example.org"]
    assert msg.get_content_type() == "multipart/alternative"
    for header in ("Subject", "Date", "Message-ID", "From", "To"):
        assert msg[header], header
    assert "45,000" in str(msg["Subject"])
    text, html = parts(msg)["text/plain"], parts(msg)["text/html"]
    for body in (text, html):
        assert "45,000" in body
        assert "OCHA" in body
        assert "http://news.example.org/sindh-floods" in body
        assert "small-landslide" not in body
        assert "700" not in body

    third = run_cli("run", "--once", "--config", str(cfg))
    assert third.returncode == 0, third.stderr
    assert "nothing to send" in third.stdout
    assert len(box.messages) == 1
    # The feed did not change: the server answered 304 to the conditional GET.
    assert http_server.requests[-1][1].get("If-None-Match")


def test_dry_run_and_preview_send_and_mark_nothing(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    cfg = wire_config(tmp_path, http_server, port)
    assert run_cli("run", "--once", "--config", str(cfg)).returncode == 0
    http_server.serve("/wire.xml", rss([FLOODS, QUIET]))

    dry = run_cli("run", "--once", "--dry-run", "--config", str(cfg))
    assert dry.returncode == 0, dry.stderr
    assert "would send to desk@example.org" in dry.stdout
    out = tmp_path / "preview.html"
    preview = run_cli(
        "preview", "--subscriber", "desk@example.org", "--out", str(out), "--config", str(cfg)
    )
    assert preview.returncode == 0, preview.stderr
    assert "45,000" in out.read_text(encoding="utf-8")
    assert box.messages == []

    real = run_cli("run", "--once", "--config", str(cfg))
    assert real.returncode == 0, real.stderr
    assert len(box.messages) == 1


def test_outbox_delivery_and_feed_status(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.serve("/wire.xml", rss([FLOODS]))
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http_server.url("/wire.xml")), ("Gone", http_server.url("/gone.xml"))],
        subscribers=["desk@example.org"],
        method="outbox",
        extra="",
    )
    text = cfg.read_text().replace('name = "Wire"', 'name = "Wire"\nalert_on_first_poll = true')
    cfg.write_text(text)
    result = run_cli("run", "--once", "--config", str(cfg))
    assert result.returncode == 1, result.stdout  # the missing feed is a partial failure
    assert "feed 'Gone' failed" in result.stdout
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    assert b"45,000" in files[0].read_bytes()

    status = run_cli("feeds", "--config", str(cfg))
    assert status.returncode == 1
    assert "Wire: ok; 1 item(s)" in status.stdout
    assert "Gone: ERROR" in status.stdout and "404" in status.stdout


def test_bad_config_exits_2_with_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[smtp]\nport = 70000\n[[feeds]]\nname="a"\nurl="a.xml"\n[[subscribers]]\nemail="d@x.org"\n'
    )
    for command in (["check-config"], ["run", "--once"], ["feeds"]):
        result = run_cli(*command, "--config", str(cfg))
        assert result.returncode == 2
        assert "smtp.port: must be 1-65535, got 70000" in result.stderr
        assert "Traceback" not in result.stderr


def test_run_without_once_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("run", "--config", str(tmp_path / "none.toml"))
    assert result.returncode == 2
    assert "--once" in result.stderr


def test_demo_writes_digests(tmp_path: Path) -> None:
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    files = list((tmp_path / "notifier-demo" / "outbox").glob("*.eml"))
    assert len(files) == 2
    assert "digest(s) written to" in result.stdout
    again = run_cli("demo", cwd=tmp_path)
    assert again.returncode == 0
    assert len(list((tmp_path / "notifier-demo" / "outbox").glob("*.eml"))) == 2


def test_preview_usage_errors(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", "wire.xml")],
        subscribers=["a@example.org", "b@example.org"],
        method="outbox",
    )
    unknown = run_cli("preview", "--subscriber", "c@example.org", "--config", str(cfg))
    assert unknown.returncode == 2
    assert "no subscriber 'c@example.org'" in unknown.stderr
    several = run_cli("preview", "--out", str(tmp_path / "p.html"), "--config", str(cfg))
    assert several.returncode == 2
    assert "--subscriber" in several.stderr
    nodir = run_cli(
        "preview",
        "--subscriber",
        "a@example.org",
        "--out",
        str(tmp_path / "no" / "p.html"),
        "--config",
        str(cfg),
    )
    assert nodir.returncode in (0, 2)  # nothing to render yet: no file is needed
    assert "Traceback" not in nodir.stderr


def test_broken_template_is_a_config_error(tmp_path: Path) -> None:
    mine = tmp_path / "my-templates"
    mine.mkdir()
    (mine / "subject.j2").write_text("{{ prefix }} {% if %}")
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", "wire.xml")],
        subscribers=["a@example.org"],
        method="outbox",
        extra='[digest]\ntemplates_dir = "my-templates"\n',
    )
    result = run_cli("check-config", "--config", str(cfg))
    assert result.returncode == 2
    assert "subject.j2, line 1" in result.stderr


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notifier-demo").mkdir()
    (tmp_path / "notifier-demo" / "notifier.db").write_text("an operator's state")
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 2
    assert "was not made by the demo" in result.stderr
    assert (tmp_path / "notifier-demo" / "notifier.db").read_text() == "an operator's state"
