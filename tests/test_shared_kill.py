"""One of two instances on one PostgreSQL database SIGKILLed mid-send: nothing lost, nothing twice.

Instance A (`notifier run --once`) polls a feed whose item alerts 30
subscribers and starts sending their digests to an SMTP server on 127.0.0.1.
The server holds A's messages in DATA and starts instance B, a second `run
--once` on the same database; as soon as B has a message accepted, the server
keeps A's messages in flight and SIGKILLs A before it hears their 250s: their
outcome is unknown to both instances. B runs on, and one more run ends the
work. Every subscriber must get the alert; only A's messages in flight when it
died (at most `SESSIONS`, its SMTP sessions) may arrive twice, each resent byte
for byte; nothing else twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import Envelope
from helpers import FLOODS, QUIET, HttpServer, Mailbox, rss, serve_smtp, write_config

from notifier.mailer import SESSIONS

pytest.importorskip(
    "psycopg", reason="the postgres extra is not installed: pip install -e '.[postgres]'"
)
if not sys.platform.startswith("linux"):
    pytest.skip("finds the sending process through /proc (Linux only)", allow_module_level=True)

SUBSCRIBERS = [f"desk{n}@example.org" for n in range(30)]
HOLD = 60.0  # seconds A's messages wait for B's first one, at most


def socket_owner(port: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the TCP socket whose local port is `port` (from /proc)."""
    inodes = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if table.exists():
            for line in table.read_text(encoding="ascii").splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except FileNotFoundError:
            continue
        for fd in fds:
            try:
                if str(fd.readlink()) in inodes:
                    return pid
            except FileNotFoundError:
                continue
    return None


def start(cfg: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "notifier", "run", "--once", "-q", "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")},
    )


class KillingMailbox(Mailbox):
    """Holds instance A's messages until instance B (started here) sends one, then kills A."""

    def __init__(self, cfg: Path) -> None:
        super().__init__()
        self.cfg = cfg
        self.a: subprocess.Popen[bytes] | None = None
        self.b: subprocess.Popen[bytes] | None = None
        self.senders: list[int | None] = []  # the process that sent each accepted message
        self.killed = False

    def _pids(self) -> list[int]:
        return [p.pid for p in (self.a, self.b) if p is not None]

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        sender = socket_owner(session.peer[1], self._pids())
        if self.a is not None and sender == self.a.pid and not self.killed:
            if self.b is None:
                self.b = start(self.cfg)
            deadline = time.monotonic() + HOLD
            while self.b.pid not in self.senders and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            answer = await super().handle_DATA(server, session, envelope)
            self.senders.append(sender)
            if not self.killed and self.b.pid in self.senders:
                self.killed = True
                os.kill(self.a.pid, signal.SIGKILL)
            await asyncio.sleep(0.3)  # the 250 goes to a dead process
            return answer
        await asyncio.sleep(0.05)
        answer = await super().handle_DATA(server, session, envelope)
        self.senders.append(sender)
        return answer


def test_one_of_two_instances_killed_mid_send_loses_nothing(
    tmp_path: Path, pg_url: str, http_server: HttpServer
) -> None:
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http_server.url("/wire.xml"))],
        subscribers=SUBSCRIBERS,
    )
    box = KillingMailbox(cfg)
    with serve_smtp(box) as (_, port):
        text = cfg.read_text().replace("[storage]", f'[storage]\nurl = "{pg_url}"', 1)
        cfg.write_text(text.replace("port = 25", f"port = {port}", 1))
        http_server.serve("/wire.xml", rss([QUIET]))
        first = start(cfg)
        assert first.wait(timeout=60) == 0, first.stderr.read() if first.stderr else ""
        http_server.serve("/wire.xml", rss([FLOODS, QUIET]))

        box.a = start(cfg)
        assert box.a.wait(timeout=120) == -signal.SIGKILL, "A was not killed mid-send"
        assert box.b is not None
        assert box.b.wait(timeout=120) == 0, box.b.stderr.read() if box.b.stderr else ""
        last = start(cfg)  # ends whatever the killed instance left
        assert last.wait(timeout=60) == 0, last.stderr.read() if last.stderr else ""

    received = Counter(r for rcpts, _ in box.messages for r in rcpts)
    assert set(received) == set(SUBSCRIBERS)  # nobody lost
    assert box.b.pid in box.senders  # B was sending while A died
    twice = [s for s, n in received.items() if n > 1]
    assert len(twice) <= SESSIONS and all(received[s] == 2 for s in twice)
    for s in twice:  # only what the killed process had in flight, resent byte for byte
        first_copy, again = (i for i, e in enumerate(box.envelopes) if s in e.rcpt_tos)
        assert box.senders[first_copy] == box.a.pid
        assert box.envelopes[first_copy].original_content == box.envelopes[again].original_content
    for _, msg in box.messages:
        assert FLOODS["link"] in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
