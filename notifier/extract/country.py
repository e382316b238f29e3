"""The country of the people a figure counts (EXTRACTION.md, "Output").

A sentence names places for many reasons: where the people are ("killed in
Derna"), where they fled from or to ("fled Ukraine", "crossed into Poland"),
who hosts them ("Chad hosts 600,000 refugees"), where something was said
("told a briefing in Geneva"), who attacked or mediated ("rockets fired from
Gaza", "talks brokered by Qatar"), or a border ("near the border with Mali").
Only the first four place the counted people, so each place mention gets a
role from the words around it (`roles.py`), and a figure's country is chosen
from the roles in the clause of its number, then the rest of its sentence,
then the paragraph so far, then the document's main country (dateline, title
and how often each country is named). Several countries for the same people
("in Spain and Portugal", "across the three countries", "in Europe") give
null, as the guideline asks. Refugees count for the country they fled, named
as a place or a demonym ("135,000 Somalis"), unless one country hosts them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from notifier.extract import roles
from notifier.extract.models import Kind, PlaceLevel
from notifier.extract.numerals import NUMBER_RE
from notifier.extract.places import PlaceMention, find_places, titled
from notifier.extract.roles import Role
from notifier.extract.spread import ABROAD, REGIONAL_TITLE, RELATIVE, SPREAD

__all__ = ["Placer"]

_LEVEL_RANK = {"city": 3, "subdivision": 2, "country": 1}
# Where a clause ends: a semicolon, a dash between words, a bracket, or a comma
# before a lower-case word ("..., many heading west", "..., with 1,641 injured").
# A comma before a capital goes on with a list of places ("Kabkabiya, North Darfur").
_CLAUSE_END = re.compile(r";|\s(?:--|[-\u2013\u2014])\s|[()]|,\s+(?=[a-z\d])")
# Paragraphs: a blank line, or a line opened by a bullet.
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*[\u2022*\u25aa\u25cf-][ \t])")
# A dateline: "GOMA, Democratic Republic of Congo, May 27 (Newswire) -", "KATHMANDU -".
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<city>[A-Z][A-Z'\u2019.\-]+(?:[ /][A-Z][A-Z'\u2019.\-]+)*)"
    r"(?P<rest>(?:,[ \t]*[^,\n()]{2,40}?)?(?:,[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?)"
    r"[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*[-\u2013\u2014]+[ \t]"
)
_DATELINE_REACH = 1500  # characters from the start where a dateline may stand
_TITLE_REACH = 400  # characters from the start that a title may take
_CARRY_REACH = 1500  # characters back that a paragraph's place is carried
_MAIN_REACH = 200  # place mentions looked back at for the main country's last place


@dataclass(frozen=True, slots=True)
class _Seen:
    """A place mention with its role in its sentence."""

    mention: PlaceMention
    role: Role


Placed = tuple[str | None, str | None, PlaceLevel | None]


class Placer:
    """Places the figures of one text: built once, asked once per figure."""

    def __init__(self, text: str, mentions: list[PlaceMention]) -> None:
        self._text = text
        self._mentions = mentions
        self._starts = [m.start for m in mentions]
        self._roles: dict[int, Role] = {}
        self._dateline = _dateline(text)
        self._paragraphs = [0] + [m.end() for m in _PARAGRAPH.finditer(text)]

    def place(self, start: int, end: int, position: int, kind: Kind) -> Placed:
        """The place, country and level of a figure whose number starts at `position`.

        `start`/`end` bound its sentence.
        """
        text = self._text
        lo = start
        if start <= self._dateline[0] < end and self._dateline[1] <= position:
            lo = self._dateline[1]  # "ANTAKYA, Türkiye, Feb 8 (Newswire) - The toll..."
        spread = [
            m.span()
            for m in SPREAD.finditer(text, lo, end)
            # "across the region" in a story naming one country is a region of it
            if not (m.group().lower().endswith("region") and self._one_country)
        ]
        seen = self._seen(lo, end)
        if spread:  # "across the Lake Chad Basin" names no one country
            seen = [s for s in seen if not any(a <= s.mention.start < b for a, b in spread)]
        clause_lo, clause_hi = _clause(text, lo, end, position)
        if kind == "displaced":
            hosts = [s for s in seen if s.role is Role.HOST]
            # "Egypt has received 1.2 million, and Chad 700,000": Chad is in the clause.
            other = [
                s
                for s in seen
                if clause_lo <= s.mention.start < clause_hi
                and s.role in (Role.WHERE, Role.FRONT)
                and hosts
                and s.mention.country != hosts[0].mention.country
            ]
            if _one_country(hosts) and not other:
                return _named(hosts, position)
        clause = _Clause(
            text,
            [s for s in seen if clause_lo <= s.mention.start < clause_hi or s.role is Role.FRONT],
            clause_lo,
            clause_hi,
            position,
        )
        if kind == "displaced":
            # Without a word of flight in the sentence, the people are where it happened:
            # "a fire in Cox's Bazar left 12,000 Rohingya refugees homeless".
            settled = None if _FLIGHT.search(text, lo, end) else seen
            found = _displaced(clause, self.main, settled)
        else:
            found = _where(clause)
        if found is not None:
            return found
        if kind == "displaced" and (demonym := roles.origin_demonym(text, lo, end)):
            return None, demonym, "country"  # "Venezuelan refugees ..., 6.5m of them in ..."
        if (
            kind == "displaced"
            and self.main is not None
            and any(ABROAD.fullmatch(text, a, b) for a, b in spread)
        ):  # "751,000 refugees in neighbouring countries": from the country of the story
            return None, self.main, "country"
        # In the clause, or opening the sentence: "Across both countries, some 26 million ...";
        # elsewhere in a sentence that names no place where people are, unless it
        # tells what an organisation does ("UNICEF, which works in 190 countries, ...").
        if any((a < clause_hi and b > clause_lo) or a - lo < 4 for a, b in spread) or (
            not any(s.role in _WHERE for s in seen)
            and any(not RELATIVE.search(text, max(lo, a - 60), a) for a, _ in spread)
        ):
            return None, None, None
        return _elsewhere(seen, position) or self._carried(lo, kind) or self._in_main(lo)

    @cached_property
    def _one_country(self) -> bool:
        return len({m.country for m in self._mentions}) <= 1

    def _seen(self, start: int, end: int) -> list[_Seen]:
        """The mentions between `start` and `end` with their roles (venues and actors left out)."""
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end)
        out: list[_Seen] = []
        for i in range(lo, hi):
            role = self._role(i)
            if role is Role.WHERE and (
                roles.fronted(self._text, start, self._mentions[i].start)
                or (out and out[-1].role is Role.FRONT and self._listed(i))
            ):
                role = Role.FRONT
            if role not in _IGNORED:
                out.append(_Seen(self._mentions[i], role))
        return out

    def _listed(self, index: int) -> bool:
        """True when the mention at `index` goes on a list after the one before it."""
        return roles.listed(self._text, self._mentions[index - 1], self._mentions[index])

    def _role(self, index: int) -> Role:
        role = self._roles.get(index)
        if role is None:
            # A mention listed after another takes its role ("teams from Egypt, Turkey
            # and the UAE"): the ones just before are told first, in text order.
            first = index
            mentions = self._mentions
            while (
                first
                and first - 1 not in self._roles
                and mentions[first].start - mentions[first - 1].end < _LIST_GAP
            ):
                first -= 1
            for i in range(first, index):
                self._role(i)
            mention = self._mentions[index]
            if self._dateline[0] <= mention.start < self._dateline[1]:
                role = Role.DATELINE
            else:
                previous = self._mentions[index - 1] if index else None
                earlier = self._roles.get(index - 1, Role.WHERE) if previous else Role.WHERE
                role = roles.role_of(self._text, mention, previous, earlier)
            self._roles[index] = role
        return role

    def _carried(self, start: int, kind: Kind) -> Placed | None:
        """The last place the paragraph named before `start`, where people are.

        A place people came from is carried to a count of the displaced only:
        after "gunmen who crossed from Burkina Faso attacked two villages",
        "79 civilians were killed" were killed where the villages are.
        Looked for back to `_CARRY_REACH` characters only: a text with no blank
        lines is one paragraph, and each figure must not walk all of it.
        """
        paragraph = self._paragraphs[bisect_right(self._paragraphs, start) - 1]
        floor = max(paragraph, start - _CARRY_REACH)
        for i in range(bisect_left(self._starts, start) - 1, -1, -1):
            mention = self._mentions[i]
            if mention.start < floor:
                break
            role = self._role(i)
            if role in _WHERE and (role is not Role.ORIGIN or kind == "displaced"):
                return mention.name, mention.country, mention.level
        return None

    @cached_property
    def main(self) -> str | None:
        """The country the document is about: title, dateline and frequency.

        Each mention counts (3 in the title, else 1) unless its role says it is
        not where the story is; the dateline adds its weights; ties go to the
        country named first. A role only takes weight away, so the countries
        are scored from the most mentioned down and the roles of the rest are
        not worked out once none of them can win.
        """
        title_end = self._text.find("\n\n", 0, _TITLE_REACH)
        title_end = _TITLE_REACH if title_end < 0 else title_end
        if REGIONAL_TITLE.match(self._text, 0, title_end):
            return None  # "SOUTHERN AFRICA: Tropical Cyclone ...": no one country's story
        most: Counter[str] = Counter()  # each country's score if no role took weight away
        mentions: dict[str, list[int]] = {}
        for i, mention in enumerate(self._mentions):
            most[mention.country] += 3 if mention.start < title_end else 1
            mentions.setdefault(mention.country, []).append(i)
        dated = {country: n for n, (country, _) in enumerate(self._dateline[2])}
        for country, weight in self._dateline[2]:
            most[country] += weight
        best: tuple[int, int, str] | None = None  # score, minus where first named, country
        for country, bound in most.most_common():
            if best is not None and bound < best[0]:
                break  # the roles cannot give this one, nor any after it, more than the best
            score, first = 0, None
            for i in mentions.get(country, ()):
                role = self._role(i)
                if role not in _IGNORED and role is not Role.DATELINE:
                    score += 3 if self._mentions[i].start < title_end else 1
                    first = i if first is None else first
            score += sum(weight for c, weight in self._dateline[2] if c == country)
            if first is None:  # named in the dateline only: after every named country
                first = len(self._mentions) + dated.get(country, 0)
            if score and (best is None or (score, -first) > best[:2]):
                best = (score, -first, country)
        return None if best is None else best[2]

    def _in_main(self, start: int) -> Placed:
        """The main country, at the last place in it named before `start` (where people are).

        So a figure in a paragraph of its own keeps the place of the story so
        far ("48 killed" after "displaced in Sofala"), and a follow-up finds it.
        """
        main = self.main
        if main is not None:
            last = bisect_left(self._starts, start) - 1
            for i in range(last, max(-1, last - _MAIN_REACH), -1):
                mention = self._mentions[i]
                if mention.country == main and self._role(i) in _WHERE:
                    return mention.name, main, mention.level
        return self._main_place

    @cached_property
    def _main_place(self) -> Placed:
        """The main country, at its most named place ("Idlib" in a story about Idlib).

        On a tie, the least specific: a fact about the whole story is not tied
        to a town the story names as often as its country.
        """
        main = self.main
        if main is None:
            return None, None, None
        counts: Counter[tuple[str, PlaceLevel]] = Counter()
        for i, mention in enumerate(self._mentions):
            if mention.country == main and self._role(i) not in _IGNORED:
                counts[mention.name, mention.level] += 1
        if not counts:
            dateline = self._dateline[3]
            return dateline if dateline and dateline[1] == main else (None, main, None)
        (name, level), _ = max(
            counts.items(), key=lambda kv: (kv[1], -_LEVEL_RANK.get(kv[0][1], 0))
        )
        return name, main, level


# Between a place and the number it leads: "Malawi 4.2 million", "Chad: 300", "Niger has 80".
# ("Zambia and 300 in Malawi": Zambia is still the number before's.)
_LEADS = re.compile(r"(?:'s|\u2019s)?[ \t:,]*(?:(?!(?:and|or|but|while)\b)[a-z]+[ \t]+)?")
# Between a count and the place right after it: "4 people in ", "12 civilians in the ".
_RIGHT_AFTER = re.compile(r"(?:\s+[^\W\d_]+){0,2}\s+(?:in|at)\s+(?:the\s+)?")
_REPORTED = re.compile(
    r"\b(?:said|says|reported|reports|told|announced|estimated|estimates|stated|warned"
    r"|confirmed|according to)\b"
)
_UNKNOWN_AREA = re.compile(
    r"\b(?:in|from)\s+[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)?\s+(?:county|district|province"
    r"|region|state|governorate|municipality|prefecture|territory|department)\b"
)
_FLIGHT = re.compile(
    r"\b(?:fle[de]|flee(?:s|ing)|escap(?:e|ed|ing)|cross(?:ed|es|ing)|arriv(?:ed|als?|ing)"
    r"|forced|driven|uprooted|displaced from|returned|sought|seek(?:ing)?|hosts?|hosting"
    r"|hosted)\b",
    re.IGNORECASE,
)
_LIST_GAP = 40  # a place within this of the one before may take its role (`roles.role_of`)
_WHERE = frozenset({Role.WHERE, Role.FRONT, Role.ORIGIN, Role.HOST})
_IGNORED = frozenset(
    {
        Role.VENUE,
        Role.ACTOR,
        Role.BORDER,
        Role.SOURCE,
        Role.DATELINE,
        Role.NATIONALITY,
        Role.FEATURE,
    }
)


@dataclass(frozen=True, slots=True)
class _Clause:
    """The clause of a figure's number: its bounds, the mentions that bear on it."""

    text: str
    seen: list[_Seen]  # the mentions in it, and a locative opening the sentence
    lo: int
    hi: int
    position: int  # where the number starts

    def having(self, *wanted: Role) -> list[_Seen]:
        return [s for s in self.seen if s.role in wanted]

    def one_or_none(self, seen: list[_Seen]) -> Placed:
        """The place of these mentions if in one country, none if the count spans several.

        Several countries are told apart by a reporting verb between them ("the
        ICRC in Geneva said 40 died in Tigray": who said it is not where) and
        by other numbers ("165 in Malawi and 21 in Mozambique").
        """
        if not _one_country(seen):
            seen = self._narrowed(seen, _REPORTED)
        if not _one_country(seen):
            seen = self._narrowed(seen, NUMBER_RE)  # in words too: "seven in Guatemala"
        if not _one_country(seen):
            seen = self._right_after(seen)
        return _named(seen, self.position) if _one_country(seen) else (None, None, None)

    def _right_after(self, seen: list[_Seen]) -> list[_Seen]:
        """The country named right after the count ("killed 4 people in Sri Lanka before ...")."""
        number = NUMBER_RE.match(self.text, self.position)
        after = number.end() if number else self.position + 1
        for i, s in enumerate(seen):
            if s.mention.start > after and _RIGHT_AFTER.fullmatch(
                self.text, after, s.mention.start
            ):
                listing = i + 1 < len(seen) and roles.listed(
                    self.text, s.mention, seen[i + 1].mention
                )  # "11,300 people in Guinea, Liberia and Sierra Leone": all of them
                return (
                    seen if listing else [t for t in seen if t.mention.country == s.mention.country]
                )
        return seen

    def _narrowed(self, seen: list[_Seen], cut: re.Pattern[str]) -> list[_Seen]:
        """The mentions between the cuts around the number (and a sentence-opening locative).

        After a cut before the number, the places after the number first.
        """
        text, position = self.text, self.position
        number = NUMBER_RE.match(text, position)
        after = number.end() if number else position + 1
        nxt = cut.search(text, after, self.hi)
        lo = max((m.end() for m in cut.finditer(text, self.lo, position)), default=self.lo)
        hi = nxt.start() if nxt else self.hi
        near = [
            s
            for s in seen
            if lo <= s.mention.start < hi
            # "Zambia has 6 million ... and Malawi 4.2 million": Malawi is the next number's
            and not (nxt and s.mention.start > after and _LEADS.fullmatch(text, s.mention.end, hi))
        ]
        if lo > self.lo:  # "118 in Malawi and 14 in Zambia"
            near = [s for s in near if s.mention.start > position] or near
        if not any(s.role is not Role.FRONT for s in near):  # "In Mali, ..., and in Niger 335,000"
            near += [s for s in seen if s.role is Role.FRONT and s not in near]
        return near if near and len(near) < len(seen) else seen


def _where(clause: _Clause) -> Placed | None:
    """The place of a count that is not of displaced people: where it happened.

    Where people came from counts only when nothing says where it happened
    ("tourists from France were killed in Mali": Mali).
    """
    where = clause.having(Role.WHERE, Role.FRONT, Role.HOST) or clause.having(Role.ORIGIN)
    return clause.one_or_none(where) if where else None


def _displaced(clause: _Clause, main: str | None, settled: list[_Seen] | None) -> Placed | None:
    """The place of displaced people: the country they fled, unless hosted in one.

    A place they fled from; else a demonym ("Somalis"), unless one country is
    named where they are (in the clause, or in the sentence, `settled`, when
    it tells of no flight); else where they are; else where they arrived
    (several places of arrival: the document's country, which they left).
    """
    position = clause.position
    origin = clause.having(Role.ORIGIN)
    if origin:
        return clause.one_or_none(origin)
    where = clause.having(Role.WHERE, Role.FRONT, Role.HOST)
    demonym = roles.origin_demonym(clause.text, clause.lo, clause.hi)
    if demonym is not None:
        hosted = where and _one_country(where)  # "Syrian refugees in Lebanon"
        if not hosted and settled:
            where = [s for s in settled if s.role in (Role.WHERE, Role.FRONT, Role.HOST)]
            hosted = where and _one_country(where)
        return _named(where, position) if hosted else (None, demonym, "country")
    if where:
        return clause.one_or_none(where)
    dest = clause.having(Role.DEST)
    if not dest:
        return None
    if _one_country(dest):  # arrivals, with no word of where they fled from
        fled_from = dest[0].mention.country != main and _UNKNOWN_AREA.search(
            clause.text, clause.lo, position
        )
        # "fighting in Nasir county forced 8,000 to seek safety in Ethiopia": an area
        # the gazetteer does not know, in the document's country, is where they fled.
        return (None, main, None) if fled_from else _named(dest, position)
    countries = {s.mention.country for s in dest}
    return (None, main, None) if main is not None and main not in countries else (None, None, None)


def _elsewhere(seen: list[_Seen], position: int) -> Placed | None:
    """A place where people are, named in the sentence outside the number's clause."""
    rest = [s for s in seen if s.role in _WHERE]
    if not rest:
        return None
    if _one_country(rest):
        return _named(rest, position)
    before = [s for s in rest if s.mention.start < position] or rest
    return _named([before[-1]], position)


def _one_country(seen: list[_Seen]) -> bool:
    return len({s.mention.country for s in seen}) == 1


def _named(seen: list[_Seen], position: int) -> Placed:
    """The most specific of these mentions, the nearest on a tie."""
    best = max(
        seen,
        key=lambda s: (_LEVEL_RANK.get(s.mention.level, 0), -abs(s.mention.start - position)),
    ).mention
    return best.name, best.country, best.level


def _clause(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    """The bounds of the clause of the sentence `start`-`end` around `position`."""
    lo, hi = start, end
    for match in _CLAUSE_END.finditer(text, start, end):
        if match.end() <= position:
            lo = match.end()
        elif match.start() >= position:
            hi = match.start()
            break
    return lo, hi


def _dateline(text: str) -> tuple[int, int, list[tuple[str, int]], Placed | None]:
    """Where the document's dateline is, the countries it names with their weights, its place.

    A country named in it counts more than a city: "GENEVA" often says only
    where the news was given.
    """
    match = _DATELINE.search(text, 0, _DATELINE_REACH)
    if match is None:
        return -1, -1, [], None
    city = find_places(titled(match.group("city")).replace("/", " / "))
    rest = find_places(match.group("rest"))
    weights = [(m.country, 3) for m in rest[:1]] or [(m.country, 2) for m in city[:1]]
    named = city[:1] or rest[:1]
    place = (named[0].name, named[0].country, named[0].level) if named else None
    return match.start(), match.end(), weights, place
