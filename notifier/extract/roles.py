"""What a place mention does in its sentence, read from the words around it.

"killed in Derna" places the dead; "told a briefing in Geneva" places a
briefing; "rockets fired from Gaza" places the attackers; "fled Ukraine" and
"crossed into Poland" place the start and end of a flight; "Chad hosts" the
hosts. `country.Placer` uses these roles to choose a figure's country. The
rules look at a few words only (no parse), so they stay linear in the text.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache
from importlib import resources

from notifier.extract.places import PlaceMention

__all__ = ["Role", "fronted", "listed", "origin_demonym", "role_of"]


class Role(Enum):
    """What a place mention says about the people a sentence counts."""

    WHERE = "where"  # where they are or were: "in Derna", "Ethiopia's Tigray"
    FRONT = "front"  # a locative opening the sentence: "In Israel, ..."
    ORIGIN = "origin"  # where they fled from: "fled Ukraine", "crossed from Darfur"
    DEST = "dest"  # where they fled to: "crossed into Poland"
    HOST = "host"  # who hosts them: "Chad hosts", "Moldova ... has received"
    VENUE = "venue"  # where something was said: "told a briefing in Geneva"
    ACTOR = "actor"  # attackers, mediators: "Russia's invasion", "brokered by Qatar"
    BORDER = "border"  # a border named: "near the border with Mali"
    SOURCE = "source"  # where things came from or went: "supplies from Türkiye"
    DATELINE = "dateline"  # the document's dateline
    NATIONALITY = "nationality"  # right after a count, before people: "13 U.S. service members"
    FEATURE = "feature"  # a river or a lake named after it: "the Juba and Shabelle rivers"


_WINDOW = 50  # characters looked at before a mention
# Words of flight or of people: a "from" or "to" after them is where people went.
_FLIGHT = (
    r"\b(?:fled|flee|flees|fleeing|escap\w*|crossed|cross|crossing|displac\w*|evacuat\w*"
    r"|driven|forced|uprooted|arriv\w*|refugees?|people|persons|civilians|families"
    r"|households|residents|migrants|asylum|returnees|children|deport\w*|expelled|moved"
    r"|relocated|streamed|poured|headed|heading|made their way)\b"
)
_VENUE_BEFORE = re.compile(
    r"\b(?:(?:told|telling|briefing|briefed|conference|journalists|reporters|press|headquarters"
    r"|headquartered|based|hub|summit|spokes(?:person|man|woman)|speaking|spoke|visit|visited"
    r"|visiting|offices?|warehouses?|embassy|meeting|talks|gathering|interview|appeal|launched|held"
    r"|statement|issued|released|published)"
    r"(?:\s+[\w'-]+){0,2}?|said|says|announced)\s+(?:in|at|from)\s+(?:the\s+)?$"
)
_VENUE_AFTER = re.compile(r"-(?:based|headquartered)\b|\s+based\b")
_ACTOR_BEFORE = re.compile(
    r"\b(?:by|against|with|between|mediat\w*|brokered|backed)\s+(?:the\s+)?$"
    r"|\b(?:fired|launched|shelled|shelling|rockets?|missiles?|drones?)\s+(?:\w+\s+)?"
    r"from\s+(?:the\s+)?$"
)
_ACTOR_AFTER = re.compile(
    r"-(?:led|backed|brokered|mediated|allied)\b"
    r"|(?:'s|\u2019s)\s+(?:[\w-]+\s+){0,2}?(?:invasion|offensive|attacks?|strikes?|air\s*strikes?"
    r"|shelling|bombing|bombardment|army|military|forces|troops|militias?|missiles?|rockets?"
    r"|drones?|navy|air\s+force|president|prime\s+minister|foreign\s+minister|mediators?"
    r"|ambassadors?|envoy)\b"
    # "U.S. officials said": who speaks, not where
    r"|(?:'s|\u2019s)?\s+(?:officials|authorities|diplomats|embassy)\s+(?:said|say|says|told)\b"
    # "U.S. strikes", "Russia's invasion", "Russia's war in Ukraine"
    r"|(?:-led|-backed)?\s+(?:air\s*strikes?|airstrikes?|strikes|forces|troops|military|soldiers"
    r"|missiles?|rockets?|drones?|shelling|bombing|bombardment|warplanes|jets|navy)\b"
    r"|(?:'s|\u2019s)\s+(?:[\w-]+\s+)?(?:war|aggression|blockade|siege|occupation|incursion"
    r"|campaign)\s+(?:in|on|against|of)\b"
)
_BORDER_BEFORE = re.compile(r"\b(?:border|borders|bordering|frontier)\s+(?:with\s+)?(?:the\s+)?$")
_BORDER_AFTER = re.compile(r"(?:'s|\u2019s)?\s+(?:[a-z-]+\s+)?(?:border|frontier)\b")
_ORIGIN_BEFORE = re.compile(
    r"\b(?:fled|flee|flees|fleeing|left|leave|leaving|escaped|escaping|evacuated)"
    r"\s+(?:the\s+|their\s+)?$"
    # "fled the war in Sudan into Chad": where the war is, they left
    r"|\b(?:fled|flee|flees|fleeing|escaped|escaping|escape)\s+(?:the\s+)?(?:[\w-]+\s+)?"
    r"(?:war|wars|fighting|violence|conflict|clashes|hostilities|insecurity|persecution"
    r"|bombardment|bombing|shelling|attacks|crisis|unrest)\s+(?:in|across)\s+"
    r"(?:neighbouring\s+|neighboring\s+)?(?:the\s+)?$"
)
_FROM = re.compile(r"\bfrom\s+(?:the\s+)?(?:neighbouring\s+|neighboring\s+)?$")
_TO = re.compile(
    r"\b(?:into|to|towards|toward|reached|reach|reaching|entered|entering)\s+"
    r"(?:neighbouring\s+|neighboring\s+)?(?:the\s+)?$"
)
_ARRIVED = re.compile(r"\barriv\w*\s+(?:in|at)\s+(?:the\s+)?$")
_REFUGE_IN = re.compile(
    r"\b(?:seek|seeking|sought|find|found|took|taken|taking|take)\s+(?:safety|refuge|shelter"
    r"|sanctuary|protection|asylum)\s+in\s+(?:neighbouring\s+|neighboring\s+)?(?:the\s+)?$"
)
_HOSTED = re.compile(r"\bhosted\s+(?:in|by)\s+(?:the\s+)?$")
_HOST_AFTER = re.compile(
    r"(?:\s*,[^,;.]{1,80},)?(?:\s*,?\s*(?:which|that)\b)?"
    r"\s+(?:alone\s+|now\s+|currently\s+|already\s+|also\s+|still\s+)?"
    r"(?:hosts|hosting|host|is\s+hosting|was\s+hosting|has\s+hosted|hosted|ha[sd]\s+received"
    r"|received|is\s+home\s+to|ha[sd]\s+taken\s+in|took\s+in|ha[sd]\s+welcomed|welcomed"
    r"|ha[sd]\s+registered|is\s+sheltering|shelters)\b"
)
_WITHIN = re.compile(r"(?:\s+in|,)\s+(?:the\s+)?")
_NATIONALITY = re.compile(r"\d[\d,.]*(?:\s+(?:million|thousand))?\s+$")
_PEOPLE_AFTER = re.compile(
    r"(?:\s+[a-z-]+){0,2}?\s+(?:service\s*(?:members|men|women)|soldiers|troops|nationals"
    r"|citizens|workers|tourists|refugees|migrants|peacekeepers|civilians|people|children"
    r"|journalists|sailors|crew|pilgrims|students)\b"
)
_FEATURE_AFTER = re.compile(
    r"(?:\s+and\s+(?:the\s+)?[A-Z][\w'\u2019-]+)?\s+(?i:rivers?|river\s+basin|lakes?)\b"
)
_LIST = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)(?:the\s+)?$")
_CUT = re.compile(r"[.;,:!?\n]")
_FRONT = re.compile(
    r"[\s\u2022*\-]*(?:in|inside|across|within|throughout|at)\s+"
    r"(?:(?:neighbouring|neighboring|the|northern|southern|eastern|western|central|north-eastern"
    r"|north-western|south-eastern|south-western)\s+){0,2}$",
    re.IGNORECASE,
)


# In this order: the words before (searched) or after (matched) a mention, and its role.
_RULES: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, Role], ...] = (
    (_VENUE_BEFORE, _VENUE_AFTER, Role.VENUE),
    (_HOSTED, _HOST_AFTER, Role.HOST),
    (_ACTOR_BEFORE, _ACTOR_AFTER, Role.ACTOR),
    (_BORDER_BEFORE, _BORDER_AFTER, Role.BORDER),
    (_ORIGIN_BEFORE, None, Role.ORIGIN),
)


def role_of(text: str, mention: PlaceMention, previous: PlaceMention | None, earlier: Role) -> Role:
    """The role of `mention` (see `Role`); `previous` is the mention before it, of role `earlier`.

    A place in a list takes the role of the place before it ("into Chad and
    South Sudan").
    """
    if previous is not None and earlier is not Role.DATELINE and listed(text, previous, mention):
        return earlier
    if (
        previous is not None
        and earlier not in (Role.WHERE, Role.FRONT, Role.DATELINE)
        and _WITHIN.fullmatch(text, previous.end, mention.start)
    ):
        return earlier  # "setting off from Sfax in Tunisia": where Sfax is, not where people are
    before = text[max(0, mention.start - _WINDOW) : mention.start].lower()
    after = text[mention.end : mention.end + 90]
    if _NATIONALITY.search(before) and _PEOPLE_AFTER.match(after):
        return Role.NATIONALITY  # "13 U.S. service members": who they are, not where
    if _FEATURE_AFTER.match(after):
        return Role.FEATURE  # "floods along the Juba and Shabelle rivers": not the town of Juba
    for before_pattern, after_pattern, role in _RULES:
        if before_pattern.search(before) or (after_pattern and after_pattern.match(after)):
            return role
    return _flight_role(before)


def _flight_role(before: str) -> Role:
    """ORIGIN, DEST or SOURCE for "from X" and "to X" (by the words before), else WHERE."""
    flight = re.search(_FLIGHT, _CUT.split(before)[-1]) is not None
    if _FROM.search(before):
        return Role.ORIGIN if flight else Role.SOURCE
    if _ARRIVED.search(before) or _REFUGE_IN.search(before):
        return Role.DEST
    if _TO.search(before):
        return Role.DEST if flight else Role.SOURCE
    return Role.WHERE


def listed(text: str, previous: PlaceMention, mention: PlaceMention) -> bool:
    """True when `mention` follows `previous` in a list: "Chad and South Sudan"."""
    gap = mention.start - previous.end
    return 0 <= gap < 12 and _LIST.fullmatch(text, previous.end, mention.start) is not None


def fronted(text: str, sentence_start: int, mention_start: int) -> bool:
    """True for a place that opens its sentence as a locative: "In Israel, rockets..."."""
    if mention_start - sentence_start > 60:
        return False
    return _FRONT.fullmatch(text, sentence_start, mention_start) is not None


@cache
def _demonyms() -> tuple[re.Pattern[str], dict[str, str]]:
    """The demonym table (data/demonyms.tsv) and a regex over its names and plurals."""
    table: dict[str, str] = {}
    raw = resources.files("notifier.extract").joinpath("data/demonyms.tsv").read_text("utf-8")
    for line in raw.splitlines():
        if line and not line.startswith("#"):
            name, code = line.split("\t")
            table[name] = code
    names = sorted(table, key=len, reverse=True)
    pattern = re.compile(
        rf"\b({'|'.join(map(re.escape, names))})(s)?\b(\s+(?:[a-z-]+\s+){{0,2}}?"
        r"(?:refugees|asylum[- ]seekers|migrants|nationals|people|civilians|families|children"
        r"|women|men|residents|returnees|citizens))?"
    )
    return pattern, table


_COUNT_BEFORE = re.compile(r"\d[\d,.]*(?:\s+(?:million|thousand))?\s+$")


def origin_demonym(text: str, start: int, end: int) -> str | None:
    """The country of a demonym naming the people of this clause ("Venezuelan refugees").

    A demonym before a word for people, in the plural ("Somalis") or right after
    a count ("8,000 Rohingya"); several countries' give None.
    """
    pattern, table = _demonyms()
    found = {
        table[m.group(1)]
        for m in pattern.finditer(text, start, end)
        if m.group(2) or m.group(3) or _COUNT_BEFORE.search(text, max(0, m.start() - 16), m.start())
    }
    return found.pop() if len(found) == 1 else None
