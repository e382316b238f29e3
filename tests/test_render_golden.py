"""Golden files: sample feeds + a config -> the real pipeline -> the messages in the outbox.

The feeds in `tests/golden/feeds/` (fictional events: a cyclone in Mozambique,
shelling in Idlib carried by two feeds, floods in Kasai and Kassala, a GDACS
Orange cyclone and a Green earthquake, a feed that is missing for two polls)
are polled three times by `notifier.service.Notifier`, delivering to the
outbox folder:

1. first poll: recorded, nothing sent; the missing feed (served over HTTP,
   404 until the third poll) fails once;
2. new items: the immediate alert (the top level only), the feed-health
   message (the feed failed twice), then the daily digest (the rest, and
   one line for what was already sent at once);
3. follow-ups: the daily digest with trends (up, down, unchanged) and the
   message that the feed recovered.

Each .eml is read back and compared, part by part, with `tests/golden/NAME.txt`
(headers and text/plain) and `tests/golden/NAME.html`. Items are dated from
now, so `alerts.max_age` lets them alert; dates, Message-IDs, the boundary, the
delivery id and the temporary folder are normalised. After an intended change
of the templates, regenerate the golden files and review the diff:

    UPDATE_GOLDEN=1 pytest tests/test_render_golden.py
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import http.server
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from notifier.config import load_settings
from notifier.render.plain import is_url
from notifier.service import Notifier

GOLDEN = Path(__file__).parent / "golden"
FEEDS = GOLDEN / "feeds"
REGENERATE = "UPDATE_GOLDEN=1 pytest tests/test_render_golden.py"
HEADERS = (
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "X-Notifier-Digest",
    "Content-Type",
)
CONFIG = """\
[storage]
path = "state.db"

[delivery]
method = "outbox"
outbox_dir = "outbox"

[smtp]
sender = "Humanitarian alerts <alerts@example.org>"

[schedule]
timezone = "UTC"

[digest]
list_unsubscribe = "https://alerts.example.org/unsubscribe?u=desk"

[operator]
email = "ops@example.org"
feed_failures = 2

[[feeds]]
name = "Relief Wire"
url = "feeds/relief-wire.xml"

[[feeds]]
name = "Agency Updates"
url = "feeds/agency-updates.atom"

[[feeds]]
name = "GDACS"
url = "feeds/gdacs.xml"

[[feeds]]
name = "Sector Reports"
url = "feeds/sector-reports.xml"

[[feeds]]
name = "Coastal Monitor"
url = "{coastal}"

[[subscribers]]
email = "desk@example.org"
name = "Operations desk"
timezone = "Africa/Nairobi"
"""
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DATES = (
    # "02 Dec 2026 07:00 EAT" (sources, headers of the digest), "02 Dec" (trends)
    (
        re.compile(rf"\b\d{{2}} {MONTH} \d{{4}} \d{{2}}:\d{{2}}(?: [A-Z]{{2,5}}|[+-]\d{{4}})?"),
        "{WHEN}",
    ),
    (re.compile(rf"\b\d{{2}} {MONTH}(?: \d{{4}})?\b"), "{DAY}"),
)
_AGO = re.compile(r"@(AGO|AGO_ISO|DAY):(\d+)h@")


def write_feeds(batch: str, dest: Path, now: datetime) -> None:
    """Copy one poll's feeds, with @AGO:5h@ (RFC 822), @AGO_ISO:5h@ and @DAY:5h@ filled in."""
    dest.mkdir(exist_ok=True)
    for path in (FEEDS / batch).iterdir():

        def date(m: re.Match[str], path: Path = path) -> str:
            when = now - timedelta(hours=int(m[2]))
            if m[1] == "AGO":
                return format_datetime(when)
            return when.isoformat() if m[1] == "AGO_ISO" else f"{when:%d %b %Y %H:%M} UTC"

        (dest / path.name).write_text(_AGO.sub(date, path.read_text("utf-8")), "utf-8")


def normalise(text: str, tmp: Path) -> str:
    """Dates, ids, the temporary folder and the server's port replaced, lines ended by LF.

    Neither changes how the text part wraps: the port of a local server always
    has five digits (ephemeral ports), and no path is shown.
    """
    text = text.replace("\r\n", "\n").replace(str(tmp), "{TMP}")
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:{PORT}", text)
    for pattern, placeholder in _DATES:
        text = pattern.sub(placeholder, text)
    return text


def message_text(msg: EmailMessage, tmp: Path) -> tuple[str, str]:
    """(headers and the text/plain part, the text/html part), normalised."""
    lines = []
    for name in HEADERS:
        value = msg.get(name)
        if value is None:
            continue
        value = " ".join(str(value).split())  # unfolded: a long Subject is folded on the wire
        if name == "Date":
            value = "{DATE}"
        elif name == "Message-ID":
            value = "{MESSAGE-ID}" if re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", value) else value
        elif name == "X-Notifier-Digest":
            value = "{ID}" if value.isdigit() else value
        elif name == "Content-Type":
            value = re.sub(r'boundary="[^"]+"', 'boundary="{BOUNDARY}"', value)
        lines.append(f"{name}: {value}")
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    text = "\n".join(lines) + "\n\n" + parts["text/plain"]
    return normalise(text, tmp), normalise(parts["text/html"], tmp)


class FeedServer:
    """One feed over HTTP on 127.0.0.1: 404 until it is given a body."""

    def __init__(self) -> None:
        self.body: bytes | None = None
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if server.body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/coastal-monitor.xml"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Outbox:
    """The .eml files the pipeline writes, taken in the order they were written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: set[Path] = set()

    def new(self) -> list[EmailMessage]:
        files = sorted(set(self.folder.glob("*.eml")) - self.seen, key=_row_id)
        self.seen.update(files)
        return [
            email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files
        ]


def _row_id(path: Path) -> int:
    match = re.search(r"-(\d{6})-", path.name)
    return int(match[1]) if match else 0


def run_pipeline(tmp: Path) -> Iterator[tuple[str, EmailMessage]]:
    """The three polls; yields (golden name, message) for every message written."""
    now = datetime.now(UTC)
    tmp.mkdir(parents=True, exist_ok=True)
    # Coastal Monitor is served over HTTP, and missing (404) until the third poll.
    server = FeedServer()
    (tmp / "config.toml").write_text(CONFIG.replace("{coastal}", server.url), encoding="utf-8")
    notifier = Notifier(load_settings(tmp / "config.toml"))
    outbox = Outbox(tmp / "outbox")

    async def poll(batch: str, kinds: tuple[str, ...]) -> None:
        write_feeds(batch, tmp / "feeds", now)
        served = tmp / "feeds" / "coastal-monitor.xml"
        if served.exists():
            server.body = served.read_bytes()
        with notifier.lock(), notifier.store() as store:
            await notifier.poll(store)
            notifier.report_feed_health(store)
            for kind in kinds:
                await notifier.deliver(store, kind=kind)  # type: ignore[arg-type]

    asyncio.run(poll("poll1", ("immediate", "daily")))
    assert outbox.new() == [], "the first poll of a feed must not alert"

    asyncio.run(poll("poll2", ("immediate",)))
    for msg in outbox.new():
        yield ("health-failing" if "ops@" in str(msg["To"]) else "immediate"), msg
    asyncio.run(poll("poll2", ("daily",)))
    for msg in outbox.new():
        yield "daily", msg

    asyncio.run(poll("poll3", ("daily",)))
    for msg in outbox.new():
        yield ("health-recovered" if "ops@" in str(msg["To"]) else "followup"), msg
    server.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str, str]]:
    """Each message: (its text/plain part as sent, then headers + text and HTML, normalised)."""
    tmp = tmp_path_factory.mktemp("golden")
    out: dict[str, tuple[str, str, str]] = {}
    for name, msg in run_pipeline(tmp):
        assert name not in out, f"two messages for {name}"
        plain = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        out[name] = (plain.get_content().replace("\r\n", "\n"), *message_text(msg, tmp))
    return out


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} is missing; create it with: {REGENERATE}"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from the golden file. If the change is intended, "
        f"regenerate the golden files with: {REGENERATE}"
    )


Rendered = dict[str, tuple[str, str, str]]
MESSAGES = ("immediate", "daily", "followup", "health-failing", "health-recovered")


@pytest.mark.parametrize("name", MESSAGES)
def test_message_matches_golden_files(name: str, rendered: Rendered) -> None:
    assert name in rendered, f"the pipeline wrote no {name} message (it wrote {sorted(rendered)})"
    _, text, html = rendered[name]
    check_golden(f"{name}.txt", text)
    check_golden(f"{name}.html", html)


def test_pipeline_wrote_nothing_else(rendered: Rendered) -> None:
    assert sorted(rendered) == sorted(MESSAGES)


@pytest.mark.parametrize("name", MESSAGES)
def test_text_lines_fit_78_columns(name: str, rendered: Rendered) -> None:
    for line in rendered[name][0].splitlines():
        assert len(line) <= 78 or is_url(line.strip()), line
