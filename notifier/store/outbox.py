"""The outbox: a digest is a row written, with its message, before it is sent.

`delivery_items` records which items each subscriber has been given, under a
unique key (subscriber, item): two runs never put one item in two digests for
the same person, and an item claimed once is never claimed again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from notifier.models import Delivery, HealthNotice
from notifier.store.db import Conn, Database, from_iso, to_iso, utcnow

BuildMessage = Callable[[int], tuple[str, str, bytes]]
"""delivery id -> (subject, Message-ID, message bytes): called inside the row's transaction."""


class OutboxQueries(Database):
    """The `deliveries` and `delivery_items` tables."""

    def create_delivery(
        self,
        subscriber: str,
        kind: str,
        item_ids: Sequence[int],
        build: BuildMessage,
        *,
        now: datetime | None = None,
    ) -> int | None:
        """Write a pending outbox row with its message, claiming its items, atomically.

        `build(delivery_id)` makes (subject, Message-ID, message) once the row has
        its id, which the message carries in a header. The message is stored
        before anything is sent, so a crash after this leaves a row that the
        next run sends as it is. Returns None when another run claimed any of
        the items first (the unique key on subscriber + item): two processes
        never put one item in two digests for the same person.
        """
        try:
            with self.transaction() as db:
                delivery_id = self._insert_row(db, subscriber, kind, build, now)
                db.executemany(
                    "INSERT INTO delivery_items (delivery_id, subscriber, item_id) "
                    "VALUES (?, ?, ?)",
                    # In id order: two instances claiming overlapping items for one
                    # subscriber meet at the first shared item instead of deadlocking.
                    [(delivery_id, subscriber, i) for i in sorted(set(item_ids))],
                )
        except sqlite3.IntegrityError:
            return None
        return delivery_id

    def create_notice(
        self,
        notice: HealthNotice,
        recipient: str,
        build: BuildMessage,
        *,
        now: datetime | None = None,
    ) -> int | None:
        """Write the operator's feed-health message and mark the feed as told, atomically.

        Returns None when the feed's state changed meanwhile (another run told
        the operator first): each change is told once.
        """
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE feeds SET failing_reported = ? WHERE name = ? AND failing_reported = ?",
                (int(notice.failing), notice.feed, int(not notice.failing)),
            )
            if cur.rowcount != 1:
                return None
            return self._insert_row(db, recipient, "health", build, now)

    def _insert_row(
        self,
        db: Conn,
        recipient: str,
        kind: str,
        build: BuildMessage,
        now: datetime | None,
    ) -> int:
        cur = db.execute(
            "INSERT INTO deliveries (subscriber, kind, created_at) VALUES (?, ?, ?) RETURNING id",
            (recipient, kind, to_iso(now or utcnow())),
        )
        delivery_id = int(cur.fetchone()[0])
        subject, message_id, message = build(delivery_id)
        db.execute(
            "UPDATE deliveries SET subject = ?, message_id = ?, message = ? WHERE id = ?",
            (subject, message_id, message, delivery_id),
        )
        return delivery_id

    def release(self, delivery_id: int) -> bool:
        """Give a pending row's items back and drop it (it is to be split); False if not pending."""
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM deliveries WHERE id = ? AND status = 'pending'", (delivery_id,)
            )
            if cur.rowcount != 1:
                return False
            db.execute("DELETE FROM delivery_items WHERE delivery_id = ?", (delivery_id,))
        return True

    def pending_deliveries(self, subscriber: str | None = None) -> list[Delivery]:
        """Deliveries written but not yet accepted by the server, oldest first."""
        sql = "SELECT * FROM deliveries WHERE status = 'pending'"
        args: tuple[Any, ...] = ()
        if subscriber is not None:
            # Left alone, SQLite reads every pending row by status to skip a sort: with
            # rows still being sent, one subscriber's few are found by their own index.
            sql = (
                "SELECT * FROM deliveries INDEXED BY deliveries_subscriber "
                "WHERE subscriber = ? AND status = 'pending'"
            )
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
                (to_iso(now or utcnow()), delivery_id),
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


def _delivery(r: Any) -> Delivery:  # noqa: ANN401 (a row of either backend)
    values = {name: r[name] for name in Delivery.__slots__}
    values["created_at"] = datetime.fromisoformat(r["created_at"])
    values["sent_at"] = from_iso(r["sent_at"])
    return Delivery(**values)
