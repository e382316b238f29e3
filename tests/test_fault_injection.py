"""Random SIGKILLs of `notifier run --once`, then runs to completion: nothing lost, nothing twice.

Each trial (seeded, so a failure can be replayed) polls three feeds (one of them
heavy: 150 long items to extract) and mails
five subscribers through a slow SMTP server on 127.0.0.1, killing the run at
random moments, during the first (silent) poll and during the real one, then
runs again until everything is delivered. Then, per subscriber and item:
- lost must be 0: every alerting item reaches every subscriber;
- an item may arrive twice only inside two copies of one message (the same
  Message-ID): the one message whose outcome was unknown when the run died,
  resent by the next run.

CI runs a few trials; a long run:
    NOTIFIER_FAULT_TRIALS=200 pytest tests/test_fault_injection.py -q
(`NOTIFIER_FAULT_SEED` picks the first seed.)
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import Envelope
from helpers import QUIET, HttpServer, Mailbox, rss, serve_smtp, write_config

TRIALS = int(os.environ.get("NOTIFIER_FAULT_TRIALS", "3"))
FIRST_SEED = int(os.environ.get("NOTIFIER_FAULT_SEED", "1"))
SUBSCRIBERS = [f"desk{n}@example.org" for n in range(5)]
FEEDS = ("a", "b", "c")
PLACES = ("Sofala", "Manica", "Tete", "Zambezia", "Nampula", "Niassa", "Gaza", "Inhambane")


class SlowMailbox(Mailbox):
    """Accepts mail, a little slowly, so kills land while messages are in flight."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def items(feed: str) -> list[dict[str, str]]:
    return [
        {
            "guid": f"{feed}-{n}",
            "title": f"Floods in {place} ({feed})",
            "link": f"http://news.example.org/{feed}/{n}",
            "html": f"<p>Floods have forced {30000 + 1000 * n + ord(feed)} people to leave their "
            f"homes in {place} province, Mozambique, officials said.</p>",
        }
        for n, place in enumerate(PLACES)
    ]


def filler(n: int) -> dict[str, str]:
    """A long item with numbers that are not figures: it makes the heavy feed slow to extract."""
    sentences = " ".join(
        f"The {n}th convoy of {n % 9 + 3} trucks carried {n * 7} tonnes of seed on {n % 28 + 1} "
        f"March, and {n % 40 + 10} per cent of the {n % 12 + 2} districts reported prices "
        f"up by {n % 7 + 1} dollars since {2000 + n % 20}."
        for _ in range(12)
    )
    return {
        "guid": f"fill-{n}",
        "title": f"Market prices, week {n}",
        "link": f"http://news.example.org/markets/{n}",
        "html": f"<p>{sentences}</p>",
    }


HEAVY = [filler(n) for n in range(150)]


def run(cfg: Path, kill_after: float | None) -> int | None:
    """`notifier run --once`, SIGKILLed after `kill_after` seconds; its exit code, or None if killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "notifier", "run", "--once", "-q", "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")},
    )
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None
    return proc.returncode


def links(box: Mailbox, address: str) -> tuple[Counter[str], dict[str, set[str]]]:
    """How often each item link reached `address`, and the Message-IDs that carried it."""
    seen: Counter[str] = Counter()
    carriers: dict[str, set[str]] = {}
    for msg in box.to(address):
        body = msg.get_body(("plain",))
        assert body is not None
        for link in set(re.findall(r"http://news\.example\.org/\w/\d", body.get_content())):
            seen[link] += 1
            carriers.setdefault(link, set()).add(str(msg["Message-ID"]))
    return seen, carriers


@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + TRIALS))
def test_random_kills_lose_nothing_and_duplicate_nothing(
    seed: int, tmp_path: Path, http_server: HttpServer
) -> None:
    rng = random.Random(seed)
    with serve_smtp(SlowMailbox()) as (box, port):
        cfg = write_config(
            tmp_path / "config.toml",
            feeds=[(f"Feed {f}", http_server.url(f"/{f}.xml")) for f in FEEDS],
            subscribers=SUBSCRIBERS,
            smtp_port=port,
        )
        for f in FEEDS:
            http_server.serve(f"/{f}.xml", rss([{**QUIET, "guid": f"q-{f}"}]))
        for _ in range(rng.randint(0, 2)):  # kills during the first, silent poll
            run(cfg, rng.uniform(0.1, 1.2))
        assert run(cfg, None) == 0
        for f in FEEDS:
            heavy = HEAVY if f == "c" else []  # a long extraction: a wide window to die in
            http_server.serve(f"/{f}.xml", rss([*items(f), *heavy, {**QUIET, "guid": f"q-{f}"}]))
        kills = [rng.uniform(0.2, 2.5) for _ in range(rng.randint(1, 4))]
        for after in kills:
            run(cfg, after)
        deadline = time.monotonic() + 60
        while True:  # runs to completion: until one run finds nothing left to do
            sent = len(box.envelopes)
            assert run(cfg, None) == 0
            if len(box.envelopes) == sent or time.monotonic() > deadline:
                break
    expected = {it["link"] for f in FEEDS for it in items(f)}
    for address in SUBSCRIBERS:
        seen, carriers = links(box, address)
        lost = expected - set(seen)
        assert not lost, f"seed {seed}, kills {kills}: {address} never got {sorted(lost)}"
        twice = {link: n for link, n in seen.items() if n > 1}
        for link in twice:
            assert len(carriers[link]) == 1, (
                f"seed {seed}, kills {kills}: {address} got {link} in "
                f"{len(carriers[link])} different messages"
            )
        ids = Counter(str(m["Message-ID"]) for m in box.to(address))
        resent = [mid for mid, n in ids.items() if n > 1]
        assert len(resent) <= len(kills), f"seed {seed}: more resends than kills: {resent}"
