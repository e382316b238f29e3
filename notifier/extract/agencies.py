"""UN system entities and other cited bodies named in a text.

Reports name a UN entity in many ways: its acronym, its full name, a description
("the UN refugee agency") or its head ("UN humanitarian chief"). The names,
acronyms and descriptions live in `data/agencies.toml`, written in a small
pattern language that this module compiles into one regex, so the text is
scanned once for agencies and organisations together and the leftmost, longest
name wins ("Syrian Observatory for Human Rights" is never read as a human
rights office, "Norwegian Refugee Council" never as a council).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal, NamedTuple

from notifier.extract.models import Agency, Organisation


# Mentions are not frozen: a frozen dataclass's __init__ sets each field
# through object.__setattr__, twice as slow, on the hot path.
@dataclass(slots=True)
class AgencyMention:
    """One naming of a UN entity; `text[start:end]` is the words that name it."""

    acronym: str
    name: str
    start: int
    end: int


@dataclass(slots=True)
class OrgMention:
    """One naming of a non-UN body cited as a source (ICRC, MSF, NDMA...)."""

    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a group of the compiled regex names, and the checks it must pass."""

    kind: Literal["agency", "org", "mission"]
    key: str  # acronym (agency) or short name (org)
    name: str  # canonical full name (agency) or short name (org)
    guarded: bool = False  # the word before must not be a capitalised name
    needs: re.Pattern[str] | None = None  # the text must contain this (bare acronyms)
    shouted_word: bool = False  # an English word when written in capitals ("WHO")


# "UN", "U.N.", "United Nations", possessive, and the adjectives reports put
# between it and a description ("the UN's top human rights official").
_UN = r"(?:UN|U\.N\.|United\s+Nations)(?:['\u2019]s?)?(?:\s+(?:top|main|own|leading|lead))?"
_DASH = r"[-\u2010\u2011\s]?"
# Capitalised words that may stand before "Security Council" when it is the UN's:
# sentence openers and function words, not the name of another council.
_OPENERS = frozenset(
    "The A An In At By From For To But While When After Before As Meanwhile Last This That "
    "If On Of With Under Since During Until UN U.N. Nations Nations' UN's U.N.'s".split()
)
_ANTECEDENTS = frozenset(
    "those people anyone everyone someone all many few some ones one others men women children "
    "families residents civilians".split()
)
_PREV_WORDS = re.compile(r"(\S+)\s+(\S+)\s*$|(\S+)\s*$")
# A national society's name follows "the": "the Kenya Red Cross", "the Syrian Arab Red Crescent".
_LEFT_NAMES = re.compile(r"\b[Tt]he\s+((?:[A-Z][\w'\u2019-]*\s+){1,3})$")
_SOCIETY = re.compile(r"\s+Society\b")
_NOT_SOCIETY_WORDS = frozenset("The A An And Of In By For From With Said Local National".split())


def _word(word: str) -> str:
    """Regex for one word: lower-case words also match with a capital first letter."""
    head, rest = "", word
    if word[:1].islower():
        head, rest = f"[{word[0]}{word[0].upper()}]", word[1:]
    parts = []
    for ch in rest:
        if ch in "'\u2019":
            parts.append("['\u2019]")
        elif ch == "-":
            parts.append(_DASH)
        else:
            parts.append(re.escape(ch))
    return head + "".join(parts)


def _slot(slot: str) -> str:
    alternatives = []
    for alt in slot.split("|"):
        if alt == "UN":
            alternatives.append(_UN)
        else:
            alternatives.append(r"\s+".join(_word(w) for w in alt.split("_")))
    alternatives.sort(key=len, reverse=True)
    return "(?:" + "|".join(alternatives) + ")"


def _phrase(phrase: str) -> str:
    """Compile one phrase of the data file's pattern language (see its header)."""
    slots = phrase.lstrip("!").split(" ")
    out = []
    for i, slot in enumerate(slots):
        last = i == len(slots) - 1
        if slot.endswith("?") and not last:
            out.append(f"(?:{_slot(slot[:-1])}\\s+)?")
        else:
            out.append(_slot(slot) + ("" if last else r"\s+"))
    return "".join(out)


def _acronyms(acronyms: list[str], titlecase: bool) -> list[str]:
    """The written forms of acronyms, longest first; some papers write "Unicef"."""
    forms = set(acronyms)
    if titlecase:
        forms |= {a.title() for a in acronyms if len(a) >= 4 and a.isalpha() and a.isupper()}
    return sorted(forms, key=len, reverse=True)


def _mission_phrase(countries: dict[str, str]) -> str:
    """Regex for what follows "UN" in "UN (peacekeeping) mission in <country>"."""
    adjectives = (
        "peacekeeping|stabilization|stabilisation|political|assistance|support|integrated|"
        "interim|multidimensional|organization|organisation|peace"
    )
    adjective = "(?:" + "|".join(_word(a) for a in adjectives.split("|")) + r")\s+"
    noun = "(?:" + "|".join(_word(n) for n in ("mission", "force", "peacekeepers")) + ")"
    names = "|".join(re.escape(c) for c in sorted(countries, key=len, reverse=True))
    return f"(?:{adjective}){{0,3}}{noun}\\s+(?:in|to|for)\\s+(?:the\\s+)?(?P<country>{names})"


_WORD_HEAD = re.compile(r"[^\W\d_]+")
# A capitalised word where a name may start; its letters are the key of the
# branches that can start there ("U.N." -> "U", "UNHCR's" -> "UNHCR").
# (The look-behind follows the first character so the engine can skip to capitals.)
_CANDIDATE = re.compile(r"[A-Z\u00c0-\u00de](?<!\w.)[^\W\d_]*")


def _first_words(phrase: str) -> set[str]:
    """The keys (see `_CANDIDATE`) of the words a phrase can start with."""
    keys: set[str] = set()
    for slot in phrase.lstrip("!").split(" "):
        for alt in slot.rstrip("?").split("|"):
            if alt == "UN":
                keys |= {"UN", "U", "United"}
            else:
                head = _WORD_HEAD.match(alt)
                if head:
                    keys.add(head.group()[0].upper() + head.group()[1:])
        if not slot.endswith("?"):
            return keys
    return keys


def _keys_regex(keys: list[str]) -> re.Pattern[str]:
    """A regex that finds, of the `_CANDIDATE` words, just those that are keys.

    The keys are grouped by their first letter, which comes before the look-behind,
    so the regex engine skips to those letters and the loop in `_scan` sees only
    the few words that can start a name, not every capitalised word.
    """
    by_letter: dict[str, list[str]] = {}
    for key in keys:
        if _CANDIDATE.fullmatch(key):
            by_letter.setdefault(key[0], []).append(re.escape(key[1:]))
    branches = [
        rf"{re.escape(letter)}(?<!\w.)(?:{'|'.join(sorted(rests, key=len, reverse=True))})"
        for letter, rests in sorted(by_letter.items())
    ]
    return re.compile(rf"(?:{'|'.join(branches)})(?![^\W\d_])")


@dataclass(frozen=True, slots=True)
class _Table:
    """The data file compiled: one small regex per word a name can start with.

    Each word's regex is compiled when a text first has the word (most of the
    time a table takes to build is compiling regexes, and a text has few).
    """

    keys: re.Pattern[str]  # finds the words that start a name (see `_keys_regex`)
    sources: dict[str, str]  # word -> the regex of the names that start with it
    by_first_word: dict[str, re.Pattern[str]]  # those compiled so far
    groups: dict[str, _Entry]
    missions: dict[str, str]
    names: dict[str, str]


class _Branch(NamedTuple):
    """One alternative of the agency regex: a name's words as a regex, and what it names."""

    priority: int  # longer names first, so that the longest name wins
    after_un: bool  # matched after the one shared "UN" prefix
    keys: set[str]  # the words it can start with, which key its sub-regex
    regex: str
    entry: _Entry


def _phrase_branches(phrase: str, entry: _Entry) -> list[_Branch]:
    """A phrase as branches; those that start with "UN" are matched after one shared "UN"."""
    slots = phrase.lstrip("!").split(" ")
    if slots[0] in {"UN", "UN?"} and len(slots) > 1:
        rest = " ".join(slots[1:])
        regex = _phrase(rest) + r"(?!\w)"
        branches = [_Branch(len(phrase), True, _first_words("UN"), regex, entry)]
        if slots[0] == "UN?":
            branches.append(_Branch(len(rest), False, _first_words(rest), regex, entry))
        return branches
    regex = _phrase(phrase) + r"(?!\w)"
    return [_Branch(len(phrase), False, _first_words(phrase), regex, entry)]


def _record_branches(kind: Literal["agency", "org"], rec: dict[str, Any]) -> list[_Branch]:
    key = rec["acronym"] if kind == "agency" else rec["name"]
    name = rec.get("name", key)
    branches: list[_Branch] = []
    for phrase in rec["phrases"]:
        branches += _phrase_branches(phrase, _Entry(kind, key, name, phrase.startswith("!")))
    if rec["acronyms"]:
        forms = _acronyms(rec["acronyms"], rec.get("titlecase", True))
        heads = set().union(*(_first_words(f) for f in forms))
        needs = re.compile(rec["needs"]) if "needs" in rec else None
        shouted = "WHO" in rec["acronyms"] or key == "CARE"
        entry = _Entry(kind, key, name, needs=needs, shouted_word=shouted)
        alternation = "|".join(re.escape(f) for f in forms)
        branches.append(_Branch(0, False, heads, rf"(?:{alternation})(?!\w)", entry))
    return branches


@cache
def _table() -> _Table:
    """Compile the data file once (each word's regex when it is first needed).

    One regex of all names would be tried at every character (30 s per MB).
    Instead each word a name can start with keys a small regex, so only a few
    capitalised words per text run one (and one regex finds those words); and
    the hundred names that start with "UN" share one "UN" prefix rather than
    each matching it again.
    """
    raw = resources.files("notifier.extract").joinpath("data/agencies.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(raw)
    branches: list[_Branch] = []
    for rec in data["agency"]:
        branches += _record_branches("agency", rec)
    for rec in data["organisation"]:
        branches += _record_branches("org", rec)
    missions: dict[str, str] = data["mission_countries"]
    mission = _Entry("mission", "", "")
    branches.append(_Branch(1000, True, _first_words("UN"), _mission_phrase(missions), mission))
    branches.sort(key=lambda b: -b.priority)
    groups: dict[str, _Entry] = {}
    after_un: list[str] = []
    parts: dict[str, list[str]] = {}
    for i, branch in enumerate(branches):
        groups[f"g{i}"] = branch.entry
        group = f"(?P<g{i}>{branch.regex})"
        if branch.after_un:
            after_un.append(group)
        else:
            for k in branch.keys:
                parts.setdefault(k, []).append(group)
    shared = _UN + r"\s+(?:" + "|".join(after_un) + ")"
    for k in _first_words("UN"):
        parts[k] = [shared, *parts.get(k, [])]
    sources = {k: "|".join(v) for k, v in parts.items()}
    names = {rec["acronym"]: rec["name"] for rec in data["agency"]}
    return _Table(_keys_regex(sorted(sources)), sources, {}, groups, missions, names)


def _shouted(text: str, start: int, end: int) -> bool:
    """True when the words around a mention are in capitals, as in a headline."""
    window = text[max(0, start - 40) : start] + text[end : end + 40]
    upper = sum(map(str.isupper, window))
    lower = sum(map(str.islower, window))
    return lower < 2 * upper


def _after_antecedent(text: str, start: int) -> bool:
    """True for the pronoun written in capitals for emphasis: "those WHO stayed"."""
    before = text[max(0, start - 20) : start].split()
    return bool(before) and before[-1].lower() in _ANTECEDENTS


def _guard_fails(text: str, start: int) -> bool:
    """True when "Security Council"/"Human Rights Council" is another body's name."""
    m = _PREV_WORDS.search(text, max(0, start - 60), start)
    if not m:
        return False
    before, prev = (m.group(1), m.group(2)) if m.group(2) else ("", m.group(3))
    if prev in {"and", "&"}:
        return before in {"Peace", "peace"}  # the African Union's Peace and Security Council
    if prev[-1] in '.:;|!?"\u201d)':
        return False  # a sentence or headline starts here
    return prev[0].isupper() and prev not in _OPENERS


def _national_society(text: str, start: int, end: int, base: str) -> tuple[int, int, str]:
    """Extend "Red Cross"/"Red Crescent" to the national society it belongs to."""
    m = _LEFT_NAMES.search(text, max(0, start - 60), start)
    if m:
        words = m.group(1).split()
        while words and words[0] in _NOT_SOCIETY_WORDS:
            words.pop(0)
        if words and words[-1] not in _NOT_SOCIETY_WORDS:
            start = start - len(m.group(1)) + m.group(1).index(words[0])
            base = " ".join([*words, base])
    tail = _SOCIETY.match(text[end : end + 12])
    if tail:
        end += tail.end()
        base += " Society"
    return start, end, base


def _org_named(key: str, text: str, start: int, end: int) -> OrgMention:
    if key in {"Red Cross", "Red Crescent"}:
        start, end, key = _national_society(text, start, end, key)
    return OrgMention(key, start, end)


@lru_cache(maxsize=8)
def _scan(text: str) -> tuple[tuple[AgencyMention, ...], tuple[OrgMention, ...]]:
    table = _table()
    agencies: list[AgencyMention] = []
    orgs: list[OrgMention] = []
    held: list[tuple[_Entry, int, int]] = []  # "WHO" in capitals, kept if named elsewhere
    done = 0  # names do not overlap: the leftmost, then longest, wins
    by_first_word = table.by_first_word
    groups = table.groups
    for candidate in table.keys.finditer(text):
        start = candidate.start()
        if start < done:
            continue
        key = candidate.group()
        pattern = by_first_word.get(key)
        if pattern is None:
            pattern = by_first_word[key] = re.compile(table.sources[key])
        m = pattern.match(text, start)
        if m is None or m.lastgroup is None:
            continue
        entry = groups[m.lastgroup]
        end = m.end()
        if (entry.guarded or entry.needs is not None) and not _fits(entry, text, start):
            continue
        done = end
        if entry.shouted_word:
            if _after_antecedent(text, start):
                continue
            if _shouted(text, start, end):
                held.append((entry, start, end))
                continue
        kind = entry.kind
        if kind == "agency":
            agencies.append(AgencyMention(entry.key, entry.name, start, end))
        elif kind == "mission":
            acronym = table.missions[m.group("country")]
            agencies.append(AgencyMention(acronym, table.names[acronym], start, end))
        else:
            orgs.append(_org_named(entry.key, text, start, end))
    if held:
        _restore_shouted(held, agencies, orgs)
    return tuple(agencies), tuple(orgs)


def _fits(entry: _Entry, text: str, start: int) -> bool:
    """The checks a match must pass besides its words (see `_Entry`)."""
    if entry.guarded and _guard_fails(text, start):
        return False
    return entry.needs is None or entry.needs.search(text) is not None


def _restore_shouted(
    held: list[tuple[_Entry, int, int]], agencies: list[AgencyMention], orgs: list[OrgMention]
) -> None:
    """Keep "WHO WARNS" where the text names WHO elsewhere; "THOSE WHO FLED" stays out."""
    for entry, start, end in held:
        if any(a.acronym == entry.key for a in agencies):
            agencies.append(AgencyMention(entry.key, entry.name, start, end))
        elif any(o.name == entry.key for o in orgs):
            orgs.append(OrgMention(entry.key, start, end))
    agencies.sort(key=lambda a: a.start)
    orgs.sort(key=lambda o: o.start)


def find_agencies(text: str) -> list[AgencyMention]:
    """Every naming of a UN entity, in text order, for attributing figures to it."""
    return list(_scan(text)[0])


def find_organisations(text: str) -> list[OrgMention]:
    """Every naming of a non-UN source body, in text order."""
    return list(_scan(text)[1])


def document_agencies(mentions: list[AgencyMention]) -> tuple[Agency, ...]:
    """The entities a text names, once each, in order of first mention."""
    seen: dict[str, Agency] = {}
    for m in mentions:
        seen.setdefault(m.acronym, Agency(m.acronym, m.name))
    return tuple(seen.values())


def document_organisations(mentions: list[OrgMention]) -> tuple[Organisation, ...]:
    """The source bodies a text names, once each, in order of first mention."""
    seen: dict[str, Organisation] = {}
    for m in mentions:
        seen.setdefault(m.name, Organisation(m.name))
    return tuple(seen.values())
