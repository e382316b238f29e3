"""Figures (displaced, killed, injured, missing, casualties, at risk) from report text.

`extract(text)` returns a `Report`; see EXTRACTION.md for what counts.

Where each concern lives:

- `pipeline`: the composition, text -> sentences -> numbers -> figures -> Report
- `sentences`: sentence offsets (hard-wrapped lines and key-figure boxes joined)
- `numbers`: every number of a text that could be a count, ranges merged
- `numerals`: how a number is written and what it is worth (digits, words, vague plurals)
- `triggers`: every kind trigger of a text, found in one gated scan
- `figures`: the rules that decide a figure (what a number counts, kind, qualifier)
- `fastpath`: what makes those rules fast (lower-cased patterns, last-word tests, gates)
- `lexicon`: the word lists and patterns those rules are made of
- `attribution`: which UN entity a figure is attributed to
- `agencies`: UN entities and other bodies named in a text (`data/agencies.toml`)
- `places`: the places a text names; `placenames`: which place a name stands for
- `country`: the country of the people a figure counts; `roles`: what each place
  mention does in its sentence (where, from, to, host, venue, actor, border)
- `language`: the language of a text (fastText lid.176, loaded when not plainly English)
- `gazetteer`: the place index, shipped in `data/` (rebuilt by scripts/build_gazetteer.py)
- `dedup`: one figure per fact
- `wordtrie`: word lists as prefix-factored regexes; matching on lower-cased text
- `models`: what extraction returns (`Report`, `Figure`, ...), and the figure kinds
"""

from typing import TYPE_CHECKING

from notifier.extract.models import (
    KINDS,
    Agency,
    Figure,
    Kind,
    Organisation,
    Qualifier,
    Report,
    Unit,
)

if TYPE_CHECKING:
    from notifier.extract.pipeline import extract

__all__ = [
    "KINDS",
    "Agency",
    "Figure",
    "Kind",
    "Organisation",
    "Qualifier",
    "Report",
    "Unit",
    "extract",
]


def __getattr__(name: str) -> object:
    """`extract` is imported on first use, not with the package.

    The records of `models` are what most of notifier needs (config, store,
    digest); the extractor's patterns take a fifth of a second to compile, paid
    by every command that never extracts and by the poll's main process, whose
    workers do the extracting.
    """
    if name == "extract":
        from notifier.extract.pipeline import extract  # noqa: PLC0415 (deferred on purpose)

        globals()["extract"] = extract  # asked once
        return extract
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
