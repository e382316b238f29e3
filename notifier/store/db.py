"""The connection: SQLite in WAL mode, one transaction per step, migrated when opened."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from notifier.errors import StoreError
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


class Database:
    """A SQLite state file, migrated on open; use as a context manager, or call `close()`."""

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

    def __enter__(self) -> Self:
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
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
