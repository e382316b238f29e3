"""Grouping alerts into digest entries (`notifier.digest.group_alerts`), in-process.

A dry run or a digest after a busy day composes thousands of undelivered alerts;
grouping them into events compared every alert with every earlier one. This
times the grouping alone on N generated alerts (distinct events in 400 places of
10 countries, each a displacement figure), so its growth with N shows: doubling
N should roughly double the time, not quadruple it.

    python benchmarks/group_bench.py 1000 2000 4000
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from notifier.digest import group_alerts
from notifier.extract.models import Agency, Figure
from notifier.models import Alert, Level, StoredItem

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
PLACES = [f"Place{i}" for i in range(400)]
COUNTRIES = ["PAK", "SDN", "SYR", "COD", "MOZ", "HTI", "AFG", "YEM", "ETH", "SOM"]
WATCH = Level("watch", 1.0, "#8d6708", 0)


def alerts(n: int, seed: int = 1) -> list[Alert]:
    """N alerts, one displacement figure each, as `rules.evaluate` would make them."""
    rnd = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        country, place = rnd.choice(COUNTRIES), rnd.choice(PLACES)
        value = rnd.randrange(10000, 500000, 1000)
        title = f"Floods displace {value:,} in {place} {rnd.randrange(10**6)}"
        figure = Figure(
            "displaced", value, None, "people", "exact", None, place, country,
            "displaced", f"{value:,} people displaced.", 0, 9,
        )  # fmt: skip
        item = StoredItem(
            id=i, feed="Wire", guid=f"g{i}", link=f"http://x.org/{i}", title=title,
            published=NOW - timedelta(hours=rnd.randrange(100)), fetched_at=NOW,
            text=title + " said officials.", summary="", alertable=True, figures=(figure,),
            agencies=(Agency("UNHCR", "UN refugee agency"),), organisations=(),
            countries=(country,),
        )  # fmt: skip
        out.append(Alert(item, (figure,), value / 10000, WATCH, immediate=False))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="*", type=int, default=[1000, 2000, 4000], help="alerts")
    args = parser.parse_args()
    for n in args.n:
        found = alerts(n)
        start = time.perf_counter()
        groups = group_alerts(found, timedelta(hours=72))
        took = time.perf_counter() - start
        print(f"alerts {n:7d}  groups {len(groups):7d}  group_alerts {took:8.3f} s")


if __name__ == "__main__":
    main()
