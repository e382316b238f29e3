"""Which place a name stands for, among those the gazetteer lists for it.

A country's name stands for the country ("Niger"), except before a word for an
administrative unit when it is also a subdivision's name ("Niger State" is
Nigerian). A name of several places goes to one in a country the text names
("Tripoli" in a story about Lebanon); without one, it counts only when it is
sure (an alias, a subdivision written with its unit or in several words, the
main name of a town of 100,000 people or more), the larger town first. So the
answer depends on three things: the name, whether a unit word follows it and
whether it has spaces (a `Naming`), and the countries the text names.

Most names stand for the same place whatever countries a text names: that is
worked out once per name (`PlaceName.fixed`) and `places.find_places` takes
them as it meets them; `decide` answers for the others once the whole text is
read. Finding the names in a text is `places.py`'s job; the index, `gazetteer.py`'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from notifier.extract.gazetteer import BIG_TOWN, Place

#: The most decisions `decide` remembers; a daemon runs for months.
MEMO_MAX = 200_000


# Compared and hashed by identity, as the index holds one object per name.
@dataclass(frozen=True, slots=True, eq=False)
class PlaceName:
    """The places one name may stand for, sorted out once, when the name is first met."""

    country: Place | None  # the country it names, if any (aliases first)
    places: tuple[Place, ...]  # the subdivisions and cities it names
    countries: frozenset[str]  # their countries: all of a text's that `stands_for` looks at
    # Whether a unit word after it ("Niger State", "Idlib province") or its
    # spacing may change what it stands for; for most names they may not, and
    # `find_places` does not look at them.
    contextual: bool
    # What it stands for in any text, at `2 * typed + spaced` (see `Naming`);
    # None where that depends on the countries the text names.
    fixed: tuple[Place | None, ...]

    @classmethod
    def of(cls, places: list[Place]) -> PlaceName:
        """The name whose index entry lists `places` (see `gazetteer.decode`)."""
        countries = [p for p in places if p.level == "country"]
        country = min(countries, key=lambda p: not p.alias, default=None)
        others = tuple(p for p in places if p.level != "country")
        codes = frozenset(p.country for p in others)
        return cls(country, others, codes, *_fixed(country, others, codes))


class Naming(NamedTuple):
    """One way a text writes a name: what decides its place, less the countries named."""

    name: PlaceName
    typed: bool  # a unit word follows it: "Idlib province"
    spaced: bool  # it has spaces: "Cox's Bazar", "Northern State"


def _fixed(
    country: Place | None, places: tuple[Place, ...], codes: frozenset[str]
) -> tuple[bool, tuple[Place | None, ...]]:
    """`PlaceName.contextual` and `PlaceName.fixed`, from the answer for each set of countries.

    (A name of places in more than four countries is left to be decided in each text.)
    """
    subdivided = any(p.level == "subdivision" for p in places)
    if len(codes) > 4:
        return subdivided, (country, country, None, None) if subdivided else (country,) * 4
    named = [set(n) for size in range(len(codes) + 1) for n in itertools.combinations(codes, size)]
    ways = [
        [stands_for(country, places, n, typed, spaced) for n in named]
        for typed in (False, True)
        for spaced in (False, True)
    ]
    contextual = any(len(set(answers)) > 1 for answers in zip(*ways, strict=True))
    return contextual, tuple(w[0] if len(set(w)) == 1 else None for w in ways)


def stands_for(
    country: Place | None,
    places: tuple[Place, ...],
    named: set[str],
    typed: bool,
    spaced: bool,
) -> Place | None:
    """What a name stands for in a text that names the countries `named` (see `Naming`).

    The country it names, unless a unit word follows and it also names a
    subdivision; else the best of its other places.
    """
    if country is not None and not (typed and any(p.level == "subdivision" for p in places)):
        return country
    return _best_place(places, named, typed, spaced)


def _best_place(
    places: tuple[Place, ...], named: set[str], typed: bool, spaced: bool
) -> Place | None:
    """Of the subdivisions and cities a name may stand for, the one it stands for.

    Those in the countries named; else those that are sure (see `_sure`), and of
    those in several countries the aliases or the cities, the largest. Then
    aliases first, main names before alternates, subdivisions first after a unit
    word and cities first otherwise, the largest.
    """
    pool = [p for p in places if p.country in named]
    if not pool:
        pool = [p for p in places if _sure(p, spaced, typed)]
        if len({p.country for p in pool}) > 1:
            pool = [p for p in pool if p.alias] or [p for p in pool if p.level == "city"]
            pool = [max(pool, key=lambda p: p.population)] if pool else []
    if not pool:
        return None
    if len(pool) == 1:
        return pool[0]
    first_level = "subdivision" if typed else "city"
    return min(pool, key=lambda p: (not p.alias, p.weak, p.level != first_level, -p.population))


def _sure(place: Place, spaced: bool, typed: bool) -> bool:
    """True when a name may stand for `place` without the text naming its country.

    An alias, a subdivision followed by a unit word or of several words, or the
    main name of a town of 100,000 people or more.
    """
    if place.alias:
        return True
    if place.level == "subdivision":
        return typed or spaced
    return not place.weak and place.population >= BIG_TOWN


#: What `decide` remembers: a naming and the countries named among its name's.
DecisionKey = tuple[Naming, frozenset[str]]


def decide(
    namings: Iterable[Naming], named: set[str], memo: dict[DecisionKey, Place | None]
) -> dict[Naming, Place | None]:
    """What each naming stands for in a text naming the countries `named`.

    The answer depends on the naming and on which of its name's countries are
    named; `memo` remembers it across texts, as the same names come back in
    every report.
    """
    decided = {}
    for naming in namings:
        name = naming.name
        key = (naming, name.countries & named)
        try:
            best = memo[key]
        except KeyError:
            if len(memo) > MEMO_MAX:
                memo.clear()
            best = memo[key] = stands_for(
                name.country, name.places, named, naming.typed, naming.spaced
            )
        decided[naming] = best
    return decided
