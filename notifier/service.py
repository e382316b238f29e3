"""The library behind the CLI and the daemon: poll, compose, deliver, preview.

Orchestration only: each step calls the module that owns it (feeds and http,
extract, store, rules and digest, render, mailer). Every step reads and writes
the store one transaction at a time, so that a run that dies anywhere leaves a
state from which the next run delivers every alert exactly once:

1. poll: new items and their figures are stored (a feed's first poll is
   recorded silently);
2. compose: a subscriber's digest is built from their undelivered alerts
   (`compose`, the one builder that run, preview and dry-run share), rendered,
   and written as a pending outbox row with its message, claiming its items,
   in one transaction, before anything is sent;
3. deliver: the mailer takes each pending row to the relay or the outbox
   folder, and the row is marked sent only after the server accepted it.
   Pending rows left by a crashed run are sent first, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import email.errors
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import jinja2

from notifier import feeds, mailer, render
from notifier.config import FeedSettings, Settings, SubscriberSettings
from notifier.digest import build_digest
from notifier.errors import DeliveryError, NotifierError, UsageError
from notifier.extract import extract
from notifier.extract.models import Figure, Report
from notifier.http import Fetcher
from notifier.lock import RunLock
from notifier.models import (
    Alert,
    Delivery,
    DeliveryReport,
    Digest,
    DigestKind,
    FeedState,
    FetchResult,
    Item,
    PollReport,
    Previous,
    RenderedMessage,
    RunReport,
    StoredItem,
    Validators,
    Verdict,
)
from notifier.rules import Policy, evaluate, judge
from notifier.store import BuildMessage, Store, trend_key, utcnow

log = logging.getLogger(__name__)

_PREPARE_ERRORS = (NotifierError, jinja2.TemplateError, email.errors.MessageError, ValueError)
"""What rendering one subscriber's digest can raise on operator input (templates, addresses)."""
SEND_CONCURRENCY = 4


class Notifier:
    """The pipeline for one configuration."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._env: jinja2.Environment | None = None

    @property
    def env(self) -> jinja2.Environment:
        """The Jinja environment, built once (templates are checked when first needed)."""
        if self._env is None:
            self._env = render.make_environment(self.settings.digest.templates_dir)
        return self._env

    def check_templates(self) -> None:
        """Compile every template now, so a broken one is a config error, not a failed send."""
        render.check_templates(self.env)

    def store(self) -> Store:
        """Open the state database."""
        return Store(self.settings.storage.path)

    def lock(self, wait: float = 60) -> RunLock:
        """The lock that keeps two runs off one database."""
        return RunLock(self.settings.storage.path, wait=wait)

    # poll ----------------------------------------------------------------

    async def poll(self, store: Store) -> PollReport:
        """Fetch every feed concurrently; store new items with their figures.

        The store is asked once per feed which items are new, and only those are
        extracted, and enriched with their linked page where the feed asks for it.
        """
        states = store.feed_states()
        validators = {
            f.name: Validators(states[f.name].etag, states[f.name].last_modified)
            for f in self.settings.feeds
            if f.name in states and states[f.name].url == f.url
        }
        by_name = {f.name: f for f in self.settings.feeds}
        async with Fetcher(self.settings.fetch) as fetcher:
            results = await feeds.fetch_all(
                self.settings.feeds, validators, self.settings.fetch, fetcher=fetcher
            )
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
        return report

    def _store_result(
        self,
        store: Store,
        feed: FeedSettings,
        result: FetchResult,
        fresh: list[Item],
        report: PollReport,
    ) -> None:
        """Record one feed's fetch and store its new items with their figures."""
        store.record_fetch(
            feed.name,
            feed.url,
            error=result.error,
            status=result.status,
            etag=result.etag,
            last_modified=result.last_modified,
        )
        if result.error is not None:
            log.error("feed %r: %s", feed.name, result.error)
            report.failed[feed.name] = result.error
            return
        if result.not_modified:
            report.not_modified.append(feed.name)
            return
        report.fetched.append(feed.name)
        entries, broken = _extract_all(feed.name, fresh)
        if broken:
            report.failed[feed.name] = (
                f"{broken} item(s) could not be read by the extractor (see the log); "
                "they are retried next run"
            )
        first = store.first_poll_pending(feed.name)
        stored = store.add_items(
            feed.name, feed.url, entries, alert_on_first_poll=feed.alert_on_first_poll
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
            )
        else:
            log.info("feed %r: %d new item(s)", feed.name, len(stored))

    # compose ---------------------------------------------------------------

    def alerts_for(
        self, items: Sequence[StoredItem], subscriber: SubscriberSettings, now: datetime
    ) -> list[Alert]:
        """The items that alert this subscriber, each with its level."""
        policy = Policy.of(self.settings, subscriber, now)
        found = (evaluate(i, policy) for i in items)
        return [a for a in found if a is not None]

    def compose(
        self,
        store: Store,
        subscriber: SubscriberSettings,
        kind: DigestKind = "daily",
        *,
        allow_empty: bool = False,
    ) -> Digest | None:
        """The digest this subscriber would get now, or None: the one place a digest is built.

        A run claims exactly the items of the digest this returns and sends it
        as rendered; preview and dry-run render the same digest and write
        nothing, so what they show is what a run sends. `immediate` keeps only
        the top level. `allow_empty` gives a digest with no entry rather than
        None (a subscriber's `send_empty`).
        """
        now = utcnow()
        key = _key(subscriber)
        oldest = now - self.settings.alerts.max_age
        feeds_now = [f.name for f in self.settings.feeds]
        items = store.undelivered_items(key, dated_since=oldest, feeds=feeds_now)
        alerts = self.alerts_for(items, subscriber, now)
        if kind == "immediate":
            alerts = [a for a in alerts if a.immediate]
        sent = store.sent_at_once(key, since=oldest) if kind == "daily" else []
        if not alerts and not (allow_empty and kind == "daily"):
            return None
        candidates = [a.item.id for a in alerts]

        def previous(figure: Figure, item: StoredItem) -> Previous | None:
            trend = trend_key(figure, item.structured)
            return store.previous_figure(key, figure.kind, trend, excluding=candidates)

        return build_digest(
            alerts,
            email=subscriber.email,
            name=subscriber.name,
            kind=kind,
            created=now,
            timezone=self.settings.timezone_for(subscriber),
            levels=self.settings.alerts.level_list(),
            max_entries=self.settings.digest.max_entries,
            merge_window=self.settings.digest.merge_window,
            previous=previous,
            sent_earlier=sent,
        )

    def render(self, digest: Digest) -> RenderedMessage:
        """Subject, text and HTML of a digest."""
        return render.render_digest(digest, self.env, self.settings.digest.subject_prefix)

    def preview(self, subscriber: SubscriberSettings) -> RenderedMessage | None:
        """What `deliver` would send this subscriber now; sends and marks nothing."""
        with self.store() as store:
            digest = self.compose(store, subscriber)
        return self.render(digest) if digest else None

    def subscriber(self, email: str) -> SubscriberSettings:
        """A configured subscriber by address."""
        for s in self.settings.subscribers:
            if s.email.casefold() == email.casefold():
                return s
        known = ", ".join(s.email for s in self.settings.subscribers)
        raise UsageError(f"no subscriber {email!r} in the config (subscribers: {known})")

    # deliver ---------------------------------------------------------------

    async def deliver(
        self,
        store: Store,
        *,
        kind: DigestKind = "daily",
        subscribers: Sequence[SubscriberSettings] | None = None,
        dry_run: bool = False,
        send_empty: bool = False,
    ) -> DeliveryReport:
        """Send each subscriber's pending and new digests; one failure never blocks the others.

        `dry_run` renders what would be sent (pending rows included) and writes
        nothing. `send_empty` (the daemon's daily digest) honours subscribers'
        `send_empty`. The operator's pending feed-health messages go too.
        """
        report = DeliveryReport()
        jobs: list[tuple[str, Delivery]] = []
        for s in subscribers or self.settings.subscribers:
            try:
                if dry_run:
                    report.rendered += [(s.email, r) for r in self._would_send(store, s, kind)]
                else:
                    self._claim(store, s, kind, allow_empty=send_empty and s.send_empty)
                    jobs += [(s.email, row) for row in store.pending_deliveries(_key(s))]
            except _PREPARE_ERRORS as e:
                # A broken template or address must not keep the other subscribers waiting.
                log.error("digest for %s could not be prepared: %s", s.email, e)
                report.failed[s.email] = f"digest could not be prepared: {e}"
        operator = self.settings.operator.email
        if operator and not dry_run:
            jobs += [(operator, row) for row in store.pending_deliveries(operator.casefold())]
        gate = asyncio.Semaphore(SEND_CONCURRENCY)
        postman = mailer.Mailer(self.settings)

        async def one(recipient: str, row: Delivery) -> None:
            async with gate:
                await self._send(store, postman, recipient, row, report)

        await asyncio.gather(*(one(to, row) for to, row in jobs))
        return report

    def _would_send(
        self, store: Store, subscriber: SubscriberSettings, kind: DigestKind
    ) -> list[RenderedMessage]:
        """Pending rows (as stored) and the new digest, rendered, with nothing written."""
        out = [
            RenderedMessage(f"{row.subject} (pending from an earlier run)", "", "")
            for row in store.pending_deliveries(_key(subscriber))
        ]
        digest = self.compose(store, subscriber, kind)
        if digest is not None:
            out.append(self.render(digest))
        return out

    def pending_count(self, subscriber: SubscriberSettings) -> int:
        """Digests written by an earlier run and not yet accepted: they are sent first."""
        with self.store() as store:
            return len(store.pending_deliveries(_key(subscriber)))

    def _claim(
        self,
        store: Store,
        subscriber: SubscriberSettings,
        kind: DigestKind,
        *,
        allow_empty: bool = False,
    ) -> None:
        """Compose, render and write the subscriber's new digest as a pending outbox row.

        The row and its items' claim are one transaction, made before any send
        is tried: a crash after it leaves the row for the next run, never a
        claim without its message.
        """
        digest = self.compose(store, subscriber, kind, allow_empty=allow_empty)
        if digest is None:
            return
        rendered = self.render(digest)
        claimed = store.create_delivery(
            _key(subscriber),
            kind,
            digest.item_ids,
            self._builder(rendered, subscriber.email, subscriber.name, digest.created),
            now=digest.created,
        )
        if claimed is None:
            log.warning("%s: items were claimed by another run; skipped", subscriber.email)

    def _builder(
        self, rendered: RenderedMessage, to_email: str, to_name: str, date: datetime
    ) -> BuildMessage:
        """The message of a new outbox row, made once the row has the id its headers carry."""

        def build(delivery_id: int) -> tuple[str, str, bytes]:
            headers = mailer.list_headers(
                sender=self.settings.smtp.sender,
                list_unsubscribe=self.settings.digest.list_unsubscribe,
                delivery_id=delivery_id,
            )
            message_id, message = mailer.new_message(
                rendered,
                sender=self.settings.smtp.sender,
                to_email=to_email,
                to_name=to_name,
                date=date,
                headers=headers,
            )
            return rendered.subject, message_id, message

        return build

    def report_feed_health(self, store: Store) -> int:
        """Tell the operator, once each way, about feeds failing `feed_failures` polls in a row.

        The message is an outbox row like a digest: delivered with them, and
        never lost or sent twice. Returns how many were written.
        """
        operator = self.settings.operator
        if not operator.email:
            return 0
        written = 0
        feeds_now = [f.name for f in self.settings.feeds]
        for notice in store.health_changes(operator.feed_failures, feeds_now):
            rendered = render.render_health(notice, self.env, self.settings.digest.subject_prefix)
            build = self._builder(rendered, operator.email, "notifier operator", utcnow())
            if store.create_notice(notice, operator.email.casefold(), build) is not None:
                written += 1
        return written

    async def _send(
        self,
        store: Store,
        postman: mailer.Mailer,
        recipient: str,
        row: Delivery,
        report: DeliveryReport,
    ) -> None:
        try:
            where = await postman.deliver(row, recipient)
        except DeliveryError as e:
            store.mark_attempt(row.id, str(e), permanent=e.permanent)
            state = "will not retry" if e.permanent else "will retry on the next run"
            log.error("delivery to %s failed (%s): %s", recipient, state, e)
            report.failed[recipient] = str(e)
            return
        store.mark_sent(row.id)
        log.info("sent %r to %s (%s)", row.subject, recipient, where)
        report.sent.append((recipient, row.subject, where))

    # explain ---------------------------------------------------------------

    def explain(
        self, link_or_guid: str, subscriber: SubscriberSettings | None = None
    ) -> list[tuple[StoredItem, list[Verdict]]]:
        """Each stored item with this link or guid, and why it alerted each subscriber or not."""
        now = utcnow()
        out: list[tuple[StoredItem, list[Verdict]]] = []
        with self.store() as store:
            for item in store.find_items(link_or_guid):
                given = store.deliveries_of(item.id)
                verdicts = []
                for s in [subscriber] if subscriber else self.settings.subscribers:
                    verdict = judge(item, Policy.of(self.settings, s, now))
                    if _key(s) in given:
                        row, status, sent_at = given[_key(s)]
                        when = f" on {sent_at:%d %b %Y %H:%M} UTC" if sent_at else ""
                        said = f"already in digest #{row} ({status}{when}): never sent twice"
                        verdict = replace(verdict, reasons=(*verdict.reasons, said))
                    verdicts.append(verdict)
                out.append((item, verdicts))
        return out

    # whole runs --------------------------------------------------------------

    async def run_once(self, *, dry_run: bool = False, lock_wait: float = 60) -> RunReport:
        """Poll every feed, then deliver every subscriber's undelivered alerts now.

        `lock_wait` is how long to wait for another run on the same database.
        """
        with self.lock(lock_wait), self.store() as store:
            polled = await self.poll(store)
            if not dry_run:
                self.report_feed_health(store)
            delivered = await self.deliver(store, dry_run=dry_run)
        return RunReport(polled, delivered)

    def feed_status(self) -> list[tuple[str, str, FeedState | None]]:
        """Each configured feed with what the store knows of it (None: never fetched)."""
        with self.store() as store:
            states = store.feed_states()
        return [(f.name, f.url, states.get(f.name)) for f in self.settings.feeds]


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
        except Exception:
            log.exception("feed %r: extraction failed on %s; please report it", feed, item.link)
            broken += 1
    return entries, broken


def _key(subscriber: SubscriberSettings) -> str:
    """How the store names a subscriber: case-insensitive, as mail systems treat addresses."""
    return subscriber.email.casefold()
