"""Several instances on one PostgreSQL database: each piece of work done once, none lost.

A second `Store` on the same database stands for a second instance (another
connection, another holder name), as two processes on two machines would be.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from helpers import FLOODS, QUIET, HttpServer, Mailbox, free_port, rss, run_cli, write_config

from notifier.config import load_settings
from notifier.errors import StoreError, StoreFailedError
from notifier.extract.models import Agency, Figure, Report
from notifier.models import Item
from notifier.scheduler import Daemon
from notifier.service import Notifier
from notifier.store import SCHEMA_VERSION, Store, probe, utcnow

psycopg = pytest.importorskip(
    "psycopg", reason="the postgres extra is not installed: pip install -e '.[postgres]'"
)


def entry(guid: str) -> tuple[Item, Report]:
    text = f"Floods displaced 20,000 people ({guid})."
    fig = Figure("displaced", 20000, None, "people", "exact", "OCHA", "Sindh", "PAK",
                 "displaced", text, 0, 10)  # fmt: skip
    item = Item("Wire", guid, f"http://x.org/{guid}", f"Title {guid}", None, text)
    return item, Report(text, (fig,), (Agency("OCHA", "UN OCHA"),), (), ("PAK",))


def message(delivery_id: int) -> tuple[str, str, bytes]:
    return "subject", f"<{delivery_id}@x>", b"body"


@pytest.fixture
def pg_store(pg_url: str) -> Callable[[str], Store]:
    opened: list[Store] = []

    def make(instance: str) -> Store:
        opened.append(Store("unused", url=pg_url, instance=instance))
        return opened[-1]

    yield make  # type: ignore[misc]
    for s in opened:
        s.close()


def test_instances_starting_together_migrate_once(pg_url: str) -> None:
    """Eight at once: one migrates under the advisory lock, the others find it done."""
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Store("unused", url=pg_url).close()
        except BaseException as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_the_tables_match_sqlite_column_for_column(pg_url: str, tmp_path: Path) -> None:
    lite = Store(tmp_path / "state.db")
    with Store("unused", url=pg_url) as pg:
        for table in ("feeds", "items", "figures", "deliveries", "delivery_items", "leases"):
            lite_cols = {r[1] for r in lite.db.execute(f"PRAGMA table_info({table})")}
            pg_cols = {
                r[0]
                for r in pg.db.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = ? AND table_schema = current_schema()",
                    (table,),
                )
            }
            assert pg_cols == lite_cols, table
    lite.close()


def test_a_newer_schema_is_refused_in_one_line(pg_url: str) -> None:
    Store("unused", url=pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match=r"newer notifier \(schema 99 > ") as e:
        Store("unused", url=pg_url)
    assert "\n" not in str(e.value)
    with pytest.raises(StoreError, match="newer notifier"):
        probe(pg_url)


def test_probe_says_what_it_found_without_migrating(pg_url: str) -> None:
    assert "no schema yet" in probe(pg_url)
    Store("unused", url=pg_url).close()
    assert f"schema {SCHEMA_VERSION}" in probe(pg_url)


def test_an_unreachable_server_is_one_line() -> None:
    url = f"postgresql://notifier:secret@127.0.0.1:{free_port()}/notifier"
    with pytest.raises(StoreError, match="unreachable") as e:
        probe(url)
    assert "\n" not in str(e.value)
    assert "secret" not in str(e.value)


def test_a_refused_password_is_one_line(pg_server: str) -> None:
    parts = urlsplit(pg_server)
    url = urlunsplit(parts._replace(netloc=f"postgres:wrong@{parts.hostname}:{parts.port}"))
    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.OperationalError:
        pass
    else:
        pytest.skip("this server lets every login in (trust): no password to get wrong")
    with pytest.raises(StoreError, match="refused the user name or password") as e:
        probe(url)
    assert "wrong" not in str(e.value)


def test_a_missing_database_is_one_line(pg_server: str) -> None:
    url = pg_server.rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(StoreError, match="no such database"):
        Store("unused", url=url)


def test_a_feed_is_polled_by_one_instance_at_a_time(pg_store: Callable[[str], Store]) -> None:
    a, b = pg_store("a"), pg_store("b")
    lease = timedelta(minutes=10)
    assert a.claim_feeds(["Wire", "Other"], lease) == ["Other", "Wire"]
    assert b.claim_feeds(["Wire", "Other", "Third"], lease) == ["Third"]
    a.release_feeds(["Wire"])
    assert b.claim_feeds(["Wire", "Other"], lease) == ["Wire"]


def test_a_daemon_keeps_what_it_polled_for_most_of_the_interval(
    pg_store: Callable[[str], Store],
) -> None:
    a, b = pg_store("a"), pg_store("b")
    lease = timedelta(minutes=10)
    names = a.claim_feeds(["Wire"], lease)
    a.release_feeds(names, keep_until=utcnow() + timedelta(minutes=1))
    assert b.claim_feeds(["Wire"], lease) == []  # polled just now: not again yet
    a.release_feeds(names, keep_until=utcnow() - timedelta(seconds=1))
    assert b.claim_feeds(["Wire"], lease) == ["Wire"]


def test_a_crashed_pollers_lease_runs_out(pg_store: Callable[[str], Store]) -> None:
    a, b = pg_store("a"), pg_store("b")
    a.claim_feeds(["Wire"], timedelta(minutes=10), now=utcnow() - timedelta(minutes=11))
    assert b.claim_feeds(["Wire"], timedelta(minutes=10)) == ["Wire"]


def test_an_outbox_row_is_sent_by_one_instance(pg_store: Callable[[str], Store]) -> None:
    a, b = pg_store("a"), pg_store("b")
    [item_id] = a.add_items("Wire", "u", [entry("g")], alert_on_first_poll=True)
    row = a.create_delivery("desk@x.org", "daily", [item_id], message)
    assert row is not None
    assert a.claim_delivery(row)
    assert not a.claim_delivery(row)  # not twice in one process either
    assert not b.claim_delivery(row)
    a.mark_sent(row)
    a.unclaim_delivery(row)
    assert not b.claim_delivery(row)  # free again, but sent


def test_a_dead_instances_row_is_taken_over_at_once(pg_store: Callable[[str], Store]) -> None:
    a, b = pg_store("a"), pg_store("b")
    [item_id] = a.add_items("Wire", "u", [entry("g")], alert_on_first_poll=True)
    row = a.create_delivery("desk@x.org", "daily", [item_id], message)
    assert row is not None
    assert a.claim_delivery(row)
    a.close()  # the process died mid-send: the server drops its session's claims
    deadline = time.monotonic() + 5  # as soon as the server has ended that session
    while not b.claim_delivery(row) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert row in b.claimed


def test_two_instances_claiming_one_item_make_one_digest(pg_store: Callable[[str], Store]) -> None:
    a, b = pg_store("a"), pg_store("b")
    ids = a.add_items("Wire", "u", [entry("g1"), entry("g2")], alert_on_first_poll=True)
    got: list[int | None] = []
    barrier = threading.Barrier(2)

    def claim(store: Store) -> None:
        barrier.wait()
        got.append(store.create_delivery("desk@x.org", "daily", ids, message))

    threads = [threading.Thread(target=claim, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got, key=lambda x: x is None)[1] is None
    assert len(a.pending_deliveries("desk@x.org")) == 1


def test_a_digest_window_is_taken_once(pg_store: Callable[[str], Store]) -> None:
    a, b = pg_store("a"), pg_store("b")
    until = utcnow() + timedelta(days=2)
    assert a.claim_window("digest:desk@x.org:2026-12-05", until)
    assert not b.claim_window("digest:desk@x.org:2026-12-05", until)
    assert b.claim_window("digest:desk@x.org:2026-12-06", until)


def test_two_runs_at_once_send_each_item_once(
    tmp_path: Path, pg_url: str, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    """Two `run --once` side by side on one database: every subscriber gets it exactly once."""
    box, port = smtp_server
    subs = [f"sub{i}@example.org" for i in range(6)]
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", http_server.url("/wire.xml"))],
        subscribers=subs,
        smtp_port=port,
    )
    text = cfg.read_text().replace("[storage]", f'[storage]\nurl = "{pg_url}"', 1)
    cfg.write_text(text)
    http_server.serve("/wire.xml", rss([QUIET]))
    first = Notifier(load_settings(cfg))
    asyncio.run(first.run_once())
    http_server.serve("/wire.xml", rss([FLOODS, QUIET]))

    async def both() -> None:
        await asyncio.gather(
            Notifier(load_settings(cfg)).run_once(), Notifier(load_settings(cfg)).run_once()
        )

    asyncio.run(both())
    assert Counter(r for rcpts, _ in box.messages for r in rcpts) == dict.fromkeys(subs, 1)
    assert not list(tmp_path.glob("*.db"))  # no state went to SQLite
    feeds = run_cli("feeds", "--config", str(cfg))
    assert feeds.returncode == 0, feeds.stderr
    assert " by " in feeds.stdout  # which instance polled it last


def test_check_config_says_unreachable_in_one_line(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", "http://x.org/f")],
        subscribers=["desk@example.org"],
    )
    url = f"postgresql://notifier:pw@127.0.0.1:{free_port()}/notifier"
    cfg.write_text(cfg.read_text().replace("[storage]", f'[storage]\nurl = "{url}"', 1))
    out = run_cli("check-config", "--config", str(cfg))
    assert out.returncode == 2
    assert "unreachable" in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert ":pw@" not in out.stderr


def test_a_days_digest_is_taken_by_one_of_two_daemons(
    tmp_path: Path, pg_url: str, smtp_server: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    """Both daemons fire the digest job at the subscriber's hour; the first takes the day.

    (Only an empty digest could be sent twice, the items being claimed once each;
    today `send_empty` sends no empty digest on either backend, so the window's
    claim is seen in what the second daemon says.)
    """
    _, port = smtp_server
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", "http://127.0.0.1:9/wire.xml")],
        subscribers=["desk@example.org"],
        smtp_port=port,
    )
    cfg.write_text(cfg.read_text().replace("[storage]", f'[storage]\nurl = "{pg_url}"', 1))
    a, b = (Daemon(Notifier(load_settings(cfg))) for _ in range(2))
    caplog.set_level("INFO", logger="notifier.scheduler")
    asyncio.run(a.digest_job("desk@example.org"))
    assert "sent by another instance today" not in caplog.text
    asyncio.run(b.digest_job("desk@example.org"))
    assert "digest for desk@example.org: sent by another instance today" in caplog.text


def test_without_the_driver_storage_url_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(StoreError, match=r"pip install 'notifier\[postgres\]'"):
        Store("unused", url="postgresql://notifier@127.0.0.1/notifier")


def test_a_server_lost_while_running_is_one_line_and_nothing_half_stored(
    pg_store: Callable[[str], Store], pg_url: str
) -> None:
    a = pg_store("a")
    a.add_items("Wire", "u", [entry("g1")], alert_on_first_poll=True)
    pid = a.db.execute("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StoreFailedError, match="check the PostgreSQL server") as e:
        a.add_items("Wire", "u", [entry("g2")], alert_on_first_poll=True)
    assert "\n" not in str(e.value)
    with Store("unused", url=pg_url) as b:
        assert [i.guid for i in b.undelivered_items("desk@x.org")] == ["g1"]
