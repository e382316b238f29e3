"""What the store keeps per feed: validators for conditional GETs, the last error, first poll."""

from __future__ import annotations

from datetime import datetime

from notifier.models import FeedState
from notifier.store.db import Database, from_iso, to_iso, utcnow


class FeedStateQueries(Database):
    """The `feeds` table."""

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
                first_polled_at=from_iso(r["first_polled_at"]),
                last_fetch_at=from_iso(r["last_fetch_at"]),
                last_success_at=from_iso(r["last_success_at"]),
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
        now_s = to_iso(now or utcnow())
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

    def first_poll_pending(self, feed: str) -> bool:
        """True until a feed's first successful poll is stored (again after its URL changed)."""
        row = self.db.execute(
            "SELECT first_polled_at FROM feeds WHERE name = ?", (feed,)
        ).fetchone()
        return row is None or row["first_polled_at"] is None
