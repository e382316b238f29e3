"""The daemon: APScheduler runs the poll job and each subscriber's daily digest.

The poll job runs at start and then every `schedule.poll_every`; after each
poll the operator hears about feeds that started or stopped failing, and the
events of the top level go out at once. Each subscriber's daily digest runs at
their `digest_at` (else `schedule.digest_at`) in their own time zone, and
goes out empty when they asked for `send_empty`. Jobs never overlap (one asyncio lock, plus the
database lock against a cron run beside the daemon), and SIGINT/SIGTERM let
the running job finish before the process exits. On PostgreSQL several daemons
run side by side: they share the feeds and the outbox through the store's claims,
and each subscriber's daily digest goes out from whichever takes the day first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notifier.config import SubscriberSettings
from notifier.errors import NotifierError
from notifier.service import Notifier
from notifier.store import Store

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0
"""How long a stop waits for sends in progress before abandoning them (their rows stay
pending for the next run). A poll in progress is abandoned at once: nothing of it is
half-stored, and the next poll fetches again what it had not stored."""


HOLD_SHARE = 0.8
"""Of the poll interval, how long a daemon keeps the feeds it polled: on a shared database
another daemon whose poll comes sooner skips them; its own next poll finds them free."""


class Daemon:
    """The scheduled jobs of `notifier serve` around one Notifier."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.busy = asyncio.Lock()
        self.stopping = asyncio.Event()
        self.hurry = asyncio.Event()
        """A second SIGINT/SIGTERM: stop at once."""
        self.runs = 0
        self.phase = ""
        """What the running job does now: "poll" or "deliver" (or "" between jobs)."""
        self._job: asyncio.Task[None] | None = None

    async def poll_job(self) -> None:
        """Poll, then send the immediate alerts."""
        await self._guarded("poll", self._poll)

    async def digest_job(self, email: str) -> None:
        """Send one subscriber's daily digest."""
        subscriber = self.notifier.subscriber(email)
        await self._guarded(f"digest for {email}", lambda: self._digest(subscriber))

    async def _poll(self) -> None:
        with self.notifier.lock(wait=0), self.notifier.store() as store:
            self.phase = "poll"
            # Held for most of the interval: daemons sharing a database take turns.
            every = self.notifier.settings.schedule.poll_every
            report = await self.notifier.poll(store, hold=every * HOLD_SHARE)
            self.notifier.report_feed_health(store)
            self.phase = "deliver"
            await self.notifier.deliver(store, kind="immediate")
        log.info(
            "poll: %d fetched, %d not modified, %d failed, %d new item(s)",
            len(report.fetched),
            len(report.not_modified),
            len(report.failed),
            report.new_items,
        )

    async def _digest(self, subscriber: SubscriberSettings) -> None:
        with self.notifier.lock(wait=0), self.notifier.store() as store:
            if store.shared and not self._window_is_ours(store, subscriber):
                log.info("digest for %s: sent by another instance today", subscriber.email)
                return
            self.phase = "deliver"
            await self.notifier.deliver(store, subscribers=[subscriber], send_empty=True)

    def _window_is_ours(self, store: Store, subscriber: SubscriberSettings) -> bool:
        """Claim today's digest window (the subscriber's local day) for this instance.

        Instances sharing a database each fire the digest job; the first takes the
        day, so a subscriber asking for empty digests does not get one from each.
        """
        zone = ZoneInfo(self.notifier.settings.timezone_for(subscriber))
        day = datetime.now(zone).date()
        key = f"digest:{subscriber.email.casefold()}:{day.isoformat()}"
        return store.claim_window(key, datetime.now(UTC) + timedelta(days=2))

    async def _guarded(self, what: str, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if self.stopping.is_set():
            return
        async with self.busy:
            self._job = asyncio.create_task(job())
            try:
                await self._job
            except NotifierError as e:
                # The job is retried at its next tick; the daemon must stay up.
                log.error("%s failed: %s", what, e)
            except asyncio.CancelledError:
                if not self.stopping.is_set():
                    raise
                log.warning("%s abandoned to stop; what it had not stored or sent waits", what)
            finally:
                self._job = None
                self.phase = ""
            self.runs += 1

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        """Add the poll job and one daily digest job per subscriber."""
        settings = self.notifier.settings
        scheduler.add_job(
            self.poll_job,
            IntervalTrigger(seconds=settings.schedule.poll_every.total_seconds()),
            id="poll",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        for s in settings.subscribers:
            at = settings.digest_at_for(s)
            zone = ZoneInfo(settings.timezone_for(s))
            scheduler.add_job(
                self.digest_job,
                CronTrigger(hour=at.hour, minute=at.minute, timezone=zone),
                args=[s.email],
                id=f"digest:{s.email}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=3600,
            )

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run until `stop` is set or SIGINT/SIGTERM arrives; a second signal stops at once."""
        stop = stop or asyncio.Event()
        with self.notifier.lock(wait=0), self.notifier.store():
            pass  # an unusable database or a running daemon stops us now, not at every tick
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            (self.hurry if stop.is_set() else stop).set()
            if self.hurry.is_set() and self._job is not None:
                self._job.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, on_signal)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        self.schedule(scheduler)
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled %s: next run %s", job.id, job.next_run_time)
        try:
            await stop.wait()
        finally:
            self.stopping.set()
            self.notifier.stopping.set()  # no new send starts
            scheduler.pause()  # no new job; shutdown() would cancel the running one
            await self._finish_running_job()
            scheduler.shutdown(wait=False)
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)

    async def _finish_running_job(self) -> None:
        """Let sends in progress end (at most STOP_GRACE_SECONDS); abandon a poll at once."""
        job = self._job
        if job is None:
            return
        log.info("stopping: the running job (%s) gets %g s", self.phase, STOP_GRACE_SECONDS)
        if self.phase != "deliver":
            job.cancel()
        hurry = asyncio.ensure_future(self.hurry.wait())
        try:
            await asyncio.wait(
                {job, hurry}, timeout=STOP_GRACE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            hurry.cancel()
        if not job.done():
            job.cancel()
            await asyncio.wait({job}, timeout=2)
