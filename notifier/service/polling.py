"""Poll: fetch every feed, extract the new items, store them with their figures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from notifier import feeds
from notifier.config import FeedSettings
from notifier.extract import extract
from notifier.extract.models import Report
from notifier.http import Fetcher
from notifier.models import FetchResult, Item, PollReport, Validators
from notifier.service.base import Base
from notifier.store import Store, utcnow

log = logging.getLogger("notifier.service")

POLL_LEASE = timedelta(minutes=10)
"""How long a feed's poll is claimed on a shared database: an instance that dies
mid-poll keeps the others off that feed at most this long."""


class Polling(Base):
    """The poll step."""

    async def poll(self, store: Store, *, hold: timedelta | None = None) -> PollReport:
        """Fetch every feed concurrently; store new items with their figures.

        The store is asked once per feed which items are new, and only those are
        extracted, and enriched with their linked page where the feed asks for it.
        On a shared database only the feeds this instance claims are polled; with
        `hold` (the daemon) a polled feed stays claimed that long from the poll's
        start (its own next poll finds it free again), so that several
        daemons poll each feed about once per interval between them, not once each.
        """
        started = utcnow()
        claimed = store.claim_feeds([f.name for f in self.settings.feeds], POLL_LEASE)
        try:
            report = await self._poll_claimed(store, set(claimed))
        except BaseException:
            store.release_feeds(claimed)  # unfinished: the next poll may be anyone's
            raise
        store.release_feeds(claimed, keep_until=started + hold if hold else None)
        return report

    async def _poll_claimed(self, store: Store, claimed: set[str]) -> PollReport:
        """Poll the feeds this instance claimed (all of them but on a shared database)."""
        mine = [f for f in self.settings.feeds if f.name in claimed]
        for f in self.settings.feeds:
            if f.name not in claimed:
                log.info(
                    "feed %r: polled by another instance (now, or lately by a daemon)",
                    f.name,
                    extra={"feed": f.name},
                )
        states = store.feed_states()
        validators = {
            f.name: Validators(states[f.name].etag, states[f.name].last_modified)
            for f in mine
            if f.name in states and states[f.name].url == f.url
        }
        by_name = {f.name: f for f in mine}
        async with Fetcher(self.settings.fetch) as fetcher:
            results = await feeds.fetch_all(mine, validators, self.settings.fetch, fetcher=fetcher)
            fresh: dict[str, list[Item]] = {}
            for r in results:
                if r.error is None and not r.not_modified:
                    known = store.known_items(r.feed, r.items)
                    fresh[r.feed] = [i for i in r.items if i.guid not in known]
            wanted = [by_name[name] for name, items in fresh.items() if items]
            wanted = [f for f in wanted if f.fetch_full_text]
            enriched = await asyncio.gather(
                *(feeds.add_full_text(fetcher, f, fresh[f.name]) for f in wanted)
            )
            fresh.update((f.name, items) for f, items in zip(wanted, enriched, strict=True))
        report = PollReport()
        for result in results:
            self._store_result(
                store, by_name[result.feed], result, fresh.get(result.feed, []), report
            )
        self.prune(store)
        return report

    def prune(self, store: Store) -> None:
        """Drop what is older than `storage.keep_days`, so the database stops growing.

        Never inside `alerts.max_age`: an item that may still alert is kept however
        short the retention, so pruning cannot lose an alert.
        """
        keep = max(timedelta(days=self.settings.storage.keep_days), self.settings.alerts.max_age)
        pruned = store.prune(utcnow() - keep)
        if pruned.items or pruned.deliveries:
            log.info(
                "pruned %d item(s) and %d sent digest(s) older than %d days (storage.keep_days)",
                pruned.items,
                pruned.deliveries,
                keep.days,
            )

    def _store_result(
        self,
        store: Store,
        feed: FeedSettings,
        result: FetchResult,
        fresh: list[Item],
        report: PollReport,
    ) -> None:
        """Record one feed's fetch and store its new items with their figures.

        A fetch that brought items records its validators in the same
        transaction as the items, so a run killed in between leaves the feed to
        be fetched in full again, never a 304 hiding items that were not stored.
        """
        if result.error is not None or result.not_modified:
            store.record_fetch(
                feed.name,
                feed.url,
                error=result.error,
                status=result.status,
                etag=result.etag,
                last_modified=result.last_modified,
            )
        if result.error is not None:
            log.error(  # the error names its feed already, most often: name it once
                "%s",
                result.error
                if f"feed {feed.name!r}" in result.error
                else f"feed {feed.name!r}: {result.error}",
                extra={"feed": feed.name},
            )
            report.failed[feed.name] = result.error
            return
        if result.not_modified:
            log.debug(
                "feed %r: not modified since the last poll", feed.name, extra={"feed": feed.name}
            )
            report.not_modified.append(feed.name)
            return
        log.debug(
            "feed %r: fetched, %d item(s) in the feed, %d new item(s)",
            feed.name,
            len(result.items),
            len(fresh),
            extra={"feed": feed.name},
        )
        report.fetched.append(feed.name)
        entries, broken = _extract_all(feed.name, fresh)
        if broken:
            report.failed[feed.name] = (
                f"{broken} item(s) could not be read by the extractor (see the log); "
                "they are retried next run"
            )
        first = store.first_poll_pending(feed.name)
        stored = store.add_items(
            feed.name,
            feed.url,
            entries,
            alert_on_first_poll=feed.alert_on_first_poll,
            fetched=result,
        )
        report.new_items += len(stored)
        if first:
            if not feed.alert_on_first_poll:
                report.silent_first_poll.append(feed.name)
            log.info(
                "feed %r: first poll, %d item(s) recorded%s",
                feed.name,
                len(stored),
                "" if feed.alert_on_first_poll else " without alerting",
                extra={"feed": feed.name},
            )
        else:
            log.info("feed %r: %d new item(s)", feed.name, len(stored), extra={"feed": feed.name})


def _extract_all(feed: str, items: Sequence[Item]) -> tuple[list[tuple[Item, Report]], int]:
    """Extraction for each new item; an item that trips an extractor bug is skipped, not lost.

    A skipped item is not stored, so the next run (with a fixed extractor) sees
    it as new again; the other items of the feed go on.
    """
    entries: list[tuple[Item, Report]] = []
    broken = 0
    for item in items:
        try:
            entries.append((item, extract(f"{item.title}\n\n{item.text}")))
            log.debug(
                "feed %r: item %r: %s",
                feed,
                item.title,
                ", ".join(
                    f"{f.kind} {f.value:,}" + (f" in {f.place}" if f.place else "")
                    for f in entries[-1][1].figures
                )
                or "no figure found, so it cannot alert",
                extra={"feed": feed, "item": item.link or item.guid},
            )
        except Exception:
            log.exception(
                "feed %r: extraction failed on %s; please report it",
                feed,
                item.link,
                extra={"feed": feed, "item": item.link or item.guid},
            )
            broken += 1
    return entries, broken
