"""The state, in SQLite: the only module that knows SQL.

Tables: `feeds` (validators, last error), `items` (stored once per feed + guid,
and once per feed + content hash, for feeds that change guids), `figures`,
`deliveries` (the outbox: a rendered message written before it is sent) and
`delivery_items` (which items each subscriber has been given, so an item is
never put in two digests for the same person). The schema is versioned with
`PRAGMA user_version` and ordered migrations, so a later backend or column is
one migration more.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from notifier.errors import StoreError
from notifier.extract.models import Agency, Figure, Organisation, Report
from notifier.models import Item

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE feeds (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        first_polled_at TEXT,
        last_fetch_at TEXT,
        last_success_at TEXT,
        last_error TEXT,
        last_status INTEGER
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        link TEXT NOT NULL,
        title TEXT NOT NULL,
        published TEXT,
        fetched_at TEXT NOT NULL,
        text TEXT NOT NULL,
        summary TEXT NOT NULL,
        alertable INTEGER NOT NULL,
        agencies TEXT NOT NULL,
        organisations TEXT NOT NULL,
        countries TEXT NOT NULL,
        UNIQUE (feed, guid)
    );
    CREATE INDEX items_feed_hash ON items (feed, content_hash);
    CREATE INDEX items_alertable ON items (alertable, id);
    CREATE TABLE figures (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value INTEGER NOT NULL,
        high INTEGER,
        unit TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        agency TEXT,
        place TEXT,
        country TEXT,
        term TEXT NOT NULL,
        evidence TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL
    );
    CREATE INDEX figures_item ON figures (item_id);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        subscriber TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        message_id TEXT NOT NULL DEFAULT '',
        message BLOB,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at TEXT
    );
    CREATE INDEX deliveries_status ON deliveries (status, id);
    CREATE TABLE delivery_items (
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        subscriber TEXT NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        PRIMARY KEY (subscriber, item_id)
    );
    """,
    # Figure.place_level: what the place names (NULL for figures stored before).
    "ALTER TABLE figures ADD COLUMN place_level TEXT",
)

SCHEMA_VERSION = len(_MIGRATIONS)
_FIGURE_COLUMNS = ", ".join(f'"{name}"' for name in Figure.__slots__)  # "end" is an SQL keyword
DeliveryStatus = Literal["pending", "sent", "failed"]


def utcnow() -> datetime:
    """Now, timezone-aware, second precision (what is stored)."""
    return datetime.now(UTC).replace(microsecond=0)


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat() if dt else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def content_hash(item: Item) -> str:
    """Hash of what a reader sees, to recognise an entry re-published under a new guid."""
    norm = " ".join(f"{item.title}\n{item.text}".split()).casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store knows about one feed."""

    name: str
    url: str
    etag: str | None
    last_modified: str | None
    first_polled_at: datetime | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_status: int | None
    items: int


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as stored, with its extraction results."""

    id: int
    feed: str
    guid: str
    link: str
    title: str
    published: datetime | None
    fetched_at: datetime
    text: str
    summary: str
    alertable: bool
    figures: tuple[Figure, ...]
    agencies: tuple[Agency, ...]
    organisations: tuple[Organisation, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the outbox."""

    id: int
    subscriber: str
    kind: str
    created_at: datetime
    subject: str
    message_id: str
    message: bytes | None
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class Store:
    """A SQLite state file; use as a context manager, or call `close()`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA busy_timeout = 30000")
            if str(path) != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{path}: cannot open the state database ({e}); check storage.path "
                "points to a writable SQLite file made by notifier"
            ) from e
        except OSError as e:
            raise StoreError(f"{path}: cannot create the state database folder: {e}") from e

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One step = one transaction: a crash leaves the step done or not done."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer notifier (schema {version} > {SCHEMA_VERSION}); "
                "upgrade notifier or point storage.path elsewhere"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                for statement in _MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    # feeds ---------------------------------------------------------------

    def feed_states(self) -> dict[str, FeedState]:
        """Every feed the store has seen, by name."""
        rows = self.db.execute(
            "SELECT f.*, (SELECT COUNT(*) FROM items i WHERE i.feed = f.name) AS n FROM feeds f"
        )
        return {
            r["name"]: FeedState(
                name=r["name"],
                url=r["url"],
                etag=r["etag"],
                last_modified=r["last_modified"],
                first_polled_at=_dt(r["first_polled_at"]),
                last_fetch_at=_dt(r["last_fetch_at"]),
                last_success_at=_dt(r["last_success_at"]),
                last_error=r["last_error"],
                last_status=r["last_status"],
                items=r["n"],
            )
            for r in rows
        }

    def record_fetch(
        self,
        name: str,
        url: str,
        *,
        error: str | None,
        status: int | None,
        etag: str | None = None,
        last_modified: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Note a fetch attempt; validators change only on success.

        A feed whose URL changed in the config starts over: no validators, so the
        new URL is fetched in full, and a silent first poll, so its back
        catalogue is recorded rather than mailed.
        """
        now_s = _iso(now or utcnow())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feeds (name, url) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
                "url = excluded.url, "
                "etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END, "
                "last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified END, "
                "first_polled_at = CASE WHEN feeds.url = excluded.url "
                "THEN feeds.first_polled_at END",
                (name, url),
            )
            if error is None:
                db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ?, last_fetch_at = ?, "
                    "last_success_at = ?, last_error = NULL, last_status = ? WHERE name = ?",
                    (etag, last_modified, now_s, now_s, status, name),
                )
            else:
                db.execute(
                    "UPDATE feeds SET last_fetch_at = ?, last_error = ?, last_status = ? "
                    "WHERE name = ?",
                    (now_s, error, status, name),
                )

    # items ---------------------------------------------------------------

    def add_items(
        self,
        feed: str,
        url: str,
        entries: Sequence[tuple[Item, Report]],
        *,
        alert_on_first_poll: bool,
        now: datetime | None = None,
    ) -> list[int]:
        """Store the new entries of one successful poll; return the ids of those stored.

        On a feed's first successful poll the entries are recorded as not
        alertable (unless the feed says otherwise), so adding a feed does not
        mail its back catalogue. Entries already stored (same guid, or same
        content under a new guid) are skipped.
        """
        now_dt = now or utcnow()
        stored: list[int] = []
        with self.transaction() as db:
            first = self.first_poll_pending(feed)
            db.execute("INSERT OR IGNORE INTO feeds (name, url) VALUES (?, ?)", (feed, url))
            alertable = 1 if (alert_on_first_poll or not first) else 0
            for item, report in entries:
                digest = content_hash(item)
                if db.execute(
                    "SELECT 1 FROM items WHERE feed = ? AND (guid = ? OR content_hash = ?)",
                    (feed, item.guid, digest),
                ).fetchone():
                    continue
                cur = db.execute(
                    "INSERT INTO items (feed, guid, content_hash, link, title, published, "
                    "fetched_at, text, summary, alertable, agencies, organisations, countries) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        feed,
                        item.guid,
                        digest,
                        item.link,
                        item.title,
                        _iso(item.published),
                        _iso(now_dt),
                        report.text,
                        item.summary,
                        alertable,
                        json.dumps([[a.acronym, a.name] for a in report.agencies]),
                        json.dumps([o.name for o in report.organisations]),
                        json.dumps(list(report.countries)),
                    ),
                )
                item_id = int(cur.lastrowid or 0)
                db.executemany(
                    f"INSERT INTO figures (item_id, {_FIGURE_COLUMNS}) "
                    f"VALUES (?{', ?' * len(Figure.__slots__)})",
                    [(item_id, *(getattr(f, n) for n in Figure.__slots__)) for f in report.figures],
                )
                stored.append(item_id)
            if first:
                db.execute(
                    "UPDATE feeds SET first_polled_at = ? WHERE name = ?", (_iso(now_dt), feed)
                )
        return stored

    def first_poll_pending(self, feed: str) -> bool:
        """True until a feed's first successful poll is stored (again after its URL changed)."""
        row = self.db.execute(
            "SELECT first_polled_at FROM feeds WHERE name = ?", (feed,)
        ).fetchone()
        return row is None or row["first_polled_at"] is None

    def known_guids(self, feed: str, guids: Iterable[str]) -> set[str]:
        """Which of these guids the feed already has: those need no extraction."""
        wanted = list(guids)
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT guid FROM items WHERE feed = ? AND guid IN ({marks})", (feed, *chunk)
            )
            found.update(r["guid"] for r in rows)
        return found

    def known_items(self, feed: str, items: Sequence[Item]) -> set[str]:
        """Guids of these items already stored, by guid or by content under another guid.

        Feeds that mint a new guid at every fetch would otherwise be extracted
        again at every poll.
        """
        known = self.known_guids(feed, [i.guid for i in items])
        hashes = {content_hash(i): i.guid for i in items if i.guid not in known}
        wanted = list(hashes)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT content_hash FROM items WHERE feed = ? AND content_hash IN ({marks})",
                (feed, *chunk),
            )
            known.update(hashes[r["content_hash"]] for r in rows)
        return known

    def undelivered_items(
        self,
        subscriber: str,
        *,
        seen_since: datetime | None = None,
        feeds: Sequence[str] | None = None,
    ) -> list[StoredItem]:
        """Alertable items with figures, seen since `seen_since`, not yet given to `subscriber`.

        `feeds` limits them to the feeds configured now: a feed removed from the
        config stops alerting.
        """
        only = ""
        if feeds is not None:
            only = f"AND i.feed IN ({','.join('?' * len(feeds))}) "
        rows = self.db.execute(
            "SELECT * FROM items i WHERE i.alertable = 1 AND i.fetched_at >= ? "
            + only
            + "AND EXISTS (SELECT 1 FROM figures f WHERE f.item_id = i.id) "
            "AND NOT EXISTS (SELECT 1 FROM delivery_items d "
            "                WHERE d.subscriber = ? AND d.item_id = i.id) "
            "ORDER BY i.id",
            (_iso(seen_since) or "", *(feeds or ()), subscriber),
        ).fetchall()
        return self._items(rows)

    def items(self, ids: Sequence[int]) -> list[StoredItem]:
        """Items by id, in id order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT * FROM items WHERE id IN ({marks}) ORDER BY id", tuple(ids)
        ).fetchall()
        return self._items(rows)

    def _items(self, rows: list[sqlite3.Row]) -> list[StoredItem]:
        figures: dict[int, list[Figure]] = {}
        if rows:
            marks = ",".join("?" * len(rows))
            for f in self.db.execute(
                f"SELECT * FROM figures WHERE item_id IN ({marks}) ORDER BY id",
                tuple(r["id"] for r in rows),
            ):
                figures.setdefault(f["item_id"], []).append(_figure(f))
        return [
            StoredItem(
                id=r["id"],
                feed=r["feed"],
                guid=r["guid"],
                link=r["link"],
                title=r["title"],
                published=_dt(r["published"]),
                fetched_at=datetime.fromisoformat(r["fetched_at"]),
                text=r["text"],
                summary=r["summary"],
                alertable=bool(r["alertable"]),
                figures=tuple(figures.get(r["id"], ())),
                agencies=tuple(Agency(a, n) for a, n in json.loads(r["agencies"])),
                organisations=tuple(Organisation(n) for n in json.loads(r["organisations"])),
                countries=tuple(json.loads(r["countries"])),
            )
            for r in rows
        ]

    # deliveries ----------------------------------------------------------

    def create_delivery(
        self,
        subscriber: str,
        kind: str,
        item_ids: Sequence[int],
        *,
        now: datetime | None = None,
    ) -> int | None:
        """Claim items for a subscriber in a new pending delivery, atomically.

        Returns None when another run claimed any of them first (the unique key
        on subscriber + item), so two processes never put one item in two
        digests for the same person.
        """
        try:
            with self.transaction() as db:
                cur = db.execute(
                    "INSERT INTO deliveries (subscriber, kind, created_at) VALUES (?, ?, ?)",
                    (subscriber, kind, _iso(now or utcnow())),
                )
                delivery_id = int(cur.lastrowid or 0)
                db.executemany(
                    "INSERT INTO delivery_items (delivery_id, subscriber, item_id) "
                    "VALUES (?, ?, ?)",
                    [(delivery_id, subscriber, i) for i in item_ids],
                )
        except sqlite3.IntegrityError:
            return None
        return delivery_id

    def set_message(
        self, delivery_id: int, *, subject: str, message_id: str, message: bytes
    ) -> None:
        """Store the rendered message: what is resent if the run dies before the server accepts."""
        with self.transaction() as db:
            db.execute(
                "UPDATE deliveries SET subject = ?, message_id = ?, message = ? WHERE id = ?",
                (subject, message_id, message, delivery_id),
            )

    def delivery_item_ids(self, delivery_id: int) -> list[int]:
        """The items a delivery carries."""
        rows = self.db.execute(
            "SELECT item_id FROM delivery_items WHERE delivery_id = ? ORDER BY item_id",
            (delivery_id,),
        )
        return [r["item_id"] for r in rows]

    def pending_deliveries(self, subscriber: str | None = None) -> list[Delivery]:
        """Deliveries written but not yet accepted by the server, oldest first."""
        sql = "SELECT * FROM deliveries WHERE status = 'pending'"
        args: tuple[Any, ...] = ()
        if subscriber is not None:
            sql += " AND subscriber = ?"
            args = (subscriber,)
        return [_delivery(r) for r in self.db.execute(sql + " ORDER BY id", args)]

    def deliveries(self) -> list[Delivery]:
        """Every delivery, oldest first."""
        return [_delivery(r) for r in self.db.execute("SELECT * FROM deliveries ORDER BY id")]

    def mark_sent(self, delivery_id: int, *, now: datetime | None = None) -> None:
        """The server accepted the message (or the outbox file is written)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL, "
                "attempts = attempts + 1 WHERE id = ?",
                (_iso(now or utcnow()), delivery_id),
            )

    def mark_attempt(self, delivery_id: int, error: str, *, permanent: bool) -> None:
        """A failed attempt: permanent failures stop retrying, others stay pending."""
        status = "failed" if permanent else "pending"
        with self.transaction() as db:
            db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ? "
                "WHERE id = ?",
                (status, error, delivery_id),
            )


def _figure(r: sqlite3.Row) -> Figure:
    return Figure(**{name: r[name] for name in Figure.__slots__})


def _delivery(r: sqlite3.Row) -> Delivery:
    values = {name: r[name] for name in Delivery.__slots__}
    values["created_at"] = datetime.fromisoformat(r["created_at"])
    values["sent_at"] = _dt(r["sent_at"])
    return Delivery(**values)
