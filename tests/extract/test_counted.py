"""What a number counts: phrases whose number counts no people, and values in words.

Every sentence here is written for these tests; none comes from an evaluation set.
"""

from __future__ import annotations

import pytest

from notifier.extract import extract


def figs(text: str) -> list[tuple[str, int, str, str]]:
    return [(f.kind, f.value, f.unit, f.qualifier) for f in extract(text).figures]


@pytest.mark.parametrize(
    "text",
    [
        "Some 65 minivans carrying evacuated families crossed at the northern checkpoint.",
        "Donors shipped 250 oxygen concentrators to clinics treating the injured.",
        "Farid, 9, was displaced along with his grandparents.",
        "One girl is displaced every minute across the region, the agency warned.",
        "Whole villages were uprooted four or five times during the offensive.",
        "Three thirds of the budget went to displaced families.",
        "None of the 450 villagers were injured when the dam gave way.",
        "There were no casualties among the 62 passengers of the ferry.",
        "The 2,300 inhabitants of the valley have not been evacuated yet.",
    ],
)
def test_not_a_count_of_people(text: str) -> None:
    assert figs(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The cyclone displaced a quarter of a million people along the coast.",
            ("displaced", 250_000, "people", "exact"),
        ),
        (
            "Approaching three million people have fled across the border.",
            ("displaced", 3_000_000, "people", "about"),
        ),
        (
            "Landslides left 95 displaced families without shelter in the valley.",
            ("displaced", 95, "households", "exact"),
        ),
        (
            "Officials counted 7,214 internally displaced households in the district.",
            ("displaced", 7214, "households", "exact"),
        ),
        (
            "About 430 people slipped across the frontier during the night.",
            ("displaced", 430, "people", "about"),
        ),
        (
            "The ministry recorded 56,000 conflict-related displacements in the first half.",
            ("displaced", 56_000, "people", "exact"),
        ),
        (
            "Three miners later succumbed to their injuries in hospital.",
            ("killed", 3, "people", "exact"),
        ),
    ],
)
def test_counts_and_values(text: str, expected: tuple[str, int, str, str]) -> None:
    assert figs(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Many households have been displaced two, three times since the war began.",
        "Around 7,500 displaced people were able to return to their villages in May.",
        "Since 2019, more than 90,000 refugees have been helped to return home.",
    ],
)
def test_repetitions_and_returns_are_no_figures(text: str) -> None:
    assert figs(text) == []


def test_killed_or_maimed_is_a_casualty_count() -> None:
    assert figs("At least 340 children were killed or maimed in the first quarter.") == [
        ("casualties", 340, "people", "at_least")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The state released \u20a64 billion for families displaced by the floods.",
        "Officials handed out KES 250 million to households affected by the floods.",
        "Engineers built 6 displacement camps and opened 4 evacuation routes.",
    ],
)
def test_money_and_things_named_by_a_kind_word(text: str) -> None:
    assert figs(text) == []


def test_toll_reached_then_a_count_with_its_own_trigger() -> None:
    assert figs("The toll reached 61 on Sunday, with 140 injured.") == [
        ("killed", 61, "people", "exact"),
        ("injured", 140, "people", "exact"),
    ]


def test_displaced_after_the_noun_keeps_its_count() -> None:
    text = (
        "Partners now count 18,000 people displaced in the district after some families returned."
    )
    assert figs(text) == [("displaced", 18000, "people", "exact")]
