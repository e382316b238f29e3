"""Items and their figures: stored once per feed (by guid and by content), read for digests."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from notifier.extract.models import Agency, Figure, Organisation, Report
from notifier.models import FetchResult, Item, StoredItem, Structured
from notifier.store.db import Conn, from_iso, to_iso, utcnow
from notifier.store.feedstate import FeedStateQueries

_FIGURE_COLUMNS = ", ".join(f'"{name}"' for name in Figure.__slots__)  # "end" is an SQL keyword
_ADMIN_WORDS = re.compile(
    r"\s+(?:province|governorate|state|region|district|county|department|oblast)$"
)
DATED = (
    "CASE WHEN i.published IS NULL OR i.published > i.fetched_at "
    "THEN i.fetched_at ELSE i.published END"
)
"""What an item's age counts from: its publication, else (or if in the future) when first seen."""


def trend_key(figure: Figure, structured: Structured | None) -> str:
    """What makes two figures "the same place": the key a newer figure finds its earlier one by.

    A source's own event id when it has one (GDACS episodes); else the country
    and the place named ("SYR|idlib", "Idlib province" and "Idlib" alike); a
    figure placed only in a country is keyed by the country alone ("SYR|").
    """
    if structured is not None and structured.event_id:
        return f"{structured.source}:{structured.event_id}"
    place = (figure.place or "").casefold()
    if figure.place_level == "country":
        place = ""
    return f"{figure.country or ''}|{_ADMIN_WORDS.sub('', place)}"


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_VOLATILE = re.compile(
    # Every branch opens at a line start, a digit or a month's first letter: the
    # look-ahead skips the other positions at once, halving the cost of a hash.
    r"(?=\d|[jfmasond]|^)(?:"
    r"^\W*(?:last\s+)?(?:updated|modified|published|posted)\b[^\n]*$"  # "Updated 10:32 GMT"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|gmt|utc|[a-z]{3,4}t)?\b"  # clock times
    r"|\b\d{4}-\d{2}-\d{2}(?:[t ][\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?\b"  # ISO stamps
    rf"|\b\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|\b{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?\b"  # dates
    r"|\b\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?)\s+ago\b"  # "5 minutes ago"
    r"|\b\d+\s+(?:views?|comments?|shares?|votes?|reads?)\b)",  # counters around a story
    re.IGNORECASE | re.MULTILINE,
)
LONG_TEXT = 200
"""A text this long identifies its story on its own: a new headline over it is the same story."""


def content_hash(item: Item) -> str:
    """A fingerprint of the story, to know it again under a new guid, title or feed.

    Times of day, "Updated ..." lines and view counters are left out, so a feed
    that re-stamps an entry at every fetch does not make a new story of it.
    A long text is the story whatever its headline (wires retitle); a short
    one is fingerprinted with its title.
    """
    text = _VOLATILE.sub(" ", item.text if item.teaser is None else item.teaser)
    if len(text) < LONG_TEXT:
        text = f"{_VOLATILE.sub(' ', item.title)}\n{text}"
    norm = " ".join(text.split()).casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


class ItemQueries(FeedStateQueries):
    """The `items` and `figures` tables; storing a feed's first poll also marks it polled."""

    def add_items(
        self,
        feed: str,
        url: str,
        entries: Sequence[tuple[Item, Report]],
        *,
        alert_on_first_poll: bool,
        now: datetime | None = None,
        fetched: FetchResult | None = None,
        computed: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Store the new entries of one successful poll; return the ids of those stored.

        With `fetched`, the feed's validators (ETag, Last-Modified) are recorded
        in the same transaction as the items they describe: a run killed before
        it commits leaves the old validators, so the next run fetches the feed
        in full and stores these items then. On a feed's first successful poll
        the entries are recorded as not alertable (unless the feed says
        otherwise), so adding a feed does not mail its back catalogue. An entry
        already stored (same guid and content, or the same story under another
        guid) is skipped; a guid reused for a different story keeps both.
        `computed`: content hashes already computed, by guid (see `known_items`).
        """
        now_dt = now or utcnow()
        with self.transaction() as db:
            if fetched is not None:
                self._record_fetch(
                    db,
                    feed,
                    url,
                    error=None,
                    status=fetched.status,
                    etag=fetched.etag,
                    last_modified=fetched.last_modified,
                    now=now,
                    by=self.instance,
                )
            else:
                db.execute(
                    "INSERT INTO feeds (name, url) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (feed, url),
                )
            first = self.first_poll_pending(feed, db)
            alertable = 1 if (alert_on_first_poll or not first) else 0
            stored = self._add_entries(
                db, feed, entries, alertable=alertable, now=now_dt, computed=computed
            )
            if first:
                db.execute(
                    "UPDATE feeds SET first_polled_at = ? WHERE name = ?", (to_iso(now_dt), feed)
                )
        return stored

    def _add_entries(
        self,
        db: Conn,
        feed: str,
        entries: Sequence[tuple[Item, Report]],
        *,
        alertable: int,
        now: datetime,
        computed: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Insert the entries whose story the feed does not have yet; their new ids.

        What the feed already has is read in two queries for the whole poll, and
        the figures are written in one batch: on PostgreSQL each statement is a
        round trip to the server, and a busy poll stores thousands of items.
        """
        digests = [(computed or {}).get(item.guid) or content_hash(item) for item, _ in entries]
        have = self._present(db, feed, "content_hash", digests)
        taken = self._present(db, feed, "guid", [item.guid for item, _ in entries])
        stored: list[int] = []
        figures: list[tuple[object, ...]] = []
        for (item, report), digest in zip(entries, digests, strict=True):
            if digest in have:
                continue  # the same story, whatever its guid
            have.add(digest)
            guid = item.guid
            if guid in taken:
                guid = f"{guid}#{digest[:16]}"  # another story under a reused guid: keep it too
            taken.add(guid)
            item_id = self._insert_item(
                db, feed, item, report, guid=guid, digest=digest, alertable=alertable, now=now
            )
            stored.append(item_id)
            figures += [
                (item_id, trend_key(f, item.structured), *(getattr(f, n) for n in Figure.__slots__))
                for f in report.figures
            ]
        if figures:
            db.executemany(
                f"INSERT INTO figures (item_id, trend_key, {_FIGURE_COLUMNS}) "
                f"VALUES (?, ?{', ?' * len(Figure.__slots__)})",
                figures,
            )
        return stored

    @staticmethod
    def _present(db: Conn, feed: str, column: str, values: Sequence[str]) -> set[str]:
        """Which of `values` the feed's items have in `column` (content_hash or guid)."""
        wanted = sorted(set(values))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT {column} FROM items WHERE feed = ? AND {column} IN ({marks})",
                (feed, *chunk),
            )
            found.update(r[0] for r in rows)
        return found

    @staticmethod
    def _insert_item(
        db: Conn,
        feed: str,
        item: Item,
        report: Report,
        *,
        guid: str,
        digest: str,
        alertable: int,
        now: datetime,
    ) -> int:
        cur = db.execute(
            "INSERT INTO items (feed, guid, content_hash, link, title, published, "
            "fetched_at, text, summary, alertable, agencies, organisations, countries, "
            "structured, alert_level, language) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                feed,
                guid,
                digest,
                item.link,
                item.title,
                to_iso(item.published),
                to_iso(now),
                report.text,
                item.summary,
                alertable,
                json.dumps([[a.acronym, a.name] for a in report.agencies]),
                json.dumps([o.name for o in report.organisations]),
                json.dumps(list(report.countries)),
                _dump_structured(item.structured),
                item.structured.alert_level if item.structured else None,
                report.language,
            ),
        )
        return int(cur.fetchone()[0])

    def known_items(
        self, feed: str, items: Sequence[Item], computed: Mapping[str, str] | None = None
    ) -> set[str]:
        """Guids of these items whose story the feed already has: they need no extraction.

        Known by content, not by guid: a feed that mints a new guid at every
        fetch is not extracted again, and a guid reused for a new story is.
        `computed` holds the items' `content_hash`es by guid when the caller has
        them already (a poll computes them in its worker processes: a hash
        costs about as much CPU as extracting the item).
        """
        hashes: dict[str, list[str]] = {}
        for i in items:
            digest = (computed or {}).get(i.guid) or content_hash(i)
            hashes.setdefault(digest, []).append(i.guid)
        wanted = list(hashes)
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT content_hash FROM items WHERE feed = ? AND content_hash IN ({marks})",
                (feed, *chunk),
            )
            for r in rows:
                known.update(hashes[r["content_hash"]])
        return known

    def undelivered_items(
        self,
        subscriber: str,
        *,
        dated_since: datetime | None = None,
        feeds: Sequence[str] | None = None,
    ) -> list[StoredItem]:
        """Alertable items not yet given to `subscriber`, dated since `dated_since`.

        An item is a candidate when it has figures, or when its source rates it
        Orange or Red (a GDACS alert with no figure in its text). Its date is
        its publication (else when first seen): an old story first seen today
        is still old. `feeds` limits them to the feeds configured now: a feed
        removed from the config stops alerting.
        """
        only = ""
        if feeds is not None:
            only = f"AND i.feed IN ({','.join('?' * len(feeds))}) "
        rows = self.db.execute(
            f"SELECT * FROM items i WHERE i.alertable = 1 AND {DATED} >= ? "
            + only
            + "AND (i.alert_level IN ('Orange', 'Red') "
            "     OR EXISTS (SELECT 1 FROM figures f WHERE f.item_id = i.id)) "
            "AND NOT EXISTS (SELECT 1 FROM delivery_items d "
            "                WHERE d.subscriber = ? AND d.item_id = i.id) "
            # The same story from another feed, or again later, is not news twice.
            "AND NOT EXISTS (SELECT 1 FROM items j JOIN delivery_items e ON e.item_id = j.id "
            "                WHERE e.subscriber = ? AND j.content_hash = i.content_hash) "
            "ORDER BY i.id",
            (to_iso(dated_since) or "", *(feeds or ()), subscriber, subscriber),
        ).fetchall()
        return self._items(rows)

    def find_items(self, link_or_guid: str) -> list[StoredItem]:
        """Stored items whose link or guid is this (one per feed that carried it)."""
        rows = self.db.execute(
            "SELECT * FROM items WHERE link = ? OR guid = ? ORDER BY id",
            (link_or_guid, link_or_guid),
        ).fetchall()
        return self._items(rows)

    def items(self, ids: Sequence[int]) -> list[StoredItem]:
        """Items by id, in id order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT * FROM items WHERE id IN ({marks}) ORDER BY id", tuple(ids)
        ).fetchall()
        return self._items(rows)

    def _items(self, rows: list[Any]) -> list[StoredItem]:
        figures: dict[int, list[Figure]] = {}
        if rows:
            marks = ",".join("?" * len(rows))
            # By position, not by name: a busy day's digest reads 100,000 figures. Each
            # value is kept once (`same`): kinds, units, places and the sentences of a
            # syndicated story repeat, and as new strings they were most of its memory.
            same: dict[str, str] = {}
            kept = same.setdefault
            for item_id, *columns in self.db.execute(
                f"SELECT item_id, {_FIGURE_COLUMNS} FROM figures "
                f"WHERE item_id IN ({marks}) ORDER BY id",
                tuple(r["id"] for r in rows),
            ):
                # Inline, not a call per value: 13 columns of 100,000 figures. Only
                # strings: 1 and 1.0 are equal keys, and a value must keep its type.
                values: list[Any] = [kept(v, v) if v.__class__ is str else v for v in columns]
                figures.setdefault(item_id, []).append(Figure(*values))
        # The lists repeat as much ('["SOM"]'): each text is parsed once per call.
        lists = _Lists()
        return [
            StoredItem(
                id=r["id"],
                feed=r["feed"],
                guid=r["guid"],
                link=r["link"],
                title=r["title"],
                published=from_iso(r["published"]),
                fetched_at=datetime.fromisoformat(r["fetched_at"]),
                text=r["text"],
                summary=r["summary"],
                alertable=bool(r["alertable"]),
                figures=tuple(figures.get(r["id"], ())),
                agencies=lists.agencies(r["agencies"]),
                organisations=lists.organisations(r["organisations"]),
                countries=lists.countries(r["countries"]),
                structured=_load_structured(r["structured"]),
                language=r["language"],
            )
            for r in rows
        ]


class _Lists:
    """The JSON list columns of items, each distinct text parsed once (see `_items`).

    The values are tuples of frozen records, so items can share them.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[Any, ...]] = {}

    def agencies(self, text: str) -> tuple[Agency, ...]:
        return self._parsed("a", text, lambda values: (Agency(a, n) for a, n in values))

    def organisations(self, text: str) -> tuple[Organisation, ...]:
        return self._parsed("o", text, lambda values: map(Organisation, values))

    def countries(self, text: str) -> tuple[str, ...]:
        return self._parsed("c", text, iter)

    def _parsed(
        self, column: str, text: str, build: Callable[[list[Any]], Iterable[Any]]
    ) -> tuple[Any, ...]:
        if text == "[]":  # most: no parsing, no lookup
            return ()
        found = self._seen.get((column, text))
        if found is None:
            found = self._seen[(column, text)] = tuple(build(json.loads(text)))
        return found


def _dump_structured(structured: Structured | None) -> str | None:
    return json.dumps(dataclasses.asdict(structured)) if structured else None


def _load_structured(text: str | None) -> Structured | None:
    if not text:
        return None
    fields = json.loads(text)
    for name in ("countries", "tags"):
        fields[name] = tuple(fields.get(name) or ())
    return Structured(**fields)
