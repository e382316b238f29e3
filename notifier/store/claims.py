"""Work shared between instances: who polls a feed, who sends a row, who sends a day's digest.

With SQLite one process runs at a time (the file lock), and every claim here
is granted at once. With PostgreSQL several instances share the database, and
a piece of work is done by whoever claims it first:

- a feed's poll is a lease (the `leases` table) with an expiry: an instance
  that dies mid-poll blocks that feed only until its lease runs out;
- an outbox row is claimed with a session-level advisory lock, and sent only
  if it is still pending once claimed; the server drops the lock the moment
  the claimer's connection goes, so a crashed instance's row is resent by the
  next run at once, and a live one's never twice (it is marked sent, and
  committed, before the lock is let go);
- a subscriber's daily digest window is a lease taken once and never renewed:
  the first instance whose digest job fires sends it, the others skip it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from notifier.store.db import Database, to_iso, utcnow
from notifier.store.pg import CLAIM_CLASS

_INT4 = 2**31 - 1


class ClaimQueries(Database):
    """The `leases` table and the outbox rows' claims."""

    def claim_feeds(
        self, names: Sequence[str], ttl: timedelta, *, now: datetime | None = None
    ) -> list[str]:
        """The feeds of `names` this instance may poll now: nobody else holds a live lease.

        A lease this instance holds already (a daemon's own, kept since its last
        poll) is renewed. Taken in name order in one transaction, so two instances
        claiming at the same moment wait on each other row by row, not deadlock.
        """
        if not self.shared:
            return list(names)
        start = now or utcnow()
        with self.transaction() as db:
            return [
                name
                for name in sorted(names)
                if db.execute(
                    "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                    "expires_at = excluded.expires_at "
                    "WHERE leases.expires_at < ? OR leases.holder = excluded.holder "
                    "RETURNING name",
                    (f"poll:{name}", self.instance, to_iso(start + ttl), to_iso(start)),
                ).fetchone()
                is not None
            ]

    def release_feeds(self, names: Sequence[str], *, keep_until: datetime | None = None) -> None:
        """Let go of this instance's poll leases: the next poll may be anyone's.

        With `keep_until` they are kept, shortened to then: the feeds were just
        polled, and other daemons need not poll them again before.
        """
        if not self.shared or not names:
            return
        marks = ",".join("?" * len(names))
        keys = (self.instance, *(f"poll:{n}" for n in names))
        with self.transaction() as db:
            if keep_until is None:
                db.execute(f"DELETE FROM leases WHERE holder = ? AND name IN ({marks})", keys)
            else:
                db.execute(
                    f"UPDATE leases SET expires_at = ? WHERE holder = ? AND name IN ({marks})",
                    (to_iso(keep_until), *keys),
                )

    def claim_window(self, key: str, until: datetime) -> bool:
        """True for the first instance to ask for `key` (a digest's day) until it expires."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM leases WHERE name = ? AND expires_at < ?", (key, to_iso(utcnow()))
            )
            return (
                db.execute(
                    "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (name) DO NOTHING RETURNING name",
                    (key, self.instance, to_iso(until)),
                ).fetchone()
                is not None
            )

    def claim_delivery(self, delivery_id: int) -> bool:
        """Claim an outbox row to send it: False if another sender has it or it is sent.

        Call `unclaim_delivery` after the row is marked, whatever the outcome.
        """
        if delivery_id in self.claimed:
            return False  # this process sends it already (the lock is re-entrant per session)
        if self.shared:
            got = self.db.execute(
                "SELECT pg_try_advisory_lock(?, ?)", (CLAIM_CLASS, delivery_id % _INT4)
            ).fetchone()[0]
            if not got:
                return False
        row = self.db.execute("SELECT status FROM deliveries WHERE id = ?", (delivery_id,))
        status = row.fetchone()
        if status is None or status[0] != "pending":
            self._unlock(delivery_id)
            return False
        self.claimed.add(delivery_id)
        return True

    def unclaim_delivery(self, delivery_id: int) -> None:
        """Let go of a row claimed by `claim_delivery` (after it was marked)."""
        self.claimed.discard(delivery_id)
        self._unlock(delivery_id)

    def _unlock(self, delivery_id: int) -> None:
        if self.shared:
            self.db.execute(
                "SELECT pg_advisory_unlock(?, ?)", (CLAIM_CLASS, delivery_id % _INT4)
            ).fetchone()
