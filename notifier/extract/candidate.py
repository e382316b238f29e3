"""A number that may be a figure, as the sentence cascade (`figures.py`) fills it in."""

from __future__ import annotations

from dataclasses import dataclass

from notifier.extract.models import Kind, Qualifier, Unit
from notifier.extract.numerals import NumberMention


@dataclass(slots=True)
class Candidate:
    """A number that passed the filters; `kind` stays None until a trigger is found.

    `pre` is the text before the number in its sentence, less its hedge and
    filler; `post` the text after it up to the end of its clause.
    """

    number: NumberMention
    sentence: int
    kind: Kind | None
    term: str
    qualifier: Qualifier
    unit: Unit
    has_head_noun: bool
    pre: str
    post: str
