"""What every part of the pipeline shares: the settings, the templates, the store and its lock."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

import jinja2

from notifier import render
from notifier.config import Settings, SubscriberSettings
from notifier.errors import UsageError
from notifier.lock import RunLock
from notifier.models import Digest, RenderedMessage
from notifier.store import Store, probe, this_instance

_NOTIFIERS = itertools.count()


class Base:
    """The pipeline's shared parts for one configuration; the steps are mixins on it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._env: jinja2.Environment | None = None
        self.stopping = asyncio.Event()
        """Set by the daemon's stop: no new send starts (sends in flight may end)."""
        n = next(_NOTIFIERS)
        self.instance = this_instance() + (f"/{n}" if n else "")
        """Who this is to the others sharing a database (host:pid): what its claims hold."""

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
        """Open the state database: the SQLite file, or PostgreSQL when `storage.url` is set."""
        storage = self.settings.storage
        return Store(storage.path, url=storage.url.get_secret_value(), instance=self.instance)

    def check_store(self) -> str:
        """Where the state lives, for `check-config`; PostgreSQL is connected to, not migrated.

        A server that cannot be reached, a refused login or a schema newer than
        this version is a StoreError of one line.
        """
        url = self.settings.storage.url.get_secret_value()
        return probe(url) if url else f"state in {self.settings.storage.path}"

    def lock(self, wait: float = 60) -> contextlib.AbstractContextManager[object]:
        """The lock that keeps two runs off one SQLite file.

        PostgreSQL needs none: instances share the work by claims in the database.
        """
        if self.settings.storage.url.get_secret_value():
            return contextlib.nullcontext()
        return RunLock(self.settings.storage.path, wait=wait)

    def render(self, digest: Digest) -> RenderedMessage:
        """Subject, text and HTML of a digest."""
        return render.render_digest(digest, self.env, self.settings.digest.subject_prefix)

    def subscriber(self, email: str) -> SubscriberSettings:
        """A configured subscriber by address."""
        for s in self.settings.subscribers:
            if s.email.casefold() == email.casefold():
                return s
        known = ", ".join(s.email for s in self.settings.subscribers)
        raise UsageError(f"no subscriber {email!r} in the config (subscribers: {known})")


def store_key(subscriber: SubscriberSettings) -> str:
    """How the store names a subscriber: case-insensitive, as mail systems treat addresses."""
    return subscriber.email.casefold()
