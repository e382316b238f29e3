"""Bounded output: a run-on text gives a report that grows with the text, not with its square."""

from __future__ import annotations

import json

from notifier.extract import extract
from notifier.extract.pipeline import MAX_EVIDENCE, MAX_FIGURES, evidence_window


def run_on(size: int) -> str:
    """A text of `size` characters with no full stop: one sentence packed with counts."""
    parts: list[str] = []
    length = 0
    i = 0
    while length < size:
        part = f"{1000 + i * 7:,} people displaced and {i % 90 + 2} killed in block {i}, "
        parts.append(part)
        length += len(part)
        i += 1
    return "".join(parts)


def test_a_megabyte_run_on_sentence_gives_a_bounded_report() -> None:
    text = run_on(1_000_000)
    report = extract(text)
    assert 0 < len(report.figures) <= MAX_FIGURES
    assert all(len(f.evidence) <= MAX_EVIDENCE for f in report.figures)
    assert len(json.dumps(report.to_json())) < 100_000
    assert MAX_EVIDENCE * MAX_FIGURES < 100_000  # the bound means something next to a megabyte


def test_the_report_grows_at_most_linearly_with_the_text() -> None:
    one = run_on(200_000)
    # The same run-on text as many sentences: each sentence keeps its figures.
    many = one.replace(", ", ". ")
    small = len(json.dumps(extract(one[:20_000].replace(", ", ". ")).to_json()))
    large = len(json.dumps(extract(many).to_json()))
    assert large < small * 10 * 2


def test_evidence_of_a_long_sentence_is_a_window_of_whole_words_around_the_figure() -> None:
    filler = "and the rains went on over the hills " * 20
    text = f"{filler}while 4,600 people were displaced from the lowland villages {filler}"
    (f,) = extract(text).figures
    assert (f.kind, f.value) == ("displaced", 4600)
    assert len(f.evidence) <= MAX_EVIDENCE
    assert "4,600 people were displaced" in f.evidence
    assert f.evidence == " ".join(text[f.start : f.end].split())
    assert text[f.start - 1] == " "
    assert text[f.end] == " "


def test_an_ordinary_long_sentence_is_evidence_whole() -> None:
    clauses = ", ".join(
        f"the convoy of day {i} was turned back at the checkpoint" for i in range(8)
    )
    sentence = (
        f"Relief staff reported that {clauses}, while 2,750 people were displaced by shelling."
    )
    assert 400 < len(sentence) < MAX_EVIDENCE
    text = f"Update. {sentence} Talks resume."
    (f,) = extract(text).figures
    assert (f.kind, f.value) == ("displaced", 2750)
    assert f.evidence == sentence
    assert text[f.start : f.end] == sentence


def test_short_sentence_evidence_is_the_whole_sentence() -> None:
    text = "Storms displaced 900 people. Markets reopened."
    (f,) = extract(text).figures
    assert f.evidence == "Storms displaced 900 people."


def test_window_never_cuts_the_number() -> None:
    text = "x" * 400 + " 12,345 " + "y" * 400
    at = text.index("12,345")
    lo, hi = evidence_window(text, 0, len(text), at, at + 6)
    assert lo <= at
    assert hi >= at + 6
