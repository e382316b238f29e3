"""The fixtures the tests share; what they are made of lives in helpers.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from helpers import HttpServer, Mailbox, serve_smtp


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
