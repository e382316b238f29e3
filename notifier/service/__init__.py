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

from notifier.models import FeedState, RunReport
from notifier.service.delivering import Delivering
from notifier.service.explaining import Explaining, explain_item, language_note
from notifier.service.polling import Polling


class Notifier(Polling, Delivering, Explaining):
    """The pipeline for one configuration: each step is a mixin in a module of its own."""

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


__all__ = ["Notifier", "explain_item", "language_note"]
