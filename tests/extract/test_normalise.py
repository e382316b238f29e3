"""Text as it arrives: invisible characters, glued words, foreign separators; offsets map back."""

from __future__ import annotations

from notifier.extract import Report, extract
from notifier.extract.normalise import apply_edits, normalise


def pairs(report: Report) -> set[tuple[str, int]]:
    return {(f.kind, f.value) for f in report.figures}


def test_clean_text_needs_no_repair() -> None:
    assert normalise("Storms forced 3,100 people from their homes in Bicol.") is None


def test_soft_hyphen_and_zero_width_space_are_dropped() -> None:
    text = "Heavy shelling has up\u00adrooted some 7,\u200b250 residents of the valley."
    report = extract(text)
    assert pairs(report) == {("displaced", 7250)}
    f = report.figures[0]
    assert (f.start, f.end) == (0, len(text))
    assert "\u00ad" not in f.evidence
    assert "7,250 residents" in f.evidence


def test_word_glued_to_its_count_is_parted() -> None:
    text = "Officials said at least2,600 villagers were evacuated from the coast."
    assert pairs(extract(text)) == {("displaced", 2600)}


def test_trigger_glued_to_its_hedge_is_parted() -> None:
    report = extract("The landslide killedabout 85 miners near the pit.")
    assert {(f.kind, f.value, f.qualifier) for f in report.figures} == {("killed", 85, "about")}


def test_glued_words_that_are_real_words_stay_whole() -> None:
    assert normalise("A roundabout 3 km away and moreover 12 lanes.") is None
    assert normalise("Cases of covid19 and h5n1 among m23 fighters.") is None


def test_swiss_thousands() -> None:
    text = "Some 48'500 people were displaced by the quake and 1\u2019250 were injured."
    assert pairs(extract(text)) == {("displaced", 48500), ("injured", 1250)}


def test_decimal_comma_before_a_scale_word() -> None:
    report = extract("An estimated 2,7 million people are in need of food aid.")
    assert pairs(report) == {("at_risk", 2700000)}
    assert report.figures[0].evidence.startswith("An estimated 2,7 million")


def test_three_digits_after_a_comma_are_thousands() -> None:
    assert normalise("Some 1,250 million dollars.") is None


def test_offsets_after_repairs_refer_to_the_original() -> None:
    text = "Intro\u200b\u200b line.\n\nLater, at least9,000 people fled the fighting in the town."
    report = extract(text)
    assert pairs(report) == {("displaced", 9000)}
    f = report.figures[0]
    assert text[f.start : f.end] == "Later, at least9,000 people fled the fighting in the town."


def test_apply_edits_maps_inserted_and_deleted_spans_back() -> None:
    fixed = apply_edits("ab\u200bcd9", [(2, 3, ""), (5, 5, " ")])
    assert fixed.text == "abcd 9"
    assert [fixed.original(i) for i in range(len(fixed.text) + 1)] == [0, 1, 3, 4, 5, 5, 6]


def test_count_glued_to_the_word_after_it() -> None:
    assert pairs(extract("Floods left 2,300people homeless in the delta.")) == {("displaced", 2300)}


def test_dots_grouping_thousands() -> None:
    report = extract("Some 1.340.000 people are in need, up from 900.000 last year.")
    assert ("at_risk", 1340000) in pairs(report)


def test_word_broken_by_a_hyphen_at_a_line_end() -> None:
    text = "The flash floods dis-\nplaced 3,700 people in the valley."
    report = extract(text)
    assert pairs(report) == {("displaced", 3700)}
    assert report.figures[0].evidence == "The flash floods dis- placed 3,700 people in the valley."


def test_a_year_before_a_comma_is_no_decimal() -> None:
    assert normalise("In 2023,2 million people fled.") is None


def test_decimal_comma_at_the_start_of_the_text() -> None:
    fixed = normalise("3,5 million displaced")
    assert fixed is not None
    assert fixed.text == "3.5 million displaced"


def test_offsets_inside_an_insertion_map_to_its_place() -> None:
    fixed = apply_edits("ab 12 cd", [(5, 5, " killed")])
    assert fixed.text == "ab 12 killed cd"
    assert [fixed.original(i) for i in (4, 5, 6, 9, 12, 13)] == [4, 5, 5, 5, 5, 6]


def test_comparison_signs_become_hedges() -> None:
    report = extract("Overview\n\n>300K\npeople displaced\n\n<50\ndeaths\n")
    assert {(f.kind, f.value, f.qualifier) for f in report.figures} == {
        ("displaced", 300000, "at_least"),
        ("killed", 50, "at_most"),
    }


def test_sentences_glued_at_their_full_stop() -> None:
    report = extract(
        "Rescuers evacuated 640 people from the valley, the mayor said.Another 75 were "
        "injured in the mudslide."
    )
    assert {(f.kind, f.value) for f in report.figures} == {("displaced", 640), ("injured", 75)}
    assert all(f.evidence.count(".") == 1 for f in report.figures)
