"""Deliver: each subscriber's new digest is claimed, then every pending row goes out."""

from __future__ import annotations

import asyncio
import email.errors
import logging
from collections.abc import Sequence

import jinja2

from notifier import mailer
from notifier.config import SubscriberSettings
from notifier.errors import DeliveryError, NotifierError
from notifier.models import Delivery, DeliveryReport, DigestKind
from notifier.service.base import store_key
from notifier.service.composing import Composing
from notifier.store import Store

log = logging.getLogger("notifier.service")

_PREPARE_ERRORS = (NotifierError, jinja2.TemplateError, email.errors.MessageError, ValueError)
"""What rendering one subscriber's digest can raise on operator input (templates, addresses)."""
SEND_CONCURRENCY = 4
BACKLOG = 4 * SEND_CONCURRENCY
"""Rows started but not yet sent before composing waits for the relay: memory stays
bounded and the pending rows the next claim reads stay few."""
SPLITS = 4
"""Rounds of splitting a digest the relay finds too large: halving four times is 1/16."""


class Delivering(Composing):
    """The deliver step, on top of compose."""

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
        chosen = subscribers or self.settings.subscribers
        if dry_run:
            for s in chosen:
                try:
                    report.rendered += [(s.email, r) for r in self._would_send(store, s, kind)]
                except _PREPARE_ERRORS as e:
                    _unprepared(report, s.email, e)
            return report
        async with mailer.Mailer(self.settings, stopping=self.stopping) as postman:
            sender = _Sender(self, store, postman, report)
            try:
                for s in chosen:
                    for row in self._prepare(store, s, kind, send_empty, report):
                        sender.start(s.email, s, row)
                    # The rows started above go out while the next digests are composed:
                    # each is written and claimed already, so a crash resends, never loses.
                    await sender.room()
                operator = self.settings.operator.email
                if operator:
                    for row in store.pending_deliveries(operator.casefold()):
                        sender.start(operator, None, row)
            finally:
                too_big = await sender.finish()
            await self._split(store, postman, report, too_big)
        return report

    def _prepare(
        self,
        store: Store,
        s: SubscriberSettings,
        kind: DigestKind,
        send_empty: bool,
        report: DeliveryReport,
    ) -> list[Delivery]:
        """Claim the subscriber's new digest; their pending rows, or [] if it failed."""
        try:
            self._claim(store, s, kind, allow_empty=send_empty and s.send_empty)
            rows = store.pending_deliveries(store_key(s))
        except _PREPARE_ERRORS as e:
            # A broken template or address must not keep the other subscribers waiting.
            _unprepared(report, s.email, e)
            return []
        log.debug(
            "%s: %s",
            s.email,
            f"{len(rows)} digest(s) to send"
            if rows
            else "nothing new to send: no undelivered item alerts for this "
            "subscriber (notifier explain LINK says why an item does not)",
            extra={"subscriber": s.email},
        )
        return rows

    async def _split(
        self,
        store: Store,
        postman: mailer.Mailer,
        report: DeliveryReport,
        too_big: list[tuple[SubscriberSettings, DigestKind, int]],
    ) -> None:
        """Split, never lost: too large rows' items go back and are claimed again, smaller.

        As many rounds as SPLITS allows; the rows of the last round's split wait,
        claimed and pending, for the next run.
        """
        for round_ in range(SPLITS):
            last = round_ == SPLITS - 1
            sender = _Sender(self, store, postman, report)
            for subscriber, kind_of_row, limit in too_big:
                while self._claim(store, subscriber, kind_of_row, max_bytes=limit):
                    pass
                if not last:
                    for row in store.pending_deliveries(store_key(subscriber)):
                        sender.start(subscriber.email, subscriber, row)
            if last or not sender.tasks:
                return
            too_big = await sender.finish()

    async def _send(
        self,
        store: Store,
        postman: mailer.Mailer,
        recipient: str,
        row: Delivery,
        report: DeliveryReport,
    ) -> int | None:
        """Deliver one row and record the outcome; the relay's size limit if it was too large."""
        log.debug(
            "delivering digest #%d %r to %s",
            row.id,
            row.subject,
            recipient,
            extra={"subscriber": recipient},
        )
        try:
            where = await postman.deliver(row, recipient)
        except DeliveryError as e:
            if e.too_big and store.release(row.id):
                log.warning("digest #%d for %s: %s", row.id, recipient, e)
                return e.too_big
            store.mark_attempt(row.id, str(e), permanent=e.permanent)
            state = "will not retry" if e.permanent else "will retry on the next run"
            log.error(
                "delivery to %s failed (%s): %s",
                recipient,
                state,
                e,
                extra={"subscriber": recipient},
            )
            report.failed[recipient] = str(e)
            return None
        store.mark_sent(row.id)
        log.info(
            "sent %r to %s (%s)", row.subject, recipient, where, extra={"subscriber": recipient}
        )
        report.sent.append((recipient, row.subject, where))
        return None


def _unprepared(report: DeliveryReport, email: str, e: Exception) -> None:
    log.error("digest for %s could not be prepared: %s", email, e, extra={"subscriber": email})
    report.failed[email] = f"digest could not be prepared: {e}"


class _Sender:
    """Sends rows as they are claimed, a few at a time; collects the ones too large.

    Started rows are sent while the caller composes the next digests, so the
    relay's round trips overlap the CPU work of composing instead of following it.
    """

    def __init__(
        self,
        owner: Delivering,
        store: Store,
        postman: mailer.Mailer,
        report: DeliveryReport,
    ) -> None:
        self.owner = owner
        self.store = store
        self.postman = postman
        self.report = report
        self.gate = asyncio.Semaphore(SEND_CONCURRENCY)
        self.tasks: list[asyncio.Task[None]] = []
        self.too_big: list[tuple[SubscriberSettings, DigestKind, int]] = []

    async def room(self) -> None:
        """Let started sends run; wait while more than BACKLOG are unfinished."""
        await asyncio.sleep(0)
        while sum(not t.done() for t in self.tasks[-BACKLOG - 1 :]) > BACKLOG:
            await asyncio.wait(self.tasks[-BACKLOG - 1 :], return_when=asyncio.FIRST_COMPLETED)

    def start(self, recipient: str, subscriber: SubscriberSettings | None, row: Delivery) -> None:
        """Begin sending one row (it waits for a free slot)."""
        self.tasks.append(asyncio.ensure_future(self._one(recipient, subscriber, row)))

    async def _one(
        self, recipient: str, subscriber: SubscriberSettings | None, row: Delivery
    ) -> None:
        async with self.gate:
            # Another instance sharing the database may be sending it, or have sent it.
            if not self.store.claim_delivery(row.id):
                log.debug("digest #%d: sent or being sent by another instance", row.id)
                return
            try:
                limit = await self.owner._send(
                    self.store, self.postman, recipient, row, self.report
                )
            finally:
                self.store.unclaim_delivery(row.id)
        if limit is not None and subscriber is not None:
            row_kind: DigestKind = "immediate" if row.kind == "immediate" else "daily"
            self.too_big.append((subscriber, row_kind, limit))

    async def finish(self) -> list[tuple[SubscriberSettings, DigestKind, int]]:
        """Wait for every started row; the digests the relay found too large.

        Also on the way out of a failure: a send under way is finished and
        recorded, not cut off between the relay's acceptance and its mark.
        """
        await asyncio.gather(*self.tasks)
        return self.too_big
