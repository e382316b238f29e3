"""What makes the figure rules of `figures.py` fast, without changing one answer.

The rules try a dozen patterns around every number. Most of them cannot match
most of the time, and a cheap test says so before the pattern runs. Each test
is a necessary condition of its pattern, so skipping the pattern when the test
fails changes nothing (tests/extract/test_fastpath.py checks that on real
texts). The rules only see `Patterns`, whose members are searched as the plain
patterns would be:

- Lower-cased patterns: the IGNORECASE patterns of the lexicon compiled
  case-sensitive for the lower-cased text (`wordtrie.lowered`), which find the
  same spans two to four times faster. `AS_IS` serves the texts that cannot be
  lower-cased safely.
- Last-word tests (`EndPattern`, `TextBefore`): a pattern anchored at the end
  of the text before a number can only match where that text ends with one of
  the pattern's last words (`_LAST_WORDS`, kept by hand beside the lexicon).
  The last word is looked up once per number, in one dict that gives a bit per
  pattern, rather than once per pattern.
- Sentence gates (`patterns_for`): a sentence with no "lives" nor "bodies", or
  with no clause break at all, gets patterns in which those that need them are
  None, told once per sentence with `in`. (A pattern that matches nothing would
  read better, but a regex call costs more than the test for None, and these
  run for every number.)
"""

from __future__ import annotations

import re

from notifier.extract.lexicon import (
    CLAUSE_END_RE,
    CONNECTOR_RE,
    EVACUATED_HOMES_RE,
    FILLER_RE,
    HOMES_RE,
    LEFT_EXCLUDE_RE,
    LEFT_TRIGGER_RE,
    LIVES_RE,
    OBJECT_NEXT_RE,
    OTHER_VERB_RE,
    QUALIFIER_RE,
    RAISING_TO_RE,
    RIGHT_EXCLUDE_RE,
    TIME_AGO_RE,
    TOLL_REACHED_RE,
)
from notifier.extract.wordtrie import lower_regex, trie_regex

# The verbs and particles a connector (CONNECTOR_RE) ends with.
_PARTICLES = ("to", "at", "of", "from")
_CONNECTOR_WORDS = """risen rises rise rose climb climbed climbs increased increases jump jumped
    jumps soar soared soars grew grown reach reached reaches pass passed passes past top topped
    tops exceed exceeded exceeds surpass surpassed surpasses hit hits stand stands stood total
    totals totaled totalled totaling totalling is was are were be home put from revised of for
    up included includes include number numbers numbered doubled tripled trebled quadrupled
    swelled swollen""".split()

#: The last words of each end-anchored pattern of the rules: every match ends,
#: before blanks, with one of these as a whole word, or with a character that is
#: not a letter ("approx.", "~", "(about"), which `last_word_may_end` lets through.
_LAST_WORDS: dict[str, frozenset[str]] = {
    "filler": frozenset(
        "further another additional of total only record just still all now".split()
    ),
    "qualifier": frozenset(
        """than over least of excess exceeding exceeds exceed exceeded past passed pass passes
        top tops topped surpass surpassed surpasses above beyond about around approximately
        roughly some estimated nearly almost approaching nearing to circa under approximate at de
        environ unas unos up as below most hasta""".split()
    ),
    "left_trigger": frozenset(
        """the injured injuring wounded wounding maimed killed killing kills kill of to
        displaced displacing displace uprooted uprooting evacuated evacuating evacuate relocated
        relocating relocate homeless affected affecting affects affect threatening threatens
        endangering for exposing trapping drove driven driving chased forced out off evicted
        evicting evict shelters sheltering hosts hosting houses housing
        stranding""".split()
    ),
    # Its second branch only: the first one is told by `_LEFT_EXCLUDE_HINT`.
    "left_exclude": frozenset("for aged age ages of between under hold in".split()),
    # CONNECTOR_RE lets a particle follow its verb with no space between ("beat"
    # is "be" and "at"), so those run-together words end it too.
    "connector": frozenset(
        [*_CONNECTOR_WORDS, *_PARTICLES, *(w + p for w in _CONNECTOR_WORDS for p in _PARTICLES)]
    ),
    "toll_reached": frozenset(["reach", "reached", "reaches"]),
    "raising_to": frozenset(["to"]),
}
#: Every verb of LEFT_EXCLUDE_RE's first branch (which need not end with a last
#: word) contains one of these.
_LEFT_EXCLUDE_HINT = re.compile(
    trie_regex(
        frozenset(
            """reach assist provid deliver distribut hand vaccinat immuni support help serv feed
            fed treat train employ target benefit rescued aim""".split()
        )
    ),
    re.IGNORECASE,
)

# One bit per end-anchored pattern; each last word maps to the bits of the
# patterns it may end.
_BIT = {name: 1 << i for i, name in enumerate(_LAST_WORDS)}
_ANY_END = (1 << len(_LAST_WORDS)) - 1
_END_BITS: dict[str, int] = {}
for _name, _words in _LAST_WORDS.items():
    for _word in _words:
        _END_BITS[_word] = _END_BITS.get(_word, 0) | _BIT[_name]
#: The shortest window an `EndPattern` is searched in (see `TextBefore`).
SHORTEST_WINDOW = 25


def last_word_may_end(window: str, last_words: frozenset[str]) -> bool:
    """False when a pattern whose matches end with one of `last_words` cannot match `window`.

    The pattern must end, before spaces, with one of `last_words` as a whole
    word. A last word that is not all letters ("approx.", "~", "(about") lets
    the pattern decide.
    """
    tail = window.rstrip()
    if not tail:
        return False
    word = tail.rsplit(None, 1)[-1]
    return not word.isalpha() or word.lower() in last_words


class TextBefore:
    """The text before a number, as scanned, and the end-anchored patterns its last word allows.

    `text` runs from the start of the sentence (at most 400 characters back) up
    to the number; the rules search its last few dozen characters. `ends` holds
    the bits of the patterns (`_BIT`) that `last_word_may_end` lets through in
    every window of `SHORTEST_WINDOW` characters or more: their last word is the
    same when it starts within the last 25 characters. It is None when it does
    not (a very long word, or blanks): then each window is told on its own.
    """

    __slots__ = ("ends", "text")
    text: str
    ends: int | None

    def __init__(self, text: str) -> None:
        # One call per number: `_END_BITS` is looked up here, not in a helper.
        self.text = text
        tail = text[-SHORTEST_WINDOW:].rstrip()
        if not tail:
            self.ends = None if len(text) > SHORTEST_WINDOW else 0
            return
        parts = tail.rsplit(None, 1)
        if len(parts) == 1 and len(text) > SHORTEST_WINDOW:
            self.ends = None
            return
        word = parts[-1]
        self.ends = _END_BITS.get(word.lower(), 0) if word.isalpha() else _ANY_END

    def without(self, tail: re.Match[str]) -> TextBefore:
        """The text less `tail`, a match at its end ("more than", "a total of")."""
        return TextBefore(self.text[: len(self.text) - len(tail.group())])


class EndPattern:
    """A pattern anchored at the end of the text before a number, tried where its last word is."""

    __slots__ = ("bit", "last_words", "pattern")

    def __init__(self, name: str, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.bit = _BIT[name]
        self.last_words = _LAST_WORDS[name]

    def search(self, before: TextBefore, width: int) -> re.Match[str] | None:
        """The pattern in the last `width` characters of `before` (`width` >= 25)."""
        window = before.text[-width:]
        ends = before.ends
        if ends is None:
            if not last_word_may_end(window, self.last_words):
                return None
        elif not ends & self.bit:
            return None
        return self.pattern.search(window)


class HintedEndPattern:
    """A pattern of two branches: one ends with a last word, the other holds a `hint`.

    LEFT_EXCLUDE_RE: "a town of", "aged" end it; "reached ... people with" only
    holds a verb of aid somewhere before the number.
    """

    __slots__ = ("end", "hint", "pattern")

    def __init__(self, name: str, pattern: re.Pattern[str], hint: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.end = EndPattern(name, pattern)  # where no hint is, the last word decides
        self.hint = hint

    def found_in(self, window: str) -> bool:
        """True when the pattern matches `window`."""
        if self.hint.search(window) is None and not last_word_may_end(window, self.end.last_words):
            return False
        return self.pattern.search(window) is not None

    def found(self, core: TextBefore, core_width: int, before: TextBefore, width: int) -> bool:
        """True when the pattern matches the end of `core` or of `before`, which `core` begins.

        One hint search covers both windows; without a hint, the last words decide.
        """
        text = before.text
        hint_from = max(0, min(len(core.text) - core_width, len(text) - width))
        if self.hint.search(text, hint_from):
            return self.found_in(core.text[-core_width:]) or self.found_in(text[-width:])
        end = self.end
        return end.search(core, core_width) is not None or end.search(before, width) is not None


class Patterns:
    """The patterns of the figure rules, for the text as scanned (as is, or lower-cased).

    `clauses` and `lives` False say that the sentence lacks what `clause_end`
    and `lives` need: those are then None.
    """

    def __init__(self, *, lower: bool, clauses: bool = True, lives: bool = True) -> None:
        def scanned(pattern: re.Pattern[str]) -> re.Pattern[str]:
            return lower_regex(pattern) if lower else pattern

        # Searched at the end of the text before a number.
        self.filler = EndPattern("filler", scanned(FILLER_RE))
        self.qualifier = EndPattern("qualifier", scanned(QUALIFIER_RE))
        self.left_trigger = EndPattern("left_trigger", scanned(LEFT_TRIGGER_RE))
        self.toll_reached = EndPattern("toll_reached", scanned(TOLL_REACHED_RE))
        self.connector = EndPattern("connector", scanned(CONNECTOR_RE))
        self.raising_to = EndPattern("raising_to", scanned(RAISING_TO_RE))
        self.left_exclude = HintedEndPattern(
            "left_exclude", scanned(LEFT_EXCLUDE_RE), scanned(_LEFT_EXCLUDE_HINT)
        )
        # Plain patterns.
        self.right_exclude = scanned(RIGHT_EXCLUDE_RE)
        self.evacuated_homes = scanned(EVACUATED_HOMES_RE)
        self.homes = scanned(HOMES_RE)
        self.object_next = scanned(OBJECT_NEXT_RE)
        self.other_verb = scanned(OTHER_VERB_RE)
        self.time_ago = scanned(TIME_AGO_RE)
        # Gated by sentence (see `patterns_for`).
        self.clause_end = scanned(CLAUSE_END_RE) if clauses else None
        self.lives = scanned(LIVES_RE) if lives else None


#: For texts that cannot be lower-cased safely (see `wordtrie.lowered`): not gated.
AS_IS = Patterns(lower=False)
_GATED = {
    (clauses, lives): Patterns(lower=True, clauses=clauses, lives=lives)
    for clauses in (False, True)
    for lives in (False, True)
}
# A clause break (CLAUSE_END_RE) needs one of the marks `patterns_for` looks
# for, or this.
_COMMA_CONJUNCTION = re.compile(r",\s+(?:and|but|while|whereas|although|though|as)")


def patterns_for(low: str | None, start: int, end: int) -> Patterns:
    """The patterns for the sentence [start, end) of a text, lower-cased as `low`.

    `low` is `wordtrie.lowered(text)`; None (a text that cannot be lower-cased
    safely) gives `AS_IS`. Each gate is a substring every match needs, looked
    for with `in`, which is much cheaper than a regex call per number.
    """
    if low is None:
        return AS_IS
    sentence = low[start:end]
    clauses = (
        ";" in sentence
        or ":" in sentence
        or "-" in sentence
        or "\u2013" in sentence
        or "\u2014" in sentence
        or "while" in sentence
        or "whereas" in sentence
        or "but" in sentence
        or "though" in sentence
        or "when" in sentence
        or _COMMA_CONJUNCTION.search(sentence) is not None
    )
    lives = "lives" in sentence or "bodies" in sentence
    return _GATED[clauses, lives]
