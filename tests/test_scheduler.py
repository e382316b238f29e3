"""The daemon: poll at start, immediate alerts at once, daily digests scheduled, clean stop."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from helpers import FLOODS, QUIET, HttpServer, Mailbox, rss, wire_config, write_config

from notifier.config import load_settings
from notifier.scheduler import Daemon
from notifier.service import Notifier

pytestmark = pytest.mark.usefixtures("on_backend")  # each test on SQLite and PostgreSQL


HUGE = {
    "guid": "h-1",
    "title": "Cyclone makes landfall",
    "link": "http://news.example.org/cyclone",
    "html": "<p>The cyclone has displaced 450,000 people along the coast of Bangladesh, "
    "officials said on Monday.</p>",
}


def test_poll_job_sends_only_immediate_alerts(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    cfg = wire_config(tmp_path, http_server, port)
    daemon = Daemon(Notifier(load_settings(cfg)))

    async def scenario() -> None:
        await daemon.poll_job()  # first poll: silent
        http_server.serve("/wire.xml", rss([HUGE, FLOODS, QUIET]))
        await daemon.poll_job()
        assert len(box.messages) == 1
        assert "cyclone" in str(box.messages[0][1]["Subject"]).lower() or "450,000" in str(
            box.messages[0][1]["Subject"]
        )
        await daemon.digest_job("desk@example.org")  # the daily digest takes the rest

    asyncio.run(scenario())
    assert len(box.messages) == 2
    text = box.messages[1][1].get_body(("plain",))
    assert text is not None
    assert "45,000" in text.get_content()
    assert "450,000" not in text.get_content()


def test_jobs_are_scheduled_in_each_subscriber_zone(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", "wire.xml")],
        subscribers=["desk@example.org"],
        extra='timezone = "Asia/Kathmandu"\n[schedule]\ndigest_at = "06:30"\npoll_every = "15m"\n',
    )
    daemon = Daemon(Notifier(load_settings(cfg)))

    async def scenario() -> None:
        scheduler = AsyncIOScheduler()
        daemon.schedule(scheduler)
        scheduler.start(paused=True)
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {"poll", "digest:desk@example.org"}
        assert jobs["poll"].trigger.interval.total_seconds() == 900
        digest = jobs["digest:desk@example.org"]
        assert str(digest.trigger.timezone) == "Asia/Kathmandu"
        assert "hour='6'" in str(digest.trigger) and "minute='30'" in str(digest.trigger)
        scheduler.shutdown(wait=False)

    asyncio.run(scenario())


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire_config(tmp_path, http_server)
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifier", "serve", "--config", str(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not http_server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http_server.requests, "the daemon did not poll at start"
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


def test_stop_lets_the_running_job_finish(tmp_path: Path, http_server: HttpServer) -> None:
    cfg = wire_config(tmp_path, http_server)
    daemon = Daemon(Notifier(load_settings(cfg)))
    finished: list[str] = []

    async def scenario() -> None:
        stop = asyncio.Event()

        async def poll_until_stopped() -> None:
            daemon.phase = "deliver"  # a send in progress when the signal arrives
            await stop.wait()
            await asyncio.sleep(0.2)
            finished.append("poll")

        daemon._poll = poll_until_stopped  # type: ignore[method-assign]
        task = asyncio.create_task(daemon.run(stop))
        while not daemon.busy.locked():
            await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(scenario())
    assert finished == ["poll"]


def test_sigterm_abandons_a_stalled_poll_at_once(tmp_path: Path, http_server: HttpServer) -> None:
    """A feed that never answers must not hold a stop for fetch.timeout (it took 19 s)."""
    http_server.routes["/stalled.xml"] = http_server.never_answers()
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Stalled", http_server.url("/stalled.xml"))],
        subscribers=["desk@example.org"],
        method="outbox",
    )
    cfg.write_text(cfg.read_text().replace("[fetch]\ntimeout = 5", "[fetch]\ntimeout = 60"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifier", "serve", "--config", str(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not http_server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http_server.requests, "the daemon did not poll at start"
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_a_second_signal_stops_a_stalled_send_at_once(
    tmp_path: Path, http_server: HttpServer
) -> None:
    """The first SIGTERM gives a send in progress time to end; a second one does not wait."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connected = threading.Event()

    def relay() -> None:  # greets, accepts the envelope, then never answers the message
        conn, _ = listener.accept()
        connected.set()
        with conn, conn.makefile("rb") as rfile:
            conn.sendall(b"220 ready\r\n")
            for line in rfile:
                verb = line[:4].upper()
                if verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    time.sleep(30)
                    return
                conn.sendall(b"250 OK\r\n")

    threading.Thread(target=relay, daemon=True).start()
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http_server.url("/wire.xml"))],
        subscribers=["desk@example.org"],
        smtp_port=port,
        extra="[alerts]\nimmediate_factor = 1\n",
    )
    cfg.write_text(cfg.read_text().replace("timeout = 5\n", "timeout = 60\n", 1))
    http_server.serve("/wire.xml", rss([QUIET]))
    asyncio.run(Notifier(load_settings(cfg)).run_once(dry_run=True))  # the silent first poll
    http_server.serve("/wire.xml", rss([FLOODS, QUIET]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifier", "serve", "--config", str(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert connected.wait(30), "the daemon did not send the immediate alert"
    time.sleep(0.3)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 3
    assert "Traceback" not in err
    listener.close()
    with Notifier(load_settings(cfg)).store() as store:
        assert len(store.pending_deliveries()) == 1  # left for the next run, not lost
