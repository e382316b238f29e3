"""Delivery under faults a relay really produces: nothing lost, nothing sent twice.

A connection lost after DATA (the relay may have the message), a relay whose
SIZE is smaller than a digest, a relay that refuses connections or never
answers, for many subscribers at once. The relays are real sockets on
127.0.0.1: aiosmtpd where it can play the part, a few lines of a threaded
server where it cannot.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import FLOODS, QUIET, HttpServer, free_port, rss, serve_smtp, write_config

from notifier.config import load_settings
from notifier.mailer import RELAY_FAILURES
from notifier.service import Notifier

pytestmark = pytest.mark.usefixtures("on_backend")  # each test on SQLite and PostgreSQL


Script = Callable[[socket.socket], None]


@contextmanager
def scripted_relay(script: Script) -> Iterator[tuple[int, list[int]]]:
    """A relay on 127.0.0.1 that runs `script` on each connection: (port, connections seen)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            seen.append(1)
            threading.Thread(target=script, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, seen
    finally:
        stop.set()
        thread.join()
        listener.close()


def drop_after_data(conn: socket.socket) -> None:
    """Greets, takes MAIL, RCPT and the message, then hangs up without answering it."""
    with conn, conn.makefile("rb") as rfile:
        conn.sendall(b"220 relay ready\r\n")
        for line in rfile:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 relay\r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET"):
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for body in rfile:
                    if body == b".\r\n":
                        return  # the outcome is unknown to the client
            elif verb == b"QUIT":
                return


def never_greets(conn: socket.socket) -> None:
    with conn:
        time.sleep(3)


def setup(tmp_path: Path, http: HttpServer, port: int, subscribers: list[str]) -> Notifier:
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http.url("/wire.xml"))],
        subscribers=subscribers,
        smtp_port=port,
    )
    cfg.write_text(cfg.read_text().replace("timeout = 5\n", "timeout = 0.5\n", 1))
    notifier = Notifier(load_settings(cfg))
    http.serve("/wire.xml", rss([QUIET]))
    asyncio.run(notifier.run_once())
    http.serve("/wire.xml", rss([FLOODS, QUIET]))
    return notifier


def test_an_unknown_outcome_is_not_retried_in_the_run_and_resent_once_after(
    tmp_path: Path, http_server: HttpServer
) -> None:
    with scripted_relay(drop_after_data) as (port, seen):
        notifier = setup(tmp_path, http_server, port, ["desk@example.org"])
        report = asyncio.run(notifier.run_once())
        assert len(seen) == 1  # one try: a second could be a second copy
    assert "may have been delivered" in report.delivery.failed["desk@example.org"]
    with notifier.store() as store:
        [row] = store.pending_deliveries()
    with serve_smtp(port=port) as (box, _):
        asyncio.run(notifier.run_once())
        asyncio.run(notifier.run_once())
    [again] = box.to("desk@example.org")
    assert again["Message-ID"] == row.message_id


def test_a_digest_over_the_relays_size_is_split_not_lost(
    tmp_path: Path, http_server: HttpServer
) -> None:
    floods = [
        {
            "guid": f"f-{n}",
            "title": f"Floods in district {n}",
            "link": f"http://news.example.org/floods-{n}",
            "html": f"<p>Floods have forced {20000 + n:,} people to leave their homes in the "
            f"district of Valley {n}, the disaster office said. " + "Roads are cut. " * 40 + "</p>",
        }
        for n in range(12)
    ]
    with serve_smtp(data_size_limit=15_000) as (box, port):
        notifier = setup(tmp_path, http_server, port, ["desk@example.org"])
        http_server.serve("/wire.xml", rss([*floods, QUIET]))
        report = asyncio.run(notifier.run_once())
        assert report.delivery.failed == {}
        mails = box.to("desk@example.org")
    assert len(mails) >= 2
    text = "\n".join(m.get_body(("plain",)).get_content() for m in mails)  # type: ignore[union-attr]
    for n in range(12):
        assert f"{20000 + n:,}" in text, f"the figure of district {n} was lost"
    with notifier.store() as store:
        assert store.undelivered_items("desk@example.org") == []


def test_a_refusing_relay_is_tried_a_few_times_not_once_per_subscriber(
    tmp_path: Path, http_server: HttpServer
) -> None:
    port = free_port()  # nothing listens: every connection is refused
    subscribers = [f"desk{n}@example.org" for n in range(20)]
    notifier = setup(tmp_path, http_server, port, subscribers)
    started = time.monotonic()
    report = asyncio.run(notifier.run_once())
    assert time.monotonic() - started < 10
    assert set(report.delivery.failed) == set(subscribers)
    not_tried = [e for e in report.delivery.failed.values() if e.startswith("not tried this run")]
    assert len(not_tried) >= len(subscribers) - RELAY_FAILURES - 4  # a few were in flight
    with notifier.store() as store:
        assert len(store.pending_deliveries()) == 20  # all wait for the next run


def test_a_stalled_relay_costs_seconds_not_minutes(tmp_path: Path, http_server: HttpServer) -> None:
    subscribers = [f"desk{n}@example.org" for n in range(20)]
    with scripted_relay(never_greets) as (port, seen):
        notifier = setup(tmp_path, http_server, port, subscribers)
        started = time.monotonic()
        report = asyncio.run(notifier.run_once())
        took = time.monotonic() - started
    assert took < 10, f"20 subscribers behind a stalled relay took {took:.1f} s"
    assert len(seen) <= RELAY_FAILURES + 4
    assert set(report.delivery.failed) == set(subscribers)
