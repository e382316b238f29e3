"""CPU per feed item of the poll's worker steps, in-process, on one core.

A first poll is CPU-bound: each new item is parsed out of its feed, hashed for
the store (`content_hash`) and extracted, in the worker processes. This times
the three steps on N generated feeds of 30 items (`feedgen.py`, the items
`poll_bench.py` serves) and prints milliseconds an item for each, so a change to
one step shows in its own column. Every fifth feed is Atom, the others RSS 2.0.

    python benchmarks/item_cost.py          # 40 feeds
    python benchmarks/item_cost.py 100
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from feedgen import feed_document, make_item

from notifier.feeds.parse import parse_feed
from notifier.feeds.work import extract_items
from notifier.store.items import content_hash

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def measure(feeds: list[bytes]) -> tuple[dict[str, float], int]:
    """Seconds spent in each step over every feed, and the number of items."""
    spent = {"parse": 0.0, "hash": 0.0, "extract": 0.0}
    items = 0
    for body in feeds:
        a = time.perf_counter()
        parsed = parse_feed("bench", body, content_type="application/rss+xml", url="")
        b = time.perf_counter()
        for item in parsed:
            content_hash(item)
        c = time.perf_counter()
        extract_items(parsed)
        d = time.perf_counter()
        spent["parse"] += b - a
        spent["hash"] += c - b
        spent["extract"] += d - c
        items += len(parsed)
    return spent, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("feeds", nargs="?", type=int, default=40)
    args = parser.parse_args()
    feeds = [
        feed_document(f, [make_item(7, f, 0, i, NOW) for i in range(30)]) for f in range(args.feeds)
    ]
    measure(feeds[:2])  # warm: the extractor loads its data on first use
    spent, items = measure(feeds)
    per_item = {step: seconds / items * 1000 for step, seconds in spent.items()}
    print(f"{args.feeds} feeds, {items} items; ms an item:")
    print("  ".join(f"{step} {ms:.3f}" for step, ms in per_item.items()))
    print(f"total {sum(per_item.values()):.3f} ms an item on one core")


if __name__ == "__main__":
    main()
