"""Delivery: outbox rows -> the SMTP relay or the outbox folder, exactly once where it can be.

`Mailer.deliver` takes one outbox row to where the config sends it. SMTP
sessions are opened once and reused (a few for concurrent sends); transient
failures are retried with backoff within the run; an unknown outcome (the
connection lost after DATA) is left for the next run, which resends the same
stored message once; a relay that keeps failing is not tried again this run,
so a stalled relay costs seconds, not minutes per subscriber. Building the
message is `message`'s, the SMTP conversation `smtp`'s, the folder `outbox`'s.
"""

from __future__ import annotations

import asyncio
import logging
import time
from types import TracebackType

from notifier.config import Settings
from notifier.errors import DeliveryError
from notifier.mailer.message import (
    build_message,
    list_headers,
    make_message_id,
    new_message,
    sender_address,
    sender_domain,
)
from notifier.mailer.outbox import file_name, write_outbox
from notifier.mailer.smtp import Session, send_smtp
from notifier.models import Delivery

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
"""Tries per message within one run for transient failures (4xx, timeouts); later runs retry too."""
RETRY_DELAY = 1.0
"""Seconds before the second try; doubled before each further one."""
SESSIONS = 4
"""SMTP connections open at once: sends in flight."""
RELAY_FAILURES = 2
"""Connection failures in a row after which the relay is taken as down for the rest of the run."""
DEADLINE = 600.0
"""Seconds a run spends delivering: rows not tried by then wait, pending, for the next run."""


class Mailer:
    """Takes outbox rows to the relay or the outbox folder; use as an async context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        deadline: float = DEADLINE,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.settings = settings
        self._stopping = stopping
        self.sender = sender_address(settings.smtp.sender)
        self._idle: list[Session] = []
        self._slots = asyncio.Semaphore(SESSIONS)
        self._failures = 0
        self._down: str | None = None
        self._until = time.monotonic() + deadline
        self.connections = 0
        """SMTP connections opened: what session reuse saves."""

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Say QUIT on every open session."""
        idle, self._idle = self._idle, []
        await asyncio.gather(*(s.close() for s in idle), return_exceptions=True)

    async def deliver(self, row: Delivery, recipient: str) -> str:
        """Deliver one row's stored message to `recipient`; return where it went.

        DeliveryError says whether the next run should try again (`permanent`),
        whether the relay may have it already (`unknown`) or wants it smaller
        (`too_big`).
        """
        message = row.message or b""
        if self.settings.delivery.method == "outbox":
            name = file_name(f"{row.created_at:%Y%m%dT%H%M%SZ}", row.id, recipient)
            return str(write_outbox(message, self.settings.delivery.outbox_dir, name))
        for attempt in range(1, SEND_ATTEMPTS + 1):
            self._check_go()
            try:
                await self._send(message, recipient)
            except DeliveryError as e:
                if e.relay_down:
                    self._relay_failed(str(e))
                if e.permanent or e.unknown or e.too_big or not e.retry_now:
                    raise
                if attempt == SEND_ATTEMPTS or self._down:
                    raise
                await asyncio.sleep(RETRY_DELAY * 2 ** (attempt - 1))
            else:
                self._failures = 0
                break
        smtp = self.settings.smtp
        return f"smtp {smtp.host}:{smtp.port}"

    def _check_go(self) -> None:
        """Refuse at once when the relay is down or the run's delivery time is spent."""
        if self._down is not None:
            raise DeliveryError(f"not tried this run: {self._down}", retry_now=False)
        if self._stopping is not None and self._stopping.is_set():
            raise DeliveryError("not tried: notifier is stopping; the next run sends it")
        if time.monotonic() > self._until:
            raise DeliveryError(
                "not tried this run: the run's delivery time is spent; it waits for the next run",
                retry_now=False,
            )

    def _relay_failed(self, why: str) -> None:
        self._failures += 1
        if self._failures >= RELAY_FAILURES and self._down is None:
            self._down = why
            log.error(
                "the relay failed %d times in a row; the rest waits for the next run",
                self._failures,
            )

    async def _send(self, message: bytes, recipient: str) -> None:
        """One try on a session from the pool; a session that failed is not reused."""
        async with self._slots:
            session = self._idle.pop() if self._idle else None
            if session is None or not session.open:
                session = Session(self.settings.smtp)
                self.connections += 1
                await session.connect()
            try:
                await session.send(message, self.sender, [recipient])
            except DeliveryError as e:
                if e.permanent and not e.too_big and session.open:
                    self._idle.append(session)  # a refusal: the session carries on
                else:
                    await session.close()
                raise
            except BaseException:
                await session.close()
                raise
            self._idle.append(session)


__all__ = [
    "RELAY_FAILURES",
    "RETRY_DELAY",
    "SEND_ATTEMPTS",
    "Mailer",
    "build_message",
    "list_headers",
    "make_message_id",
    "new_message",
    "send_smtp",
    "sender_address",
    "sender_domain",
    "write_outbox",
]
