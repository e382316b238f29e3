"""The connection: SQLite (WAL) or PostgreSQL; one transaction per step, migrated when opened.

The queries of the other modules run on either: they see a `Conn` (SQLite's
connection, or `pg.PgConnection`, which takes the same SQL and gives the same rows).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, Self

from notifier.errors import StoreError, StoreFailedError
from notifier.store import pg
from notifier.store.schema import MIGRATIONS, SCHEMA_VERSION


def utcnow() -> datetime:
    """Now, timezone-aware, second precision (what is stored)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(dt: datetime | None) -> str | None:
    """A datetime as stored: ISO 8601 in UTC, which sorts and compares as text."""
    return dt.astimezone(UTC).isoformat() if dt else None


def from_iso(value: str | None) -> datetime | None:
    """A stored datetime back, or None."""
    return datetime.fromisoformat(value) if value else None


def fault(path: Path, error: sqlite3.Error) -> StoreFailedError:
    """The operator's one line for a database failing while running: what happened, what to do."""
    text = str(error)
    low = text.lower()
    if "full" in low:
        why = "the disk is full; free space where storage.path is and run again"
    elif "readonly" in low or "read-only" in low:
        why = "it is read-only; check the permissions of the file and of its folder"
    elif "malformed" in low or "not a database" in low or "corrupt" in low:
        why = (
            "it is damaged; restore it from a backup, or move it aside to start afresh "
            "(every feed's first poll is then recorded without alerting)"
        )
    elif "locked" in low or "busy" in low:
        why = "another process keeps it locked; stop it or wait for it"
    else:
        why = "check the disk and the file"
    return StoreFailedError(
        f"{path}: the state database failed ({text}): {why}; nothing half-stored"
    )


class Cursor(Protocol):
    """What a query gives back on either backend."""

    @property
    def rowcount(self) -> int:
        """Rows an UPDATE or DELETE touched."""

    def fetchone(self) -> Any:  # noqa: ANN401
        """The next row (by name or position), or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """The connection the queries use: SQLite's, or PostgreSQL's behind the same calls."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor:  # noqa: ANN401
        """Run one statement."""

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:  # noqa: ANN401
        """Run one statement for each set of parameters."""


def this_instance() -> str:
    """Who holds a claim: host and process, which `notifier feeds` shows as the last poller."""
    return f"{socket.gethostname()}:{os.getpid()}"


class _Connection(sqlite3.Connection):
    """A connection whose failures, apart from constraints the store relies on, say what to do."""

    path: Path

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # noqa: ANN401
        try:
            return super().execute(sql, parameters)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as e:
            raise fault(self.path, e) from e

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:  # noqa: ANN401
        try:
            return super().executemany(sql, parameters)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as e:
            raise fault(self.path, e) from e


class Database:
    """The state database, migrated on open; use as a context manager, or call `close()`.

    A SQLite file at `path`, unless `url` names a PostgreSQL database: then
    several instances share it (`shared`), and the claims of `claims.py` keep
    them from doing one piece of work twice.
    """

    db: Conn

    def __init__(self, path: Path | str, *, url: str = "", instance: str = "") -> None:
        self.instance = instance or this_instance()
        self.claimed: set[int] = set()
        """Outbox rows this process is sending (claims.py)."""
        self.shared = bool(url)
        self._pg: Any = None
        self.path = Path(path)
        if url:
            self._pg = pg.connect(url)  # psycopg, the optional extra, is imported only here
            self.db = self._pg
            try:
                pg.migrate(self._pg)
            except StoreFailedError as e:
                self._pg.close()
                raise StoreError(f"cannot migrate the state database: {e}") from e
            except StoreError:
                self._pg.close()
                raise
            return
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lite = sqlite3.connect(
                str(path), timeout=30, isolation_level=None, factory=_Connection
            )
            self.db = self._lite
            self._lite.path = self.path
            self._lite.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA busy_timeout = 30000")
            if str(path) != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
                # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed
                # process loses nothing committed (the WAL is in the OS's cache) and the
                # file stays consistent; only a power cut or OS crash may lose the last
                # commits, and then whole transactions, so a row never reads as sent
                # without its send having been accepted (at worst it is sent again).
                # It saves an fsync per commit: several per subscriber in a delivery run.
                self.db.execute("PRAGMA synchronous = NORMAL")
                # Copy the WAL back into the database every 40 MB, not every 4 MB: each
                # copy syncs the file, and a busy poll of 1,000 feeds writes 100+ MB, which
                # at the default blocked the event loop for 5 s of commits instead of 3.
                self.db.execute("PRAGMA wal_autocheckpoint = 10000")
            self._migrate()
        except (sqlite3.DatabaseError, StoreFailedError) as e:
            raise StoreError(
                f"{path}: cannot open the state database ({e}); check storage.path "
                "points to a writable SQLite file made by notifier"
            ) from e
        except OSError as e:
            raise StoreError(f"{path}: cannot create the state database folder: {e}") from e

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (on PostgreSQL the server drops this session's claims)."""
        (self._pg or self._lite).close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Conn]:
        """One step = one transaction: a crash leaves the step done or not done.

        SQLite may have rolled back on its own (a full disk): the rollback here is
        then skipped, so the error the operator reads is the real one.
        """
        if self._pg is not None:
            with self._pg.transaction() as db:
                yield db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            if self._lite.in_transaction:
                with contextlib.suppress(sqlite3.Error, StoreFailedError):
                    self.db.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer notifier (schema {version} > {SCHEMA_VERSION}); "
                "upgrade notifier or point storage.path elsewhere"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
