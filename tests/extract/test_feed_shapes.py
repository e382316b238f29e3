"""Shapes of sentence met in real feeds that read as figures but are not, or hide two.

Every text is written for these tests, after the shapes of errors found on
the feeds by hand: border traffic counted by monitors, a vehicle count whose
noun is elided, "A and B respectively", and a number in a dash aside.
"""

from __future__ import annotations

import pytest

from notifier.extract import extract


def pairs(text: str) -> set[tuple[str, int]]:
    return {(f.kind, f.value) for f in extract(text).figures}


@pytest.mark.parametrize(
    "text",
    [
        # lorries, their noun elided in the second clause
        "Border monitoring, weekly update\n\nThe monitors counted more lorries at the two "
        "checkpoints this week (880 against 790 the week before): 455 at the northern checkpoint "
        "and 425 at the southern one; 512 of these lorries went into Russia and 368 crossed into "
        "Ukraine.",
        # minibuses named in the clause before the counts
        "Border monitoring, weekly update\n\nDuring the week the monitors saw 150 minibuses at "
        "both checkpoints; 81 crossed into the Russian Federation and another 69 into Ukraine.",
        # people and families crossing at an observer post: border traffic
        "Border monitoring, weekly update\n\nThe number of people in camouflage clothing crossing "
        "the border was seven this week. Five persons crossed into the Russian Federation while "
        "another two crossed into Ukraine.",
        "Border monitoring, weekly update\n\nThe observer team saw four families with luggage "
        "crossing into Ukraine at the post, against two families the week before.",
        "Vehicles crossing in both directions\n\nOn Tuesday 37 cars crossed into Russia, "
        "and 41 people crossed into Ukraine on foot.",
    ],
)
def test_border_traffic_counted_by_monitors_is_not_displacement(text: str) -> None:
    assert pairs(text) == set()


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        (
            "Some 12,000 people crossed into Poland at the Medyka checkpoint on Sunday.",
            ("displaced", 12000),
        ),
        (
            "The monitors said 3,000 people fleeing the shelling crossed into Moldova.",
            ("displaced", 3000),
        ),
    ],
)
def test_a_crossing_in_the_news_or_in_flight_is_still_displacement(
    text: str, pair: tuple[str, int]
) -> None:
    assert pair in pairs(text)


@pytest.mark.parametrize(
    "text",
    [
        "Shelter plan\n\nThe two towns were picked for their many IDPs --35,000 and 25,000 "
        "respectively -- roughly a third of each town's pre-war population.",
        "Shelter plan\n\nThe two towns were picked for their many IDPs - 35,000 and 25,000 "
        "respectively - representing a third of the population.",
        "Shelter plan\n\nThe two towns host 35,000 and 25,000 IDPs, respectively.",
    ],
)
def test_a_and_b_respectively_gives_both_figures(text: str) -> None:
    assert pairs(text) == {("displaced", 35000), ("displaced", 25000)}


def test_populations_respectively_are_not_figures() -> None:
    assert (
        pairs("The town and the village have populations of 35,000 and 2,000 respectively.")
        == set()
    )


def test_a_double_hyphen_aside_holds_a_count() -> None:
    assert ("killed", 27) in pairs("Among the dead -- 27 in all -- were four aid workers.")


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "Kids\n\n3.1 million children \u2013 more than half of the nation\u2019s estimated "
            "6.2 million child population \u2013 have been displaced, UNICEF said.",
            {("displaced", 3100000)},
        ),
        (
            "Some 900,000 people -- nearly a fifth of the province's 4.8 million residents -- "
            "are in need of aid.",
            {("at_risk", 900000)},
        ),
        (
            "At least 75 people -- including 20 children -- were killed.",
            {("killed", 75), ("killed", 20)},
        ),
    ],
)
def test_a_number_in_a_dash_aside_leaves_the_trigger_to_the_count(
    text: str, wanted: set[tuple[str, int]]
) -> None:
    assert pairs(text) == wanted


def test_a_gapped_count_after_and_in_a_place_continues_the_figure_before() -> None:
    found = {
        (f.kind, f.value, f.country)
        for f in extract(
            "Sahel\n\nIn Chad, 210,000 people are displaced, and in Niger 190,000."
        ).figures
    }
    assert found == {("displaced", 210000, "TCD"), ("displaced", 190000, "NER")}


def test_a_gapped_count_of_things_is_not_a_figure() -> None:
    assert pairs("The storm destroyed 300 houses, and in Leyte 40 schools.") == set()


def test_a_vague_title_restates_a_larger_body_figure() -> None:
    text = (
        "Thousands flee clashes in the north\n\nSince Monday, some 36,000 people have fled "
        "their homes, officials said."
    )
    assert pairs(text) == {("displaced", 36000)}


def test_a_vague_count_in_the_body_still_counts_others() -> None:
    text = (
        "Flood update\n\nSome 36,000 people have fled their homes. Thousands more were evacuated."
    )
    assert pairs(text) == {("displaced", 36000), ("displaced", 2000)}


@pytest.mark.parametrize(
    "text",
    [
        "After the quake, about 700 villagers spent the week sleeping in the streets.",
        "After the quake, 1,200 residents slept on the streets of the old town.",
    ],
)
def test_people_sleeping_in_the_streets_are_displaced(text: str) -> None:
    assert len(pairs(text)) == 1
    assert next(iter(pairs(text)))[0] == "displaced"
