"""Rules (thresholds, filters, immediacy) and digest grouping across sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from notifier.config import DEFAULT_THRESHOLDS, SubscriberSettings
from notifier.digest import build_digest, group_alerts
from notifier.extract.models import Agency, Figure
from notifier.models import Alert, StoredItem
from notifier.rules import evaluate

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def fig(kind: str, value: int, *, unit: str = "people", country: str | None = "SDN") -> Figure:
    return Figure(
        kind, value, None, unit, "exact", None, None, country, kind, f"{value} {kind}.", 0, 9
    )  # type: ignore[arg-type]


def item(
    i: int, *figs: Figure, text: str = "", countries: tuple[str, ...] = ("SDN",)
) -> StoredItem:
    return StoredItem(
        id=i,
        feed="Wire",
        guid=f"g{i}",
        link=f"http://x.org/{i}",
        title=f"Item {i}",
        published=NOW,
        fetched_at=NOW,
        text=text or f"text of item {i}",
        summary="",
        alertable=True,
        figures=figs,
        agencies=(Agency("UNHCR", "UN refugee agency"),),
        organisations=(),
        countries=countries,
    )


DESK = SubscriberSettings(email="desk@example.org")
TH = DEFAULT_THRESHOLDS


def test_below_threshold_is_not_an_alert() -> None:
    assert evaluate(item(1, fig("displaced", 9999)), DESK, TH, immediate_factor=10) is None


def test_crossing_figures_most_severe_first() -> None:
    alert = evaluate(
        item(1, fig("displaced", 20000), fig("killed", 400), fig("injured", 5)),
        DESK,
        TH,
        immediate_factor=10,
    )
    assert alert is not None
    assert [f.kind for f in alert.triggering] == ["killed", "displaced"]
    assert alert.severity == 8
    assert not alert.immediate


def test_immediate_when_factor_reached() -> None:
    alert = evaluate(item(1, fig("killed", 500)), DESK, TH, immediate_factor=10)
    assert alert is not None
    assert alert.immediate


def test_households_count_as_people() -> None:
    alert = evaluate(
        item(1, fig("displaced", 2500, unit="households")), DESK, TH, immediate_factor=10
    )
    assert alert is not None


def test_subscriber_overrides_and_filters() -> None:
    team = SubscriberSettings(
        email="t@example.org", countries=["TCD"], thresholds={"displaced": 500}
    )
    th = {**TH, **team.thresholds}
    chad = item(1, fig("displaced", 600, country="TCD"), countries=("TCD",))
    sudan = item(2, fig("displaced", 60000), countries=("SDN",))
    assert evaluate(chad, team, th, immediate_factor=10) is not None
    assert evaluate(sudan, team, th, immediate_factor=10) is None
    words = SubscriberSettings(email="w@example.org", keywords=["cholera"])
    assert evaluate(sudan, words, TH, immediate_factor=10) is None
    cholera = replace(sudan, text="A Cholera outbreak spread in camps.")
    assert evaluate(cholera, words, TH, immediate_factor=10) is not None


def test_not_alertable_items_never_alert() -> None:
    quiet = replace(item(1, fig("killed", 5000)), alertable=False)
    assert evaluate(quiet, DESK, TH, immediate_factor=10) is None


def alert(it: StoredItem) -> Alert:
    found = evaluate(it, DESK, TH, immediate_factor=10)
    assert found is not None
    return found


def test_same_event_from_two_feeds_is_one_entry() -> None:
    a = alert(item(1, fig("displaced", 60000)))
    b = alert(replace(item(2, fig("displaced", 60000)), feed="Other", link="http://y.org/2"))
    c = alert(item(3, fig("killed", 120)))
    assert [len(g) for g in group_alerts([a, c, b])] == [2, 1]
    digest = build_digest(
        [a, c, b],
        email="d@x.org",
        name="D",
        kind="daily",
        created=NOW,
        timezone="UTC",
        max_entries=10,
    )
    assert digest is not None
    first = digest.entries[0]
    assert [s.link for s in first.sources] == ["http://x.org/1", "http://y.org/2"]
    assert first.item_ids == (1, 2)
    assert first.agencies == (Agency("UNHCR", "UN refugee agency"),)


def test_digest_order_and_limit() -> None:
    small = alert(item(1, fig("displaced", 11000)))
    big = alert(item(2, fig("killed", 1000), countries=("SSD",)))
    mid = alert(item(3, fig("at_risk", 500000), countries=("ETH",)))
    digest = build_digest(
        [small, mid, big],
        email="d@x.org",
        name="D",
        kind="daily",
        created=NOW,
        timezone="UTC",
        max_entries=2,
    )
    assert digest is not None
    assert [e.item_ids for e in digest.entries] == [(2,), (3,)]
    assert digest.entries[0].immediate
    assert (
        build_digest(
            [], email="d", name="", kind="daily", created=NOW, timezone="UTC", max_entries=2
        )
        is None
    )


def test_country_filter_looks_at_the_figure_not_every_country_named() -> None:
    team = SubscriberSettings(email="t@example.org", countries=["SDN"])
    syria = item(1, fig("displaced", 50000, country="SYR"), countries=("SYR", "SDN"))
    assert evaluate(syria, team, TH, immediate_factor=10) is None
    unplaced = item(2, fig("displaced", 50000, country=None), countries=("SDN",))
    assert evaluate(unplaced, team, TH, immediate_factor=10) is not None
