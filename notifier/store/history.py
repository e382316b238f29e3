"""What a subscriber was sent before: the figure a trend compares with, events sent at once.

Figures are never overwritten: each item keeps its own, so the history of a
place is the figures of the items that named it, in date order, and what a
subscriber "was sent" is what sits in their delivered outbox rows.
"""

from __future__ import annotations

from datetime import datetime

from notifier.models import Previous, SentEarlier
from notifier.store.db import Database, from_iso, to_iso
from notifier.store.items import DATED


class HistoryQueries(Database):
    """Reads across items, figures and the outbox."""

    def sent_figures(self, subscriber: str) -> dict[tuple[str, str], Previous]:
        """The latest figure of each kind and trend key already sent to `subscriber`.

        A figure is never its own trend: the items being composed now are the
        subscriber's undelivered ones, which no delivery row of theirs holds.
        One pass over what the subscriber was sent, not a query per place: a
        place's figures, delivered or not, run to thousands on a busy desk, and
        a busy day's digest asks after a hundred places.
        """
        rows = self.db.execute(
            "SELECT f.kind, f.trend_key, f.value, f.high, f.qualifier, f.agency, i.feed, "
            f"{DATED} AS dated FROM delivery_items di "
            "JOIN deliveries d ON d.id = di.delivery_id AND d.status = 'sent' "
            "JOIN items i ON i.id = di.item_id "
            "JOIN figures f ON f.item_id = i.id "
            "WHERE di.subscriber = ? AND f.trend_key NOT IN ('|', '') "
            "ORDER BY dated, f.id",
            (subscriber,),
        )
        return {
            (r["kind"], r["trend_key"]): Previous(
                value=r["value"],
                high=r["high"],
                qualifier=r["qualifier"],
                date=datetime.fromisoformat(r["dated"]),
                source=r["feed"],
                agency=r["agency"],
            )
            for r in rows
        }  # later rows overwrite earlier ones: the latest of each key stays

    def sent_at_once(self, subscriber: str, since: datetime) -> list[SentEarlier]:
        """Events sent to `subscriber` as immediate alerts after the last daily digest.

        The daily digest lists them in one line each instead of repeating them.
        """
        last_daily = self.db.execute(
            "SELECT MAX(created_at) AS t FROM deliveries "
            "WHERE subscriber = ? AND kind = 'daily' AND status = 'sent'",
            (subscriber,),
        ).fetchone()["t"]
        start = max(to_iso(since) or "", last_daily or "")
        rows = self.db.execute(
            "SELECT i.title, i.link, d.sent_at FROM deliveries d "
            "JOIN delivery_items di ON di.delivery_id = d.id "
            "JOIN items i ON i.id = di.item_id "
            "WHERE d.subscriber = ? AND d.kind = 'immediate' AND d.status = 'sent' "
            "AND d.sent_at > ? ORDER BY d.sent_at, i.id",
            (subscriber, start),
        )
        return [SentEarlier(r["title"], r["link"], from_iso(r["sent_at"]) or since) for r in rows]

    def deliveries_of(self, item_id: int) -> dict[str, tuple[int, str, datetime | None]]:
        """Who has been given this item: subscriber -> (delivery id, status, sent at)."""
        rows = self.db.execute(
            "SELECT d.subscriber, d.id, d.status, d.sent_at FROM delivery_items di "
            "JOIN deliveries d ON d.id = di.delivery_id WHERE di.item_id = ?",
            (item_id,),
        )
        return {r["subscriber"]: (r["id"], r["status"], from_iso(r["sent_at"])) for r in rows}
