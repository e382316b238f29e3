"""The fixtures the tests share; what they are made of lives in helpers.py."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import HttpServer, Mailbox, serve_smtp

from notifier import mailer


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
