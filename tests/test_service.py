"""Failures and crashes: nothing lost, nothing sent twice, one failure never blocks the rest."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import (
    FLOODS,
    QUIET,
    HttpServer,
    Mailbox,
    free_port,
    parts,
    rss,
    serve_smtp,
    write_config,
)

from notifier import extract as extraction
from notifier.config import Settings, load_settings
from notifier.errors import BusyError
from notifier.extract.models import Report
from notifier.mailer import RELAY_FAILURES, RETRY_DELAY, SEND_ATTEMPTS
from notifier.service import Notifier
from notifier.store import Pruned, utcnow

pytestmark = pytest.mark.usefixtures("on_backend")  # each test on SQLite and PostgreSQL


def settings(tmp_path: Path, server: HttpServer, port: int, subscribers: list[str]) -> Settings:
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", server.url("/wire.xml")), ("Broken", server.url("/broken.xml"))],
        subscribers=subscribers,
        smtp_port=port,
    )
    return load_settings(cfg)


def prime(notifier: Notifier, server: HttpServer) -> None:
    """First poll (silent), then a new alerting item appears."""
    server.serve("/wire.xml", rss([QUIET]))
    server.serve("/broken.xml", "<html><body>Service unavailable</body></html>", "text/html")
    asyncio.run(notifier.run_once())
    server.serve("/wire.xml", rss([FLOODS, QUIET]))


def test_broken_feed_does_not_stop_the_others(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    notifier = Notifier(settings(tmp_path, http_server, port, ["desk@example.org"]))
    prime(notifier, http_server)
    report = asyncio.run(notifier.run_once())
    assert not report.ok
    assert "Broken" in report.poll.failed
    assert len(box.to("desk@example.org")) == 1


def test_refused_connection_is_retried_next_run(
    tmp_path: Path, http_server: HttpServer, retry_delays: list[float]
) -> None:
    port = free_port()  # nothing listens there yet
    notifier = Notifier(settings(tmp_path, http_server, port, ["desk@example.org"]))
    prime(notifier, http_server)
    failed = asyncio.run(notifier.run_once())
    assert "desk@example.org" in failed.delivery.failed
    assert len(retry_delays) == RELAY_FAILURES - 1  # tried again within the run, no wait
    with notifier.store() as store:
        [pending] = store.pending_deliveries()
        assert pending.attempts == 1
        first_id = pending.message_id

    with serve_smtp(port=port) as (box, _):
        asyncio.run(notifier.run_once())
        asyncio.run(notifier.run_once())
    [msg] = box.to("desk@example.org")
    assert msg["Message-ID"] == first_id


def test_permanent_refusal_of_one_recipient_does_not_block_others(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    box.refuse("gone@example.org")
    notifier = Notifier(
        settings(tmp_path, http_server, port, ["gone@example.org", "desk@example.org"])
    )
    prime(notifier, http_server)
    report = asyncio.run(notifier.run_once())
    assert "gone@example.org" in report.delivery.failed
    assert len(box.to("desk@example.org")) == 1
    asyncio.run(notifier.run_once())
    with notifier.store() as store:
        statuses = {d.subscriber: d.status for d in store.deliveries()}
    assert statuses == {"gone@example.org": "failed", "desk@example.org": "sent"}
    assert len(box.messages) == 1


def test_crash_after_claim_resends_the_same_row_once(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    """A run that died after writing its outbox rows: the next run sends them, and no new ones."""
    box, port = smtp_server
    subs = ["a@example.org", "b@example.org"]
    notifier = Notifier(settings(tmp_path, http_server, port, subs))
    prime(notifier, http_server)
    with notifier.store() as store:
        asyncio.run(notifier.poll(store))
        # "Crash": both rows were claimed with their messages, then the process died.
        for subscriber in notifier.settings.subscribers:
            notifier._claim(store, subscriber, "daily")
        row_a, _ = store.pending_deliveries()
    asyncio.run(notifier.run_once())
    asyncio.run(notifier.run_once())
    assert [len(box.to(s)) for s in subs] == [1, 1]
    assert box.to("a@example.org")[0]["Message-ID"] == row_a.message_id
    with notifier.store() as store:
        assert [d.status for d in store.deliveries()] == ["sent", "sent"]


def test_transient_4xx_is_retried_then_left_pending(
    tmp_path: Path,
    http_server: HttpServer,
    smtp_server: tuple[Mailbox, int],
    retry_delays: list[float],
) -> None:
    box, port = smtp_server
    box.data_answer = "451 4.3.0 try again later"
    notifier = Notifier(settings(tmp_path, http_server, port, ["desk@example.org"]))
    prime(notifier, http_server)
    report = asyncio.run(notifier.run_once())
    assert "desk@example.org" in report.delivery.failed
    # Within the run: SEND_ATTEMPTS tries, the wait before each further one doubled.
    assert box.refusals == ["451 4.3.0 try again later"] * SEND_ATTEMPTS
    assert retry_delays == [RETRY_DELAY * 2**n for n in range(SEND_ATTEMPTS - 1)]
    with notifier.store() as store:
        [pending] = store.pending_deliveries()
    assert pending.attempts == 1
    box.data_answer = None
    asyncio.run(notifier.run_once())
    assert len(box.to("desk@example.org")) == 1
    assert len(retry_delays) == SEND_ATTEMPTS - 1  # accepted at the first try: no wait


@pytest.mark.sqlite_only("the file lock; PostgreSQL instances share the work (test_shared.py)")
def test_one_run_at_a_time(tmp_path: Path, http_server: HttpServer) -> None:
    notifier = Notifier(settings(tmp_path, http_server, 25, ["desk@example.org"]))
    with notifier.lock(), pytest.raises(BusyError, match="another notifier run"):
        asyncio.run(Notifier(notifier.settings).run_once(lock_wait=0))


def test_an_extractor_bug_on_one_item_skips_it_and_keeps_the_rest(
    tmp_path: Path,
    http_server: HttpServer,
    smtp_server: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Simulated bug (no real input triggers one, by design): the item is retried next run.

    The extractor runs in this process (`fetch.workers = 0`), where the bug can be planted.
    """
    box, port = smtp_server
    config = settings(tmp_path, http_server, port, ["desk@example.org"])
    config = config.model_copy(update={"fetch": config.fetch.model_copy(update={"workers": 0})})
    notifier = Notifier(config)
    prime(notifier, http_server)
    trap = {
        **FLOODS,
        "guid": "t-1",
        "title": "Trap",
        "link": "http://news.example.org/trap",
        "html": FLOODS["html"].replace("Sindh", "Punjab"),
    }
    http_server.serve("/wire.xml", rss([trap, FLOODS, QUIET]))
    real = extraction.extract

    def buggy(text: str) -> Report:
        if text.startswith("Trap"):
            raise RuntimeError("extractor bug")
        return real(text)

    monkeypatch.setattr(extraction, "extract", buggy)
    report = asyncio.run(notifier.run_once())
    assert "could not be read by the extractor" in report.poll.failed["Wire"]
    assert len(box.to("desk@example.org")) == 1
    monkeypatch.setattr(extraction, "extract", real)
    http_server.serve("/wire.xml", rss([trap, FLOODS, QUIET]) + " ")  # changed: no 304
    again = asyncio.run(notifier.run_once())
    assert again.poll.new_items == 1


def test_dry_run_lists_pending_rows_and_writes_nothing(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    notifier = Notifier(settings(tmp_path, http_server, port, ["desk@example.org"]))
    prime(notifier, http_server)
    with notifier.store() as store:
        asyncio.run(notifier.poll(store))
        notifier._claim(store, notifier.settings.subscribers[0], "daily")  # a crashed run
        report = asyncio.run(notifier.deliver(store, dry_run=True))
        assert [
            r.subject.endswith("(pending from an earlier run)") for _, r in report.rendered
        ] == [True]
        assert [d.status for d in store.deliveries()] == ["pending"]
    assert notifier.pending_count(notifier.settings.subscribers[0]) == 1
    assert box.messages == []


def test_a_removed_feed_stops_alerting(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    notifier = Notifier(settings(tmp_path, http_server, port, ["desk@example.org"]))
    prime(notifier, http_server)
    with notifier.store() as store:
        asyncio.run(notifier.poll(store))
    kept = [f for f in notifier.settings.feeds if f.name != "Wire"]
    trimmed = Notifier(notifier.settings.model_copy(update={"feeds": kept}))
    with trimmed.store() as store:
        assert asyncio.run(trimmed.deliver(store)).sent == []
    assert box.messages == []


def test_a_broken_template_fails_the_digest_not_the_run(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    base = settings(tmp_path, http_server, port, ["a@example.org", "b@example.org"])
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "subject.j2").write_text("{{ no_such_variable }}")
    broken = Notifier(
        base.model_copy(update={"digest": base.digest.model_copy(update={"templates_dir": mine})})
    )
    prime(broken, http_server)
    report = asyncio.run(broken.run_once())
    assert set(report.delivery.failed) == {"a@example.org", "b@example.org"}
    assert "could not be prepared" in report.delivery.failed["a@example.org"]
    fixed = Notifier(base)
    asyncio.run(fixed.run_once())
    assert len(box.to("a@example.org")) == 1
    assert len(box.to("b@example.org")) == 1


def test_a_linked_page_is_fetched_once_when_its_item_is_new(
    tmp_path: Path, http_server: HttpServer
) -> None:
    """Full text is fetched for new items only: the store is asked which ones are new."""
    pytest.importorskip("trafilatura")
    article = "<html><body><article><p>" + "Heavy rains displaced people. " * 20
    http_server.serve("/article", article + "</p></article></body></html>", "text/html")
    teaser = {**QUIET, "link": http_server.url("/article")}
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http_server.url("/wire.xml"))],
        subscribers=["desk@example.org"],
        method="outbox",
        extra="",
    )
    cfg.write_text(
        cfg.read_text().replace('url = "', 'fetch_full_text = true\nurl = "'), encoding="utf-8"
    )
    notifier = Notifier(load_settings(cfg))
    http_server.serve("/wire.xml", rss([teaser]))
    asyncio.run(notifier.run_once())
    http_server.serve("/wire.xml", rss([teaser]) + " ")  # changed bytes: a full fetch, no 304
    asyncio.run(notifier.run_once())
    pages = [path for path, _ in http_server.requests if path == "/article"]
    assert pages == ["/article"]


def test_preview_shows_what_the_run_sends(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    """Preview, dry run and run go through one composer: the same subject and the same body."""
    box, port = smtp_server
    notifier = Notifier(settings(tmp_path, http_server, port, ["desk@example.org"]))
    prime(notifier, http_server)
    desk = notifier.settings.subscribers[0]
    with notifier.store() as store:
        asyncio.run(notifier.poll(store))
        [(_, dry)] = asyncio.run(notifier.deliver(store, dry_run=True)).rendered
    shown = notifier.preview(desk)
    assert shown is not None
    asyncio.run(notifier.run_once())
    [sent] = box.to("desk@example.org")
    body = parts(sent)["text/plain"].replace("\r\n", "\n")
    assert sent["Subject"] == shown.subject == dry.subject
    # The first lines carry the time of composing; the events below are the same.
    assert body.split("\n", 2)[2] == shown.text.split("\n", 2)[2] == dry.text.split("\n", 2)[2]


def test_a_run_prunes_by_keep_days_but_never_within_max_age(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    """storage.keep_days shorter than alerts.max_age: max_age wins, so no alert is lost."""
    _, port = smtp_server
    base = settings(tmp_path, http_server, port, ["desk@example.org"])
    short = base.model_copy(update={"storage": base.storage.model_copy(update={"keep_days": 1})})
    notifier = Notifier(short)
    cutoffs: list[datetime] = []
    with notifier.store() as store:
        real = store.prune

        def spy(older_than: datetime) -> Pruned:
            cutoffs.append(older_than)
            return real(older_than)

        store.prune = spy  # type: ignore[method-assign]
        asyncio.run(notifier.poll(store))
    [cutoff] = cutoffs
    assert abs((utcnow() - cutoff) - short.alerts.max_age) < timedelta(minutes=1)
