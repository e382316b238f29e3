"""The daemon: poll at start, immediate alerts at once, daily digests scheduled, clean stop."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from helpers import FLOODS, QUIET, HttpServer, Mailbox, rss, wire_config, write_config

from notifier.config import load_settings
from notifier.scheduler import Daemon
from notifier.service import Notifier

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
    real_poll = daemon._poll

    async def scenario() -> None:
        stop = asyncio.Event()

        async def poll_until_stopped() -> None:
            await stop.wait()  # the signal arrives while the job runs (a send in progress)
            await real_poll()
            finished.append("poll")

        daemon._poll = poll_until_stopped  # type: ignore[method-assign]
        task = asyncio.create_task(daemon.run(stop))
        while not daemon.busy.locked():
            await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(scenario())
    assert finished == ["poll"]
