"""What a subscriber was sent before: the figure a trend compares with, events sent at once.

Figures are never overwritten: each item keeps its own, so the history of a
place is the figures of the items that named it, in date order, and what a
subscriber "was sent" is what sits in their delivered outbox rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifier.models import Previous, SentEarlier
from notifier.store.db import Database, from_iso, to_iso
from notifier.store.items import DATED


class HistoryQueries(Database):
    """Reads across items, figures and the outbox."""

    def previous_figure(
        self, subscriber: str, kind: str, key: str, *, excluding: Sequence[int]
    ) -> Previous | None:
        """The latest figure of this kind and trend key already sent to `subscriber`.

        `excluding` are the items being sent now: a figure is never its own trend.
        """
        if key in ("|", ""):
            return None  # no place and no country: nothing to compare with
        marks = ",".join("?" * len(excluding)) or "NULL"
        exclude, args = f"i.id NOT IN ({marks})", tuple[object, ...](excluding)
        if self.shared and excluding:
            # One array, not thousands of parameters: PostgreSQL plans a long IN list
            # anew at each call (10 ms for a busy day's candidates), SQLite does not.
            exclude, args = "i.id <> ALL(?)", (list(excluding),)
        row = self.db.execute(
            "SELECT f.value, f.high, f.qualifier, f.agency, i.feed, "
            f"{DATED} AS dated FROM figures f "
            "JOIN items i ON i.id = f.item_id "
            "JOIN delivery_items di ON di.item_id = i.id AND di.subscriber = ? "
            "JOIN deliveries d ON d.id = di.delivery_id AND d.status = 'sent' "
            f"WHERE f.kind = ? AND f.trend_key = ? AND {exclude} "
            "ORDER BY dated DESC, f.id DESC LIMIT 1",
            (subscriber, kind, key, *args),
        ).fetchone()
        if row is None:
            return None
        return Previous(
            value=row["value"],
            high=row["high"],
            qualifier=row["qualifier"],
            date=datetime.fromisoformat(row["dated"]),
            source=row["feed"],
            agency=row["agency"],
        )

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
