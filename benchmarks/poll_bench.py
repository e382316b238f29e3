"""Poll throughput: `notifier run --once --dry-run` against N generated feeds answering after L ms.

A loopback server started here (benchmarks/feedserver.py: asyncio, keep-alive,
ETag/Last-Modified and 304) serves N feeds of 30 generated report items each
(about 2 KB of text an item: benchmarks/feedgen.py). The real poll path (fetch,
parse, extract, store, then compose and render the digest, sending nothing)
runs three times, each a fresh `notifier` process as under cron:

1. first:  the feeds are new (every item parsed, extracted and stored, silently);
2. busy:   every feed now carries 30 new items (each extracted, stored, evaluated);
3. rerun:  nothing changed, every feed answers 304.

For each it prints feeds, items, wall s, items/s, CPU s (user+sys of the child,
from RUSAGE_CHILDREN deltas, plus its worker processes as last sampled in /proc;
under a profiler the profiled child is counted twice), peak RSS MB, and the
overhead ratio wall / (CPU s / cores), which is 1.0 when every core works the
whole run and grows with time spent waiting. The server's side shows the
concurrency the client really used.
The targets of issue 12 are printed beside the results; nothing passes or fails.

    python benchmarks/poll_bench.py 1000 200
    python benchmarks/poll_bench.py 300 200 --profile          # py-spy on the first poll
    python benchmarks/poll_bench.py 1000 200 --set fetch.concurrency=128
    python benchmarks/poll_bench.py 1000 200 --config-extra $'[fetch]\\nconcurrency = 64'
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
from pathlib import Path

import _common as c
from feedserver import ITEMS_PER_FEED, FeedServer

PHASES = ("first", "busy", "rerun")
TARGETS = {"first": "<= 15 s", "busy": "<= 20 s", "rerun": "<= 3 s"}
TARGET_RSS_MB = 250


LEGEND = """\
CPU_s: user+sys of the notifier process and its workers; overhead: wall / (CPU_s / cores),
1.0 = all cores busy;
conns .. 304: the feed server's count of connections, most open at once, most requests in flight
at once, 200 and 304 answers; srvCPU: the server's CPU s (it shares the machine);
others: cores other processes on this VM kept busy meanwhile (> 0.2 skews wall times);
iowait: machine-wide seconds of idle cores waiting on I/O (SQLite fsyncs show here)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("feeds", nargs="?", type=int, default=1000, help="N feeds (1000)")
    p.add_argument("latency_ms", nargs="?", type=float, default=200, help="L ms per answer (200)")
    add_common_options(p)
    p.add_argument(
        "--profile",
        nargs="?",
        const="py-spy",
        choices=c.PROFILERS,
        help="run the profiled phase(s) under py-spy (default) or cProfile",
    )
    p.add_argument(
        "--profile-phase",
        default="first",
        choices=[*PHASES, "all"],
        help="which phase to profile (first)",
    )
    p.add_argument("--top", type=int, default=25, help="functions listed per profile table (25)")
    p.add_argument("--keep", metavar="DIR", help="keep config, database and profiles in DIR")
    return p.parse_args(argv)


def add_common_options(p: argparse.ArgumentParser) -> None:
    """Options the poll and growth benchmarks share."""
    p.add_argument("--config-extra", metavar="TOML", help="a TOML snippet merged into the config")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="one config value, e.g. fetch.concurrency=64 (repeatable)",
    )
    p.add_argument("--gzip", action="store_true", help="serve gzip when the client accepts it")
    p.add_argument("--seed", type=int, default=12, help="seed of the generated items (12)")


def new_items(stdout: str) -> int | None:
    """The count `notifier run` prints ('...; 30000 new item(s)'), if it still prints it."""
    m = re.search(r"(\d+) new item", stdout)
    return int(m.group(1)) if m else None


def header() -> str:
    return (
        f"{'phase':<6} {'feeds':>6} {'items':>6} {'wall_s':>7} {'items/s':>8} {'CPU_s':>6} "
        f"{'user':>6} {'sys':>5} {'RSS_MB':>7} {'overhead':>8} | {'conns':>5} {'max_open':>8} "
        f"{'in_flight':>9} {'200':>5} {'304':>5} {'srvCPU':>6} | {'others':>6} {'iowait':>6} "
        "| target"
    )


def row(phase: str, feeds: int, items: int, r: c.RunResult, srv: dict[str, float]) -> str:
    rate = f"{items / r.wall:8.0f}" if items else f"{'-':>8}"
    target = TARGETS.get(phase, "")
    return (
        f"{phase:<6} {feeds:>6} {items:>6} {r.wall:7.2f} {rate} {r.cpu:6.2f} {r.user:6.2f} "
        f"{r.system:5.2f} {r.peak_rss_mb:7.0f} {r.overhead():8.2f} | {srv['connections']:>5} "
        f"{srv['max_open']:>8} {srv['max_in_flight']:>9} {srv['ok']:>5} {srv['not_modified']:>5} "
        f"{srv['cpu']:6.2f} | {r.others:6.2f} {r.iowait:6.1f} | {target}"
    )


class PollRig:
    """The feed server, a config pointing at it, and timed `run --once --dry-run` calls."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        print(f"generating {args.feeds} feeds x {ITEMS_PER_FEED} items ...", flush=True)
        self.server = FeedServer(args.feeds, args.latency_ms, seed=args.seed, gzip=args.gzip)
        self.extra = c.extra_settings(args.config_extra, args.set)

    def config(self, db: Path, name: str = "config.toml") -> Path:
        feeds = [(f"Feed {n}", self.server.url(n)) for n in range(self.args.feeds)]
        subscribers = [{"email": "desk@example.org", "name": "Operations desk"}]
        return c.write_config(
            self.folder / name, db=db, feeds=feeds, subscribers=subscribers, extra=self.extra
        )

    def poll(
        self, config: Path, *, wrap: list[str] | None = None
    ) -> tuple[c.RunResult, dict[str, float]]:
        self.server.reset_stats()
        before = resource.getrusage(resource.RUSAGE_SELF)
        r = c.run_notifier(["run", "--once", "--dry-run", "--config", str(config)], wrap=wrap or [])
        after = resource.getrusage(resource.RUSAGE_SELF)
        s = self.server.reset_stats()
        srv = {
            "connections": s.connections,
            "max_open": s.max_open_connections,
            "max_in_flight": s.max_in_flight,
            "ok": s.ok,
            "not_modified": s.not_modified,
            "other": s.other,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        }
        r.check("run --once --dry-run", allowed=(0, 1))
        if r.returncode == 1:
            failed = [ln for ln in r.stdout.splitlines() if "failed" in ln][:5]
            print("  warning: notifier reported failures:\n  " + "\n  ".join(failed))
        return r, srv


def main() -> None:
    args = parse_args()
    print("\n".join(c.machine()))
    with tempfile.TemporaryDirectory(prefix="poll-bench-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        c.bytecode_cache(folder / "pycache")
        c.warm_up(folder)
        rig = PollRig(args, folder)
        server = rig.server
        kb = server.text_chars / (args.feeds * ITEMS_PER_FEED) / 1000
        print(
            f"poll {args.feeds} feeds x {ITEMS_PER_FEED} items (text {kb:.1f} KB an item) "
            f"@ {args.latency_ms:g} ms, {c.cores()} cores; sequential floor "
            f"{args.feeds * args.latency_ms / 1000:.0f} s; extra config {rig.extra or '{}'}; "
            f"load average {c.loadavg()}",
            flush=True,
        )
        config = rig.config(folder / "state.db")
        lines, profiles = [], []
        peak = 0.0
        for phase in PHASES:
            if phase == "busy":
                server.advance()
            wrap: list[str] = []
            profiled = args.profile and args.profile_phase in (phase, "all")
            if profiled:
                suffix = "raw" if args.profile == "py-spy" else "prof"
                out = folder / f"profile-{phase}.{suffix}"
                wrap = c.profiler_wrap(args.profile, out)
                profiles.append((phase, out))
            r, srv = rig.poll(config, wrap=wrap)
            peak = max(peak, r.peak_rss_mb)
            items = srv["ok"] * ITEMS_PER_FEED
            line = row(phase + ("*" if profiled else ""), args.feeds, items, r, srv)
            lines.append(line)
            stored = new_items(r.stdout)
            said = [ln for ln in r.stdout.splitlines() if ln.startswith("polled")][:1]
            print(f"{phase}: {said[0] if said else '(no output)'}", flush=True)
            if stored is not None and phase != "rerun" and stored != items:
                print(f"  note: {items} items served, notifier stored {stored}")
        print()
        print(header())
        print("\n".join(lines))
        print(f"peak RSS over the three runs {peak:.0f} MB (target <= {TARGET_RSS_MB} MB)")
        print(LEGEND)
        if profiles:
            print("* profiled: the profiler's own CPU and memory are in that row's numbers")
        for phase, out in profiles:
            print(f"\n=== profile of the {phase} poll ({args.profile}, {out}) ===")
            if out.exists():
                print(c.summarize_profile(args.profile, out, args.top))
            else:
                print("no profile written")
        if args.keep:
            print(f"\nkept in {folder}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
