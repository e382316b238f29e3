"""What the tests share: a real HTTP server and a real SMTP server on 127.0.0.1, and builders.

Nothing here mocks the network. Feeds and pages are served over HTTP by a
thread in the test process, and mail is accepted by aiosmtpd, so the code under
test opens real sockets, speaks real HTTP and SMTP, and meets real timeouts,
redirects, compressed bodies and refusals, exactly as it does in production
(on loopback only). A mock of httpx or aiosmtplib would test our idea of those
libraries; these servers test the libraries as they behave.

- `HttpServer` answers each path with a route: `serve()` a body (with ETag and
  Last-Modified, and 304 to a conditional GET), or one of `status`, `redirect`,
  `encoded`, `HttpServer.never_answers`, or any function of the request handler.
  It logs every request and the peak of simultaneous ones.
- `Mailbox` is the aiosmtpd handler: it keeps the envelopes it accepts (raw
  bytes, and parsed by `messages` and `to()`), and answers MAIL, RCPT or DATA
  with a refusal on cue. `serve_smtp()` runs it on a port.
- `rss`, `write_config`, `wire_config`, `run_cli`, `parts`, `free_port` and the
  items QUIET, FLOODS and SMALL build the inputs the pipeline tests feed in.

The fixtures made from these live in conftest.py; tests import from here.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

# --- HTTP -------------------------------------------------------------------------

Route = Callable[[http.server.BaseHTTPRequestHandler], None]
"""Answers one request: gets the handler, writes status, headers and body to it."""


class HttpServer:
    """A threaded HTTP server on 127.0.0.1 that answers each path with its route.

    Unknown paths get 404. `requests` logs (path, headers) of every request and
    `peak` the most requests in progress at once. Routes that must hang wait on
    `closing`, which `close()` sets, so no test leaves a thread behind.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.peak = 0
        self.closing = threading.Event()
        self._active = 0
        self._lock = threading.Lock()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        # A short poll interval: shutdown() waits for it, at every test's teardown.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: str | bytes,
        ctype: str = "application/rss+xml",
        *,
        etag: str | bool = True,
        last_modified: str | None = None,
    ) -> None:
        """Serve `body` at `path` (replacing what was there) with 304 to a matching GET.

        `etag=True` makes the ETag from the body, as most servers do, so a
        changed body is a new ETag; a string is that ETag; False sends none.
        """
        data = body.encode() if isinstance(body, str) else body
        if etag is True:
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        self.routes[path] = static(data, ctype, etag=etag or None, last_modified=last_modified)

    def never_answers(self) -> Route:
        """A route that reads the request and says nothing until the server closes."""

        def route(h: http.server.BaseHTTPRequestHandler) -> None:
            self.closing.wait(30)

        return route

    def close(self) -> None:
        self.closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> HttpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append((self.path, dict(self.headers.items())))
                    server._active += 1
                    server.peak = max(server.peak, server._active)
                try:
                    server.routes.get(self.path, status(404))(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, deadline): what the test wants
                finally:
                    with server._lock:
                        server._active -= 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def static(
    body: bytes, ctype: str, *, etag: str | None = None, last_modified: str | None = None
) -> Route:
    """200 with the body and its validators, or a bare 304 when the request matches one.

    The 304 carries no validators: the client must keep those it has.
    """

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        if (etag and h.headers.get("If-None-Match") == etag) or (
            last_modified and h.headers.get("If-Modified-Since") == last_modified
        ):
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        if etag:
            h.send_header("ETag", etag)
        if last_modified:
            h.send_header("Last-Modified", last_modified)
        h.end_headers()
        h.wfile.write(body)

    return route


def status(code: int) -> Route:
    """An error page with that status code."""

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_error(code)

    return route


def redirect(to: str, code: int = 302) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def encoded(body: bytes, encoding: str, ctype: str = "application/rss+xml") -> Route:
    """An already-compressed body sent with `Content-Encoding: encoding`."""

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Encoding", encoding)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return route


# --- SMTP -------------------------------------------------------------------------

NO_SUCH_USER = "550 5.1.1 no such user here"


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and refuses on cue.

    `envelopes` holds what was accepted, as received (`mail_from`, `rcpt_tos`,
    `original_content`); `messages` and `to()` give it parsed. Set `mail_answer`
    or `data_answer` to answer MAIL FROM or DATA with that line instead of
    accepting; `refuse()` an address to answer its RCPT TO so. Every refusal
    given is logged in `refusals`, so a test can count the tries.
    """

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.mail_answer: str | None = None
        self.data_answer: str | None = None
        self.rcpt_answers: dict[str, str] = {}
        self.refusals: list[str] = []

    def refuse(self, address: str, answer: str = NO_SUCH_USER) -> None:
        """Answer RCPT TO:<address> with `answer` (a 4xx or 5xx line)."""
        self.rcpt_answers[address] = answer

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        """What was accepted, in order: (recipients, parsed message)."""
        out = []
        for envelope in self.envelopes:
            assert isinstance(envelope.original_content, bytes)
            msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append((list(envelope.rcpt_tos), msg))
        return out

    def to(self, address: str) -> list[EmailMessage]:
        """The messages accepted for `address`."""
        return [msg for rcpts, msg in self.messages if address in rcpts]

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.mail_answer:
            return self._refused(self.mail_answer)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.rcpt_answers:
            return self._refused(self.rcpt_answers[address])
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        if self.data_answer:
            return self._refused(self.data_answer)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def _refused(self, answer: str) -> str:
        self.refusals.append(answer)
        return answer


@contextmanager
def serve_smtp(
    mailbox: Mailbox | None = None, *, port: int | None = None, **smtp_params: Any
) -> Iterator[tuple[Mailbox, int]]:
    """Run an aiosmtpd server on 127.0.0.1 with `mailbox` as its handler: (mailbox, port).

    `port` picks the port (a test may start the server where a client already
    failed to connect); `smtp_params` go to aiosmtpd (TLS contexts, an authenticator).
    """
    mailbox = mailbox or Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port(), **smtp_params)
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- inputs -----------------------------------------------------------------------


RECENT = format_datetime(datetime.now(UTC) - timedelta(hours=1))
"""Items are dated an hour ago unless a test says otherwise: within alerts.max_age."""


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


def wire_config(tmp_path: Path, http_server: HttpServer, smtp_port: int | None = None) -> Path:
    """The common case: one feed "Wire" serving QUIET (its first poll), one desk subscriber.

    Mail goes to the SMTP server on `smtp_port`, or to the outbox folder without one.
    """
    http_server.serve("/wire.xml", rss([QUIET]))
    return write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http_server.url("/wire.xml"))],
        subscribers=["desk@example.org"],
        smtp_port=25 if smtp_port is None else smtp_port,
        method="outbox" if smtp_port is None else "smtp",
    )


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`notifier ARGS` as a subprocess, as an operator or cron would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    if url := os.environ.get("NOTIFIER_STORAGE__URL"):
        env["NOTIFIER_STORAGE__URL"] = url  # the test's backend (the `on_backend` fixture)
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
