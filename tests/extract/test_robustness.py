"""Random texts from awkward pieces: the extractor never raises and its offsets hold.

Feeds carry anything; one document that breaks the extractor costs its item.
The pieces mix figures, hedges, names and the characters that trip case-folding
(long s, dotted and dotless i, the Kelvin sign), markup and odd spacing.
"""

from __future__ import annotations

import random

from notifier.extract import extract

_PIECES = [
    *["5", "12,000", "1.5 million", "2m", "0", ",000", "1,2,3", "9999999999999999999", "2019"],
    *[" ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u2028", ".", ",", ":", ";", "-", "\u2013"],
    *["~", "(", ")", '"', "'s", "\u2019", "!", "?", "\u2022", "$", "%", "<p>", "</p>", "&amp;"],
    *["people", "killed", "displaced", "in need", "at least", "more than", "about", "per cent"],
    *["two", "and", "three", "hundred", "thousands", "toll", "rose to", "families", "lives"],
    *["hundreds of millions", "tens of thousands", "several dozen", "a few hundred"],
    *["living in displacement", "a week ago", "while", "but", "beat", "reached", "bodies"],
    *["OCHA", "UNHCR", "WHO", "MSF", "the UN refugee agency", "Red Cross", "said", "March"],
    *["Goma", "DRC", "Syria", "Port-au-Prince", "Cox's Bazar", "U.N.", "Dr.", "a.m."],
    *["Related articles:", "d\u00e9plac\u00e9s", "\u0130", "\u0131", "\u017f", "\u212a"],
    *["hundred\u017f", "thou\u017fand", "Syr\u0130a", "UN\u0130CEF", "k\u0131lled"],
]


def test_random_texts_never_break_the_extractor() -> None:
    rng = random.Random(20261125)
    for _ in range(3000):
        doc = "".join(
            rng.choice(_PIECES) + (" " if rng.random() < 0.6 else "")
            for _ in range(rng.randint(0, 80))
        )
        report = extract(doc)
        report.to_json()
        for f in report.figures:
            assert 0 <= f.start <= f.end <= len(report.text), doc
            assert f.value > 0, doc
