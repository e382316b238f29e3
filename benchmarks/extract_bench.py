"""Throughput and memory of `notifier.extract.extract` on one core.

Generates documents on the fly from templates, extracts them one by one and
prints MB/s, documents/s and peak RSS, with the density of the corpus (number
tokens, sentences and figures per MB) beside each run, since the cost of
extraction is mostly per number and per figure. Two corpora:

- `reports`: situation reports and news stories as feeds carry them: long
  narrative sentences, some with numbers that are not figures (money, dates,
  rates) and one in seventeen with figures. It has about 5,600 number tokens,
  8,200 sentences and 600 figures per MB; real report feeds measured the same
  way have 6,000 numbers, 8,500 sentences and 200 figures per MB (ReliefWeb
  report items), 3,600 numbers and 1,200 figures per MB (UN News stories). This
  is the workload the 2 MB/s target is about.
- `dense`: a stress corpus of short sentences nearly all carrying numbers, a
  third of them figures (about 23,500 numbers, 14,400 sentences and 5,700
  figures per MB: four times the numbers of real reports and five to twenty-five
  times their figures), with every kind, hedge, range, key-figure box and
  number trap.

Each corpus size runs in its own process so that the peak RSS of the larger
run shows whether memory grows with the corpus.

    python benchmarks/extract_bench.py                     # both corpora, 25 MB and 75 MB
    python benchmarks/extract_bench.py --sizes 5 --corpus dense
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
    "{hedge}{n} people have been displaced by fighting in {place}, {Src} said.",
    "Floods have forced {hedge}{n} people from their homes in {place}, according to {Src}.",
    "The death toll in {place} rose to {n} on {day}, {Src} said.",
    "{Src} said {hedge}{n} people were killed and {m} injured in {place}.",
    "{Hedge}{n} families are sheltering in evacuation centres in {place}.",
    "Between {n} and {n2} people fled across the border into {country}.",
    "{Hedge}{w} people remain missing after the landslide near {place}.",
    "{Src} estimates that {hedge}{n} people in {country} need humanitarian assistance.",
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

# The `reports` corpus: narrative sentences with no number, sentences whose
# numbers are not figures, and figure sentences written as reports write them.
NARRATIVE_TEMPLATES = [
    "Humanitarian partners in {place} continue to scale up the response despite access "
    "constraints and insecurity along the main supply routes.",
    "Local authorities, together with {src}, are coordinating the distribution of shelter "
    "materials, hygiene kits and drinking water to the families hardest hit.",
    "Heavy rains over the past week have washed away roads and bridges, cutting off several "
    "communities in the hills north of {place}.",
    "The security situation in {country} remains volatile, with sporadic clashes reported on "
    "the outskirts of {place} and along the border.",
    "Health workers warned of a heightened risk of cholera and other waterborne diseases as "
    "sanitation facilities in the camps are overwhelmed.",
    "Schools have been turned into collective shelters, disrupting education for children who "
    "had only recently returned to the classroom.",
    "{Src} called on all parties to the conflict to respect international humanitarian law and "
    "to allow safe and unhindered access for aid workers.",
    "Markets in {place} have reopened, but the prices of staple foods remain well above their "
    "seasonal average, putting them out of reach for many households.",
    "Needs assessments are ongoing and the figures are expected to change as teams reach the "
    "most remote villages.",
    "The rainy season usually lasts until the end of October and is expected to bring further "
    "flooding to low-lying areas.",
    '"We are seeing families arrive with nothing but the clothes on their backs," a spokesperson '
    "for {src} told reporters in {place}.",
    "Access to {place} remains restricted by checkpoints and damaged infrastructure, and convoys "
    "are often delayed for days.",
    "Women and girls face increased risks of gender-based violence in overcrowded sites, where "
    "lighting and private latrines are scarce.",
    "Mobile clinics have been deployed to the worst-affected districts, and partners are "
    "repairing water points damaged by the floods.",
    "The authorities in {country} have declared a state of emergency in the affected provinces "
    "and requested international assistance.",
]
NUMERIC_TEMPLATES = [
    "The humanitarian response plan for {country} seeks US${k} million and was {p} per cent "
    "funded as of {dd} March {year}.",
    "Temperatures are forecast to drop below {t} degrees at night in the coming weeks.",
    "A convoy of {m} trucks reached {place} on {day}, carrying food, medicine and fuel.",
    "The earthquake struck at a depth of {k} kilometres shortly after {h}:{mm} local time.",
    "Since {year}, partners have delivered food assistance to {n} people across {k} districts.",
    "On {dd} March, the Humanitarian Country Team met in {place} to review the {year} "
    "contingency plan.",
    "Rainfall in the first {k} days of the month was {p} per cent above the average of the "
    "past {m} years.",
    "The next update on the situation will be issued on {dd} April {year} at {h}:{mm}.",
]
REPORT_FIGURE_TEMPLATES = [
    "According to {src}, {hedge}{n} people have been displaced since the fighting in {place} "
    "escalated, most of them now staying with host families or in makeshift shelters.",
    "The floods have killed {hedge}{m} people and injured {k} others in {country}, and the toll "
    "is expected to rise as rescue teams reach cut-off areas.",
    "{Src} estimates that {hedge}{n} people in {place} are in need of humanitarian assistance "
    "this year, up from last year's appeal.",
    "{Hedge}{w} people are still missing after the landslide that buried part of a village "
    "near {place} on {day}, local officials said.",
]


def _report_sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.06:
        return _fill(rng, rng.choice(REPORT_FIGURE_TEMPLATES))
    if roll < 0.3:
        return _fill(rng, rng.choice(NUMERIC_TEMPLATES))
    return _fill(rng, rng.choice(NARRATIVE_TEMPLATES))


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
        src=src,
        Src=src[:1].upper() + src[1:],
    )


def documents(total_bytes: int, seed: int = 7, corpus: str = "dense") -> Iterator[str]:
    """Documents of a few KB, of `corpus`, until `total_bytes` of text have been produced."""
    rng = random.Random(seed)
    produced = 0
    while produced < total_bytes:
        title = f"{rng.choice(COUNTRIES)}: {rng.choice(['Floods', 'Conflict', 'Earthquake'])}"
        paragraphs = [title]
        for _ in range(rng.randint(6, 18) if corpus == "dense" else rng.randint(4, 10)):
            if corpus == "dense":
                templates = [
                    rng.choice(FIGURE_TEMPLATES if rng.random() < 0.35 else FILLER_TEMPLATES)
                    for _ in range(rng.randint(2, 5))
                ]
                paragraphs.append(" ".join(_fill(rng, t) for t in templates))
            else:
                paragraphs.append(" ".join(_report_sentence(rng) for _ in range(rng.randint(3, 6))))
        doc = "\n\n".join(paragraphs)
        produced += len(doc.encode("utf-8"))
        yield doc


def run_one(megabytes: float, corpus: str) -> dict[str, float]:
    """Extract a corpus of `megabytes` MB in this process; return the measurements."""
    from notifier.extract import extract  # noqa: PLC0415  # imported here: timing excludes it
    from notifier.extract.numbers import NumberIndex  # noqa: PLC0415
    from notifier.extract.sentences import split_sentences  # noqa: PLC0415

    extract("Warm-up: 12 people were killed in Goma, OCHA said.")
    total = int(megabytes * 1_000_000)
    nbytes = ndocs = nfigs = nnumbers = nsentences = 0
    elapsed = 0.0
    for doc in documents(total, corpus=corpus):
        t0 = time.perf_counter()
        nfigs += len(extract(doc).figures)
        elapsed += time.perf_counter() - t0
        nbytes += len(doc.encode("utf-8"))
        ndocs += 1
        if ndocs % 10 == 0:  # the densities, from a sample, outside the timing
            nnumbers += 10 * len(NumberIndex(doc).tokens)
            nsentences += 10 * len(split_sentences(doc))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mb = nbytes / 1e6
    return {
        "mb": mb,
        "docs": ndocs,
        "figures": nfigs,
        "seconds": elapsed,
        "mb_per_s": mb / elapsed,
        "docs_per_s": ndocs / elapsed,
        "peak_rss_mb": peak_kb / 1024,
        "numbers_per_mb": nnumbers / mb,
        "sentences_per_mb": nsentences / mb,
        "figures_per_mb": nfigs / mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=float, default=[25.0, 75.0], help="MB each")
    parser.add_argument("--corpus", choices=["reports", "dense", "both"], default="both")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child, args.corpus)))
        return
    corpora = ["reports", "dense"] if args.corpus == "both" else [args.corpus]
    print(
        "corpus   corpus_MB  docs    figures  seconds  MB/s   docs/s  peak_RSS_MB"
        "  numbers/MB  sentences/MB  figures/MB"
    )
    for corpus in corpora:
        for size in args.sizes:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--corpus", corpus],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(proc.stdout)
            print(
                f"{corpus:7s}  {r['mb']:9.1f}  {r['docs']:6d}  {r['figures']:7d}  "
                f"{r['seconds']:7.1f}  {r['mb_per_s']:5.2f}  {r['docs_per_s']:6.0f}  "
                f"{r['peak_rss_mb']:11.1f}  {r['numbers_per_mb']:10.0f}  "
                f"{r['sentences_per_mb']:12.0f}  {r['figures_per_mb']:10.0f}"
            )


if __name__ == "__main__":
    main()
