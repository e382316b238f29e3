"""The SQLite store: stored once, first poll silent, outbox claims, schema version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifier.errors import BusyError, StoreError, StoreFailedError
from notifier.extract.models import Agency, Figure, Report
from notifier.lock import RunLock
from notifier.models import FetchResult, Item
from notifier.store import SCHEMA_VERSION, Store
from notifier.store.schema import MIGRATIONS


def figure(kind: str = "displaced", value: int = 20000, country: str | None = "PAK") -> Figure:
    return Figure(
        kind=kind,  # type: ignore[arg-type]
        value=value,
        high=None,
        unit="people",
        qualifier="exact",
        agency="OCHA",
        place="Sindh",
        country=country,
        term="displaced",
        evidence=f"Floods displaced {value:,} people.",
        start=0,
        end=30,
    )


def entry(
    guid: str, text: str = "Floods displaced 20,000 people.", *figs: Figure
) -> tuple[Item, Report]:
    item = Item("Wire", guid, f"http://x.org/{guid}", f"Title {guid}", None, text)
    report = Report(text, tuple(figs), (Agency("OCHA", "UN OCHA"),), (), ("PAK",))
    return item, report


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Store:
    """The store of each backend: the tests taking it run on SQLite and on PostgreSQL."""
    return open_store()


@pytest.fixture
def lite(tmp_path: Path) -> Store:
    """SQLite's own store, for what only SQLite has (PRAGMAs, pages, files)."""
    return Store(tmp_path / "state.db")


def test_schema_is_versioned(lite: Store) -> None:
    assert lite.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_wal_with_normal_sync(lite: Store) -> None:
    store = lite
    """WAL + synchronous=NORMAL: consistent after a process kill, one fsync per checkpoint."""
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_schema_4_gains_the_outbox_indexes(tmp_path: Path) -> None:
    """Schemas 5 and 6: a database left at version 4 keeps its rows and gets the per-subscriber index."""
    path = tmp_path / "state.db"
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        old.executescript(script)
    old.executescript(
        "INSERT INTO deliveries (id, subscriber, kind, created_at, status)"
        " VALUES (3, 'desk@x.org', 'daily', '2026-11-24T07:00:00+00:00', 'sent');"
        "PRAGMA user_version = 4;"
    )
    old.close()
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        assert [d.id for d in store.deliveries()] == [3]
        plan = " ".join(
            str(tuple(r))
            for r in store.db.execute(
                "EXPLAIN QUERY PLAN SELECT MAX(created_at) FROM deliveries "
                "WHERE subscriber = ? AND kind = 'daily' AND status = 'sent'",
                ("desk@x.org",),
            )
        )
        assert "deliveries_subscriber" in plan


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="newer notifier"):
        Store(tmp_path / "new.db")


def test_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the state database"):
        Store(tmp_path / "junk.db")


def test_first_poll_is_recorded_silently(store: Store) -> None:
    ids = store.add_items("Wire", "u", [entry("a", "t", figure())], alert_on_first_poll=False)
    assert len(ids) == 1
    assert store.undelivered_items("desk@x.org") == []
    later = store.add_items("Wire", "u", [entry("b", "other", figure())], alert_on_first_poll=False)
    assert [i.id for i in store.undelivered_items("desk@x.org")] == later


def test_alert_on_first_poll(store: Store) -> None:
    store.add_items("Wire", "u", [entry("a", "t", figure())], alert_on_first_poll=True)
    assert len(store.undelivered_items("desk@x.org")) == 1


def test_items_are_stored_once_by_guid_and_by_content(store: Store) -> None:
    store.add_items("Wire", "u", [entry("a", "same text", figure())], alert_on_first_poll=True)
    again = store.add_items(
        "Wire", "u", [entry("a", "same text", figure())], alert_on_first_poll=True
    )
    republished = Item("Wire", "z", "http://x.org/a", "Title a", None, "same text")
    _, report = entry("z", "same text", figure())
    new_guid = store.add_items("Wire", "u", [(republished, report)], alert_on_first_poll=True)
    assert again == []
    assert new_guid == []
    probe = [
        Item("Wire", g, "", f"Title {g}", None, t) for g, t in [("a", "same text"), ("q", "other")]
    ]
    assert store.known_items("Wire", probe) == {"a"}


def test_a_story_restamped_at_every_fetch_is_one_story(store: Store) -> None:
    """A feed that mints a guid and an "Updated" line per fetch: the same story, not a new one."""
    body = "Floods displaced 20,000 people in Sindh province, officials said on Monday."

    def version(n: int, stamp: str) -> tuple[Item, Report]:
        text = f"Updated {stamp} GMT\n{body}\nPosted at {stamp} - 1{n}4 views"
        item = Item("Wire", f"urn:uuid:{n}", "http://x.org/a", "Floods in Sindh", None, text)
        return item, Report(text, (figure(),), (), (), ("PAK",))

    first = store.add_items("Wire", "u", [version(1, "10:32")], alert_on_first_poll=True)
    later = store.add_items("Wire", "u", [version(2, "11:05")], alert_on_first_poll=True)
    assert (len(first), later) == (1, [])


def test_two_stories_under_one_guid_are_both_kept(store: Store) -> None:
    one = store.add_items(
        "Wire", "u", [entry("g", "Floods in Sindh.", figure())], alert_on_first_poll=True
    )
    two = store.add_items(
        "Wire",
        "u",
        [entry("g", "Clashes in Kasai.", figure("killed", 90))],
        alert_on_first_poll=True,
    )
    assert len(one) == len(two) == 1
    guids = sorted(i.guid for i in store.undelivered_items("desk@x.org"))
    assert guids[0] == "g"
    assert guids[1].startswith("g#")


def test_the_same_story_from_another_feed_later_is_not_news_again(store: Store) -> None:
    text = "Floods displaced 20,000 people in Sindh province. " * 6  # a long text: the story
    [a] = store.add_items("Wire", "u", [entry("a", text, figure())], alert_on_first_poll=True)
    store.create_delivery("desk@x.org", "daily", [a], lambda i: ("S", "<m@x>", b"raw"))
    _, report = entry("b-77", text, figure())
    retitled = Item("Other wire", "b-77", "http://y.org/b", "Sindh: thousands flee", None, text)
    store.add_items("Other wire", "u2", [(retitled, report)], alert_on_first_poll=True)
    assert store.undelivered_items("desk@x.org") == []
    assert len(store.undelivered_items("other@x.org")) == 2


def test_validators_are_stored_with_the_items_they_describe(store: Store) -> None:
    """One transaction: a run that dies before it leaves neither, so the feed is fetched again."""
    fetched = FetchResult("Wire", "u", etag='"v2"', last_modified=None, status=200)
    store.record_fetch("Wire", "u", error=None, status=200, etag='"v1"')
    with pytest.raises(sqlite3.IntegrityError):
        store.add_items(
            "Wire",
            "u",
            [entry("a", "t", figure()), entry("b", "u", replace(figure(), value=None))],  # type: ignore[arg-type]
            alert_on_first_poll=True,
            fetched=fetched,
        )
    assert store.feed_states()["Wire"].etag == '"v1"'
    assert store.undelivered_items("desk@x.org") == []
    store.add_items(
        "Wire", "u", [entry("a", "t", figure())], alert_on_first_poll=True, fetched=fetched
    )
    assert store.feed_states()["Wire"].etag == '"v2"'


def test_round_trip_of_figures_and_entities(store: Store) -> None:
    store.add_items(
        "Wire", "u", [entry("a", "t", figure(), figure("killed", 60))], alert_on_first_poll=True
    )
    [item] = store.undelivered_items("desk@x.org")
    assert item.figures == (figure(), figure("killed", 60))
    assert item.agencies == (Agency("OCHA", "UN OCHA"),)
    assert item.countries == ("PAK",)


def test_items_without_figures_never_alert(store: Store) -> None:
    store.add_items("Wire", "u", [entry("a", "t")], alert_on_first_poll=True)
    assert store.undelivered_items("desk@x.org") == []


def test_delivery_claims_items_once_per_subscriber(store: Store) -> None:
    ids = store.add_items("Wire", "u", [entry("a", "t", figure())], alert_on_first_poll=True)
    built: list[int] = []

    def mail(delivery_id: int) -> tuple[str, str, bytes]:
        built.append(delivery_id)
        return "S", "<m@x>", b"raw"

    first = store.create_delivery("desk@x.org", "daily", ids, mail)
    assert first is not None
    assert store.create_delivery("desk@x.org", "daily", ids, mail) is None
    assert store.create_delivery("other@x.org", "daily", ids, mail) is not None
    assert built[0] == first  # the message is made knowing its row's id
    assert store.undelivered_items("desk@x.org") == []
    assert [d.id for d in store.pending_deliveries("desk@x.org")] == [first]
    store.mark_attempt(first, "451 later", permanent=False)
    [pending] = store.pending_deliveries("desk@x.org")
    assert (pending.attempts, pending.last_error, pending.message) == (1, "451 later", b"raw")
    store.mark_sent(first)
    assert store.pending_deliveries("desk@x.org") == []
    store.mark_attempt(store.deliveries()[1].id, "550 no such user", permanent=True)
    assert store.pending_deliveries() == []
    assert [d.status for d in store.deliveries()] == ["sent", "failed"]


def test_fetch_validators_reset_when_url_changes(store: Store) -> None:
    store.record_fetch("Wire", "http://a/", error=None, status=200, etag='"1"', last_modified="x")
    store.record_fetch("Wire", "http://a/", error="HTTP 500", status=500)
    state = store.feed_states()["Wire"]
    assert (state.etag, state.last_error, state.last_status) == ('"1"', "HTTP 500", 500)
    store.record_fetch("Wire", "http://b/", error="boom", status=None)
    assert store.feed_states()["Wire"].etag is None


def test_run_lock_excludes_a_second_run(tmp_path: Path) -> None:
    with (
        RunLock(tmp_path / "state.db"),
        pytest.raises(BusyError, match="another notifier run"),
        RunLock(tmp_path / "state.db"),
    ):
        pass
    with RunLock(tmp_path / "state.db"):
        pass


def test_old_items_no_longer_alert(store: Store) -> None:
    then = datetime(2026, 1, 1, tzinfo=UTC)
    store.add_items("Wire", "u", [entry("a", "t", figure())], alert_on_first_poll=True, now=then)
    assert len(store.undelivered_items("d@x.org", dated_since=then)) == 1
    assert store.undelivered_items("d@x.org", dated_since=then + timedelta(seconds=1)) == []


def test_age_counts_from_publication_not_first_seen(store: Store) -> None:
    """A story published in 2019 and first seen today is old (feeds without dates: first seen)."""
    now = datetime(2026, 12, 4, tzinfo=UTC)
    old, _ = entry("old", "t", figure())
    undated, report = entry("undated", "u", figure())
    future, _ = entry("future", "v", figure())
    items = [
        (replace(old, published=datetime(2019, 12, 30, tzinfo=UTC)), report),
        (undated, report),
        (replace(future, published=now + timedelta(days=30)), report),
    ]
    store.add_items("Wire", "u", items, alert_on_first_poll=True, now=now)
    fresh = store.undelivered_items("d@x.org", dated_since=now - timedelta(days=7))
    assert sorted(i.guid for i in fresh) == ["future", "undated"]  # a future date: first seen


def test_lock_beside_an_unusable_path(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    with (
        pytest.raises(StoreError, match="cannot create the lock file"),
        RunLock(tmp_path / "afile" / "state.db"),
    ):
        pass


def test_known_items_by_content_whatever_the_guid(store: Store) -> None:
    store.add_items("Wire", "u", [entry("a", "same text", figure())], alert_on_first_poll=True)
    renamed = Item("Wire", "new-guid", "http://x.org/a", "Title a", None, "same text")
    other = Item("Wire", "b", "http://x.org/b", "Title b", None, "other text")
    changed, _ = entry("a", "changed text")  # its guid is known, its story is not
    assert store.known_items("Wire", [renamed, other, changed]) == {"new-guid"}


def test_a_new_url_starts_with_a_silent_first_poll(store: Store) -> None:
    store.record_fetch("Wire", "http://a/", error=None, status=200)
    store.add_items("Wire", "http://a/", [entry("a", "t", figure())], alert_on_first_poll=False)
    assert store.feed_states()["Wire"].first_polled_at is not None
    store.record_fetch("Wire", "http://b/", error=None, status=200)
    assert store.feed_states()["Wire"].first_polled_at is None
    store.add_items("Wire", "http://b/", [entry("b", "u", figure())], alert_on_first_poll=False)
    assert store.undelivered_items("d@x.org") == []


def test_a_claim_left_without_its_message_gives_its_items_back(tmp_path: Path) -> None:
    """Schema 2: rows an older version claimed but never wrote are dropped, their items kept."""
    path = tmp_path / "state.db"
    old = sqlite3.connect(path)  # a database as version 1 of the schema left it
    old.executescript(MIGRATIONS[0])
    old.executescript(
        "INSERT INTO items (id, feed, guid, content_hash, link, title, fetched_at, text, summary,"
        " alertable, agencies, organisations, countries) VALUES (1, 'Wire', 'a', 'h', 'http://x',"
        " 't', '2026-12-01T00:00:00+00:00', 't', '', 1, '[]', '[]', '[]');"
        'INSERT INTO figures (item_id, kind, value, unit, qualifier, term, evidence, start, "end")'
        " VALUES (1, 'displaced', 20000, 'people', 'exact', 'fled', '20,000 fled.', 0, 12);"
        "INSERT INTO deliveries (id, subscriber, kind, created_at)"
        " VALUES (7, 'desk@x.org', 'daily', '2026-11-24T07:00:00+00:00');"
        "INSERT INTO delivery_items VALUES (7, 'desk@x.org', 1);"
        "PRAGMA user_version = 1;"
    )
    old.close()
    ids = [1]
    with Store(path) as store:
        assert store.deliveries() == []
        assert [i.id for i in store.undelivered_items("desk@x.org")] == ids


def test_a_full_disk_is_one_line_and_nothing_half_stored(lite: Store) -> None:
    store = lite
    """SQLite's own limit stands in for a full disk: the same SQLITE_FULL error, for real."""
    store.add_items("Wire", "u", [entry("a", "t", figure())], alert_on_first_poll=True)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    big = [entry(f"n{i}", "x" * 5000, figure()) for i in range(50)]
    with pytest.raises(StoreFailedError, match="the disk is full; free space") as info:
        store.add_items("Wire", "u", big, alert_on_first_poll=True)
    assert "cannot rollback" not in str(info.value)
    assert len(store.undelivered_items("desk@x.org")) == 1  # the step is whole or not at all


def test_a_database_damaged_while_running_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store(path) as store:
        store.add_items(
            "Wire",
            "u",
            [entry(f"g{i}", "x" * 3000, figure()) for i in range(40)],
            alert_on_first_poll=True,
        )
    with Store(path) as store:
        with path.open("r+b") as f:  # scribble over pages behind the store's back
            f.seek(8192)
            f.write(b"\xff" * 40960)
        store.db.execute("PRAGMA cache_size = 0")
        with pytest.raises(StoreFailedError, match="damaged; restore it from a backup"):
            store.undelivered_items("desk@x.org")


def test_one_lock_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "state.db"
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with RunLock(real), pytest.raises(BusyError), RunLock(link):
        pass


def test_prune_drops_old_items_and_finished_rows_never_what_a_pending_digest_needs(
    store: Store,
) -> None:
    """storage.keep_days: old items go with their figures; a pending row's items stay."""
    now = datetime(2026, 12, 4, tzinfo=UTC)
    old = now - timedelta(days=100)
    mail = lambda i: ("S", f"<m{i}@x>", b"raw")  # noqa: E731
    [sent_old, pending_old, free_old] = store.add_items(
        "Wire",
        "u",
        [entry(g, f"text {g}", figure()) for g in ("s", "p", "f")],
        alert_on_first_poll=True,
        now=old,
    )
    [recent] = store.add_items(
        "Wire", "u", [entry("r", "new", figure())], alert_on_first_poll=True, now=now
    )
    done = store.create_delivery("desk@x.org", "daily", [sent_old], mail, now=old)
    store.create_delivery("desk@x.org", "daily", [pending_old], mail, now=old)
    kept = store.create_delivery("desk@x.org", "daily", [recent], mail, now=old)
    assert done is not None and kept is not None
    store.mark_sent(done)
    store.mark_sent(kept)

    pruned = store.prune(now - timedelta(days=90))

    assert (pruned.items, pruned.deliveries) == (2, 1)
    left = {i.id for i in store.items([sent_old, pending_old, free_old, recent])}
    assert left == {pending_old, recent}
    assert (
        store.db.execute(
            "SELECT COUNT(*) FROM figures WHERE item_id IN (?, ?)", (sent_old, free_old)
        ).fetchone()[0]
        == 0
    )
    # The pending row still sends, and a row whose item is still stored keeps the
    # record that the subscriber had it, so the item never alerts them again.
    assert [d.status for d in store.deliveries()] == ["pending", "sent"]
    assert store.undelivered_items("desk@x.org", dated_since=old) == []
    assert store.prune(now - timedelta(days=90)) == type(pruned)(0, 0)
