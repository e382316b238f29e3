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
        jobs: list[tuple[str, Delivery]] = []
        for s in subscribers or self.settings.subscribers:
            try:
                if dry_run:
                    report.rendered += [(s.email, r) for r in self._would_send(store, s, kind)]
                else:
                    self._claim(store, s, kind, allow_empty=send_empty and s.send_empty)
                    jobs += [(s.email, row) for row in store.pending_deliveries(store_key(s))]
                log.debug(
                    "%s: %s",
                    s.email,
                    "a digest to send"
                    if (report.rendered if dry_run else jobs)
                    and (report.rendered if dry_run else jobs)[-1][0] == s.email
                    else "nothing new to send: no undelivered item alerts for this subscriber "
                    "(notifier explain LINK says why an item does not)",
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
            jobs += [(operator, row) for row in store.pending_deliveries(operator.casefold())]
        gate = asyncio.Semaphore(SEND_CONCURRENCY)
        postman = mailer.Mailer(self.settings)

        async def one(recipient: str, row: Delivery) -> None:
            async with gate:
                await self._send(store, postman, recipient, row, report)

        await asyncio.gather(*(one(to, row) for to, row in jobs))
        return report

    async def _send(
        self,
        store: Store,
        postman: mailer.Mailer,
        recipient: str,
        row: Delivery,
        report: DeliveryReport,
    ) -> None:
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
            return
        store.mark_sent(row.id)
        log.info(
            "sent %r to %s (%s)", row.subject, recipient, where, extra={"subscriber": recipient}
        )
        report.sent.append((recipient, row.subject, where))
