"""Poll: fetch every feed, extract the new items, store them with their figures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from notifier import feeds
from notifier.config import FeedSettings
from notifier.errors import FeedError
from notifier.extract.models import Report
from notifier.feeds import Extracted
from notifier.http import Fetcher
from notifier.models import FetchResult, Item, PollReport, Validators
from notifier.service.base import Base
from notifier.store import Store, content_hash, utcnow

log = logging.getLogger("notifier.service")

POLL_LEASE = timedelta(minutes=10)
"""How long a feed's poll is claimed on a shared database: an instance that dies
mid-poll keeps the others off that feed at most this long."""


class Polling(Base):
    """The poll step."""

    async def poll(self, store: Store, *, hold: timedelta | None = None) -> PollReport:
        """Fetch every feed concurrently; store new items with their figures.

        Each feed goes on as soon as its answer is in: parsed (in the workers),
        asked of the store which items are new, only those extracted (in the
        workers) and enriched with their linked page where the feed asks for it,
        then stored, in one transaction with its validators. So the CPU work of
        one feed overlaps the waiting of the others, and no more than a few
        feeds' items are held in memory at a time.

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
        workers = feeds.Workers(self._worker_count(), fingerprint=content_hash)
        if any(f.name not in validators for f in mine):
            workers.start()  # a feed without validators will be parsed: start while it answers
        report = PollReport()
        # Feeds between request and store: the answers of a fast network outrun the CPU
        # work, and each waiting answer is held in memory (1,000 feeds: 100+ MB).
        backlog = asyncio.Semaphore(self.settings.fetch.concurrency)

        async def one(fetcher: Fetcher, feed: FeedSettings) -> None:
            async with backlog:
                await feed_one(fetcher, feed)

        async def feed_one(fetcher: Fetcher, feed: FeedSettings) -> None:
            old = validators.get(feed.name)
            try:
                result = await feeds.fetch_feed(fetcher, feed, old, workers=workers)
            except Exception as e:  # noqa: BLE001 - a bug: isolate logs it, the feed fails alone
                result = feeds.isolate(feed, e)
            fresh: list[Item] = []
            extracted: list[Extracted] = []
            computed: dict[str, str] = {}
            if result.error is None and not result.not_modified:
                computed = workers.fingerprints(feed.name)
                known = store.known_items(result.feed, result.items, computed)
                fresh = [i for i in result.items if i.guid not in known]
                if fresh and feed.fetch_full_text:
                    fresh = await feeds.add_full_text(fetcher, feed, fresh)
                try:
                    extracted = await workers.extract(fresh)
                except FeedError as e:  # the worker died: keep the old validators, retry it all
                    result = FetchResult(
                        feed.name,
                        feed.url,
                        etag=old.etag if old else None,
                        last_modified=old.last_modified if old else None,
                        error=f"feed {feed.name!r}: {e}",
                    )
                    fresh = []
            self._store_result(
                store,
                feed,
                result,
                fresh=fresh,
                extracted=extracted,
                computed=computed,
                report=report,
            )

        async with Fetcher(self.settings.fetch) as fetcher:
            outcomes = await asyncio.gather(
                *(one(fetcher, f) for f in mine), return_exceptions=True
            )
        for outcome in outcomes:
            if outcome is not None:
                raise outcome  # the store failed, or the run was stopped: not one feed's problem
        _in_config_order(report, [f.name for f in mine])
        self.prune(store)
        return report

    def _worker_count(self) -> int:
        """`fetch.workers`, "auto" being one per core."""
        count = self.settings.fetch.workers
        return feeds.work.cores() if count is None else count

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
        *,
        fresh: list[Item],
        extracted: list[Extracted],
        computed: dict[str, str],
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
        entries, broken = _entries(feed.name, fresh, extracted)
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
            computed=computed,
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


def _entries(
    feed: str, items: Sequence[Item], extracted: Sequence[Extracted]
) -> tuple[list[tuple[Item, Report]], int]:
    """Each new item with its report; an item that tripped an extractor bug is skipped, not lost.

    A skipped item is not stored, so the next run (with a fixed extractor) sees
    it as new again; the other items of the feed go on.
    """
    entries: list[tuple[Item, Report]] = []
    broken = 0
    for item, done in zip(items, extracted, strict=True):
        where = {"feed": feed, "item": item.link or item.guid}
        if done.report is None:
            log.error(
                "feed %r: extraction failed on %s; please report it\n%s",
                feed,
                item.link,
                (done.error or "").rstrip(),
                extra=where,
            )
            broken += 1
            continue
        entries.append((item, done.report))
        log.debug(
            "feed %r: item %r: %s",
            feed,
            item.title,
            ", ".join(
                f"{f.kind} {f.value:,}" + (f" in {f.place}" if f.place else "")
                for f in done.report.figures
            )
            or "no figure found, so it cannot alert",
            extra=where,
        )
    return entries, broken


def _in_config_order(report: PollReport, names: Sequence[str]) -> None:
    """The report's lists in the config's order of feeds, not in the order the feeds finished."""
    rank = {name: n for n, name in enumerate(names)}
    for names_list in (report.fetched, report.not_modified, report.silent_first_poll):
        names_list.sort(key=lambda name: rank.get(name, len(rank)))
    failed = sorted(report.failed.items(), key=lambda pair: rank.get(pair[0], len(rank)))
    report.failed.clear()
    report.failed.update(failed)
