"""Decide, for each number in a sentence, whether it is a figure and of which kind.

The cascade, per number: drop what counts something other than people (the
noun after it, an age, a rate, capacity or aid delivered); then find the
trigger: a verb right before it ("killed 12"), the subject of a rising toll
("the death toll rose to 1,136"), the words after it up to the end of its
clause ("60,000 people were forced to leave their homes"), and for a table or
label line the words before it. A sub-count with no trigger of its own
("including 66 children", "Thousands more") takes the kind of its neighbour.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from notifier.extract.lexicon import (
    CLAUSE_END_RE,
    CONNECTOR_RE,
    FILLER_RE,
    HOUSEHOLD_NOUNS,
    INHERIT_LEFT_RE,
    INHERIT_RIGHT_RE,
    LEFT_EXCLUDE_RE,
    LEFT_TRIGGER_RE,
    NON_PERSON_NOUNS,
    PERSON_NOUNS,
    QUALIFIER_RE,
    RAISING_TO_RE,
    RIGHT_EXCLUDE_RE,
)
from notifier.extract.models import Kind, Qualifier, Unit
from notifier.extract.numerals import NumberMention
from notifier.extract.triggers import Hit, Triggers
from notifier.extract.wordtrie import lower_pattern, trie_regex

_HEAD_WORDS = re.compile(r"[^\W\d_][\w'\u2019-]*|[,.;:!?()\[\]|•]", re.UNICODE)
_SKIP_HEAD = frozenset("of the its their his her these those an a more other".split())
# A head noun comes before these: past them the words belong to the predicate.
_STOP_HEAD = frozenset(
    """in on at from to for by with were was are is have has had been be will would could may
    might and or who which that as since after before during across near than remain remained
    remains still now deaths dead killed injured wounded missing displaced evacuated homeless
    casualties fatalities died fled face faced facing need needed live lived living""".split()
)
_LIVES = re.compile(r"\s+(?:(?:civilian |human )?lives|(?:\w+ )?bodies)\b", re.IGNORECASE)
# "abducted dozens more": a verb of its own means the count is of something else.
_OTHER_VERB = re.compile(r"\b(?!including\b)[a-z]+(?:ed|ing)\s+$", re.IGNORECASE)
_LABEL_HOUSEHOLDS = re.compile(r"\b(?:households|families)\b[^\d]*$", re.IGNORECASE)
_EVACUATED_HOMES = re.compile(
    r"\b(?:evacuations? of|evacuated|evacuating|evacuate)\s+(?:about |some |around |nearly "
    r"|more than |over |up to |at least |an estimated |another |a further )?$",
    re.IGNORECASE,
)
_HOMES = re.compile(r"\s+(?:homes|houses|dwellings|residences)\b", re.IGNORECASE)
_METRES = re.compile(r"\dm")
_BASE_OF = re.compile(r"\s+of\s+(?:the|its|their|this|a|an)\s+(?:[^\W\d_][\w'\u2019-]*\s+){0,2}$")
_TOLL_REACHED = re.compile(
    r"\b(?:number|toll|total|tally|count)\b[^.;:]{0,120}\breach(?:ed|es)?\s*$", re.IGNORECASE
)
_OR_NEXT = re.compile(
    r"\s*[^\W\d_]+\s+or\s+(?:about |some |around |nearly |approximately |over |more than )?$",
    re.IGNORECASE,
)
_ADJACENT = re.compile(r"\s*(?:[^\W\d_][\w'-]*\s*)?$")
_TRANSITIVE = re.compile(
    r"kill(?:ed|s|ing)?|displac(?:ed|es|ing)|injur(?:ed|es|ing)|wound(?:ed|ing)"
    r"|evacuat(?:ed|es|ing)|uprooted|affect(?:ed|s|ing)",
    re.IGNORECASE,
)
_OBJECT_NEXT = re.compile(
    r"\s*(?:a further |another |an additional |at least |more than |over |about |around |some "
    r"|nearly |almost |up to |as many as |an estimated |approximately |roughly )?$",
    re.IGNORECASE,
)
_TIME_AGO = re.compile(r"\s+(?:a|one|the) (?:day|week|month|year) (?:earlier|before|ago)", re.I)
_WINDOW = 160
_CONTEXT = 400
_WORLD_POPULATION = 9_000_000_000
_EMPTY_TAIL = re.compile(r"^[\s()\[\].,;:!?|•*\-\u2013—]*(?:\([^)]*\))?[\s.,;:!?]*$")


# The last words of the alternatives of each pattern (see _may_end).
_FILLER_ENDS = frozenset(
    "further another additional of total only record just still all now".split()
)
_QUALIFIER_ENDS = frozenset(
    """than over least of excess exceeding exceeds exceed exceeded past passed pass passes top
    tops topped surpass surpassed surpasses above beyond about around approximately roughly
    some estimated nearly almost to circa under approximate at de environ unas unos up as
    below most hasta""".split()
)
_LEFT_TRIGGER_ENDS = frozenset(
    """the injured injuring wounded wounding maimed killed killing kills kill of to displaced
    displacing displace uprooted uprooting evacuated evacuating evacuate relocated relocating
    relocate homeless affected affecting affects affect threatening threatens endangering for
    exposing trapping""".split()
)
_LEFT_EXCLUDE_ENDS = frozenset("for aged age ages of between under hold in".split())
_PARTICLES = ("to", "at", "of", "from")
_CONNECTOR_WORDS = """risen rises rise rose climb climbed climbs increased increases jump jumped
    jumps soar soared soars grew grown reach reached reaches pass passed passes past top topped
    tops exceed exceeded exceeds surpass surpassed surpasses hit hits stand stands stood total
    totals totaled totalled totaling totalling is was are were be home put from revised of for
    up""".split()
# CONNECTOR_RE lets a particle follow its verb with no space between ("beat" is
# "be" and "at"), so those run-together words end it too.
_CONNECTOR_ENDS = frozenset(
    [*_CONNECTOR_WORDS, *_PARTICLES, *(w + p for w in _CONNECTOR_WORDS for p in _PARTICLES)]
)
_TOLL_ENDS = frozenset(["reach", "reached", "reaches"])
_RAISING_ENDS = frozenset(["to"])
#: Every verb of LEFT_EXCLUDE_RE's first branch contains one of these.
_LEFT_EXCLUDE_HINT = re.compile(
    trie_regex(
        frozenset(
            """reach assist provid deliver distribut hand vaccinat immuni support help serv feed
            fed treat train employ target benefit rescued aim""".split()
        )
    ),
    re.IGNORECASE,
)


def _lower(rx: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(lower_pattern(rx.pattern), rx.flags & ~re.IGNORECASE)


class _Patterns:
    """The IGNORECASE patterns of the cascade, as is or for the lower-cased text.

    Case-sensitive patterns on the lower-cased text (`wordtrie.lowered`) find the
    same spans two to four times faster; terms are cut from the original text.
    """

    def __init__(self, lower: bool) -> None:
        def rx(pattern: re.Pattern[str]) -> re.Pattern[str]:
            return _lower(pattern) if lower else pattern

        self.right_exclude = rx(RIGHT_EXCLUDE_RE)
        self.evacuated_homes = rx(_EVACUATED_HOMES)
        self.homes = rx(_HOMES)
        self.filler = rx(FILLER_RE)
        self.qualifier = rx(QUALIFIER_RE)
        self.clause_end = rx(CLAUSE_END_RE)
        self.left_trigger = rx(LEFT_TRIGGER_RE)
        self.toll_reached = rx(_TOLL_REACHED)
        self.left_exclude = rx(LEFT_EXCLUDE_RE)
        self.left_exclude_hint = rx(_LEFT_EXCLUDE_HINT)
        self.lives = rx(_LIVES)
        self.object_next = rx(_OBJECT_NEXT)
        self.connector = rx(CONNECTOR_RE)
        self.raising_to = rx(RAISING_TO_RE)
        self.other_verb = rx(_OTHER_VERB)
        self.time_ago = rx(_TIME_AGO)


_AS_IS = _Patterns(lower=False)
_LOWERED = _Patterns(lower=True)


# A clause break (CLAUSE_END_RE) needs one of the marks _Gates looks for, or this.
_COMMA_CONJUNCTION = re.compile(r",\s+(?:and|but|while|whereas|although|though|as)")


class _Gates:
    """What a lower-cased sentence lacks, found once: the patterns that need it are skipped.

    Each flag is a necessary condition of a pattern, read off the words it needs
    with `in`, which is much cheaper than a regex call per number.
    """

    __slots__ = ("ago", "clauses", "lives")

    def __init__(self, sentence: str | None) -> None:
        if sentence is None:  # the text is not lower-cased: no gate
            self.ago = self.clauses = self.lives = True
            return
        self.ago = "ago" in sentence or "earlier" in sentence or "before" in sentence
        self.lives = "lives" in sentence or "bodies" in sentence
        self.clauses = (
            ";" in sentence
            or ":" in sentence
            or "-" in sentence
            or "\u2013" in sentence
            or "\u2014" in sentence
            or "while" in sentence
            or "whereas" in sentence
            or "but" in sentence
            or "though" in sentence
            or _COMMA_CONJUNCTION.search(sentence) is not None
        )


_NO_GATES = _Gates(None)


@dataclass(slots=True)
class Candidate:
    """A number that passed the filters; `kind` stays None until a trigger is found."""

    number: NumberMention
    sentence: int
    kind: Kind | None
    term: str
    qualifier: Qualifier
    unit: Unit
    has_head_noun: bool
    pre: str
    post: str


#: `_head`'s answer when the first word after a number is one of these.
_FIRST_HEAD: dict[str, tuple[str, bool, int]] = {
    **dict.fromkeys(_STOP_HEAD, ("none", False, 0)),
    **dict.fromkeys(NON_PERSON_NOUNS - _STOP_HEAD - _SKIP_HEAD, ("thing", False, 1)),
    **{w: ("person", w in HOUSEHOLD_NOUNS, 1) for w in PERSON_NOUNS - _STOP_HEAD - _SKIP_HEAD},
}


def _head(post: str, rx: _Patterns | None = None, ago: bool = True) -> tuple[str, bool, int]:
    """Classify the words right after a number: ('person'|'thing'|'none', households, position).

    Up to four words are read, skipping articles and adjectives, until a noun
    from either list is met; `position` is that noun's (1 = right after the number).
    `ago` False says the sentence has no "ago", "earlier" nor "before".
    """
    seen = 0
    if ago and (_TIME_AGO if rx is None else rx.time_ago).match(post):
        return "none", False, 0
    # Most numbers are followed by one plain word that decides: "people", "houses".
    first = post.split(None, 1)
    if first and first[0].isalpha():
        known = _FIRST_HEAD.get(first[0].lower())
        if known is not None:
            return known
    for m in _HEAD_WORDS.finditer(post, 0, 60):
        word = m.group().lower().rstrip("'\u2019").removesuffix("'s").removesuffix("\u2019s")
        if not word[0].isalpha() or word in _STOP_HEAD:
            break
        seen += 1
        if word in _SKIP_HEAD:
            continue
        if word in PERSON_NOUNS:
            return "person", word in HOUSEHOLD_NOUNS, seen
        if word in NON_PERSON_NOUNS:
            return "thing", False, seen
        if seen >= 4:
            break
    return "none", False, seen


def _may_end(window: str, ends: frozenset[str]) -> bool:
    """False when a pattern that ends with one of `ends` cannot match `window`.

    The pattern must end, before spaces, with one of `ends` as a whole word: a
    cheap test before the pattern. A last word that is not all letters
    ("approx.", "~", "(about") lets the pattern decide.
    """
    tail = window.rstrip()
    if not tail:
        return False
    word = tail.rsplit(None, 1)[-1]
    return not word.isalpha() or word.lower() in ends


def _left_excluded(window: str, rx: _Patterns) -> bool:
    """LEFT_EXCLUDE_RE on `window`, skipped when none of its words can be there."""
    hint = rx.left_exclude_hint.search(window) is not None
    if not hint and not _may_end(window, _LEFT_EXCLUDE_ENDS):
        return False
    return rx.left_exclude.search(window) is not None


# _may_end for all four patterns at once: one look at the last word of the text
# before a number tells which of them may match there.
_FILLER, _QUALIFIER, _LEFT_TRIGGER, _LEFT_EXCLUDE = 1, 2, 4, 8
_CONNECTOR, _TOLL, _RAISING = 16, 32, 64
_ANY_END = 127
_END_BITS: dict[str, int] = {}
for _bit, _ends in (
    (_FILLER, _FILLER_ENDS),
    (_QUALIFIER, _QUALIFIER_ENDS),
    (_LEFT_TRIGGER, _LEFT_TRIGGER_ENDS),
    (_LEFT_EXCLUDE, _LEFT_EXCLUDE_ENDS),
    (_CONNECTOR, _CONNECTOR_ENDS),
    (_TOLL, _TOLL_ENDS),
    (_RAISING, _RAISING_ENDS),
):
    for _word in _ends:
        _END_BITS[_word] = _END_BITS.get(_word, 0) | _bit
#: The shortest window the patterns are tried on (see `_end_bits`).
_SHORTEST_WINDOW = 25


def _end_bits(pre: str) -> int | None:
    """Which patterns `_may_end` lets through, for every window of `pre` of 25 chars or more.

    The last word of a window is the same for all such windows when it starts
    within the last 25 characters; None when it does not (a very long word,
    or blanks): the caller then tests each window with `_may_end`.
    """
    tail = pre[-_SHORTEST_WINDOW:].rstrip()
    if not tail:
        return None if len(pre) > _SHORTEST_WINDOW else 0
    parts = tail.rsplit(None, 1)
    if len(parts) == 1 and len(pre) > _SHORTEST_WINDOW:
        return None
    word = parts[-1]
    if not word.isalpha():
        return _ANY_END
    return _END_BITS.get(word.lower(), 0)


def _may(bits: int | None, bit: int, window: str, ends: frozenset[str]) -> bool:
    return _may_end(window, ends) if bits is None else bool(bits & bit)


def _search_end(
    pattern: re.Pattern[str], window: str, bits: int | None, bit: int, ends: frozenset[str]
) -> re.Match[str] | None:
    """`pattern` (anchored at the end) searched in `window`, only where its last word may be."""
    return pattern.search(window) if _may(bits, bit, window, ends) else None


def _ends_with(
    pattern: re.Pattern[str], window: str, bits: int | None, bit: int, ends: frozenset[str]
) -> bool:
    """`pattern` (anchored at the end) found in `window`, tried only where its last word is."""
    return _search_end(pattern, window, bits, bit, ends) is not None


def _qualifier(
    number: NumberMention, pre: str, rx: _Patterns, bits: int | None
) -> tuple[Qualifier, int, int | None]:
    """The qualifier, the length of `pre` once the hedge and filler are cut off, and its end bits.

    `pre` is the text before the number as scanned (lower case with `_LOWERED`);
    `bits` is `_end_bits(pre)`.
    """
    core = pre
    filler = _search_end(rx.filler, core[-40:], bits, _FILLER, _FILLER_ENDS)
    if filler:
        core = core[: len(core) - len(filler.group())]
        bits = _end_bits(core)
    m = _search_end(rx.qualifier, core[-40:], bits, _QUALIFIER, _QUALIFIER_ENDS)
    found: Qualifier | None = None
    if m:
        core = core[: len(core) - len(m.group())]
        bits = _end_bits(core)
        group = m.lastgroup
        found = "about" if group == "tilde" else group  # type: ignore[assignment]
        filler = _search_end(rx.filler, core[-40:], bits, _FILLER, _FILLER_ENDS)
        if filler:
            core = core[: len(core) - len(filler.group())]
            bits = _end_bits(core)
    if number.high is not None:
        return "range", len(core), bits
    if number.vague:
        return "at_least", len(core), bits
    if found is not None:
        return found, len(core), bits
    return ("at_least" if number.plus else "exact"), len(core), bits


def _forward(hits: list[Hit]) -> tuple[str | None, str]:
    """Kind and trigger text of the triggers in the clause after the number.

    A noun for displaced people ("refugees") yields to a verb of another kind
    ("refugees were killed"); "affected and evacuated" is an evacuation.
    """
    weak: Hit | None = None
    for i, h in enumerate(hits):
        if h.group == "exclude":
            return "exclude", h.text
        if h.group == "weak":
            weak = weak or h
            continue
        if h.group == "at_risk" and i + 1 < len(hits):
            nxt = hits[i + 1]
            if nxt.start - h.end <= 6 and nxt.group not in ("exclude", "weak", "at_risk"):
                return nxt.group, nxt.text
        return h.group, h.text
    if weak is not None:
        return "displaced", weak.text
    return None, ""


def _backward(
    triggers: Triggers, start: int, pre: str, rx: _Patterns = _AS_IS
) -> tuple[str | None, str]:
    """Kind and trigger text of the nearest trigger before the number, in its clause.

    `pre` is the sentence text from `start` up to the number (as scanned by `rx`).
    """
    clause_start = 0
    pre = pre.rstrip(" :\t\n")
    for m in rx.clause_end.finditer(pre):
        clause_start = m.end()
    hits = triggers.between(start + clause_start, start + len(pre))
    if hits and hits[-1].group == "exclude" and hits[-1].end >= start + len(pre):
        hits = hits[:-1]  # the connector itself: "the number of displaced reached N"
    if not hits or hits[-1].group == "exclude":
        return None, ""
    last = hits[-1]
    return ("displaced" if last.group == "weak" else last.group), last.text


def _window_end(
    post: str, numbers_after: list[int], rx: _Patterns = _AS_IS, clauses: bool = True
) -> int:
    """Where the clause of a number ends: a clause break or the next number outside brackets.

    `clauses` False says the sentence has no clause break at all.
    """
    end = min(len(post), _WINDOW)
    pos = 0
    while clauses and (clause := rx.clause_end.search(post, pos, end)):
        dash = clause.group().strip()
        closing = post.find(f" {dash} ", clause.end(), end) if dash in "-\u2013—" else -1
        if closing < 0:
            end = clause.start()
            break
        pos = closing + 3  # an aside between dashes: "1.9 million - 85 per cent - have fled"
    for offset in numbers_after:
        if offset >= end:
            break
        if post.count("(", 0, offset) <= post.count(")", 0, offset):
            return offset
    return end


def sentence_candidates(
    text: str,
    start: int,
    end: int,
    numbers: list[NumberMention],
    index: int,
    *,
    triggers: Triggers,
    low: str | None = None,
) -> list[Candidate]:
    """Candidates for the numbers of one sentence, with kinds where a trigger was found.

    `low` is `wordtrie.lowered(text)`, or None to scan `text` itself.
    """
    rx = _AS_IS if low is None else _LOWERED
    scan = text if low is None else low
    out: list[Candidate] = []
    gates = _Gates(scan[start:end]) if low is not None else _NO_GATES
    heads = [_head(scan[n.end : min(end, n.end + 80)], rx, gates.ago) for n in numbers]
    for i in range(1, len(numbers)):
        if _BASE_OF.match(text, numbers[i - 1].end, numbers[i].start):
            heads[i] = ("thing", False, 0)  # "19,000 of the city's 20,000 residents": a base
    stops = [
        n.start
        for n, (head, _, _) in zip(numbers, heads, strict=True)
        if head != "thing" and not n.yearlike
    ]
    stop_set = set(stops)
    for i, n in enumerate(numbers):
        # Bounded context: a line of a megabyte with no full stop stays linear.
        pre_start = max(start, n.start - _CONTEXT)
        if n.value > _WORLD_POPULATION:
            continue
        post_end = min(end, n.end + _CONTEXT)
        post_s = scan[n.end : post_end]  # as scanned: lower case when `low` is given
        if rx.right_exclude.match(post_s):
            continue
        pre = text[pre_start : n.start]
        pre_s = scan[pre_start : n.start]
        head, households, head_words = heads[i]
        if head == "thing" and rx.evacuated_homes.search(pre_s[-40:]) and rx.homes.match(post_s):
            head, households = "person", True  # "forced the evacuation of 50 homes"
        if head == "thing" or (n.yearlike and (head != "person" or head_words != 1)):
            continue
        if head == "none" and head_words and _METRES.match(text, n.end - 2, n.end):
            continue  # "a 5m wave": metres, not millions, before a noun not for people
        if n.word and n.value == 1 and (head != "person" or head_words != 1):
            continue
        pre_bits = _end_bits(pre_s)
        qualifier, core_len, core_bits = _qualifier(n, pre_s, rx, pre_bits)
        core = pre[:core_len]
        first_stop = bisect_right(stops, n.start)
        after = [s - n.end for s in stops[first_stop : first_stop + 8]]
        window_end = _window_end(post_s, after, rx, gates.clauses)
        post = text[n.end : post_end]
        window = post[:window_end]
        cand = Candidate(
            n,
            index,
            None,
            "",
            qualifier,
            "households" if households else "people",
            head == "person",
            core,
            window,
        )
        if _thing_label(core):
            continue  # "Animals affected: 9,27,583", "Houses destroyed | 2,100"
        found = _find_kind(
            cand,
            triggers,
            rx,
            pre_start=pre_start,
            pre_s=pre_s,
            core_s=pre_s[:core_len],
            post=post,
            post_s=post_s,
            window_end=window_end,
            window_at_number=n.end + window_end in stop_set,
            head_words=head_words,
            bits=(core_bits, pre_bits),
            lives=gates.lives,
        )
        if not found:
            continue
        if (
            cand.kind is not None
            and not cand.has_head_noun
            and _LABEL_HOUSEHOLDS.search(core[-40:])
        ):
            cand.unit = "households"  # "Displaced households: 8,900"
        out.append(cand)
    _inherit_within(text, out)
    return out


def _find_kind(
    cand: Candidate,
    triggers: Triggers,
    rx: _Patterns,
    *,
    pre_start: int,
    pre_s: str,
    core_s: str,
    post: str,
    post_s: str,
    window_end: int,
    window_at_number: bool,
    head_words: int,
    bits: tuple[int | None, int | None],
    lives: bool,
) -> bool:
    """Set the candidate's kind and term from its trigger; False when it counts aid or capacity.

    Order: a verb right before the number, the aid/capacity exclusions, "N lives",
    the subject of a rising toll, the rest of the clause, the label of a table line.
    """
    core = cand.pre
    n = cand.number
    core_bits, pre_bits = bits
    left = _search_end(rx.left_trigger, core_s[-45:], core_bits, _LEFT_TRIGGER, _LEFT_TRIGGER_ENDS)
    if left:
        term = core[-45:][left.start() : left.end()].strip()
        cand.kind, cand.term = left.lastgroup, term  # type: ignore[assignment]
        return True
    if _ends_with(rx.toll_reached, core_s[-150:], core_bits, _TOLL, _TOLL_ENDS):
        kind, term = _backward(triggers, pre_start, core_s, rx)
        if kind is not None:  # "the number of people displaced reached a record N"
            cand.kind, cand.term = kind, term  # type: ignore[assignment]
            return True
    if _excluded_before(core_s, pre_s, rx, core_bits, pre_bits):
        return False
    lives_m = rx.lives.match(post_s) if lives else None
    if lives_m:
        cand.kind, cand.term = "killed", post[: lives_m.end()].strip()
        return True
    hits = triggers.between(n.end, n.end + window_end)
    if (
        hits
        and window_at_number
        and _TRANSITIVE.fullmatch(hits[-1].text)
        and rx.object_next.match(post_s, hits[-1].end - n.end, window_end)
    ):
        hits = hits[:-1]  # "a 5m wave killed 20": the verb takes the next number
    # "Casualties: 8 dead": a trigger right after the number beats the label before it.
    adjacent = bool(hits) and _ADJACENT.match(post, 0, hits[0].start - n.end) is not None
    if not adjacent and (
        _ends_with(rx.connector, core_s[-30:], core_bits, _CONNECTOR, _CONNECTOR_ENDS)
        or _ends_with(rx.connector, pre_s[-30:], pre_bits, _CONNECTOR, _CONNECTOR_ENDS)
        or _ends_with(rx.raising_to, core_s[-120:], core_bits, _RAISING, _RAISING_ENDS)
    ):
        cand.kind, cand.term = _backward(triggers, pre_start, core_s, rx)  # type: ignore[assignment]
    if cand.kind is None:
        kind, term = _forward(hits)
        if kind == "exclude":
            return False
        cand.kind, cand.term = kind, term  # type: ignore[assignment]
    if (
        cand.kind is None
        and _is_label_tail(post, head_words)
        and not rx.other_verb.search(core_s[-30:])
    ):
        cand.kind, cand.term = _backward(triggers, pre_start, core_s, rx)  # type: ignore[assignment]
    return True


def _excluded_before(
    core_s: str, pre_s: str, rx: _Patterns, core_bits: int | None, pre_bits: int | None
) -> bool:
    """`_left_excluded` on the 80 chars of `core_s` or on the 25 of `pre_s` (which it begins).

    One hint search covers both windows; without a hint, the last words decide.
    """
    core_w, pre_w = core_s[-80:], pre_s[-25:]
    if rx.left_exclude_hint.search(pre_s, max(0, min(len(core_s) - 80, len(pre_s) - 25))):
        return _left_excluded(core_w, rx) or _left_excluded(pre_w, rx)
    return _ends_with(
        rx.left_exclude, core_w, core_bits, _LEFT_EXCLUDE, _LEFT_EXCLUDE_ENDS
    ) or _ends_with(rx.left_exclude, pre_w, pre_bits, _LEFT_EXCLUDE, _LEFT_EXCLUDE_ENDS)


def _thing_label(core: str) -> bool:
    """True when the number ends a label ("Animals affected:") that names things, not people."""
    tail = core[-40:].rstrip()
    if not tail.endswith((":", "|")):
        return False
    label = tail.rsplit("\n", 1)[-1]
    words = [w.lower() for w in _HEAD_WORDS.findall(label) if w[0].isalpha()]
    return any(w in NON_PERSON_NOUNS for w in words) and not any(w in PERSON_NOUNS for w in words)


def _is_label_tail(post: str, head_words: int) -> bool:
    """True when nothing but the noun follows the number: a table cell or a label line."""
    rest = post
    for _ in range(min(head_words, 2)):
        rest = re.sub(r"^\s*[^\W\d_][\w'\u2019-]*", "", rest, count=1)
    return bool(_EMPTY_TAIL.match(rest[:40]))


def _own_trigger_inside(c: Candidate) -> bool:
    """True when a bracketed count has a trigger of its own: "(85,000 of which relocated)"."""
    closing = c.post.find(")")
    return c.kind is not None and c.term != "" and 0 <= c.post.find(c.term) < closing


def _inherit_within(text: str, cands: list[Candidate]) -> None:
    """Give sub-counts the kind of the count they belong to, within one sentence."""
    for i, c in enumerate(cands):
        prev = cands[i - 1] if i > 0 else None
        if (
            prev is not None
            and prev.kind is not None
            and c.pre.rstrip().endswith("(")
            and not _own_trigger_inside(c)
        ):
            c.kind, c.term = prev.kind, prev.term  # "34,260 households (about 240,000 people)"
            continue
        if c.kind is not None:
            continue
        nxt = cands[i + 1] if i + 1 < len(cands) else None
        if nxt is not None and nxt.kind is not None:
            between = text[c.number.end : nxt.number.start]
            if (
                re.search(r"\b(?:including|among them|of whom|incl\.)\s*$", nxt.pre)
                and ("," in between or "(" in between)
            ) or _OR_NEXT.match(between):
                c.kind, c.term = nxt.kind, nxt.term  # "27,381 families or 92,706 persons"
                continue
        if (
            prev is not None
            and prev.kind is not None
            and (INHERIT_LEFT_RE.search(c.pre[-30:]) or INHERIT_RIGHT_RE.match(c.post))
            and not _OTHER_VERB.search(c.pre[-30:])
        ):
            c.kind, c.term = prev.kind, prev.term
            if not c.has_head_noun:
                c.unit = prev.unit


def inherit_across(previous: Candidate | None, cands: list[Candidate]) -> None:
    """A bare count that opens with 'with', 'another' or 'more' continues the sentence before."""
    if previous is None or previous.kind is None:
        return
    for c in cands:
        if c.kind is not None:
            return
        if (
            re.search(r"\b(?:another|a further|an additional)\s*$", c.pre[-30:])
            or (re.search(r"\bwith\s*$", c.pre[-30:]) and not c.has_head_noun)
            or INHERIT_RIGHT_RE.match(c.post)
        ):
            c.kind, c.term = previous.kind, previous.term
            if not c.has_head_noun:
                c.unit = previous.unit
        return
