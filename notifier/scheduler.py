"""The daemon: APScheduler runs the poll job and each subscriber's daily digest.

The poll job runs at start and then every `schedule.poll_every`; after each
poll the operator hears about feeds that started or stopped failing, and the
events of the top level go out at once. Each subscriber's daily digest runs at
their `digest_at` (else `schedule.digest_at`) in their own time zone, and
goes out empty when they asked for `send_empty`. Jobs never overlap (one asyncio lock, plus the
database lock against a cron run beside the daemon), and SIGINT/SIGTERM let
the running job finish before the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notifier.config import SubscriberSettings
from notifier.errors import NotifierError
from notifier.service import Notifier

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 120
"""How long a stop waits for the running job (a send in progress) before giving up."""


class Daemon:
    """The scheduled jobs of `notifier serve` around one Notifier."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.busy = asyncio.Lock()
        self.stopping = asyncio.Event()
        self.runs = 0

    async def poll_job(self) -> None:
        """Poll, then send the immediate alerts."""
        await self._guarded("poll", self._poll)

    async def digest_job(self, email: str) -> None:
        """Send one subscriber's daily digest."""
        subscriber = self.notifier.subscriber(email)
        await self._guarded(f"digest for {email}", lambda: self._digest(subscriber))

    async def _poll(self) -> None:
        with self.notifier.lock(wait=0), self.notifier.store() as store:
            report = await self.notifier.poll(store)
            self.notifier.report_feed_health(store)
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
            await self.notifier.deliver(store, subscribers=[subscriber], send_empty=True)

    async def _guarded(self, what: str, job: Callable[[], Awaitable[None]]) -> None:
        if self.stopping.is_set():
            return
        async with self.busy:
            try:
                await job()
            except NotifierError as e:
                # The job is retried at its next tick; the daemon must stay up.
                log.error("%s failed: %s", what, e)
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
        """Run until `stop` is set or SIGINT/SIGTERM arrives."""
        stop = stop or asyncio.Event()
        with self.notifier.lock(wait=0), self.notifier.store():
            pass  # an unusable database or a running daemon stops us now, not at every tick
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        self.schedule(scheduler)
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled %s: next run %s", job.id, job.next_run_time)
        try:
            await stop.wait()
        finally:
            log.info("stopping: waiting for the running job to finish")
            self.stopping.set()
            scheduler.pause()  # no new job; shutdown() would cancel the running one
            try:
                async with asyncio.timeout(STOP_GRACE_SECONDS):
                    async with self.busy:
                        pass
            except TimeoutError:
                log.warning("the running job did not finish in time; its work resumes next run")
            scheduler.shutdown(wait=False)
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
