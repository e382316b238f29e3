"""Throughput and memory of `notifier.extract.extract` on one core.

Generates report-like documents on the fly from templates (figures of every
kind, hedges, ranges, key-figure boxes, agencies, places, and filler full of
numbers that are not figures), extracts them one by one and prints MB/s,
documents/s and peak RSS. Each corpus size runs in its own process so that the
peak RSS of the larger run shows whether memory grows with the corpus.

    python benchmarks/extract_bench.py                 # 25 MB and 75 MB
    python benchmarks/extract_bench.py --sizes 5 10    # quicker
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator

PLACES = [
    "Idlib",
    "Sindh",
    "Khartoum",
    "Darfur",
    "Port-au-Prince",
    "Beira",
    "Goma",
    "Cox's Bazar",
    "Tigray",
    "Kharkiv",
    "Derna",
    "Herat",
    "Maiduguri",
    "Mogadishu",
    "Sittwe",
    "Gaza",
]
COUNTRIES = [
    "Syria",
    "Pakistan",
    "Sudan",
    "Haiti",
    "Mozambique",
    "DR Congo",
    "Bangladesh",
    "Ethiopia",
    "Ukraine",
    "Libya",
    "Afghanistan",
    "Nigeria",
    "Somalia",
    "Myanmar",
    "Yemen",
    "Chad",
]
AGENCIES = [
    "OCHA",
    "UNHCR",
    "the UN refugee agency",
    "IOM",
    "UNICEF",
    "the World Food Programme",
    "WHO",
    "the UN Office for the Coordination of Humanitarian Affairs",
    "UNFPA",
    "UNRWA",
]
OTHERS = ["the health ministry", "local officials", "the Red Cross", "police", "MSF"]
HEDGES = ["", "about ", "more than ", "at least ", "nearly ", "up to ", "some ", "an estimated "]
FIGURE_TEMPLATES = [
    "{hedge}{n} people have been displaced by fighting in {place}, {src} said.",
    "Floods have forced {hedge}{n} people from their homes in {place}, according to {src}.",
    "The death toll in {place} rose to {n} on {day}, {src} said.",
    "{src} said {hedge}{n} people were killed and {m} injured in {place}.",
    "{Hedge}{n} families are sheltering in evacuation centres in {place}.",
    "Between {n} and {n2} people fled across the border into {country}.",
    "{Hedge}{w} people remain missing after the landslide near {place}.",
    "{src} estimates that {hedge}{n} people in {country} need humanitarian assistance.",
    "Hundreds of people were injured and thousands more displaced in {place}.",
    "• {Hedge}{n} people killed since {day}, including {m} children.",
    "KEY FIGURES\n{n}\npeople displaced\n{m}\npeople injured\n{k}\nhouses destroyed",
]
FILLER_TEMPLATES = [
    "The appeal for ${k} million is {p} per cent funded, officials said on {day}.",
    "A convoy of {m} trucks crossed at {h}:{mm} a.m. on {dd} March {year}.",
    "WFP has reached {n} people with food assistance in {place} since {year}.",
    "The {age}-year-old mayor of {place} said {k} schools and {m} clinics had been damaged.",
    "Temperatures reached {t} degrees as {m} villages lost power for {h} hours.",
    "Share this: Facebook | Twitter | Email\n{m} users have voted | Comments ({h})",
    "The council met in {place} to discuss the mandate of the mission in {country}.",
    "Officials in {country} said the situation remained calm but tense overnight.",
    "Aid agencies warned that access to {place} remained difficult after heavy rain.",
    "About {p} per cent of the {n} residents of {place} have returned home.",
]
WORDS = ["two", "three", "a dozen", "sixteen", "forty", "half a million", "two million"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _fill(rng: random.Random, template: str) -> str:
    hedge = rng.choice(HEDGES)
    n = rng.randint(5, 900) * rng.choice([1, 10, 100, 1000])
    src = rng.choice(AGENCIES + OTHERS)
    return template.format(
        hedge=hedge,
        Hedge=hedge.capitalize(),
        n=f"{n:,}",
        n2=f"{n * 2:,}",
        m=rng.randint(2, 999),
        k=rng.randint(2, 99),
        w=rng.choice(WORDS),
        p=rng.randint(1, 99),
        t=rng.randint(20, 48),
        h=rng.randint(1, 12),
        mm=f"{rng.randint(0, 59):02d}",
        dd=rng.randint(1, 28),
        age=rng.randint(18, 90),
        year=rng.randint(1990, 2024),
        day=rng.choice(DAYS),
        place=rng.choice(PLACES),
        country=rng.choice(COUNTRIES),
        src=src[:1].upper() + src[1:] if src[0].islower() else src,
    )


def documents(total_bytes: int, seed: int = 7) -> Iterator[str]:
    """Documents of about 2-6 KB until `total_bytes` of text have been produced."""
    rng = random.Random(seed)
    produced = 0
    while produced < total_bytes:
        title = f"{rng.choice(COUNTRIES)}: {rng.choice(['Floods', 'Conflict', 'Earthquake'])}"
        paragraphs = [title]
        for _ in range(rng.randint(6, 18)):
            templates = [
                rng.choice(FIGURE_TEMPLATES if rng.random() < 0.35 else FILLER_TEMPLATES)
                for _ in range(rng.randint(2, 5))
            ]
            paragraphs.append(" ".join(_fill(rng, t) for t in templates))
        doc = "\n\n".join(paragraphs)
        produced += len(doc.encode("utf-8"))
        yield doc


def run_one(megabytes: float) -> dict[str, float]:
    """Extract a corpus of `megabytes` MB in this process; return the measurements."""
    from notifier.extract import extract  # noqa: PLC0415  # imported here: timing excludes it

    extract("Warm-up: 12 people were killed in Goma, OCHA said.")
    total = int(megabytes * 1_000_000)
    nbytes = ndocs = nfigs = 0
    gen_time = 0.0
    elapsed = 0.0
    docs = documents(total)
    while True:
        t0 = time.perf_counter()
        doc = next(docs, None)
        t1 = time.perf_counter()
        gen_time += t1 - t0
        if doc is None:
            break
        nfigs += len(extract(doc).figures)
        elapsed += time.perf_counter() - t1
        nbytes += len(doc.encode("utf-8"))
        ndocs += 1
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "mb": nbytes / 1e6,
        "docs": ndocs,
        "figures": nfigs,
        "seconds": elapsed,
        "mb_per_s": nbytes / 1e6 / elapsed,
        "docs_per_s": ndocs / elapsed,
        "peak_rss_mb": peak_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=float, default=[25.0, 75.0], help="MB each")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child)))
        return
    print("corpus_MB  docs    figures  seconds  MB/s   docs/s  peak_RSS_MB")
    for size in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout)
        print(
            f"{r['mb']:9.1f}  {r['docs']:6d}  {r['figures']:7d}  {r['seconds']:7.1f}  "
            f"{r['mb_per_s']:5.2f}  {r['docs_per_s']:6.0f}  {r['peak_rss_mb']:11.1f}"
        )


if __name__ == "__main__":
    main()
