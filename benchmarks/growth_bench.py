"""Growth: the poll benchmark's busy day against a database already holding M items.

Two databases start from the same first poll of N generated feeds (the poll
benchmark's server and items): `empty` as it is, `full` with M more items
(default 1,000,000) and their figures spread over those feeds. Then every feed
carries 30 new items and `notifier run --once --dry-run` polls them, on each
database in turn (ABBA order with --repeat 2, so a drift of the machine's speed
falls on both); the ratio of the walls is what issue 12 wants within 10 %.
Then `notifier feeds` and `notifier preview --subscriber desk@example.org` are
timed on both, and the database sizes printed.

Filling a million items through the CLI would mean serving and extracting them
all (half an hour of extraction alone), so `fill_database` below stores them
with the library (`Store.add_items`, `Item`, `Report`, `Figure`): the one place
a benchmark calls notifier's code, kept small so it is easy to follow when the
store changes. The items are generated like the served ones, and their figures
are the ones planted in their text. They were fetched between --newest-days (8)
and --oldest-days (89) ago: inside the default retention (90 days), so a prune
has nothing to remove, and older than alerts.max_age (7 days), so they alert no
one and the busy day's own work is the same on both databases.

    python benchmarks/growth_bench.py                       # M = 1,000,000, N = 1000, L = 200
    python benchmarks/growth_bench.py --items 200000 --feeds 300
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common as c
import feedgen
from poll_bench import ITEMS_PER_FEED, PollRig, add_common_options, header, row

POOL = 4096
"""Distinct generated item bodies the fill cycles through (each stored item is made unique)."""
AGENCY_NAMES = {
    "OCHA": "UN Office for the Coordination of Humanitarian Affairs",
    "UNHCR": "UN Refugee Agency",
    "IOM": "International Organization for Migration",
    "UNICEF": "UN Children's Fund",
    "WFP": "World Food Programme",
    "WHO": "World Health Organization",
    "UNFPA": "UN Population Fund",
    "OHCHR": "Office of the UN High Commissioner for Human Rights",
}
TERMS = {
    "displaced": "displaced",
    "killed": "killed",
    "injured": "injured",
    "missing": "missing",
    "at_risk": "need humanitarian assistance",
}


def fill_database(
    db: Path,
    feeds: list[tuple[str, str]],
    m: int,
    *,
    seed: int,
    oldest_days: float,
    newest_days: float,
    rounds: int = 10,
) -> tuple[int, int]:
    """Store `m` generated items and their figures in `db` with notifier's library.

    Round-robin over the feeds, `rounds` batches per feed (one transaction each),
    each round fetched later than the one before, so the ids grow with time as in
    a real database. Returns (items stored, figures stored).
    """
    from notifier.extract.models import Agency, Figure, Report  # noqa: PLC0415
    from notifier.models import Item  # noqa: PLC0415
    from notifier.store import Store  # noqa: PLC0415

    now = datetime.now(UTC).replace(microsecond=0)
    pool = [feedgen.make_item(seed + 1, 1_000_000 + k, 0, 0, now) for k in range(POOL)]
    per_round = -(-m // (len(feeds) * rounds))
    stored = figures = 0
    rng = random.Random(seed)
    t0 = time.monotonic()
    with Store(db) as store:
        for r in range(rounds):
            span = oldest_days - (oldest_days - newest_days) * (r + rng.random()) / rounds
            fetched = now - timedelta(days=span)
            for f, (name, url) in enumerate(feeds):
                entries = []
                for j in range(per_round):
                    if stored + len(entries) >= m:
                        break
                    g = pool[(r * len(feeds) * per_round + f * per_round + j) % POOL]
                    link = f"https://bench.example.org/archive/{f}/{r}/{j}"
                    text = f"{g.text}\n\nRef. A{f}-{r}-{j}"
                    item = Item(
                        name, link, link, g.title, fetched - timedelta(hours=2), text, g.summary
                    )
                    body = f"{g.title}\n\n{text}"
                    figs = tuple(
                        Figure(
                            kind=x.kind,  # type: ignore[arg-type]
                            value=x.value,
                            high=None,
                            unit="people",
                            qualifier="exact",
                            agency=x.agency,
                            place=x.place,
                            country=x.country,
                            term=TERMS.get(x.kind, x.kind),
                            evidence=x.evidence,
                            start=max(body.find(x.evidence), 0),
                            end=max(body.find(x.evidence), 0) + len(x.evidence),
                        )
                        for x in g.figures
                    )
                    acronyms = sorted({x.agency for x in g.figures if x.agency in AGENCY_NAMES})
                    agencies = tuple(Agency(a, AGENCY_NAMES[a]) for a in acronyms)
                    countries = tuple(sorted({x.country for x in g.figures}))
                    entries.append((item, Report(body, figs, agencies, (), countries)))
                    figures += len(figs)
                if entries:
                    ids = store.add_items(
                        name, url, entries, alert_on_first_poll=False, now=fetched
                    )
                    stored += len(ids)
            print(
                f"  round {r + 1}/{rounds}: {stored:,} items stored, {time.monotonic() - t0:.0f} s",
                flush=True,
            )
    return stored, figures


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a closed notifier database (its WAL folded in first)."""
    with sqlite3.connect(src) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.copyfile(src, dst)
    return dst


def size_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--items", type=int, default=1_000_000, help="M items to fill (1,000,000)")
    p.add_argument("--feeds", type=int, default=1000, help="N feeds polled (1000)")
    p.add_argument("--latency-ms", type=float, default=200, help="L ms per answer (200)")
    p.add_argument("--repeat", type=int, default=2, help="busy runs per database, ABBA (2)")
    p.add_argument("--oldest-days", type=float, default=89)
    p.add_argument("--newest-days", type=float, default=8)
    p.add_argument("--keep", metavar="DIR", help="keep the databases and configs in DIR")
    add_common_options(p)
    return p.parse_args()


def timed(what: str, args: list[str]) -> c.RunResult:
    r = c.run_notifier(args)
    r.check(what, allowed=(0, 1))
    return r


def main() -> None:
    args = parse_args()
    args.profile = None
    print("\n".join(c.machine()))
    with tempfile.TemporaryDirectory(prefix="growth-bench-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        c.bytecode_cache(folder / "pycache")
        c.warm_up(folder)
        rig = PollRig(args, folder)
        feeds = [(f"Feed {n}", rig.server.url(n)) for n in range(args.feeds)]
        empty = folder / "empty.db"
        print(
            f"growth: {args.items:,} items, {args.feeds} feeds x {ITEMS_PER_FEED} items @ "
            f"{args.latency_ms:g} ms; load average {c.loadavg()}",
            flush=True,
        )
        first, _ = rig.poll(rig.config(empty, "config-empty.toml"))
        print(f"first poll (both databases start from it): {first.wall:.1f} s wall", flush=True)

        full = copy_db(empty, folder / "full.db")
        print(f"filling {full} with {args.items:,} items through the library ...", flush=True)
        t0 = time.monotonic()
        items, figures = fill_database(
            full,
            feeds,
            args.items,
            seed=args.seed,
            oldest_days=args.oldest_days,
            newest_days=args.newest_days,
        )
        fill_s = time.monotonic() - t0
        print(
            f"filled: {items:,} items, {figures:,} figures in {fill_s:.0f} s "
            f"({items / fill_s:,.0f} items/s); full.db {size_mb(full):,.0f} MB, "
            f"empty.db {size_mb(empty):,.0f} MB",
            flush=True,
        )

        rig.server.advance()
        order = [("empty", "full") if r % 2 == 0 else ("full", "empty") for r in range(args.repeat)]
        runs = [kind for pair in order for kind in pair]
        source = {"empty": empty, "full": full}
        walls: dict[str, list[float]] = {"empty": [], "full": []}
        lines = []
        for i, kind in enumerate(runs):
            last_use = kind not in runs[i + 1 :]
            db = source[kind] if last_use else copy_db(source[kind], folder / f"run-{i}.db")
            r, srv = rig.poll(rig.config(db, f"config-run-{i}.toml"))
            walls[kind].append(r.wall)
            lines.append(row(f"{kind}", args.feeds, srv["ok"] * ITEMS_PER_FEED, r, srv))
            print(f"busy on {kind}: {r.wall:.1f} s wall (others {r.others:.2f} cores)", flush=True)
            if not last_use:
                for p in folder.glob(f"run-{i}.db*"):
                    p.unlink()

        checks = {}
        for kind in ("empty", "full"):
            config = str(folder / f"config-{kind}.toml")
            rig.config(source[kind], f"config-{kind}.toml")
            checks[kind] = (
                timed("notifier feeds", ["feeds", "--config", config]),
                timed(
                    "notifier preview",
                    ["preview", "--subscriber", "desk@example.org", "--config", config],
                ),
            )

        print()
        print(header().replace("phase ", "db    "))
        print("\n".join(lines))
        mean = {k: statistics.mean(v) for k, v in walls.items()}
        ratio = mean["full"] / mean["empty"]
        print(
            f"\nbusy poll, {args.feeds} feeds x {ITEMS_PER_FEED} new items: empty "
            f"{' '.join(f'{w:.1f}' for w in walls['empty'])} s (mean {mean['empty']:.1f}), "
            f"full {' '.join(f'{w:.1f}' for w in walls['full'])} s (mean {mean['full']:.1f}); "
            f"full / empty = {ratio:.3f} (target <= 1.10)"
        )
        print(
            f"database: {items:,} filled items + {2 * args.feeds * ITEMS_PER_FEED:,} polled; "
            f"full.db {size_mb(full):,.0f} MB, empty.db {size_mb(empty):,.0f} MB"
        )
        for kind in ("empty", "full"):
            fr, pr = checks[kind]
            print(
                f"{kind}: notifier feeds {fr.wall:.2f} s ({fr.cpu:.2f} CPU s, "
                f"{fr.peak_rss_mb:.0f} MB); notifier preview --subscriber {pr.wall:.2f} s "
                f"({pr.cpu:.2f} CPU s, {pr.peak_rss_mb:.0f} MB)"
            )
        print(
            "(preview composes the busy day's items, which --dry-run left undelivered; "
            "compare full with empty)"
        )


if __name__ == "__main__":
    main()
