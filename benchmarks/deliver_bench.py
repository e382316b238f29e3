"""Delivery throughput: D subscribers, one new item that alerts every one of them, real SMTP.

An aiosmtpd server on 127.0.0.1 (started here, in a thread) accepts the mail
and counts SMTP connections opened, the most open at once and the messages
accepted; a one-feed loopback server (benchmarks/feedserver.py) serves the feed.
Three `notifier run --once` processes, as under cron:

1. setup:   the feed's first poll, recorded silently: nothing to send;
2. deliver: the feed now carries one item over every threshold: D digests are
            composed, rendered, written to the outbox and sent;
3. idle:    nothing new (the feed answers 304) and nothing to send.

The delivery part of run 2 is timed from the moment the feed server answered
(the poll of one feed with one new item is over a few ms later) to the exit of
the process; digests/s = messages accepted / that time. It is split into
compose (answer -> first SMTP connection) and send (first connection -> last
message accepted) when notifier composes every digest before sending, as today.
The target of issue 12 (>= 300 digests/s, one SMTP session for many messages)
is printed beside the result; nothing passes or fails.

    python benchmarks/deliver_bench.py 10000
    python benchmarks/deliver_bench.py 2000 --profile        # py-spy on the deliver run
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _common as c
import feedgen
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from feedserver import FeedServer

TARGET = 300
TIMEZONES = [None, "Europe/Zurich", "Africa/Nairobi", "America/New_York", "Asia/Bangkok"]


@dataclass
class SmtpStats:
    connections: int = 0
    open: int = 0
    max_open: int = 0
    messages: int = 0
    bytes: int = 0
    recipients: set[str] = field(default_factory=set)
    first_connection: float | None = None
    last_message: float | None = None

    def reset(self) -> None:
        """Count afresh (the sessions and the handler keep this object)."""
        self.__dict__.update(SmtpStats().__dict__)


class CountingSMTP(SMTP):
    """aiosmtpd's SMTP session, counting connections as they open and close."""

    stats: SmtpStats

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        s = self.stats
        s.connections += 1
        s.open += 1
        s.max_open = max(s.max_open, s.open)
        s.first_connection = s.first_connection or time.monotonic()
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats.open -= 1
        super().connection_lost(exc)


class Counter:
    """The aiosmtpd handler: accepts every message, keeps only counts."""

    def __init__(self, stats: SmtpStats) -> None:
        self.stats = stats

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        s = self.stats
        s.messages += 1
        s.bytes += len(envelope.original_content or envelope.content or b"")
        s.recipients.update(envelope.rcpt_tos)
        s.last_message = time.monotonic()
        return "250 OK"


class CountingController(Controller):
    def __init__(self, stats: SmtpStats, port: int) -> None:
        super().__init__(Counter(stats), hostname="127.0.0.1", port=port)
        self.stats = stats

    def factory(self) -> SMTP:
        session = CountingSMTP(self.handler, **self.SMTP_kwargs)
        session.stats = self.stats
        return session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def alert_item() -> feedgen.GenItem:
    """A new item whose figure crosses every default threshold by far."""
    lead = (
        "Cyclone Amara has displaced more than 250,000 people in Sofala province, Mozambique, "
        "according to the UN Office for the Coordination of Humanitarian Affairs (OCHA)."
    )
    rest = [
        "Beira's port and airport were closed on Tuesday as winds of up to 180 km per hour "
        "tore roofs from houses and schools.",
        "Humanitarian partners are pre-positioning food, shelter kits and water purification "
        "tablets, and the authorities have opened 140 accommodation centres.",
        "The Humanitarian Country Team will meet on Thursday to agree a flash appeal.",
    ]
    text = "\n\n".join([lead, *rest])
    link = "https://bench.example.org/reports/cyclone-amara"
    return feedgen.GenItem(
        guid=link,
        link=link,
        title="Mozambique: Cyclone Amara displaces a quarter of a million people",
        published=datetime.now(UTC).replace(microsecond=0),
        html="".join(f"<p>{p}</p>" for p in [lead, *rest]),
        text=text,
        summary=lead,
        mix="figures",
    )


def subscribers(d: int) -> list[dict[str, Any]]:
    out = []
    for i in range(d):
        s: dict[str, Any] = {"email": f"desk{i:05d}@example.org", "name": f"Desk {i}"}
        if tz := TIMEZONES[i % len(TIMEZONES)]:
            s["timezone"] = tz
        out.append(s)
    return out


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("subscribers", nargs="?", type=int, default=10000, help="D (10000)")
    p.add_argument("--latency-ms", type=float, default=0, help="the feed's answer delay (0)")
    p.add_argument("--config-extra", metavar="TOML", help="a TOML snippet merged into the config")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    p.add_argument("--profile", nargs="?", const="py-spy", choices=c.PROFILERS)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--timeout", type=float, default=3600, help="per run, seconds (3600)")
    p.add_argument("--keep", metavar="DIR", help="keep config, database and profile in DIR")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    print("\n".join(c.machine()))
    with tempfile.TemporaryDirectory(prefix="deliver-bench-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        c.bytecode_cache(folder / "pycache")
        c.warm_up(folder)
        feeds = FeedServer(1, args.latency_ms)
        stats = SmtpStats()
        smtp = CountingController(stats, free_port())
        smtp.start()
        try:
            run(args, folder, feeds, smtp, stats)
        finally:
            smtp.stop()


def run(
    args: argparse.Namespace,
    folder: Path,
    feeds: FeedServer,
    smtp: CountingController,
    stats: SmtpStats,
) -> None:
    d = args.subscribers
    config = c.write_config(
        folder / "config.toml",
        db=folder / "state.db",
        feeds=[("Wire", feeds.url(0))],
        subscribers=subscribers(d),
        smtp_port=smtp.port,
        extra=c.extra_settings(args.config_extra, args.set),
    )
    print(
        f"deliver: {d} subscribers, one feed, SMTP on 127.0.0.1:{smtp.port}; "
        f"config {config.stat().st_size / 1e6:.1f} MB; load average {c.loadavg()}",
        flush=True,
    )
    cmd = ["run", "--once", "--config", str(config)]
    setup = c.run_notifier(cmd, timeout=args.timeout)
    setup.check("setup run (first poll)")
    print(
        f"setup run (first poll, nothing to send): {setup.wall:.2f} s wall, {setup.cpu:.2f} CPU s"
    )
    if stats.messages:
        print(f"  unexpected: {stats.messages} message(s) sent by the first poll")

    feeds.publish(0, alert_item())
    feeds.reset_stats()
    stats.reset()
    wrap: list[str] = []
    profile = None
    if args.profile:
        profile = folder / ("profile-deliver." + ("raw" if args.profile == "py-spy" else "prof"))
        wrap = c.profiler_wrap(args.profile, profile)
    before = resource.getrusage(resource.RUSAGE_SELF)
    r = c.run_notifier(cmd, wrap=wrap, timeout=args.timeout)
    after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    answered = feeds.stats.last_answer or r.started
    r.check("deliver run", allowed=(0, 1))
    sent_lines = sum(1 for ln in r.stdout.splitlines() if ln.startswith("sent to "))
    deliver_s = r.ended - answered
    poll_s = answered - r.started
    rate = stats.messages / deliver_s if deliver_s > 0 else 0.0

    idle = c.run_notifier(cmd, timeout=args.timeout)
    idle.check("idle run", allowed=(0, 1))

    print(
        f"\ndeliver run{' (profiled)' if profile else ''}: {r.wall:.2f} s wall, exit "
        f"{r.returncode}; CPU {r.cpu:.2f} s (user {r.user:.2f}, sys {r.system:.2f}); "
        f"peak RSS {r.peak_rss_mb:.0f} MB; overhead {r.overhead():.2f}; "
        f"others {r.others:.2f} cores"
    )
    print(f"  start -> feed answered (imports, config, poll): {poll_s:.2f} s")
    print(f"  feed answered -> exit (compose, render, outbox, send): {deliver_s:.2f} s")
    if stats.first_connection and stats.last_message:
        print(
            f"    of which answered -> first SMTP connection: "
            f"{stats.first_connection - answered:.2f} s; first connection -> last message "
            f"accepted: {stats.last_message - stats.first_connection:.2f} s; last message -> "
            f"exit: {r.ended - stats.last_message:.2f} s"
        )
    print(
        f"  messages accepted {stats.messages} of {d} ({len(stats.recipients)} distinct "
        f"recipients, {stats.bytes / max(stats.messages, 1) / 1000:.1f} KB each); "
        f"notifier printed {sent_lines} 'sent to' line(s)"
    )
    print(
        f"  SMTP connections opened {stats.connections} (most open at once {stats.max_open}); "
        f"{stats.messages / max(stats.connections, 1):.1f} messages per connection"
    )
    print(f"  SMTP server CPU in this process: {server_cpu:.2f} s")
    print(
        f"  => {rate:.0f} digests/s (target >= {TARGET}); {stats.messages / r.wall:.0f} "
        f"digests/s over the whole run"
    )
    print(f"idle run (304, nothing to send): {idle.wall:.2f} s wall, {idle.cpu:.2f} CPU s")
    if profile is not None:
        print(f"\n=== profile of the deliver run ({args.profile}, {profile}) ===")
        print(c.summarize_profile(args.profile, profile, args.top) if profile.exists() else "none")


if __name__ == "__main__":
    main()
