"""The composed extractor: dedup, attribution, places, HTML, offsets, document lists."""

from __future__ import annotations

import pytest

from notifier.extract import Report, extract


def by_value(report: Report) -> dict[int, tuple[str, str, str | None]]:
    return {f.value: (f.kind, f.qualifier, f.agency) for f in report.figures}


def test_headline_and_body_repeat_is_one_figure_with_the_body_details() -> None:
    text = (
        "12,000 displaced by floods in the north\n\n"
        "Heavy rain has forced more than 12,000 people from their homes, according to the "
        "International Organization for Migration (IOM)."
    )
    report = extract(text)
    assert len(report.figures) == 1
    f = report.figures[0]
    assert (f.kind, f.value, f.qualifier, f.agency) == ("displaced", 12000, "at_least", "IOM")
    assert "according to" in f.evidence


def test_vague_restatement_of_a_precise_figure_is_dropped() -> None:
    text = "Thousands evacuated as river bursts its banks\n\nNearly 6,500 people were evacuated."
    assert by_value(extract(text)) == {6500: ("displaced", "about", None)}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Quake toll climbs past 1,000", "Officials said 1,084 people were killed."),
        ("Flood toll rises to nearly 400", "Officials said 387 people were killed."),
        ("More than 5,000 killed in a year", "The monitors said 5,310 people were killed."),
    ],
)
def test_hedged_round_title_count_restates_the_precise_body_count(title: str, body: str) -> None:
    report = extract(f"{title}\n\nLAKEVIEW - {body}")
    assert [(f.kind, f.qualifier) for f in report.figures] == [("killed", "exact")]


def test_hedged_title_count_far_from_the_body_count_is_kept() -> None:
    text = "More than 1,000 killed in a month\n\nOn Monday alone, 45 people were killed."
    assert set(by_value(extract(text))) == {1000, 45}


def test_title_under_a_press_release_banner_is_still_the_title() -> None:
    text = (
        "NEWS RELEASE\nEmbargoed until 10:00\n\nThousands flee rising floods\n\n"
        "RIVERTON - About 42,000 people have been forced from their homes, officials said."
    )
    assert set(by_value(extract(text))) == {42000}


def test_hedged_highlight_restates_the_precise_body_count() -> None:
    text = (
        "HIGHLIGHTS\n\u2022 More than 420,000 people have been displaced by the floods.\n\n"
        "SITUATION\nOfficials said 426,300 people have been displaced since June."
    )
    assert set(by_value(extract(text))) == {426_300}


def test_an_approximate_count_beside_a_close_table_value_is_its_own_count() -> None:
    text = (
        "Update on the crisis.\n\nRegion | IDPs\nNorth | 85,000\nSouth | 12,500\n\n"
        "Some 87,000 people have fled the two regions to the neighbouring country."
    )
    assert {85_000, 87_000} <= set(by_value(extract(text)))


def test_rounded_key_figure_restates_the_precise_count() -> None:
    text = (
        "KEY FIGURES\n52.3K people displaced\n\n"
        "HIGHLIGHTS\nAt least 52,310 people have been displaced by the storm, officials said."
    )
    assert by_value(extract(text)) == {52310: ("displaced", "at_least", None)}


def test_a_key_figure_cut_rather_than_rounded_restates_the_precise_count() -> None:
    text = "KEY FIGURES\n24.3K newly displaced\n\nOfficials said 24,370 people have been displaced."
    assert set(by_value(extract(text))) == {24_370}


def test_people_from_families_is_one_count_in_two_units() -> None:
    text = "A total of 8,420 people from 1,930 families are staying in 41 evacuation centres."
    assert {(f.kind, f.value, f.unit) for f in extract(text).figures} == {
        ("displaced", 8_420, "people"),
        ("displaced", 1_930, "households"),
    }


def test_parts_of_a_count_by_place_in_brackets() -> None:
    text = "Population exposed within 100 km: 520,000 (Chile: 300,000; Argentina: 220,000)"
    report = extract(text)
    assert {(f.kind, f.value, f.country) for f in report.figures} == {
        ("at_risk", 520_000, None),
        ("at_risk", 300_000, "CHL"),
        ("at_risk", 220_000, "ARG"),
    }


def test_vague_count_of_others_is_kept() -> None:
    text = "About 6,500 people were evacuated. Thousands more were evacuated on Friday."
    assert set(by_value(extract(text))) == {6500, 2000}


def test_attribution_same_sentence() -> None:
    text = "UNICEF said 2,400 children had been displaced by the fighting."
    assert by_value(extract(text))[2400][2] == "UNICEF"


def test_attribution_according_to() -> None:
    text = "According to OCHA, 31,000 people remain displaced."
    assert by_value(extract(text))[31000][2] == "OCHA"


def test_head_of_agency_is_the_agency() -> None:
    text = "More than 90,000 people have fled, the UN High Commissioner for Refugees said."
    assert by_value(extract(text))[90000][2] == "UNHCR"


def test_mention_without_a_reporting_cue_is_not_attribution() -> None:
    text = "Four WFP drivers were killed when their convoy was ambushed."
    assert by_value(extract(text))[4] == ("killed", "exact", None)


def test_other_source_in_the_sentence_wins_over_the_previous_one() -> None:
    text = (
        "UNHCR said 8,000 people had crossed the border. "
        "The health ministry said 45 people had been killed."
    )
    got = by_value(extract(text))
    assert got[8000][2] == "UNHCR"
    assert got[45][2] is None


def test_reference_back_to_the_agency() -> None:
    text = (
        "The World Health Organization said 300 people had died. "
        "The agency added that another 1,100 people were injured."
    )
    assert by_value(extract(text))[1100][2] == "WHO"


def test_sentence_before_setting_up_the_source() -> None:
    text = "According to the latest OCHA update:\n\u2022 14,500 people have been displaced."
    assert by_value(extract(text))[14500][2] == "OCHA"


def test_document_agencies_and_countries() -> None:
    text = "In Sudan, UNHCR and the World Food Programme said 5,000 people had fled to Chad."
    report = extract(text)
    assert {a.acronym for a in report.agencies} == {"UNHCR", "WFP"}
    assert "SDN" in report.countries


def test_place_in_the_sentence_and_carried_forward() -> None:
    text = (
        "Floods hit Kenya's Tana River county. In Garissa, 7,000 people were displaced. "
        "Another 1,200 people were injured."
    )
    figures = {f.value: f for f in extract(text).figures}
    assert figures[7000].country == "KEN"
    assert figures[7000].place is not None
    assert figures[1200].country == "KEN"


def test_no_numbers_no_figures() -> None:
    report = extract("Nothing happened today.")
    assert report.figures == ()


def test_to_json_shape() -> None:
    out = extract("About 250 people were evacuated.").to_json("doc-1")
    assert out["id"] == "doc-1"
    (fig,) = out["figures"]
    assert fig["kind"] == "displaced"
    assert fig["value"] == 250
    assert fig["qualifier"] == "about"
    assert set(fig) >= {"term", "evidence", "start", "end", "place", "country", "agency", "high"}


def test_boilerplate_numbers_are_not_figures() -> None:
    text = (
        "Home | World | Sport\nShare this: Facebook | Twitter\n"
        "312 users have voted\nComments (14)\nPage 2 of 3\n"
    )
    assert extract(text).figures == ()


def test_spokesperson_speaking_on_in_the_next_sentence() -> None:
    text = (
        "A UNHCR spokesperson told reporters the agency was alarmed. "
        "He said 1.5 million people were now displaced in the province."
    )
    assert by_value(extract(text))[1_500_000][2] == "UNHCR"


def test_pronoun_after_a_non_un_source_is_not_attributed() -> None:
    text = (
        "UNHCR said 8,000 people had fled. The governor told reporters the roads were cut. "
        "He said 30 people had been killed."
    )
    assert by_value(extract(text))[30][2] is None


def test_links_to_other_stories_are_not_figures() -> None:
    text = (
        "Aid reaches flooded valley\n\nAbout 3,000 people were evacuated on Monday.\n\n"
        "Related: Floods kill 20 in neighbouring province\nRead more: 500 homes destroyed"
    )
    assert by_value(extract(text)) == {3000: ("displaced", "about", None)}


def test_list_of_links_under_a_header_is_skipped() -> None:
    text = (
        "About 1,400 people were evacuated on Monday.\n\n"
        "ALSO READ\nLandslide: 12 feared trapped in hill town\nStorm: 9 dead in the south\n\n"
        "Officials said 30 people were injured."
    )
    assert set(by_value(extract(text))) == {1400, 30}


def test_a_base_population_is_not_a_figure() -> None:
    text = "About 19,000 of the town's 25,000 residents had been evacuated by Friday."
    assert by_value(extract(text)) == {19000: ("displaced", "about", None)}


def test_a_sentence_without_trigger_after_a_figure_can_still_hold_one() -> None:
    def values(text: str) -> list[tuple[str, int]]:
        return [(x.kind, x.value) for x in extract(text).figures]

    lead = "Floods killed 12 people in Goma. "
    assert values(lead + "With 5 more on Tuesday.") == [("killed", 12), ("killed", 5)]
    assert values(lead + "Officials said gunmen kill 3 villagers.") == [
        ("killed", 12),
        ("killed", 3),
    ]
    assert values(lead + "The toll includes 7 others.") == [("killed", 12), ("killed", 7)]
    assert values(lead + "Officials met 40 donors on Tuesday.") == [("killed", 12)]


def test_a_figure_says_what_its_place_names() -> None:
    """place_level tells a country from a subdivision or a city, for stages that render it."""

    def places(text: str) -> list[tuple[str | None, str | None, str | None]]:
        return [(f.place, f.country, f.place_level) for f in extract(text).figures]

    assert places("Floods displaced 5,000 people in Turkey.") == [("Turkey", "TUR", "country")]
    assert places("Fighting displaced 5,000 people in Idlib province, Syria.") == [
        ("Idlib", "SYR", "subdivision")
    ]
    assert places("Clashes killed 12 people in Goma.") == [("Goma", "COD", "city")]
    assert places("Clashes killed 12 people.") == [(None, None, None)]


def test_a_repeat_lends_its_place_with_its_level() -> None:
    text = (
        "More than 12,000 people have been displaced, OCHA said. "
        "Floods in Sindh displaced 12,000 people."
    )
    [figure] = extract(text).figures
    assert (figure.agency, figure.place, figure.place_level) == ("OCHA", "Sindh", "subdivision")


def test_the_printed_json_is_the_contract_without_the_place_level() -> None:
    """`notifier extract` prints the fields of EXTRACTION.md, in its order, and no more."""
    report = extract("Floods displaced 5,000 people in Turkey.")
    assert report.figures[0].place_level == "country"
    assert list(report.to_json()["figures"][0]) == [
        "kind",
        "value",
        "high",
        "unit",
        "qualifier",
        "agency",
        "place",
        "country",
        "term",
        "evidence",
        "start",
        "end",
    ]
