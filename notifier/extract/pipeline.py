"""Compose the extractor: text -> sentences -> numbers -> figures -> one Report.

Everything here is linear in the text: each regex runs once over the whole
text (numbers, agencies, places) or once per sentence, and the lists are
walked in step, so a long document costs no more per byte than a short one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from notifier.extract import agencies, language, places, tables
from notifier.extract.attribution import Attributor, attribute
from notifier.extract.candidate import Candidate
from notifier.extract.counted import routine_crossing
from notifier.extract.country import Placed, Placer
from notifier.extract.dedup import Found, merge_figures
from notifier.extract.figures import sentence_candidates
from notifier.extract.inherit import inherit_across
from notifier.extract.models import Figure, Report
from notifier.extract.normalise import Normalised, normalise, visible
from notifier.extract.numbers import NumberIndex
from notifier.extract.sentences import split_sentences
from notifier.extract.triggers import Triggers
from notifier.extract.wordtrie import lower_pattern, lowered, trie_regex


def extract(text: str) -> Report:
    """Figures, agencies, organisations and countries of one plain-text document.

    The offsets in the report refer to `text` (kept as `Report.text`). HTML is
    the caller's to convert (`notifier.htmltext`): the extractor reads text only.
    The text is first repaired (`normalise`: invisible characters, glued words,
    foreign separators, table labels); the figures' offsets and evidence are
    then mapped back to `text`.
    """
    fixed = normalise(text, tables.table_edits(text))
    work = text if fixed is None else fixed.text
    agency_mentions = agencies.find_agencies(work)
    org_mentions = agencies.find_organisations(work)
    place_mentions = places.find_places(work)
    figures = _figures(work, agency_mentions, place_mentions)
    if fixed is not None:
        figures = [_to_original(f, text, fixed) for f in figures]
    return Report(
        text=text,
        figures=tuple(figures),
        agencies=agencies.document_agencies(agency_mentions),
        organisations=agencies.document_organisations(org_mentions),
        countries=places.document_countries(place_mentions),
        language=language.detect(text),
    )


def _figures(
    text: str,
    agency_mentions: list[agencies.AgencyMention],
    place_mentions: list[places.PlaceMention],
) -> list[Figure]:
    low = lowered(text)
    numbers = NumberIndex(text, low)
    if not numbers.tokens:
        return []
    attributor = Attributor(text, agency_mentions, low)
    scan, links_header, boilerplate = (
        (text, _LINKS_HEADER, _BOILERPLATE) if low is None else (low, _LINKS_LOW, _BOILERPLATE_LOW)
    )
    triggers = Triggers(text, low)
    placer = Placer(text, place_mentions)
    out: list[Found] = []
    previous: Candidate | None = None
    previous_index = -2
    skip_to = 0
    for index, (start, end) in enumerate(split_sentences(text)):
        if start < skip_to:
            continue
        # A header is a few words: a sentence over 40 characters can only be one
        # if it ends with the colon after a long run of blanks.
        if (end - start <= 40 or scan[end - 1] == ":") and links_header.fullmatch(scan, start, end):
            # "Related articles" / "ALSO READ": the lines below are other stories.
            blank = text.find("\n\n", end)
            skip_to = len(text) if blank < 0 else blank
            continue
        found, fallback = attributor.sentence(start, end)
        # Numbers are parsed only in sentences that may hold a figure.
        if not numbers.has_any(start, end):
            continue
        if not _may_hold_figures(text, start, end, triggers, low) and (
            previous_index != index - 1 or not _continues(text, low, start, end)
        ):
            # No trigger: only a count that continues the figure before can be one.
            continue
        if boilerplate.match(scan, start, end):
            continue
        in_sentence = numbers.between(start, _numbers_end(numbers.starts, start, end))
        if not in_sentence:
            continue
        cands = sentence_candidates(
            text, start, end, in_sentence, index, triggers=triggers, low=low
        )
        inherit_across(text, previous if previous_index == index - 1 else None, cands)
        evidence = ""
        kept = [(c.kind, c) for c in cands if c.kind is not None]
        kept = [
            (k, c)
            for k, c in kept
            if k != "displaced" or not routine_crossing(text, c.term, start, end)
        ]
        placed: tuple[str, Placed] | None = None
        first = len(out)
        for kind, c in kept[:MAX_FIGURES]:
            ev_start, ev_end, evidence = _evidence(text, start, end, c, evidence)
            if placed is not None and placed[0] == kind and _REVISED_FROM.search(c.pre[-20:]):
                # "the toll in Turkey and Syria rose to 17,100, up from 11,200": the old
                # count is of the same people as the new one.
                place, country, level = placed[1]
            else:
                place, country, level = placer.place(start, end, c.number.start, kind)
            placed = kind, (place, country, level)
            # Positional (in field order): a frozen dataclass built with keywords
            # costs half as much again, once per figure.
            figure = Figure(
                kind,
                c.number.value,
                c.number.high,
                c.unit,
                c.qualifier,
                attribute(found, fallback, c.number.start),
                place,
                country,
                " ".join(c.term.split()),
                evidence,
                ev_start,
                ev_end,
                level,
            )
            additional = _ADDITIONAL.match(c.post) is not None
            out.append(Found(figure, c.number.vague, additional, c.number.scale))
            previous, previous_index = c, index
        if len(out) - first > 2:
            _unplace_totals(out, first)
    return merge_figures(out, _title_end(text))


def _unplace_totals(out: list[Found], first: int) -> None:
    """A total split by country in its sentence spans them all: its country is none.

    "10 people were killed, seven in Guatemala and three in Honduras": the 10
    are in both countries.
    """
    for i in range(first, len(out) - 2):
        total = out[i].figure
        parts = [
            f.figure
            for f in out[i + 1 :]
            if f.figure.kind == total.kind and f.figure.country is not None
        ]
        countries = {f.country for f in parts}
        if len(countries) > 1 and sum(f.value for f in parts) <= total.value:
            out[i].figure = replace(total, place=None, country=None, place_level=None)


_REVISED_FROM = re.compile(r"\b(?:up|down) from\s*$", re.IGNORECASE)

#: Bounds per sentence, so that a report grows linearly with its text: a
#: megabyte with no full stop is one sentence, and without them it would give
#: thousands of figures each carrying the whole megabyte as evidence.
MAX_NUMBERS = 256  # numbers examined
MAX_FIGURES = 64  # figures kept
# Characters of evidence: an ordinary long sentence (a UN News sentence of 400-600
# characters) stays whole; a longer one is cut around the figure.
MAX_EVIDENCE = 1000


_TITLE_REACH = 400  # characters from the start that a title may take


def _title_end(text: str) -> int:
    """Where the title ends: after the short unpunctuated paragraphs that open the text.

    "PRESS RELEASE / For immediate release", a kicker or a byline may stand
    above the headline: the title block runs over every opening paragraph
    that is a heading, not prose, and begins in the first _TITLE_REACH
    characters. Without a blank line there, the text has no title (0).
    """
    end = 0
    while end < _TITLE_REACH:
        blank = text.find("\n\n", end, _TITLE_REACH + (200 if end else 0))
        if blank < 0:
            break
        paragraph = text[end:blank].strip()
        if end and (not paragraph or _PROSE_END.search(paragraph)):
            break
        end = blank + 2
    return max(end - 2, 0)


# A paragraph of prose ends with a full stop (or a quote after one); a heading does not.
_PROSE_END = re.compile(r"[.!?][\"'\u201d\u2019)]?$")


def _numbers_end(starts: list[int], start: int, end: int) -> int:
    """Where the sentence's numbers past the first MAX_NUMBERS begin (else `end`)."""
    cut = bisect_left(starts, start) + MAX_NUMBERS
    return starts[cut] if cut < len(starts) and starts[cut] < end else end


def evidence_window(text: str, start: int, end: int, at: int, to: int) -> tuple[int, int]:
    """At most MAX_EVIDENCE characters of the sentence [start, end) around [at, to), at whole words.

    The window is centred on the number and moved inward so that it starts and
    ends at a word boundary (or the sentence's own ends).
    """
    half = max(0, (MAX_EVIDENCE - (to - at)) // 2)
    lo = max(start, at - half)
    hi = min(end, to + half)
    if lo > start and not text[lo - 1].isspace():
        space = text.find(" ", lo, at)
        lo = at if space < 0 else space + 1
    if hi < end and not text[hi].isspace():
        space = text.rfind(" ", to, hi)
        hi = to if space < 0 else space
    return lo, hi


def _evidence(text: str, start: int, end: int, c: Candidate, evidence: str) -> tuple[int, int, str]:
    """Offsets and text of the evidence: the sentence, or a window of a long one.

    `evidence` is the sentence's, once built: its figures share it.
    """
    if end - start > MAX_EVIDENCE:
        start, end = evidence_window(text, start, end, c.number.start, c.number.end)
        return start, end, " ".join(text[start:end].split())
    return start, end, evidence or " ".join(text[start:end].split())


def _to_original(f: Figure, text: str, fixed: Normalised) -> Figure:
    """The figure with its offsets in the original text and its evidence cut from it."""
    start, end = fixed.original(f.start), fixed.original(f.end)
    evidence = " ".join(visible(text[start:end]).split())
    # Positional, as in _figures: dataclasses.replace costs several times more.
    return Figure(
        f.kind,
        f.value,
        f.high,
        f.unit,
        f.qualifier,
        f.agency,
        f.place,
        f.country,
        f.term,
        evidence,
        start,
        end,
        f.place_level,
    )


# Without a trigger in the sentence, a number is a figure only after a verb of
# lexicon.LEFT_TRIGGER_RE that no trigger covers ("kill 12") or as a count that
# continues the sentence before (figures.inherit_across): none of these words,
# none of those.
_CONTINUES_WORDS = [
    *"""kill dead lives death bodies massacre toll injur wound displac uproot evacuat relocat
    exodus homeless affect threaten endanger concern fears expos trapping another further
    additional with more other received hosts hosting taken took welcomed home""".split(),
    "of them",
    "among them",
    "of whom",
    "of these",
]
# A trie: a flat alternation of thirty words is tried word by word at every character.
_CONTINUES = re.compile(trie_regex(frozenset(_CONTINUES_WORDS), space=" "), re.IGNORECASE)
_CONTINUES_LOW = re.compile(_CONTINUES.pattern)


def _continues(text: str, low: str | None, start: int, end: int) -> bool:
    if low is None:
        return _CONTINUES.search(text, start, end) is not None
    return _CONTINUES_LOW.search(low, start, end) is not None


_ADDITIONAL = re.compile(r"\s*(?:of\s+)?(?:more|others|other)\b")

# Links to other stories and page furniture: their numbers belong to other texts.
_BOILERPLATE = re.compile(
    r"(?:\d+\.\s*)?(?:related(?: stories| articles| news)?|read (?:more|next|also)|see also"
    r"|most (?:read|viewed|popular)|more from|next|previous|also read|recommended"
    r"|trending(?: now)?"
    r"|you may also like|watch)\s*[:|\-\u2013]",
    re.IGNORECASE,
)
_LINKS_HEADER = re.compile(
    r"(?:related(?: stories| articles| news| content)?|also read|read (?:more|next|also)"
    r"|see also|most (?:read|viewed|popular)|more (?:stories|news)|trending(?: now)?"
    r"|you may also like|recommended(?: for you)?|latest news)\s*:?",
    re.IGNORECASE,
)
_LINKS_LOW = re.compile(lower_pattern(_LINKS_HEADER.pattern))
_BOILERPLATE_LOW = re.compile(lower_pattern(_BOILERPLATE.pattern))
# '*': any ending
_LEFT_ONLY = """bodies massacre exodus displace uprooting relocat* threaten* endanger* expos*
    trapping fears affect* lives drove driven chased forced search* cut stranding concerned
    fearing shelters hosts hosting housing""".split()
_LEFT_ONLY_RE = re.compile(rf"\b{trie_regex(_LEFT_ONLY)}\b", re.IGNORECASE)
_LEFT_ONLY_LOW = re.compile(lower_pattern(_LEFT_ONLY_RE.pattern))
#: Every word of _LEFT_ONLY_RE contains one of these.
_LEFT_ONLY_STEMS = [word.rstrip("*") for word in _LEFT_ONLY]


def _may_hold_figures(
    text: str, start: int, end: int, triggers: Triggers, low: str | None = None
) -> bool:
    """False for a sentence with no trigger word at all: none of its numbers can be a figure.

    Most sentences with numbers (dates, money, scores) end here, before the
    per-number cascade runs.
    """
    if triggers.any_kind(start, end):
        return True
    if low is not None:
        sentence = low[start:end]
        # `in` tells most sentences apart faster than the pattern would.
        if not any(stem in sentence for stem in _LEFT_ONLY_STEMS):
            return False
        return _LEFT_ONLY_LOW.search(low, start, end) is not None
    return _LEFT_ONLY_RE.search(text, start, end) is not None
