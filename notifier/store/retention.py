"""Retention: items, figures and sent outbox rows older than `storage.keep_days` go.

Without it the database only grows: every poll adds items and figures, every
digest a row with its message, and the busy poll slows as the tables grow.
What an undelivered digest still needs is never pruned: an item claimed by a
pending row stays, and so does an item no one has been given yet unless it is
older than the retention (it could no longer alert: `alerts.max_age` is shorter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifier.store.db import Database, to_iso
from notifier.store.items import DATED


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one prune removed."""

    items: int
    deliveries: int


class RetentionQueries(Database):
    """Deletes what is older than the retention, in one transaction."""

    def prune(self, older_than: datetime) -> Pruned:
        """Delete items (with their figures) and finished outbox rows from before `older_than`.

        An item goes when both its date and its first fetch are older (a feed's
        future-dated item counts from its fetch), unless a pending row claims it.
        A sent or failed row goes once it is older and none of its items is left,
        so an item still stored never loses the record that a subscriber had it
        (which would make it alert them again). One transaction: a crash leaves
        everything or nothing pruned.
        """
        cutoff = to_iso(older_than)
        with self.transaction() as db:
            items = db.execute(
                f"DELETE FROM items WHERE id IN (SELECT i.id FROM items i "
                f"WHERE i.fetched_at < ? AND {DATED} < ? "
                "AND NOT EXISTS (SELECT 1 FROM delivery_items di "
                "JOIN deliveries d ON d.id = di.delivery_id "
                "WHERE di.item_id = i.id AND d.status = 'pending'))",
                (cutoff, cutoff),
            ).rowcount
            rows = db.execute(
                "DELETE FROM deliveries WHERE status IN ('sent', 'failed') AND created_at < ? "
                "AND NOT EXISTS (SELECT 1 FROM delivery_items di "
                "WHERE di.delivery_id = deliveries.id)",
                (cutoff,),
            ).rowcount
            db.execute("DELETE FROM leases WHERE expires_at < ?", (cutoff,))
        return Pruned(items=items, deliveries=rows)
