"""Numbers far from their trigger: the clause a number sits in gives its kind.

Every sentence here is written for these tests; none comes from an evaluation set.
"""

from __future__ import annotations

import pytest

from notifier.extract import extract


def figs(text: str) -> set[tuple[str, int, str, str]]:
    return {(f.kind, f.value, f.unit, f.qualifier) for f in extract(text).figures}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Provincial officials put the death toll at 43 on Wednesday night.",
            {("killed", 43, "people", "exact")},
        ),
        (
            "The ministry now puts the number of injured at 310.",
            {("injured", 310, "people", "exact")},
        ),
        (
            "Divers recovered three more bodies from the lake, bringing the total to 19.",
            {("killed", 3, "people", "exact"), ("killed", 19, "people", "exact")},
        ),
        (
            "The number of dead climbed from 87 to 112 overnight, the governor said.",
            {("killed", 87, "people", "exact"), ("killed", 112, "people", "exact")},
        ),
    ],
)
def test_tolls_stated_by_their_subject(text: str, expected: set[tuple[str, int, str, str]]) -> None:
    assert figs(text) == expected


def test_dash_aside_with_an_age_bound_inside() -> None:
    text = (
        "About 640,000 people \u2013 almost half of them children under 18 \u2013 are in need of "
        "shelter assistance after the cyclone."
    )
    assert figs(text) == {("at_risk", 640000, "people", "about")}


def test_age_bound_does_not_end_the_clause() -> None:
    assert figs("Nine children under five have died of cholera in the camp.") == {
        ("killed", 9, "people", "exact")
    }


def test_among_them_opening_the_next_sentence() -> None:
    text = (
        "Heavy shelling has displaced 52,000 people from the border villages. "
        "Among them, 8,000 are older people living alone."
    )
    assert figs(text) == {
        ("displaced", 52000, "people", "exact"),
        ("displaced", 8000, "people", "exact"),
    }


def test_bracketed_count_takes_the_clause_before() -> None:
    text = (
        "Residents of the lower valley fled to the hills overnight "
        "(about 3,500 families, according to the district council)."
    )
    assert figs(text) == {("displaced", 3500, "households", "about")}


@pytest.mark.parametrize(
    "text",
    [
        "Families were moved to schools and church halls across the district; 2,300 people "
        "in all were moved to schools.",
        "Some 2,300 people were moved to schools and mosques in the town centre.",
    ],
)
def test_moved_to_public_buildings(text: str) -> None:
    assert ("displaced", 2300) in {(k, v) for k, v, _, _ in figs(text)}


def test_rate_with_a_number_of_units() -> None:
    assert figs("On average, one woman is displaced every five minutes in the province.") == set()


def test_vehicles_after_and_do_not_inherit() -> None:
    text = "Four rescuers were injured, officials said, and 25 fire engines remained at the scene."
    assert figs(text) == {("injured", 4, "people", "exact")}


def test_revised_toll_after_reached_and_a_time() -> None:
    text = "The tally of those killed had reached 960, up from 614 three days earlier."
    assert figs(text) == {("killed", 960, "people", "exact"), ("killed", 614, "people", "exact")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Around 70,000 residents of the besieged districts have moved west since Monday.",
            ("displaced", 70000),
        ),
        (
            "The shelling drove some 6,300 villagers to seek safety in the hills.",
            ("displaced", 6300),
        ),
        (
            "About 9,800 people were staying in sports halls and hotels on Thursday.",
            ("displaced", 9800),
        ),
    ],
)
def test_more_wording_of_displacement(text: str, expected: tuple[str, int]) -> None:
    assert expected in {(k, v) for k, v, _, _ in figs(text)}


def test_households_then_people_after_a_comma() -> None:
    text = "Some 2,600 families, or about 11,000 people, were sleeping in evacuation centres."
    assert figs(text) == {
        ("displaced", 2600, "households", "about"),
        ("displaced", 11000, "people", "about"),
    }


def test_members_of_one_family_are_no_count() -> None:
    assert figs("A farmer and his three sons were among those killed in the raid.") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Before the storm arrived, 310,000 people had been moved into 4,100 storm shelters.",
            ("displaced", 310000),
        ),
        (
            "Armed groups drove 4,700 people from the market district last week.",
            ("displaced", 4700),
        ),
        (
            "Roughly 1.4 million people live in the camps along the border.",
            ("displaced", 1400000),
        ),
    ],
)
def test_driven_out_and_living_in_camps(text: str, expected: tuple[str, int]) -> None:
    assert expected in {(k, v) for k, v, _, _ in figs(text)}


def test_driving_a_count_of_things_is_no_figure() -> None:
    assert figs("The floods forced 120 schools to close across the province.") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The province saw 310,000 displacements last year.", {("displaced", 310000)}),
        ("Each week, 900 people are displaced by the floods.", set()),
        ("Over 2,000 people were hospitalised with dengue fever in August.", set()),
        ("Some 140 people were hospitalised with burns after the blast.", {("injured", 140)}),
        (
            "Two nurses were among the 23 killed in the shelling.",
            {("killed", 2), ("killed", 23)},
        ),
    ],
)
def test_heads_rates_illness_and_subsets(text: str, expected: set[tuple[str, int]]) -> None:
    assert {(k, v) for k, v, _, _ in figs(text)} == expected


def test_countries_receiving_the_displaced_counted_before() -> None:
    text = (
        "Myanmar: exodus\n\nThe fighting has driven 900,000 people from their homes in "
        "Myanmar. Thailand has received about 60,000, and Bangladesh more than 40,000."
    )
    found = {(f.kind, f.value): f.country for f in extract(text).figures}
    assert found == {
        ("displaced", 900000): "MMR",
        ("displaced", 60000): "THA",
        ("displaced", 40000): "BGD",
    }


def test_searched_for_are_missing_and_evacuated_wounded_are_injured() -> None:
    assert figs("Divers were searching the lake for 11 people on Monday.") == {
        ("missing", 11, "people", "exact")
    }
    assert figs("Medics evacuated 19 wounded soldiers to the capital.") == {
        ("injured", 19, "people", "exact")
    }


def test_south_asian_scales_and_families_after_of() -> None:
    assert figs("The floods have affected some 3 lakh people in the valley.") == {
        ("at_risk", 300000, "people", "about")
    }
    assert figs("Storms tore through tents housing thousands of displaced families.") == {
        ("displaced", 2000, "households", "at_least")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Officials said roughly half the island - some 41,000 people - had been affected.",
            {("at_risk", 41000)},
        ),
        ("Among the injured - 64 in total - were 12 firefighters.", {("injured", 64)}),
        ("About 2,800 people remain in 35 evacuation centres.", {("displaced", 2800)}),
        (
            "Of the 4 million refugees, 1.6 million are hosted in Iran, with Pakistan hosting "
            "about 1.3 million.",
            {("displaced", 4000000), ("displaced", 1600000), ("displaced", 1300000)},
        ),
    ],
)
def test_asides_remaining_and_hosting(text: str, expected: set[tuple[str, int]]) -> None:
    assert {(k, v) for k, v, _, _ in figs(text)} == expected


def test_taken_to_hospital_and_cut_off() -> None:
    assert figs("Nearly 70 people were taken to hospital after the gas leak.") == {
        ("injured", 70, "people", "about")
    }
    assert figs("The landslide cut off 12,000 villagers in the upper valley.") == {
        ("at_risk", 12000, "people", "exact")
    }


def test_displacement_reached_a_number() -> None:
    assert figs("Flood-induced displacement reached 61,000 by the end of June.") == {
        ("displaced", 61000, "people", "exact")
    }


def test_included_and_of_those() -> None:
    assert figs("The injured included 22 schoolchildren.") == {("injured", 22, "people", "exact")}
    assert figs("Of those evacuated, 640 were taken in by relatives.") == {
        ("displaced", 640, "people", "exact")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SUVA - Officials said that roughly 12,500 people - a fifth of the island's "
            "population - had been affected by the cyclone.",
            {("at_risk", 12500)},
        ),
        (
            "LIMA (Wire) - At least 33 people - most of them miners - were killed in the collapse.",
            {("killed", 33)},
        ),
    ],
)
def test_a_dateline_dash_opens_no_aside(text: str, expected: set[tuple[str, int]]) -> None:
    assert {(k, v) for k, v, _, _ in figs(text)} == expected


def test_concerned_for_the_wellbeing_of() -> None:
    assert figs("The agency is deeply concerned for the safety of 9,000 people in the hills.") == {
        ("at_risk", 9000, "people", "exact")
    }


def test_evictions_and_abandoned_villages() -> None:
    assert figs("The council evicted 420 families from the market area.") == {
        ("displaced", 420, "households", "exact")
    }
    assert figs("About 900 villagers abandoned the hamlet after the raid.") == {
        ("displaced", 900, "people", "about")
    }


def test_a_count_that_doubled_to_a_number() -> None:
    assert figs("The number of displaced people has doubled to 64,000 since June.") == {
        ("displaced", 64000, "people", "exact")
    }
