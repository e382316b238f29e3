"""The PostgreSQL backend: a connection that reads the store's SQL as SQLite's does.

The queries are written once, in the dialect both servers share; the few
differences are shimmed here rather than doubled: `?` placeholders become
psycopg's `%s`, SQLite's `INDEXED BY` hints are dropped (PostgreSQL's planner
takes no hints), rows answer by name and by position as `sqlite3.Row` does,
and a unique-key violation is raised as the `sqlite3.IntegrityError` the
queries already catch, so the outbox's claim logic is the same on both.

psycopg is imported only when `storage.url` is set: the SQLite default needs
no driver beyond the standard library.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from notifier.errors import StoreError, StoreFailedError
from notifier.store.schema import PG_BASE, PG_BASE_VERSION, PG_MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import psycopg

MIGRATION_LOCK = 0x6E6F7469  # "noti": the advisory lock every instance migrates under
CLAIM_CLASS = 0x6E6F  # the first key of a delivery row's advisory lock; its id is the second
CONNECT_TIMEOUT = 10


class Conflict(sqlite3.IntegrityError):
    """A unique key or foreign key said no on PostgreSQL: the same meaning as in SQLite."""


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite's spelling of a query to PostgreSQL's (the queries are fixed strings: cached)."""
    sql = re.sub(r"\s+INDEXED BY \w+", "", sql)
    return sql.replace("%", "%%").replace("?", "%s")


class Row:
    """A row by column name or position, like `sqlite3.Row` (and unpackable like it)."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: str | int) -> Any:  # noqa: ANN401
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        """The column names, as `sqlite3.Row.keys()`."""
        return list(self._index)


def _row_factory(cursor: Any) -> Any:  # noqa: ANN401
    names = [c.name for c in cursor.description or ()]
    index = {name: n for n, name in enumerate(names)}
    return lambda values: Row(values, index)


class PgConnection:
    """One psycopg connection, in autocommit outside `transaction()`; SQLite's call shape."""

    def __init__(self, conn: psycopg.Connection[Any], where: str) -> None:
        self.conn = conn
        self.where = where

    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # noqa: ANN401
        """Run one statement; a broken connection or server says what to do."""
        import psycopg  # noqa: PLC0415 (the optional driver, loaded with storage.url)

        try:
            return self.conn.execute(translate(sql), tuple(parameters))
        except psycopg.IntegrityError as e:
            raise Conflict(str(e)) from e
        except psycopg.Error as e:
            raise fault(self.where, e) from e

    def executemany(self, sql: str, parameters: Any, /) -> Any:  # noqa: ANN401
        """Run one statement for each set of parameters."""
        import psycopg  # noqa: PLC0415

        cur = self.conn.cursor()
        try:
            cur.executemany(translate(sql), [tuple(p) for p in parameters])
        except psycopg.IntegrityError as e:
            raise Conflict(str(e)) from e
        except psycopg.Error as e:
            raise fault(self.where, e) from e
        return cur

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """BEGIN ... COMMIT, rolled back on any error (psycopg's own block).

        BEGIN and COMMIT meet a lost server too: they say so in the same one line.
        """
        import psycopg  # noqa: PLC0415

        try:
            with self.conn.transaction():
                yield self
        except psycopg.IntegrityError as e:
            raise Conflict(str(e)) from e
        except psycopg.Error as e:
            raise fault(self.where, e) from e

    def close(self) -> None:
        """Close the connection: the server drops this session's claims with it."""
        self.conn.close()


def fault(where: str, error: Exception) -> StoreFailedError:
    """The operator's one line for the server failing while running."""
    text = " ".join(str(error).split())
    return StoreFailedError(
        f"{where}: the state database failed ({text}); the step in progress was rolled back; "
        "check the PostgreSQL server and the network to it"
    )


def why_not(where: str, error: Exception) -> str:
    """One line for a connection that failed: unreachable, refused login, or no database."""
    text = " ".join(str(error).split())
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        why = "the server refused the user name or password; check storage.url"
    elif "role" in low and "does not exist" in low:
        why = "the server has no such user; check the user name in storage.url"
    elif "database" in low and "does not exist" in low:
        why = "the server has no such database; create it (createdb) or fix storage.url"
    elif "refused" in low or "timeout" in low or "could not translate" in low or "no route" in low:
        why = "the server is unreachable; check the host and port in storage.url and that it runs"
    else:
        why = "check storage.url and the server"
    return (
        f"{where}: cannot connect to PostgreSQL ({text.removeprefix('connection failed: ')}): {why}"
    )


def connect(url: str) -> PgConnection:
    """A connection to the server, or a StoreError that says in one line why not."""
    where = redact(url)
    try:
        import psycopg  # noqa: PLC0415
    except ImportError as e:
        raise StoreError(
            f"{where}: storage.url names PostgreSQL, but its driver is not installed; "
            "install it with: pip install 'notifier[postgres]'"
        ) from e
    try:
        conn = psycopg.connect(
            url,
            autocommit=True,
            row_factory=_row_factory,
            connect_timeout=CONNECT_TIMEOUT,
            application_name="notifier",
        )
    except psycopg.Error as e:
        raise StoreError(why_not(where, e)) from e
    return PgConnection(conn, where)


def schema_version(db: PgConnection) -> int:
    """The version of the schema in this database (0: none yet)."""
    row = db.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version' "
        "AND table_schema = current_schema()"
    ).fetchone()
    if row is None:
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: PgConnection) -> None:
    """Bring the schema to this version, once, however many instances start at the same moment.

    The instances queue on one advisory lock held for the transaction; the
    first migrates, the others find the work done. PostgreSQL's DDL is
    transactional, so a crash mid-migration leaves the previous version whole.
    """
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
        version = schema_version(db)
        if version > SCHEMA_VERSION:
            raise StoreError(newer(db.where, version))
        if version == 0:
            for statement in PG_BASE.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (PG_BASE_VERSION,))
            version = PG_BASE_VERSION
        for number in range(version, SCHEMA_VERSION):
            for statement in PG_MIGRATIONS[number - PG_BASE_VERSION].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("UPDATE schema_version SET version = ?", (number + 1,))


def newer(where: str, version: int) -> str:
    """The line for a database made by a newer notifier."""
    return (
        f"{where}: made by a newer notifier (schema {version} > {SCHEMA_VERSION}); "
        "upgrade notifier or point storage.url elsewhere"
    )


def probe(url: str) -> str:
    """Connect without migrating: what `check-config` says, or a StoreError's one line."""
    db = connect(url)
    try:
        version = schema_version(db)
        server = db.execute("SHOW server_version").fetchone()[0]
    finally:
        db.close()
    if version > SCHEMA_VERSION:
        raise StoreError(newer(redact(url), version))
    state = (
        "no schema yet (made at the first start)"
        if version == 0
        else f"schema {version}"
        + ("" if version == SCHEMA_VERSION else f" (migrated to {SCHEMA_VERSION} at start)")
    )
    return f"PostgreSQL {server.split()[0]} at {redact(url)}, {state}"
