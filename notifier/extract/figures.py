"""Decide, for each number in a sentence, whether it is a figure and of which kind.

The cascade, per number: drop what counts something other than people (the
noun after it, an age, a rate, capacity or aid delivered); then find the
trigger: a verb right before it ("killed 12"), the subject of a rising toll
("the death toll rose to 1,136"), the words after it up to the end of its
clause ("60,000 people were forced to leave their homes"), and for a table or
label line the words before it. A sub-count with no trigger of its own
("including 66 children", "Thousands more") takes the kind of its neighbour.

The words and patterns are `lexicon.py`'s; what makes them fast is
`fastpath.py`'s. Here a pattern is simply searched where the rule looks:
`patterns.filler.search(before, 40)` is FILLER_RE at the end of the last 40
characters before the number.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from notifier.extract.candidate import Candidate
from notifier.extract.counted import (
    age_bound,
    is_label_tail,
    not_a_count,
    thing_label,
)
from notifier.extract.fastpath import Patterns, TextBefore, patterns_for
from notifier.extract.heads import BASE, unit_head
from notifier.extract.inherit import inherit_within
from notifier.extract.lexicon import (
    HURT_HEAD_RE,
    OF_PHRASE_RE,
    TOLL_SUBJECT_RE,
)
from notifier.extract.models import Qualifier
from notifier.extract.numerals import NumberMention
from notifier.extract.triggers import Hit, Triggers

_MEMBERS_OF = re.compile(r"\s+members\s+of\s+")
_LABEL_HOUSEHOLDS = re.compile(r"\b(?:households|families)\b[^\d]*$", re.IGNORECASE)
_METRES = re.compile(r"\dm")
_BASE_OF = re.compile(r"\s+of\s+(?:the|its|their|this|a|an)\s+(?:[^\W\d_][\w'\u2019-]*\s+){0,2}$")
_ADJACENT = re.compile(r"\s*(?:[^\W\d_][\w'-]*\s*)?$")
_TRANSITIVE = re.compile(
    r"kill(?:ed|s|ing)?|displac(?:ed|es|ing)|injur(?:ed|es|ing)|wound(?:ed|ing)"
    r"|evacuat(?:ed|es|ing)|uprooted|affect(?:ed|s|ing)",
    re.IGNORECASE,
)
_ADJECTIVE = re.compile(r"(?:internally )?displaced", re.IGNORECASE)
_WINDOW = 160
_TREATED = re.compile(r"\b(?:treated|treating|treat|admitted|received)\s+$", re.IGNORECASE)
# An aside opened before a number and not closed: "80 per cent of them - some 250,000".
# A double hyphen stands for a dash, and may touch the number: "IDPs --50,000 and ...".
_ASIDE_OPEN = re.compile(r"\s(--|[-\u2013\u2014])(?:\s|(?<=--))(?:[^\W\d_]+\s+){0,3}$")
# Before a dash, a dateline's words: "(Wire) -", "NUKU'ALOFA -", "KATHMANDU, Nepal -".
_DATELINE_DASH = re.compile(r"(?:\)|^\s*[A-Z][A-Z'\u2019.]{2,}\b[^-\u2013\u2014\n]{0,60})\s$")
_CONTEXT = 400
_DASHES = frozenset(("-", "--", "\u2013", "\u2014"))
_WORLD_POPULATION = 9_000_000_000
_OLDEST = 130  # an age bound is below this
# "IDPs - 35,000 and 25,000 respectively": counts for the noun before them.
_RESPECTIVE_TAIL = re.compile(
    r"\s*,?\s*(?:(?:and|or)\s+[\d][\d,.]*(?:\s*(?:million|thousand))?\s*,?\s*)?respectively\b"
)


def _qualifier(
    number: NumberMention, before: TextBefore, patterns: Patterns
) -> tuple[Qualifier, TextBefore]:
    """The qualifier, and the text before the number less the hedge and the filler around it.

    A range, a vague plural and "N+" decide the qualifier whatever the hedge says.
    """
    core = before
    filler = patterns.filler.search(core, 40)
    if filler:
        core = core.without(filler)
    hedge = patterns.qualifier.search(core, 40)
    found: Qualifier | None = None
    if hedge:
        core = core.without(hedge)
        group = hedge.lastgroup
        found = "about" if group == "tilde" else group  # type: ignore[assignment]
        filler = patterns.filler.search(core, 40)
        if filler:
            core = core.without(filler)
    if number.high is not None:
        return "range", core
    if number.vague:
        return "at_least", core
    if found is not None:
        return found, core
    return ("at_least" if number.plus else "exact"), core


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
        if h.group == "killed" and (
            later := next((m for m in hits[i:] if m.group == "missing"), None)
        ):
            return later.group, later.text  # "were swept away and remain missing"
        return h.group, h.text
    if weak is not None:
        return "displaced", weak.text
    return None, ""


def _backward(
    triggers: Triggers, start: int, pre: str, patterns: Patterns
) -> tuple[str | None, str]:
    """Kind and trigger text of the nearest trigger before the number, in its clause.

    `pre` is the sentence text from `start` up to the number, as scanned.
    """
    clause_start = 0
    pre = pre.rstrip(" :\t\n")
    if patterns.clause_end:
        for m in patterns.clause_end.finditer(pre):
            clause_start = m.end()
    hits = triggers.between(start + clause_start, start + len(pre))
    if hits and hits[-1].group == "exclude" and hits[-1].end >= start + len(pre):
        hits = hits[:-1]  # the connector itself: "the number of displaced reached N"
    if (
        hits
        and hits[-1].group == "exclude"
        and hits[-1].text.lower().startswith("reach")
        and TOLL_SUBJECT_RE.search(pre, clause_start, hits[-1].start - start)
    ):
        hits = hits[:-1]  # "the number of dead had reached 1,411, up from N"
    if not hits or hits[-1].group == "exclude":
        return None, ""
    last = hits[-1]
    return ("displaced" if last.group == "weak" else last.group), last.text


def _kind_before_aside(
    cand: Candidate,
    opened: str | None,
    *,
    triggers: Triggers,
    start: int,
    before: str,
    patterns: Patterns,
) -> None:
    """A number in an aside with no kind takes that of the words before the aside.

    "Among the dead - 27 in all - were six members of one family".
    """
    if cand.kind is None and opened is not None:
        cand.kind, cand.term = _backward(triggers, start, before, patterns)  # type: ignore[assignment]


def _open_aside(pre: str, post: str) -> tuple[str | None, int]:
    """The dash of an aside the number stands in, and where it opens in `pre`; else None.

    `pre` is the text as written: the dash of a dateline ("GOMA (Wire) - ",
    "NUKU'ALOFA - ") opens no aside.
    """
    aside = _ASIDE_OPEN.search(pre, max(0, len(pre) - 50))
    if (
        aside is None
        or f" {aside.group(1)} " not in post[:_WINDOW]
        or _DATELINE_DASH.search(pre, 0, aside.start() + 1)
    ):
        return None, 0
    return aside.group(1), aside.start()


def _window_end(
    post: str, numbers_after: list[int], patterns: Patterns, opened: str | None = None
) -> int:
    """Where the clause of a number ends: a clause break or the next number outside brackets.

    `opened` is the dash of an aside the number stands in ("some 250,000 people -
    had been affected"): its closing dash does not end the clause.
    """
    end = min(len(post), _WINDOW)
    pos = 0
    asides: list[tuple[int, int]] = []
    clause_end = patterns.clause_end  # None: the sentence has no clause break
    while clause_end and (clause := clause_end.search(post, pos, end)):
        dash = clause.group().strip()
        if opened is not None and dash == opened:
            opened, pos = None, clause.end()
            asides.append((0, pos))
            continue
        closing = post.find(f" {dash} ", clause.end(), end) if dash in _DASHES else -1
        if closing < 0:
            end = clause.start()
            break
        pos = closing + len(dash) + 2  # an aside between dashes: "1.9 million - 85 per cent - have"
        asides.append((clause.start(), pos))
    for offset in numbers_after:
        if offset >= end:
            break
        if any(a <= offset < b for a, b in asides):
            continue  # "1.1 million people - a third of them under five - are in need"
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

    `low` is `wordtrie.lowered(text)`, or None to scan `text` itself. The
    patterns see the text as scanned (`pre_s`, `post_s`: lower case when `low`
    is given); terms and evidence are cut from `text`.
    """
    patterns = patterns_for(low, start, end)
    scan = text if low is None else low
    out: list[Candidate] = []
    heads = [unit_head(scan[n.end : min(end, n.end + 80)], patterns) for n in numbers]
    for i in range(1, len(numbers)):
        if _BASE_OF.match(text, numbers[i - 1].end, numbers[i].start) or _MEMBERS_OF.fullmatch(
            text, numbers[i - 1].end, numbers[i].start
        ):
            heads[i] = BASE  # "19,000 of the city's 20,000 residents", "9 members of one family"
    stops = [
        n.start
        for n, (noun, _, _) in zip(numbers, heads, strict=True)
        if noun != "thing"
        and not n.yearlike
        and not (n.value < _OLDEST and age_bound(text, n.start, start))
    ]
    stop_set = set(stops)
    for n, head in zip(numbers, heads, strict=True):
        if n.value > _WORLD_POPULATION:
            continue
        # Bounded context: a line of a megabyte with no full stop stays linear.
        pre_start = max(start, n.start - _CONTEXT)
        post_end = min(end, n.end + _CONTEXT)
        post_s = scan[n.end : post_end]
        if patterns.right_exclude.match(post_s) or not_a_count(text, n.start, n.end, start, end):
            continue
        pre = text[pre_start : n.start]
        pre_s = scan[pre_start : n.start]
        noun, households, head_words = head
        if (
            noun == "thing"
            and patterns.evacuated_homes.search(pre_s[-40:])
            and patterns.homes.match(post_s)
        ):
            noun, households = "person", True  # "forced the evacuation of 50 homes"
        if noun == "thing" or (n.yearlike and (noun != "person" or head_words != 1)):
            continue
        if noun == "none" and head_words and _METRES.match(text, n.end - 2, n.end):
            continue  # "a 5m wave": metres, not millions, before a noun not for people
        if n.word and n.value == 1 and (noun != "person" or head_words != 1):
            continue
        before = TextBefore(pre_s)
        qualifier, core = _qualifier(n, before, patterns)
        core_text = pre[: len(core.text)]
        if noun != "person" and thing_label(core_text):
            continue  # "Animals affected: 9,27,583", "Houses destroyed | 2,100"
        first_stop = bisect_right(stops, n.start)
        after = [s - n.end for s in stops[first_stop : first_stop + 8]]
        opened, aside_at = _open_aside(pre, post_s)
        window_end = _window_end(post_s, after, patterns, opened)
        post = text[n.end : post_end]
        cand = Candidate(
            n,
            index,
            None,
            "",
            qualifier,
            "households" if households else "people",
            noun == "person",
            core_text,
            post[:window_end],
        )
        found = _find_kind(
            cand,
            triggers,
            patterns,
            pre_start=pre_start,
            before=before,
            core=core,
            post=post,
            post_s=post_s,
            window_end=window_end,
            window_at_number=n.end + window_end in stop_set,
            head_words=head_words,
        )
        if not found:
            continue
        _kind_before_aside(
            cand,
            opened,
            triggers=triggers,
            start=pre_start,
            before=core.text[:aside_at],
            patterns=patterns,
        )
        if (
            cand.kind is not None
            and not cand.has_head_noun
            and _LABEL_HOUSEHOLDS.search(core_text[-40:])
        ):
            cand.unit = "households"  # "Displaced households: 8,900"
        out.append(cand)
    inherit_within(text, out)
    return out


def _find_kind(
    cand: Candidate,
    triggers: Triggers,
    patterns: Patterns,
    *,
    pre_start: int,
    before: TextBefore,
    core: TextBefore,
    post: str,
    post_s: str,
    window_end: int,
    window_at_number: bool,
    head_words: int,
) -> bool:
    """Set the candidate's kind and term from its trigger; False when it counts aid or capacity.

    Order: a verb right before the number, the aid/capacity exclusions, "N lives",
    the subject of a rising toll, the rest of the clause, the label of a table line.
    `before` is the text before the number as scanned, `core` the same less the
    hedge (`cand.pre` as scanned).
    """
    n = cand.number
    if _kind_on_the_left(cand, core, post, patterns):
        return True
    if patterns.toll_reached.search(core, 150):
        kind, term = _backward(triggers, pre_start, core.text, patterns)
        if kind is not None:  # "the number of people displaced reached a record N"
            cand.kind, cand.term = kind, term  # type: ignore[assignment]
            return True
    if patterns.left_exclude.found(core, 80, before, 25):
        return False  # "reached 5,000 people with food", "a town of 20,000"
    lives = patterns.lives and patterns.lives.match(post_s)
    if lives:
        cand.kind, cand.term = "killed", post[: lives.end()].strip()
        return True
    hits = triggers.between(n.end, n.end + window_end)
    if (
        hits
        and window_at_number
        and _TRANSITIVE.fullmatch(hits[-1].text)
        and patterns.object_next.match(post_s, hits[-1].end - n.end, window_end)
    ):
        hits = hits[:-1]  # "a 5m wave killed 20": the verb takes the next number
    if len(hits) > 1 and (
        OF_PHRASE_RE.fullmatch(post, 0, hits[0].start - n.end)
        or (
            _ADJECTIVE.fullmatch(hits[0].text)
            and hits[0].start - n.end <= 2  # "5,000 displaced people", before the noun
            and hits[-1].group == "exclude"
        )
    ):
        # "70,000 residents of the besieged districts have moved west", "5,000 displaced
        # people were able to return": what the people are yields to what they did.
        hits = hits[1:]
    # "Casualties: 8 dead": a trigger right after the number beats the label before it.
    adjacent = bool(hits) and _ADJACENT.match(post, 0, hits[0].start - n.end) is not None
    if not adjacent and (
        patterns.connector.search(core, 30)
        or patterns.connector.search(before, 30)
        or patterns.raising_to.search(core, 120)
    ):
        cand.kind, cand.term = _backward(triggers, pre_start, core.text, patterns)  # type: ignore[assignment]
    if cand.kind is None:
        kind, term = _forward(hits)
        if kind == "exclude":
            return False
        cand.kind, cand.term = kind, term  # type: ignore[assignment]
    if cand.kind is None and core.text.rstrip().endswith("("):
        # "many families fled (up to 9,000 households, according to ...)": the bracket
        # gives the count of the clause it closes.
        cand.kind, cand.term = _backward(triggers, pre_start, core.text, patterns)  # type: ignore[assignment]
    if (
        cand.kind is None
        and (is_label_tail(post, head_words) or _RESPECTIVE_TAIL.match(post))
        and not patterns.other_verb.search(core.text[-30:])
    ):
        cand.kind, cand.term = _backward(triggers, pre_start, core.text, patterns)  # type: ignore[assignment]
    return True


def _kind_on_the_left(cand: Candidate, core: TextBefore, post: str, patterns: Patterns) -> bool:
    """Set the kind from a verb right before the number ("killed 12"); False when there is none.

    Care given to the hurt counts them ("hospitals treated 4,000 wounded
    people"), though care given is otherwise aid, not a figure.
    """
    left = patterns.left_trigger.search(core, 45)
    if left:
        term = cand.pre[-45:][left.start() : left.end()].strip()
        hurt = left.lastgroup == "displaced" and HURT_HEAD_RE.match(post)  # "evacuated 9 wounded"
        cand.kind, cand.term = "injured" if hurt else left.lastgroup, term  # type: ignore[assignment]
        return True
    hurt = HURT_HEAD_RE.match(post)  # "treated 9 wounded"
    if hurt and _TREATED.search(core.text, max(0, len(core.text) - 40)):
        cand.kind, cand.term = "injured", post[: hurt.end()].strip()
        return True
    return False
