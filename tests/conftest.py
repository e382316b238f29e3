"""The fixtures the tests share; what they are made of lives in helpers.py."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pgserver
import pytest
from helpers import HttpServer, Mailbox, serve_smtp

from notifier import mailer
from notifier.store import Store

BACKENDS = ["sqlite", "postgresql"]
"""The store's two backends: the tests asking for `backend` run against each."""


@pytest.fixture(autouse=True)
def _no_notifier_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTIFIER_* variables of the developer's shell must not leak into tests."""
    for key in list(os.environ):
        if key.startswith("NOTIFIER_"):
            monkeypatch.delenv(key)


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """An HTTP server on 127.0.0.1 with no routes yet."""
    with HttpServer() as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server on 127.0.0.1 that accepts everything until told otherwise: (mailbox, port)."""
    with serve_smtp() as serving:
        yield serving


@pytest.fixture
def retry_delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The mailer's waits between SMTP tries, recorded instead of slept through.

    Only notifier.mailer's view of asyncio is replaced: its sleep() notes the
    delay and yields to the loop at once; the rest is asyncio itself.
    """
    delays: list[float] = []

    class Asyncio:
        def __getattr__(self, name: str) -> Any:
            return getattr(asyncio, name)

        @staticmethod
        async def sleep(delay: float) -> None:
            delays.append(delay)
            await asyncio.sleep(0)

    monkeypatch.setattr(mailer, "asyncio", Asyncio())
    return delays


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One real PostgreSQL for the session (skipped, with the reason, if none can be had)."""
    try:
        with pgserver.server() as url:
            yield url
    except pgserver.UnavailableError as e:
        pytest.skip(f"PostgreSQL tests skipped: {e}")


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A PostgreSQL URL whose schema is this test's alone."""
    with pgserver.fresh_schema(pg_server) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which store backend this run of the test uses."""
    return str(request.param)


@pytest.fixture
def state_url(backend: str, request: pytest.FixtureRequest) -> str:
    """ "" for SQLite, else a fresh PostgreSQL schema's URL (what storage.url would say)."""
    if backend == "sqlite":
        return ""
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def open_store(state_url: str, tmp_path: Any) -> Iterator[Any]:
    """Opens the test's database (each call a new connection, like another instance)."""
    opened: list[Store] = []

    def make(instance: str = "") -> Store:
        opened.append(Store(tmp_path / "state.db", url=state_url, instance=instance))
        return opened[-1]

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def on_backend(
    _no_notifier_env: None,
    backend: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """Run the test's configs against each backend: PostgreSQL through NOTIFIER_STORAGE__URL.

    A test marked `sqlite_only` tests what only SQLite has (its file lock) and is
    skipped on PostgreSQL, with the reason, rather than passed.
    """
    if backend == "sqlite":
        return ""
    marker = request.node.get_closest_marker("sqlite_only")
    if marker is not None:
        pytest.skip(f"SQLite only: {marker.args[0] if marker.args else 'its own mechanism'}")
    url = str(request.getfixturevalue("pg_url"))
    monkeypatch.setenv("NOTIFIER_STORAGE__URL", url)
    return url
