"""Real parts for the pipeline tests: a feed server and an SMTP server on 127.0.0.1, configs.

Nothing here mocks the network: feeds are served over HTTP by a thread in the
test process and mail is accepted by aiosmtpd, so the code under test opens
real sockets exactly as it does in production (on loopback only).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from aiosmtpd.controller import Controller


class FeedServer:
    """Serves in-memory feeds with ETag / If-None-Match (304) support; counts requests."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                body = server.bodies.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data, ctype = body
                etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: str | bytes, ctype: str = "application/rss+xml") -> None:
        self.bodies[path] = (body.encode() if isinstance(body, str) else body, ctype)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or answers with `reply`."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    reply: str | None = None
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.reply:
            return self.reply
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


RECENT = format_datetime(datetime.now(UTC) - timedelta(hours=1))
"""Items are dated an hour ago by default: within alerts.max_age of any test run."""


def rss(items: list[dict[str, str]], title: str = "Test wire") -> str:
    """A small RSS 2.0 feed; items have guid, title, link, html."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>http://news.example.org/</link>"
        "<description>test feed</description>",
    ]
    for it in items:
        parts.append(
            f'<item><guid isPermaLink="false">{escape(it["guid"])}</guid>'
            f"<title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
            f"<pubDate>{it.get('date', RECENT)}</pubDate>"
            f"<description>{escape(it.get('summary', it['title']))}</description>"
            f"<content:encoded><![CDATA[{it['html']}]]></content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts)


# Items written for these tests (realistic wording, fictional events).
QUIET = {
    "guid": "q-1",
    "title": "Ministers discuss school funding",
    "link": "http://news.example.org/schools",
    "html": "<p>Ministers met on 3 March 2026 and pledged $40 million for 900 schools.</p>",
}
FLOODS = {
    "guid": "f-1",
    "title": "Floods in Sindh",
    "link": "http://news.example.org/sindh-floods",
    "html": "<p>KARACHI - Floods have forced more than 45,000 people to leave their homes in "
    "Sindh province this week, the UN Office for the Coordination of Humanitarian Affairs "
    "(OCHA) said on Tuesday.</p><p>Officials said roads to three districts were cut.</p>",
}
SMALL = {
    "guid": "s-1",
    "title": "Landslide in the hills",
    "link": "http://news.example.org/small-landslide",
    "html": "<p>A landslide displaced 700 people in the hill district, officials said.</p>",
}


def write_config(
    path: Path,
    *,
    feeds: list[tuple[str, str]],
    subscribers: list[str],
    smtp_port: int = 25,
    method: str = "smtp",
    extra: str = "",
) -> Path:
    """A complete config file for a test run; state and outbox under the config's folder."""
    lines = [
        "[storage]",
        'path = "state.db"',
        "[delivery]",
        f'method = "{method}"',
        'outbox_dir = "outbox"',
        "[smtp]",
        'host = "127.0.0.1"',
        f"port = {smtp_port}",
        'security = "none"',
        "timeout = 5",
        'sender = "Alerts <alerts@example.org>"',
        "[fetch]",
        "timeout = 5",
        "[thresholds]",
        "displaced = 10000",
        "killed = 50",
    ]
    for name, url in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{url}"']
    for addr in subscribers:
        lines += ["[[subscribers]]", f'email = "{addr}"', f'name = "{addr.split("@")[0]}"']
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def wire_config(tmp_path: Path, feed_server: FeedServer, smtp_port: int | None = None) -> Path:
    """The common case: one feed "Wire" serving QUIET (its first poll), one desk subscriber.

    Mail goes to the SMTP server on `smtp_port`, or to the outbox folder without one.
    """
    feed_server.set("/wire.xml", rss([QUIET]))
    return write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", feed_server.url("/wire.xml"))],
        subscribers=["desk@example.org"],
        smtp_port=25 if smtp_port is None else smtp_port,
        method="outbox" if smtp_port is None else "smtp",
    )


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`notifier ARGS` as a subprocess, as an operator or cron would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    return subprocess.run(
        [sys.executable, "-m", "notifier", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        check=False,
    )


def parts(msg: EmailMessage) -> dict[str, str]:
    """The text parts of a message by content type."""
    out: dict[str, str] = {}
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            out.setdefault(part.get_content_type(), part.get_content())
    return out


@pytest.fixture(autouse=True)
def _no_notifier_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTIFIER_* variables of the developer's shell must not leak into tests."""
    for key in list(os.environ):
        if key.startswith("NOTIFIER_"):
            monkeypatch.delenv(key)


def run_async(coro: Any) -> Any:
    """Run a coroutine from a sync test."""
    return asyncio.run(coro)
