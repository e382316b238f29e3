"""Compose: build, render and claim a subscriber's digest; tell the operator about feeds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from notifier import mailer, render
from notifier.config import SubscriberSettings
from notifier.digest import build_digest
from notifier.extract.models import Figure
from notifier.models import (
    Alert,
    Digest,
    DigestKind,
    Previous,
    RenderedMessage,
    StoredItem,
)
from notifier.rules import Policy, evaluate
from notifier.service.base import Base, store_key
from notifier.store import BuildMessage, Store, trend_key, utcnow

log = logging.getLogger("notifier.service")


class Composing(Base):
    """The compose step: `compose` is the one place a digest is built."""

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
        max_entries: int | None = None,
    ) -> Digest | None:
        """The digest this subscriber would get now, or None: the one place a digest is built.

        A run claims exactly the items of the digest this returns and sends it
        as rendered; preview and dry-run render the same digest and write
        nothing, so what they show is what a run sends. `immediate` keeps only
        the top level. `allow_empty` gives a digest with no entry rather than
        None (a subscriber's `send_empty`).
        """
        now = utcnow()
        key = store_key(subscriber)
        oldest = now - self.settings.alerts.max_age
        feeds_now = [f.name for f in self.settings.feeds]
        items = store.undelivered_items(key, dated_since=oldest, feeds=feeds_now)
        alerts = self.alerts_for(items, subscriber, now)
        if kind == "immediate":
            alerts = [a for a in alerts if a.immediate]
        sent = store.sent_at_once(key, since=oldest) if kind == "daily" else []
        if not alerts and not (allow_empty and kind == "daily"):
            return None
        sent_before = store.sent_figures(key)

        def previous(figure: Figure, item: StoredItem) -> Previous | None:
            return sent_before.get((figure.kind, trend_key(figure, item.structured)))

        # Nothing new: every figure that crossed is what this subscriber was last sent
        # for that place and kind (a story re-published, re-stamped or syndicated).
        alerts = [a for a in alerts if not _repeats(a, previous)]
        if not alerts and not (allow_empty and kind == "daily"):
            return None

        return build_digest(
            alerts,
            email=subscriber.email,
            name=subscriber.name,
            kind=kind,
            created=now,
            timezone=self.settings.timezone_for(subscriber),
            levels=self.settings.alerts.level_list(),
            max_entries=max_entries or self.settings.digest.max_entries,
            merge_window=self.settings.digest.merge_window,
            previous=previous,
            sent_earlier=sent,
        )

    def preview(self, subscriber: SubscriberSettings) -> RenderedMessage | None:
        """What `deliver` would send this subscriber now; sends and marks nothing."""
        digest = self.preview_digest(subscriber)
        return self.render(digest) if digest else None

    def preview_json(self, subscriber: SubscriberSettings) -> dict[str, Any]:
        """The digest `preview --format json` prints: the shape of DESIGN.md, entries may be []."""
        digest = self.preview_digest(subscriber)
        if digest is None:
            return {
                "subscriber": subscriber.email,
                "kind": "daily",
                "generated": utcnow().isoformat(),
                "entries": [],
            }
        return render.digest_json(digest)

    def preview_digest(self, subscriber: SubscriberSettings) -> Digest | None:
        """The digest `deliver` would send this subscriber now, as records (for JSON)."""
        with self.store() as store:
            return self.compose(store, subscriber)

    def _would_send(
        self, store: Store, subscriber: SubscriberSettings, kind: DigestKind
    ) -> list[RenderedMessage]:
        """Pending rows (as stored) and the new digest, rendered, with nothing written."""
        out = [
            RenderedMessage(f"{row.subject} (pending from an earlier run)", "", "")
            for row in store.pending_deliveries(store_key(subscriber))
        ]
        digest = self.compose(store, subscriber, kind)
        if digest is not None:
            out.append(self.render(digest))
        return out

    def pending_count(self, subscriber: SubscriberSettings) -> int:
        """Digests written by an earlier run and not yet accepted: they are sent first."""
        with self.store() as store:
            return len(store.pending_deliveries(store_key(subscriber)))

    def _claim(
        self,
        store: Store,
        subscriber: SubscriberSettings,
        kind: DigestKind,
        *,
        allow_empty: bool = False,
        max_bytes: int | None = None,
    ) -> bool:
        """Compose, render and write the subscriber's new digest as a pending outbox row.

        The row and its items' claim are one transaction, made before any send
        is tried: a crash after it leaves the row for the next run, never a
        claim without its message. With `max_bytes` (the relay's size limit),
        a digest too large holds fewer entries; the rest go in the next one.
        Returns whether a row was written.
        """
        entries: int | None = None
        while True:
            digest = self.compose(
                store, subscriber, kind, allow_empty=allow_empty, max_entries=entries
            )
            if digest is None:
                return False
            rendered = self.render(digest)
            size = len(rendered.text.encode()) + len(rendered.html.encode()) + 4096
            if max_bytes is None or size * 1.1 <= max_bytes or len(digest.entries) <= 1:
                break
            entries = max(1, len(digest.entries) // 2)
        claimed = store.create_delivery(
            store_key(subscriber),
            kind,
            digest.item_ids,
            self._builder(rendered, subscriber.email, subscriber.name, digest.created),
            now=digest.created,
        )
        if claimed is None:
            log.warning("%s: items were claimed by another run; skipped", subscriber.email)
        return claimed is not None and bool(digest.entries)

    def _builder(
        self,
        rendered: RenderedMessage,
        to_email: str,
        to_name: str,
        date: datetime,
        *,
        digest: bool = True,
    ) -> BuildMessage:
        """The message of a new outbox row, made once the row has the id its headers carry.

        Only digests carry List-Unsubscribe: the operator's feed-health messages
        are not a list one leaves.
        """

        def build(delivery_id: int) -> tuple[str, str, bytes]:
            headers = mailer.list_headers(
                sender=self.settings.smtp.sender,
                list_unsubscribe=self.settings.digest.list_unsubscribe if digest else "",
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
            build = self._builder(
                rendered, operator.email, "notifier operator", utcnow(), digest=False
            )
            if store.create_notice(notice, operator.email.casefold(), build) is not None:
                written += 1
        return written


def _repeats(alert: Alert, previous: Callable[[Figure, StoredItem], Previous | None]) -> bool:
    """Whether every figure of the alert equals the one last sent for its place and kind."""
    if not alert.triggering:
        return False  # a source's own alert level, with no figure to compare
    for figure in alert.triggering:
        before = previous(figure, alert.item)
        if before is None or (before.value, before.high) != (figure.value, figure.high):
            return False
    return True
