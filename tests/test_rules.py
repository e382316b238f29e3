"""Rules: thresholds, levels, a source's own alert level, each filter, and the reasons given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from records import NOW, fig, gdacs, item, policy, settings

from notifier.rules import evaluate, judge


def test_below_threshold_is_not_an_alert() -> None:
    verdict = judge(item(1, fig("displaced", 9999)), policy())
    assert verdict.alert is None
    assert "below the threshold of 10,000" in " ".join(verdict.reasons)


def test_crossing_figures_most_severe_first() -> None:
    alert = evaluate(
        item(1, fig("displaced", 20000), fig("killed", 400), fig("injured", 5)), policy()
    )
    assert alert is not None
    assert [f.kind for f in alert.triggering] == ["killed", "displaced"]
    assert alert.severity == 8.0


@pytest.mark.parametrize(
    ("displaced", "level", "immediate"),
    [
        (10000, "watch", False),
        (29999, "watch", False),
        (30000, "serious", False),
        (99999, "serious", False),
        (100000, "severe", True),
        (5_000_000, "severe", True),
    ],
)
def test_levels_by_factor_of_the_threshold(displaced: int, level: str, immediate: bool) -> None:
    alert = evaluate(item(1, fig("displaced", displaced)), policy())
    assert alert is not None
    assert (alert.level.name, alert.immediate) == (level, immediate)


def test_levels_are_configurable() -> None:
    levels = [
        {"name": "note", "factor": 1, "colour": "#333333"},
        {"name": "alarm", "factor": 2, "colour": "#990000"},
    ]
    alert = evaluate(item(1, fig("killed", 100)), policy(settings(alerts={"levels": levels})))
    assert alert is not None
    assert (alert.level.name, alert.level.colour, alert.immediate) == ("alarm", "#990000", True)


def test_immediate_factor_alone_moves_the_top_level() -> None:
    s = settings(alerts={"immediate_factor": 20})
    assert [lv.factor for lv in s.alerts.level_list()] == [1, 3, 20]
    alert = evaluate(item(1, fig("displaced", 150000)), policy(s))
    assert alert is not None
    assert (alert.level.name, alert.immediate) == ("serious", False)


def test_households_count_as_five_people() -> None:
    alert = evaluate(item(1, fig("displaced", 2500, unit="households")), policy())
    assert alert is not None
    assert alert.severity == 1.25


def test_gdacs_green_is_never_above_watch_nor_immediate() -> None:
    """18.8 million exposed is 188x the at-risk threshold, but GDACS says: no impact expected."""
    green = item(1, fig("at_risk", 18_830_000, country="CHN"), structured=gdacs("Green"))
    alert = evaluate(green, policy())
    assert alert is not None
    assert (alert.level.name, alert.immediate) == ("watch", False)
    assert "gdacs rates it Green" in " ".join(judge(green, policy()).reasons)


def test_gdacs_orange_and_red_take_the_upper_levels_even_without_a_figure() -> None:
    orange = evaluate(item(1, structured=gdacs("Orange")), policy())
    red = evaluate(item(2, structured=gdacs("Red")), policy())
    assert orange is not None
    assert red is not None
    assert (orange.level.name, orange.immediate) == ("serious", False)
    assert (red.level.name, red.immediate) == ("severe", True)


def test_a_green_alert_without_a_figure_does_not_alert() -> None:
    assert evaluate(item(1, structured=gdacs("Green")), policy()) is None


def test_gdacs_country_filter_uses_its_countries() -> None:
    orange = item(1, countries=(), structured=gdacs("Orange", "TC2", 0, "PHL"))
    assert evaluate(orange, policy(countries=["PHL"])) is not None
    verdict = judge(orange, policy(countries=["SDN"]))
    assert verdict.alert is None
    assert "places it in ['PHL']" in verdict.reasons[-1]


def test_own_thresholds_and_country_filter() -> None:
    chad = item(1, fig("displaced", 600, country="TCD"))
    sudan = item(2, fig("displaced", 600, country="SDN"))
    team = policy(countries=["TCD"], thresholds={"displaced": 500})
    assert evaluate(chad, team) is not None
    verdict = judge(sudan, team)
    assert verdict.alert is None
    assert "counted in SDN, not in the countries wanted ['TCD']" in verdict.reasons[0]


def test_country_filter_looks_at_the_figure_not_every_country_named() -> None:
    both = item(1, fig("displaced", 50000, country="SYR"), countries=("SYR", "TUR"))
    assert evaluate(both, policy(countries=["TUR"])) is None
    assert evaluate(both, policy(countries=["SYR"])) is not None


def test_kinds_filter() -> None:
    it = item(1, fig("displaced", 50000), fig("killed", 10))
    verdict = judge(it, policy(kinds=["killed"]))
    assert verdict.alert is None
    assert "the kind displaced is not among the kinds wanted" in verdict.reasons[0]
    assert evaluate(it, policy(kinds=["displaced"])) is not None


def test_keywords_and_exclude_keywords() -> None:
    it = item(1, fig("displaced", 50000), text="Cholera spreads in the camps of Darfur.")
    assert evaluate(it, policy(keywords=["cholera"])) is not None
    assert "none of the keywords" in judge(it, policy(keywords=["flood"])).reasons[-1]
    verdict = judge(it, policy(exclude_keywords=["darfur", "sport"]))
    assert verdict.alert is None
    assert "contains 'Darfur', one of the exclude_keywords" in verdict.reasons[-1]


def test_min_level() -> None:
    small, big = item(1, fig("displaced", 12000)), item(2, fig("displaced", 40000))
    assert evaluate(small, policy(min_level="serious")) is None
    assert (
        "below this subscriber's min_level 'serious'"
        in judge(small, policy(min_level="serious")).reasons[-1]
    )
    assert evaluate(big, policy(min_level="serious")) is not None


def test_feeds_filter() -> None:
    it = item(1, fig("displaced", 50000), feed="Agency")
    assert evaluate(it, policy(feeds=["Wire"])) is None
    assert evaluate(it, policy(feeds=["Agency"])) is not None


def test_age_counts_from_publication() -> None:
    old = item(1, fig("displaced", 50000), published=NOW - timedelta(days=60))
    verdict = judge(old, policy())
    assert verdict.alert is None
    assert "older than alerts.max_age" in verdict.reasons[-1]
    undated = item(2, fig("displaced", 50000), published=None)
    assert evaluate(undated, policy()) is not None  # first seen now


def test_first_poll_items_never_alert_and_say_why() -> None:
    verdict = judge(item(1, fig("killed", 900), alertable=False), policy())
    assert verdict.alert is None
    assert "alert_on_first_poll" in verdict.reasons[0]
