"""Places named in a text: countries, their subdivisions and cities, with ISO codes.

Names match as written (case-sensitive, whole words, longest first: "South
Sudan", not "Sudan") from capitalised words, so a megabyte costs dictionary
look-ups, not a regex of fifty thousand names (the index: `gazetteer.py`).
Names of several places go to the country the text names ("Tripoli" in a story
about Lebanon), then to the larger town; small towns, whose names are often
surnames or words, count only when the text names their country (those rules:
`placenames.py`). A town's name inside a person's or a body's name ("President
Jackson", "Lake Victoria") and names shouted in a headline are left out here.

Demonyms ("Syrian", "Sudanese") are not place mentions: "Syrian refugees in
Lebanon" are in Lebanon, and a figure takes its place from where it happened.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

from notifier.extract import gazetteer
from notifier.extract.gazetteer import ADMIN_UNIT_WORDS, ARTICLES, Place, decode, norm
from notifier.extract.models import PlaceLevel
from notifier.extract.placenames import DecisionKey, Naming, PlaceName, decide

__all__ = ["PlaceMention", "document_countries", "find_places", "titled"]


# Not frozen: a frozen dataclass's __init__ sets each field through
# object.__setattr__, twice as slow, and a megabyte names 10,000 places.
@dataclass(slots=True)
class PlaceMention:
    """One naming of a place; `name` is `text[start:end]`, as the text writes it."""

    name: str
    country: str  # ISO 3166-1 alpha-3
    level: PlaceLevel
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    """The name index, as loaded from data/gazetteer.json.gz (see `gazetteer.encode`)."""

    names: dict[str, str]  # normalised name -> its places, encoded
    multi: dict[str, list[Any]]  # first word of names of several words -> [most words, next words]
    decoded: dict[str, PlaceName] = field(default_factory=dict)  # memo of `_named`
    follows: dict[str, frozenset[str]] = field(default_factory=dict)  # memo of `_follows`
    seen: dict[str, _Opening] = field(default_factory=dict)  # memo of `_opening`
    decisions: dict[DecisionKey, Place | None] = field(default_factory=dict)  # memo of `decide`


_SEEN_MAX = 200_000  # distinct capitalised words remembered; a daemon runs for months
_AFTER = re.compile(
    rf"[ \t]+(?i:{ADMIN_UNIT_WORDS})s?\b"
)  # "Idlib province", "Borno and Yobe states"
_UPPER = "".join(chr(i) for i in range(0x41, 0x250) if chr(i).isupper())
_SPACE = r"[ \t\u00a0]+"
_SPACES = frozenset(" \t\u00a0")
_BLANKS = frozenset(" \t")
# A capitalised word, or an abbreviation (U.S.). The look-behind sits after the
# first character so that the regex engine can skip to capitals quickly (4x
# faster); a capital after a hyphen starts a word only after an Arabic article
# ("al-Hasakah"), so "Guinea-Bissau" is one word.
_WORD = re.compile(
    rf"[{_UPPER}](?:(?<![\w'\u2019-].)|(?<=[\s(][aeu][a-z]-.)|(?<=[\s(]ash-.))"
    r"(?:(?<=[A-Z])\.(?:[A-Z]\.)+|[^\W_]*(?:['\u2019-][^\W_]+)*)"
)
_WORDS = re.compile(f"({_WORD.pattern})")  # to split a text at its words
_CONNECTOR = r"(?:of|the|de|del|da|do|dos|das|du|des|la|le|el|al|and|es|ez|y|upon|am|an|ad)"
# The next word of a multi-word name: connectors, then a capitalised word that
# may carry an article ("Bab al-Hawa", "Democratic Republic of the Congo").
_NEXT = re.compile(
    rf"((?:{_SPACE}{_CONNECTOR})*){_SPACE}"
    rf"((?:(?:{'|'.join(sorted(ARTICLES))}|d|l)['\u2019-])?[{_UPPER}][^\W_]*(?:['\u2019-][^\W_]+)*)"
)
_FOLLOW = re.compile(r"[ \t]+([^\W\d_][\w'\u2019-]*)")


@cache
def _gazetteer() -> _Gazetteer:
    """The name index, loaded once, with this process's memos."""
    names, multi = gazetteer.load()
    return _Gazetteer(names, multi)


def _named(gaz: _Gazetteer, key: str) -> PlaceName | None:
    """The places a normalised name stands for, if it is a name."""
    name = gaz.decoded.get(key)
    if name is None:
        raw = gaz.names.get(key)
        if raw is None:
            return None
        name = gaz.decoded[key] = PlaceName.of(decode(raw))
    return name


def _most(gaz: _Gazetteer, first: str) -> int:
    """The most words of a name that starts with this word (0: none)."""
    multi = gaz.multi.get(first)
    if multi is not None:
        return int(multi[0])
    return 1 if first in gaz.names else 0


def _follows(gaz: _Gazetteer, first: str) -> frozenset[str]:
    """The words that follow this first word in names."""
    found = gaz.follows.get(first)
    if found is None:
        multi = gaz.multi.get(first)
        found = gaz.follows[first] = frozenset(multi[1].split() if multi else ())
    return found


# A class with slots: `find_places` reads its fields for every capitalised
# word that may open a name, and a slot is read faster than a named tuple's field.
@dataclass(frozen=True, slots=True)
class _Opening:
    """A capitalised word as the opening of a place name: what names it can start."""

    first: str  # its normalised form
    most: int  # the most words of a name it can start (0: none)
    follows: frozenset[str] | None  # the words that can follow it, if it is one word
    name: PlaceName | None  # the places it names by itself (less a possessive "'s" or "'")
    cut: int  # the length of that possessive
    upper: bool  # that name is in capitals (see `_shouted`)
    # The characters that can come after it and a blank in a longer name (None:
    # any), so that most words ("The floods", "Pakistan and") end there cheaply.
    lead: frozenset[str] | None


_MOST = attrgetter("most")


def _opening(gaz: _Gazetteer, word: str) -> _Opening:
    """What a capitalised word can start: see `_Opening`."""
    first = norm(word)
    if word.isupper() and len(word) > 3 and not _most(gaz, first):
        # "SOMALIA: Flash floods in ...": a country in capitals opens a report's title.
        titled = norm(word.title())
        named = _named(gaz, titled) if _most(gaz, titled) == 1 else None
        if named is not None and all(p is not None and p.level == "country" for p in named.fixed):
            first = titled
    head = first.partition(" ")[0]
    most = _most(gaz, head) or _most(gaz, head.removesuffix("'s").rstrip("'"))
    follows = _follows(gaz, first) if most > 1 and " " not in first else None
    name, cut = _named(gaz, first), 0
    if name is None and first.endswith(("'s", "'")):  # Syria's, Idlib'
        cut = 2 if first.endswith("'s") else 1
        name = _named(gaz, first[:-cut])
    lead = None
    if follows is not None:  # what `_words_after` checks, by its first letter
        lead = _SPACES.union(
            [w[0] for w in follows], [w[0].upper() for w in follows if w in ARTICLES]
        )
    return _Opening(first, most, follows, name, cut, word[: len(word) - cut].isupper(), lead)


def _words_after(
    text: str, nxt: re.Match[str] | None, first: str, most: int, follows: frozenset[str] | None
) -> list[tuple[str, int]]:
    """The words that may continue a name after `first`, with their ends (-1: a connector).

    `nxt` is `_NEXT` matched right after `first`; `follows`, when `first` is one
    word, are the words that can come next.
    """
    out: list[tuple[str, int]] = []
    count = first.count(" ") + 1
    while count < most and nxt:
        joined, written = nxt.group(1, 2)
        connectors = joined.split()
        word = norm(written)
        head = connectors[0] if connectors else word.partition(" ")[0]
        if follows is not None and head.removesuffix("'s").rstrip("'") not in follows:
            break  # "The", "In", "May": no name goes on with this word
        follows = None
        out += [(c, -1) for c in connectors]
        out.append((word, nxt.end()))
        count += len(connectors) + word.count(" ") + 1
        nxt = _NEXT.match(text, nxt.end())
    return out


def _longer(
    gaz: _Gazetteer, text: str, opening: _Opening, end: int
) -> tuple[PlaceName | None, int] | None:
    """The longest name of several words from a word that can start one, and its end.

    `end` is where the word ends. None when no word after it can go on with it
    (see `_words_after`); no name when the words that can make none.
    """
    nxt = _NEXT.match(text, end)
    words = _words_after(text, nxt, opening.first, opening.most, opening.follows) if nxt else None
    if not words:
        return None
    return _longest(gaz, [(opening.first, end), *words]) or (None, end)


def _longest(gaz: _Gazetteer, words: list[tuple[str, int]]) -> tuple[PlaceName, int] | None:
    """The longest name of the first words of `words` (see `_words_after`), and its end."""
    for j in range(len(words), 0, -1):
        end = words[j - 1][1]
        if end < 0:
            continue
        key = " ".join(w for w, _ in words[:j]) if j > 1 else words[0][0]
        name = _named(gaz, key)
        if name is None and key.endswith(("'s", "'")):  # Syria's, Idlib'
            cut = 2 if key.endswith("'s") else 1
            name, end = _named(gaz, key[:-cut]), end - cut
        if name:
            return name, end
    return None


def _in_a_name(text: str, start: int, end: int, after: int) -> bool:
    """True when a town's name is part of a person's or a body's name.

    "President Jackson", "Lake Victoria", "Tahrir al-Sham" have a capitalised
    word before; "Hassan Rouhani", "Florence Nightingale" one after that is not
    a kind of place ("Kabul Airport", "Idlib Province"). Acronyms ("UNICEF
    Goma") and Title Case headlines, where every word has a capital, are exempt.
    `after` is where the place name before ended.
    """
    if after < start and text[start - 1] in _BLANKS:  # a word before, not a place's
        words = text[max(after, start - 30) : start].rsplit(None, 1)
        if words and words[-1][:1].isupper() and _namelike(words[-1]):
            return not _title_case(text, start, end)
    if (
        text[end : end + 1] not in _BLANKS
        or " " in text[start:end]
        # a word right after must start with a capital (told before a regex is tried)
        or ((c := text[end + 1 : end + 2]) not in _BLANKS and not c.isupper())
    ):
        return False
    nxt = _FOLLOW.match(text, end)
    if nxt is None or not _namelike(word := nxt.group(1)) or word in gazetteer.words("place_nouns"):
        return False
    return not _title_case(text, start, end)


def _namelike(word: str) -> bool:
    return (
        word[:1].isupper()
        and not word.isupper()
        and word[-1].isalnum()
        and word not in gazetteer.words("openers")
        and "." not in word
        and not word.endswith(("'s", "\u2019s"))  # "Russia's Sochi"
    )


def _title_case(text: str, start: int, end: int) -> bool:
    words = text[max(0, start - 40) : end + 40].split()[1:-1]
    return len(words) >= 4 and sum([w[:1].isupper() for w in words]) > 0.6 * len(words)


def _shouted(text: str, start: int, end: int) -> bool:
    """True for an all-capitals name in all-capitals words ("FLOODS HIT US TOWNS")."""
    window = text[max(0, start - 30) : start] + text[end : end + 30]
    return sum(map(str.islower, window)) < sum(map(str.isupper, window))


# A run of words in capitals opening a line: "SOUTH SUDAN: Floods ...", "DEMOCRATIC
# REPUBLIC OF THE CONGO - Ebola ...". Names match as written, so such a run is
# read in title case when it opens with a place name (`_headings`).
_HEADING = re.compile(
    r"(?m)^[ \t\u2022*#>-]*([A-Z][A-Z'\u2019.\-]*(?:[ \t]+[A-Z][A-Z'\u2019.\-]*){0,7})"
)
_LOWER_WORDS = frozenset("of the and de du des da la le y".split())
_HEADING_WORDS = 6  # the most words of a place name looked for in a heading


def titled(words: str) -> str:
    """Words in capitals as a name is written: "REPUBLIC OF THE CONGO" -> "Republic of the Congo".

    As long as `words`, so that what is found in it keeps its offsets.
    """
    out = [w if w.lower() not in _LOWER_WORDS else w.lower() for w in words.title().split(" ")]
    out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out).replace("'S", "'s").replace("\u2019S", "\u2019s")


def _headings(gaz: _Gazetteer, text: str) -> str:
    """`text` with the place names that open lines in capitals written in title case.

    Only the longest opening words that name a place change (the rest of a
    shouted headline stays as it is, see `_shouted`); one word must name a
    country or a province, for `_opening` already reads the others.
    """
    parts: list[str] = []
    done = 0
    for match in _HEADING.finditer(text):
        run = match.group(1)
        if " " not in run and "\t" not in run:
            continue
        words = run.split()
        for n in range(min(len(words), _HEADING_WORDS), 0, -1):
            if words[n - 1].lower() in _LOWER_WORDS:
                continue
            end = match.start(1) + len(" ".join(words[:n]))
            if text[match.start(1) : end] != " ".join(words[:n]):
                continue  # tabs or several spaces between the words
            name = titled(text[match.start(1) : end])
            found = _named(gaz, norm(name))
            if found is not None and (
                n > 1
                or found.country is not None
                or any(p.level != "city" or p.alias for p in found.places)
            ):
                parts += [text[done : match.start(1)], name]
                done = end
                break
    return "".join(parts) + text[done:] if parts else text


class _Pending(NamedTuple):
    """A name that `PlaceName.fixed` leaves to the text, waiting in `find_places`."""

    slot: int  # its place in the mentions
    start: int
    end: int
    naming: Naming
    after: int  # where the place name before it ended (see `_in_a_name`)


def find_places(text: str) -> list[PlaceMention]:
    """Every place the text names, in text order, with its country's ISO alpha-3 code.

    Longest gazetteer names starting at capitalised words, left to right. Prices
    ("US$") and names shouted in a headline are left out, but no name starts
    inside them either. Most names stand for the same place in any text
    (`PlaceName.fixed`) and are taken as met; the others wait for the countries
    the whole text names (see `_resolve`).
    """
    gaz = _gazetteer()
    text = _headings(gaz, text)
    dollar = "$" in text
    out: list[PlaceMention | None] = []  # None: pending
    pending: list[_Pending] = []
    doubtful: list[tuple[int, int, PlaceName]] = []  # towns' names in a person's or a body's
    done = 0  # where the last place name ended
    for opening, start, stop in _candidates(gaz, text):
        if start < done:
            continue
        name = opening.name
        # `_NEXT` starts with a space: "Sudan," and "Syria." go on with no name.
        # (A character that is not ASCII may lose its accent or case in `norm`.)
        if (
            opening.most > 1
            and text[stop : stop + 1] in _SPACES
            and (
                (lead := opening.lead) is None
                or (c := text[stop + 1 : stop + 2]) in lead
                or c > "\x7f"
            )
            and (longer := _longer(gaz, text, opening, stop))
        ):
            name, end = longer
            if name is None:
                continue
            upper = text[start:end].isupper()
        elif name:  # one word, the common case
            end = stop - opening.cut
            upper = opening.upper
        else:
            continue
        after, done = done, end
        if (dollar and text.startswith("$", end)) or (upper and _shouted(text, start, end)):
            continue
        typed = spaced = False
        if name.contextual:
            typed = _AFTER.match(text, end) is not None
            spaced = " " in text[start:end]
        place = name.fixed[2 * typed + spaced]
        if place is None:
            pending.append(_Pending(len(out), start, end, Naming(name, typed, spaced), after))
            out.append(None)
        elif place.alias or place.level == "country" or not _in_a_name(text, start, end, after):
            out.append(PlaceMention(text[start:end], place.country, place.level, start, end))
        else:
            doubtful.append((start, end, name))
    if pending:
        _resolve(text, out, pending, doubtful, gaz.decisions)
    return [_as_state(gaz, text, m) for m in out if m is not None]


_STATE_OF = re.compile(r"\bstate\s+of\s+$", re.IGNORECASE)


def _as_state(gaz: _Gazetteer, text: str, mention: PlaceMention) -> PlaceMention:
    """A country's name after "state of" that names a state: "the U.S. state of Georgia"."""
    if mention.level != "country" or not _STATE_OF.search(
        text, max(0, mention.start - 12), mention.start
    ):
        return mention
    name = _named(gaz, norm(mention.name))
    states = [p for p in name.places if p.level == "subdivision"] if name else []
    if len(states) != 1:
        return mention
    return PlaceMention(mention.name, states[0].country, "subdivision", mention.start, mention.end)


def _candidates(gaz: _Gazetteer, text: str) -> Iterator[tuple[_Opening, int, int]]:
    """The capitalised words that may start a place name, with their start and end.

    Most capitalised words start none: those that may are picked out with C-level
    steps (split, map, compress) rather than one by one.
    """
    seen = gaz.seen
    parts = _WORDS.split(text)  # between, word, between, word...
    words = parts[1::2]
    try:
        openings = list(map(seen.__getitem__, words))
    except KeyError:  # words not met before
        if len(seen) > _SEEN_MAX:
            seen.clear()
        for word in words:
            if word not in seen:
                seen[word] = _opening(gaz, word)
        openings = list(map(seen.__getitem__, words))
    bounds = list(itertools.accumulate(map(len, parts)))  # word i: bounds[2 * i : 2 * i + 2]
    spans = zip(openings, bounds[::2], bounds[1::2], strict=False)  # one more start: the end
    return itertools.compress(spans, map(_MOST, openings))


def _resolve(
    text: str,
    out: list[PlaceMention | None],
    pending: list[_Pending],
    doubtful: list[tuple[int, int, PlaceName]],
    decisions: dict[DecisionKey, Place | None],
) -> None:
    """Fill in `out` the places of the names that depend on the countries named.

    Two passes: the countries the text names, then also the countries of the
    places it names surely ("Rakhine" makes "Kachin" Myanmar's) and those that
    two doubtful names agree on ("Badghis" and "Farah"). `doubtful` holds the
    names of towns left out as part of a person's or a body's name.
    """
    named = {m.country for m in out if m is not None and m.level == "country"}
    left = _fill(text, out, pending, named, decisions)
    if not left:
        return
    doubtful += [(p.start, p.end, p.naming.name) for p in left]
    agreed = Counter(
        country
        for country, _ in {
            (c.country, text[start:end])
            for start, end, name in doubtful
            for c in name.places
            if not c.weak
        }
    )
    more = {m.country for m in out if m is not None}
    more |= {country for country, names in agreed.items() if names > 1}
    if new := more - named:  # only names in those countries may stand for another place
        again = [p for p in left if p.naming.name.countries & new]
        _fill(text, out, again, named | new, decisions)


def _fill(
    text: str,
    out: list[PlaceMention | None],
    pending: list[_Pending],
    named: set[str],
    decisions: dict[DecisionKey, Place | None],
) -> list[_Pending]:
    """Fill in `out` the places of `pending` in a text naming `named`; those left out."""
    decided = decide({p.naming for p in pending}, named, decisions)
    left = []
    for p in pending:
        place = decided[p.naming]
        start, end = p.start, p.end
        if place is not None and (
            place.alias or place.level == "country" or not _in_a_name(text, start, end, p.after)
        ):
            out[p.slot] = PlaceMention(text[start:end], place.country, place.level, start, end)
        else:
            left.append(p)
    return left


def document_countries(mentions: list[PlaceMention]) -> tuple[str, ...]:
    """Countries of the places named, most mentioned first, ties by first mention."""
    counts = Counter(m.country for m in mentions)  # in order of first mention
    return tuple(sorted(counts, key=lambda c: -counts[c]))  # a stable sort keeps that order
