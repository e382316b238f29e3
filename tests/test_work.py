"""The worker processes of a poll: same answers as in-process, logs sent back, a dead worker survived."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pytest
from helpers import HttpServer
from test_feeds import RSS, feed, settings, three_entries

from notifier.extract import extract
from notifier.feeds import Workers, fetch_all, parse_feed
from notifier.feeds.work import WorkerDiedError, cores
from notifier.store import content_hash


async def test_parse_and_extract_in_workers_match_this_process() -> None:
    workers = Workers(1, fingerprint=content_hash)
    items = await workers.parse(
        "Field", RSS, content_type="application/rss+xml", url="https://x.org/f/rss", deadline=5
    )
    assert items == parse_feed(
        "Field", RSS, content_type="application/rss+xml", url="https://x.org/f/rss"
    )
    assert workers.fingerprints("Field") == {i.guid: content_hash(i) for i in items}
    assert workers.fingerprints("Field") == {}  # handed over once
    done = await workers.extract(items)
    assert [d.report for d in done] == [extract(f"{i.title}\n\n{i.text}") for i in items]
    assert any(d.report is not None and d.report.figures for d in done)


async def test_a_workers_warning_is_logged_here_once(
    http_server: HttpServer, caplog: pytest.LogCaptureFixture
) -> None:
    bad = b"</title><dcterms:modified>2003-12-31T10:<textinput>14:55Z</dcterms:modified><title>x"
    http_server.serve("/feed", three_entries(bad))
    workers = Workers(1)
    for _ in range(2):
        [result] = await fetch_all(
            [feed("Pooled", http_server.url("/feed"))], {}, settings(), workers=workers
        )
        assert [i.guid for i in result.items] == ["good-1", "good-2"]
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1
    assert dropped[0].name == "notifier.feeds.parse"
    assert dropped[0].levelno == logging.WARNING
    assert "feed 'Pooled'" in dropped[0].getMessage()


async def test_a_feed_that_is_not_one_fails_alone_in_workers(http_server: HttpServer) -> None:
    http_server.serve("/page", "<html><body>Hello</body></html>", "text/html")
    http_server.serve("/rss", RSS)
    page, ok = await fetch_all(
        [feed("Page", http_server.url("/page")), feed("Field", http_server.url("/rss"))],
        {},
        settings(),
        workers=Workers(1),
    )
    assert page.error is not None
    assert "is not an RSS/Atom feed" in page.error
    assert ok.error is None
    assert ok.items


async def test_a_worker_that_dies_fails_its_job_and_the_next_job_gets_a_new_pool() -> None:
    workers = Workers(1)
    with pytest.raises(WorkerDiedError, match="worker process died"):
        await workers._run(partial(os._exit, 3), 1)
    items = await workers.parse("Field", RSS, content_type=None, url="", deadline=5)
    assert items


async def test_extractions_are_served_before_parses() -> None:
    """With every slot taken, a waiting extraction gets the next free slot before a parse."""
    workers = Workers(0)
    for _ in range(2):  # the two slots of an in-process Workers
        await workers._slot(1)
    order: list[str] = []

    async def wait(name: str, priority: int) -> None:
        await workers._slot(priority)
        order.append(name)

    parse = asyncio.create_task(wait("parse", 1))
    await asyncio.sleep(0)
    extraction = asyncio.create_task(wait("extract", 0))
    await asyncio.sleep(0)
    workers._release()
    await asyncio.sleep(0)
    assert order == ["extract"]
    workers._release()
    await asyncio.gather(parse, extraction)
    assert order == ["extract", "parse"]


def test_cores_is_what_this_process_may_use() -> None:
    assert cores() == len(os.sched_getaffinity(0))


def test_workers_end_when_their_parent_is_killed() -> None:
    """SIGKILL leaves no pool shutdown behind it: the workers notice and end on their own."""
    script = (
        "import asyncio, os, signal\n"
        "from notifier.feeds import Workers\n"
        "async def main():\n"
        "    print(await Workers(1)._run(os.getpid, 1), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "asyncio.run(main())\n"
    )
    with tempfile.TemporaryFile("w+") as out:
        # wait() reaps the killed parent at once, as a cron shell does: a zombie still "exists"
        child = subprocess.Popen([sys.executable, "-c", script], stdout=out)
        assert child.wait(timeout=60) == -signal.SIGKILL
        out.seek(0)
        worker = int(out.read().split()[0])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{worker}").exists()
