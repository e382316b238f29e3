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
        jobs: list[tuple[str, SubscriberSettings | None, Delivery]] = []
        chosen = subscribers or self.settings.subscribers
        for s in chosen:
            try:
                if dry_run:
                    report.rendered += [(s.email, r) for r in self._would_send(store, s, kind)]
                else:
                    self._claim(store, s, kind, allow_empty=send_empty and s.send_empty)
                    rows = store.pending_deliveries(store_key(s))
                    jobs += [(s.email, s, row) for row in rows]
                    log.debug(
                        "%s: %s",
                        s.email,
                        f"{len(rows)} digest(s) to send"
                        if rows
                        else "nothing new to send: no undelivered item alerts for this "
                        "subscriber (notifier explain LINK says why an item does not)",
                        extra={"subscriber": s.email},
                    )
            except _PREPARE_ERRORS as e:
                # A broken template or address must not keep the other subscribers waiting.
                log.error(
                    "digest for %s could not be prepared: %s",
                    s.email,
                    e,
                    extra={"subscriber": s.email},
                )
                report.failed[s.email] = f"digest could not be prepared: {e}"
        operator = self.settings.operator.email
        if operator and not dry_run:
            rows = store.pending_deliveries(operator.casefold())
            jobs += [(operator, None, row) for row in rows]
        async with mailer.Mailer(self.settings, stopping=self.stopping) as postman:
            for _ in range(SPLITS):
                too_big = await self._send_all(store, postman, jobs, report)
                jobs = []
                for subscriber, kind_of_row, limit in too_big:
                    # Split, never lost: the rows' items go back and are claimed again
                    # in as many digests as the relay's size takes.
                    while self._claim(store, subscriber, kind_of_row, max_bytes=limit):
                        pass
                    rows = store.pending_deliveries(store_key(subscriber))
                    jobs += [(subscriber.email, subscriber, row) for row in rows]
                if not jobs:
                    break
        return report

    async def _send_all(
        self,
        store: Store,
        postman: mailer.Mailer,
        jobs: Sequence[tuple[str, SubscriberSettings | None, Delivery]],
        report: DeliveryReport,
    ) -> list[tuple[SubscriberSettings, DigestKind, int]]:
        """Send every job, a few at a time; return the digests the relay found too large."""
        gate = asyncio.Semaphore(SEND_CONCURRENCY)
        too_big: list[tuple[SubscriberSettings, DigestKind, int]] = []

        async def one(recipient: str, subscriber: SubscriberSettings | None, row: Delivery) -> None:
            async with gate:
                limit = await self._send(store, postman, recipient, row, report)
            if limit is not None and subscriber is not None:
                row_kind: DigestKind = "immediate" if row.kind == "immediate" else "daily"
                too_big.append((subscriber, row_kind, limit))

        await asyncio.gather(*(one(to, s, row) for to, s, row in jobs))
        return too_big

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
