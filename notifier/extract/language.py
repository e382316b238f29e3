"""Which language a text is in, so that a text with no figures can say why.

Figures are extracted from English only; a French or Arabic report then has
none, and `Report.language` says so instead of an empty report that looks like
a quiet day. The identifier is fastText's lid.176.ftz (176 languages, 917 KB,
CC BY-SA 3.0: see data/NOTICE-lid176.md), run by the `fasttext-predict` package
(the predict half of fastText, no numpy). It is loaded on first need only:
most texts are plainly English, and a count of English function words tells
them apart in microseconds without the model.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from importlib import resources
from typing import Protocol

__all__ = ["ENGLISH", "detect", "language_name"]

#: The language figures are extracted from.
ENGLISH = "en"
_MODEL = "data/lid.176.ftz"
_SAMPLE = 3000  # characters the model reads: the language of a report shows in its first lines
_GLANCE = 1200  # characters the function-word count reads
_MIN_LETTERS = 20  # fewer letters than this: too short to tell
_MIN_CONFIDENCE = 0.4  # below this the model is guessing
# English function words: in English prose they are a fifth of all words or
# more; in other languages written in Latin letters, a few per cent at most.
_FUNCTION = frozenset(
    "the of and to in a is was were that for on with by as at from have has had are be "
    "been said people their which this it its they".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_CLEARLY_ENGLISH = 0.15
_LOCK = threading.Lock()


class _Model(Protocol):
    def predict(self, text: str, k: int = 1) -> tuple[tuple[str, ...], tuple[float, ...]]: ...


def detect(text: str) -> str | None:
    """The ISO 639-1 code (or fastText's code) of the text's language; None if it cannot tell.

    None also when no identifier is installed: a missing `fasttext-predict`
    must not stop extraction.
    """
    words = _WORD.findall(text[:_GLANCE].lower())
    if sum(map(len, words)) < _MIN_LETTERS:
        return None
    if sum(map(_FUNCTION.__contains__, words)) >= _CLEARLY_ENGLISH * len(words):
        return ENGLISH
    sample = text[:_SAMPLE]
    model = _model()
    if model is None:
        return None
    with _LOCK:  # the model is not documented as thread-safe
        labels, scores = model.predict(" ".join(sample.split()), k=1)
    if not labels or scores[0] < _MIN_CONFIDENCE:
        return None
    return labels[0].removeprefix("__label__")


@cache
def _model() -> _Model | None:
    """The fastText model, loaded once (about 30 ms, 5 MB); None without the package."""
    try:
        import fasttext  # noqa: PLC0415 - loaded on need
    except ImportError:
        return None
    path = resources.files("notifier.extract").joinpath(_MODEL)
    with resources.as_file(path) as file:
        model: _Model = fasttext.load_model(str(file))
    return model


def language_name(code: str) -> str:
    """The English name of a language code ("fr" -> "French"), else the code."""
    import pycountry  # noqa: PLC0415 - only to say a language's name

    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return str(found.name) if found is not None else code
