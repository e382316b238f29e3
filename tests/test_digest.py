"""Digests: one entry per event (and only per event), trends, order, country groups, summary."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from records import NOW, fig, gdacs, item, policy

from notifier.digest import _EventKeys, _keys, build_digest, group_alerts, same_event, short_quote
from notifier.extract.models import Figure
from notifier.models import Alert, Digest, Previous, StoredItem
from notifier.rules import evaluate

WINDOW = timedelta(hours=72)


def alerts(*items: StoredItem) -> list[Alert]:
    found = [evaluate(i, policy()) for i in items]
    assert all(found), "every item of these tests alerts"
    return [a for a in found if a is not None]


def digest(*items: StoredItem, max_entries: int = 50, previous: object = None) -> Digest:
    def lookup(figure: Figure, item: StoredItem) -> Previous | None:
        return previous(figure, item) if callable(previous) else None

    made = build_digest(
        alerts(*items),
        email="desk@example.org",
        name="Desk",
        kind="daily",
        created=NOW,
        timezone="UTC",
        levels=policy().levels,
        max_entries=max_entries,
        merge_window=WINDOW,
        previous=lookup,
    )
    assert made is not None
    return made


def grouped(*items: StoredItem) -> list[list[int]]:
    return [[a.item.id for a in g] for g in group_alerts(alerts(*items), WINDOW)]


TEXT = "Floods have displaced 45,000 people in Sindh province, officials said."


def test_one_article_on_two_wires_is_one_entry_with_both_links() -> None:
    a = item(1, fig("displaced", 45000, country="PAK", place="Sindh"), text=TEXT, title="Floods")
    b = replace(a, id=2, feed="Other wire", link="http://y.org/2", title="Sindh floods")
    d = digest(a, b)
    [entry] = d.entries
    assert [s.link for s in entry.sources] == ["http://x.org/1", "http://y.org/2"]
    assert entry.item_ids == (1, 2)


def test_the_same_figure_in_two_places_of_one_country_is_two_events() -> None:
    kasai = item(
        1,
        fig("displaced", 12000, country="COD", place="Kasai"),
        title="Floods in Kasai",
        countries=("COD",),
    )
    kivu = item(
        2,
        fig("displaced", 12000, country="COD", place="North Kivu"),
        title="Clashes in North Kivu",
        countries=("COD",),
    )
    assert grouped(kasai, kivu) == [[1], [2]]


def test_the_same_figure_and_country_without_a_place_is_not_enough() -> None:
    one = item(1, fig("at_risk", 840000, country="COL"), title="Earthquake near Bogota")
    two = item(2, fig("at_risk", 840000, country="COL"), title="Quake shakes Cali region")
    assert grouped(one, two) == [[1], [2]]


def test_gdacs_event_id_keys_the_event() -> None:
    ep1 = item(1, fig("at_risk", 840000, country="COL"), structured=gdacs("Green", "EQ7"))
    ep2 = item(2, fig("at_risk", 900000, country="COL"), structured=gdacs("Green", "EQ7"))
    other = item(3, fig("at_risk", 840000, country="COL"), structured=gdacs("Green", "EQ8"))
    assert grouped(ep1, ep2, other) == [[1, 2], [3]]


def test_reports_weeks_apart_are_separate_events() -> None:
    def story(i: int, days: float) -> StoredItem:
        return item(
            i,
            fig("displaced", 20000 + i, country="UKR", place="Kharkiv"),
            title="Shelling forces families from Kharkiv",
            published=NOW - timedelta(days=days),
        )

    assert grouped(story(1, 0), story(2, 3.5), story(3, 6.9)) == [[1], [2], [3]]


def test_two_outlets_on_one_event_merge() -> None:
    a = item(
        1,
        fig("displaced", 45000, country="PAK", place="Sindh", evidence="45,000 displaced."),
        title="Floods force 45,000 from homes in Sindh",
    )
    b = item(
        2,
        fig("displaced", 50000, country="PAK", place="Sindh province", evidence="50,000 fled."),
        title="Sindh floods: 50,000 forced from homes",
        feed="Agency",
        published=NOW - timedelta(hours=20),
    )
    assert grouped(a, b) == [[1, 2]]


def test_order_by_level_then_size_grouped_by_country() -> None:
    d = digest(
        item(1, fig("displaced", 12000, country="COD", place="Kasai"), countries=("COD",)),
        item(2, fig("displaced", 250000, country="MOZ", place="Sofala"), countries=("MOZ",)),
        item(3, fig("killed", 200, country="COD", place="Ituri"), countries=("COD",)),
        item(4, fig("displaced", 60000, country="SYR", place="Idlib"), countries=("SYR",)),
    )
    assert [g.country for g in d.groups] == ["MOZ", "SYR", "COD"]
    assert [e.item_ids for e in d.entries] == [(2,), (4,), (3,), (1,)]
    assert [e.level.name for e in d.entries] == ["severe", "serious", "serious", "watch"]
    cod = d.summary[2]
    assert (cod.country, cod.level.name, cod.largest, cod.sources) == (
        "COD",
        "serious",
        {"killed": 200, "displaced": 12000},
        1,
    )


def test_green_gdacs_ranks_below_orange() -> None:
    green = item(1, fig("at_risk", 18_830_000, country="CHN"), structured=gdacs("Green", "EQ1"))
    orange = item(2, fig("at_risk", 795000, country="PHL"), structured=gdacs("Orange", "TC2"))
    d = digest(green, orange)
    assert [e.item_ids for e in d.entries] == [(2,), (1,)]
    assert d.entries[0].figures[0].exposure == "within 100 km"  # exposure, not people in need


def test_max_entries_leaves_the_least_severe_for_the_next_digest() -> None:
    d = digest(
        item(1, fig("displaced", 12000)),
        item(2, fig("displaced", 90000, country="TCD", place="Ouaddai")),
        max_entries=1,
    )
    assert d.item_ids == (2,)


def test_trend_from_the_figure_sent_before() -> None:
    earlier = Previous(60000, None, "at_least", NOW - timedelta(days=2), "Wire A", "OCHA")
    d = digest(
        item(1, fig("displaced", 90000, country="SYR", place="Idlib")),
        previous=lambda f, i: earlier if f.place == "Idlib" else None,
    )
    assert d.entries[0].figures[0].previous == earlier


def test_structured_fields_that_disagree_with_the_text_are_said() -> None:
    it = item(
        1,
        fig("at_risk", 400000, country="IDN"),
        structured=gdacs("Orange", "EQ9", 3_000_000, "PHL"),
    )
    [entry] = digest(it).entries
    assert entry.notes == (
        "GDACS tags PHL; the text places its figures in IDN",
        "GDACS counts 3,000,000 people exposed; the text says 400,000",
    )


def test_short_quote_keeps_the_figure_and_whole_words() -> None:
    long = ("Officials said " + "the situation in the region remained tense, " * 8) + (
        "and fighting has forced more than 60,000 people to leave their homes since November, "
        + "aid agencies added, " * 6
    )
    quote = short_quote(long, fig("displaced", 60000))
    assert "forced more than 60,000 people to leave their homes" in quote
    assert quote.startswith("\u2026 ") or quote.startswith("\u2026")
    assert quote.endswith("\u2026")
    assert len(quote) <= 250


@pytest.mark.parametrize(("seed", "hours"), [(7, 150), (11, 165), (3, 60)])
def test_grouping_by_blocks_is_the_pairwise_grouping(seed: int, hours: int) -> None:
    """Blocking keys and alike members tried as one change the cost, not the groups.

    The same as trying every earlier group member by member: many members share
    figures, places and words and differ in date (some beyond the window) and text.
    """

    def pairwise(found: list[Alert]) -> list[list[int]]:
        groups: list[list[_EventKeys]] = []
        for keys in map(_keys, found):
            for group in groups:
                if any(same_event(keys, other, WINDOW) for other in group):
                    group.append(keys)
                    break
            else:
                groups.append([keys])
        return [[k.alert.item.id for k in g] for g in groups]

    rnd = random.Random(seed)
    made: list[StoredItem] = []
    for i in range(1, 400):
        country = rnd.choice(["PAK", "SDN", "COD"])
        place = rnd.choice(["Sindh", "Kasai", "Darfur", None])
        value = rnd.choice([12000, 45000, 60000])
        title = rnd.choice(["Floods in the south", "Floods displace thousands", f"Report {i}"])
        made.append(
            item(
                i,
                fig("displaced", value, country=country, place=place),
                title=title,
                text=rnd.choice([TEXT, "", f"text {i}"]) or f"other {i}",
                countries=(country,),
                published=NOW - timedelta(hours=rnd.randrange(0, hours)),
                structured=gdacs("Orange", rnd.choice(["EQ1", "EQ2"])) if i % 7 == 0 else None,
            )
        )
    found = alerts(*made)
    expected = pairwise(found)
    assert sum(len(g) > 1 for g in expected) >= 5  # the case is not trivially all apart
    assert [[a.item.id for a in g] for g in group_alerts(found, WINDOW)] == expected
