"""What the store keeps per feed: validators for conditional GETs, the last error, first poll."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifier.models import FeedState, HealthNotice
from notifier.store.db import Conn, Database, from_iso, to_iso, utcnow


class FeedStateQueries(Database):
    """The `feeds` table."""

    def feed_states(self) -> dict[str, FeedState]:
        """Every feed the store has seen, by name."""
        rows = self.db.execute(
            "SELECT f.*, (SELECT COUNT(*) FROM items i WHERE i.feed = f.name) AS n FROM feeds f"
        ).fetchall()
        languages: dict[str, list[tuple[str, int]]] = {}
        for feed, language, count in self.db.execute(
            "SELECT feed, language, COUNT(*) AS n FROM items WHERE language IS NOT NULL "
            "GROUP BY feed, language ORDER BY n DESC, language"
        ):
            languages.setdefault(feed, []).append((language, count))
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
                failures=r["failures"],
                failing_reported=bool(r["failing_reported"]),
                languages=tuple(languages.get(r["name"], ())),
                polled_by=r["polled_by"],
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
        """Note a fetch that stored no items: a failure, or a 304 (validators kept or renewed)."""
        with self.transaction() as db:
            self._record_fetch(
                db,
                name,
                url,
                error=error,
                status=status,
                etag=etag,
                last_modified=last_modified,
                now=now,
                by=self.instance,
            )

    @staticmethod
    def _record_fetch(
        db: Conn,
        name: str,
        url: str,
        *,
        error: str | None,
        status: int | None,
        etag: str | None,
        last_modified: str | None,
        now: datetime | None,
        by: str,
    ) -> None:
        """Note a fetch attempt; validators change only on success, the failure streak on each.

        A feed whose URL changed in the config starts over: no validators, so the
        new URL is fetched in full, and a silent first poll, so its back
        catalogue is recorded rather than mailed.
        """
        now_s = to_iso(now or utcnow())
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
                "last_success_at = ?, last_error = NULL, last_status = ?, failures = 0, "
                "polled_by = ? WHERE name = ?",
                (etag, last_modified, now_s, now_s, status, by, name),
            )
        else:
            db.execute(
                "UPDATE feeds SET last_fetch_at = ?, last_error = ?, last_status = ?, "
                "failures = failures + 1, polled_by = ? WHERE name = ?",
                (now_s, error, status, by, name),
            )

    def first_poll_pending(self, feed: str, db: Conn | None = None) -> bool:
        """True until a feed's first successful poll is stored (again after its URL changed)."""
        row = (
            (db or self.db)
            .execute("SELECT first_polled_at FROM feeds WHERE name = ?", (feed,))
            .fetchone()
        )
        return row is None or row["first_polled_at"] is None

    def health_changes(self, failures: int, feeds: Sequence[str]) -> list[HealthNotice]:
        """Feeds the operator must hear about now: failing `failures` polls in a row, or recovered.

        Each is told once each way: a failing feed until it is reported, a
        reported feed once it fetches again.
        """
        marks = ",".join("?" * len(feeds))
        rows = self.db.execute(
            "SELECT * FROM feeds WHERE name IN (" + marks + ") AND "
            "((failures >= ? AND failing_reported = 0) OR (failures = 0 AND failing_reported = 1)) "
            "ORDER BY name",
            (*feeds, failures),
        )
        return [
            HealthNotice(
                feed=r["name"],
                url=r["url"],
                failing=r["failures"] > 0,
                failures=r["failures"],
                error=r["last_error"],
                since=from_iso(r["last_success_at"]),
            )
            for r in rows
        ]
