"""Rendering, piece by piece: the filters (numbers, figures, trends, countries), the text layout,
the template environment. Whole messages are in test_render_digest.py (built by hand) and
test_render_golden.py (from feeds, through the pipeline).

The builders here make digest records with sensible defaults, so each test states only what
it is about; scripts/screenshot_digest.py uses `worst_case_digest` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2
import pytest

from notifier.errors import ConfigError
from notifier.extract.models import Agency, Figure, Kind
from notifier.models import (
    CountryGroup,
    Digest,
    DigestEntry,
    Level,
    Previous,
    SentEarlier,
    ShownFigure,
    Source,
    Structured,
    SummaryRow,
)
from notifier.render import environment, make_environment, plain, words

NOW = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
LEVELS = (
    Level("watch", 1.0, "#8d6708", 0),
    Level("serious", 3.0, "#c2410c", 1),
    Level("severe", 10.0, "#b91c1c", 2),
)
WATCH, SERIOUS, SEVERE = LEVELS
OCHA = Agency("OCHA", "UN Office for the Coordination of Humanitarian Affairs")
IOM = Agency("IOM", "International Organization for Migration")


# builders --------------------------------------------------------------------


def fig(kind: str = "displaced", value: int = 1000, **kw: object) -> Figure:
    base: dict[str, object] = {
        "kind": kind,
        "value": value,
        "high": None,
        "unit": "people",
        "qualifier": "exact",
        "agency": None,
        "place": None,
        "country": None,
        "term": kind,
        "evidence": "",
        "start": 0,
        "end": 0,
    }
    base.update(kw)
    return Figure(**base)  # type: ignore[arg-type]


def shown(figure: Figure, quote: str = "", **kw: object) -> ShownFigure:
    return ShownFigure(figure, quote or figure.evidence, **kw)  # type: ignore[arg-type]


def previous(value: int, days: float = 2, **kw: object) -> Previous:
    base: dict[str, object] = {
        "value": value,
        "high": None,
        "qualifier": "exact",
        "date": NOW - timedelta(days=days),
        "source": "Wire A",
        "agency": "OCHA",
    }
    base.update(kw)
    return Previous(**base)  # type: ignore[arg-type]


def entry(
    title: str,
    *figures: ShownFigure,
    level: Level = SERIOUS,
    countries: Sequence[str] = (),
    other: Sequence[ShownFigure] = (),
    agencies: Sequence[Agency] = (),
    sources: Sequence[Source] | None = None,
    structured: Structured | None = None,
    notes: Sequence[str] = (),
) -> DigestEntry:
    found = [s.figure.country for s in figures if s.figure.country]
    return DigestEntry(
        title=title,
        level=level,
        immediate=level is SEVERE,
        severity=level.factor,
        countries=tuple(countries) or tuple(dict.fromkeys(found)),
        figures=figures,
        other_figures=tuple(other),
        agencies=tuple(agencies),
        organisations=(),
        sources=(
            tuple(sources)
            if sources is not None
            else (Source("Wire A", f"https://wire.example.org/{len(title)}", title, NOW),)
        ),
        structured=structured,
        notes=tuple(notes),
        item_ids=(len(title),),
    )


def digest(
    *entries: DigestEntry,
    kind: str = "daily",
    sent_earlier: Sequence[SentEarlier] = (),
    timezone: str = "UTC",
) -> Digest:
    """A digest of these entries in this order, grouped and summarised as digest.py does."""
    by_country: dict[str | None, list[DigestEntry]] = {}
    for e in entries:
        home = e.countries[0] if len(e.countries) == 1 else None
        by_country.setdefault(home, []).append(e)
    groups = tuple(CountryGroup(c, tuple(es)) for c, es in by_country.items())
    summary = []
    for g in groups:
        largest: dict[Kind, int] = {}
        for e in g.entries:
            for s in (*e.figures, *e.other_figures):
                largest[s.figure.kind] = max(largest.get(s.figure.kind, 0), s.figure.value)
        feeds = {s.feed for e in g.entries for s in e.sources}
        summary.append(SummaryRow(g.country, g.entries[0].level, largest, len(feeds)))
    return Digest(
        subscriber_email="desk@example.org",
        subscriber_name="Operations desk",
        kind=kind,  # type: ignore[arg-type]
        groups=groups,
        summary=tuple(summary),
        levels=LEVELS,
        created=NOW,
        timezone=timezone,
        sent_earlier=tuple(sent_earlier),
    )


def sofala() -> DigestEntry:
    quote = "Cyclone Amara has displaced more than 250,000 people in Sofala province, IOM said."
    return entry(
        "Cyclone Amara: aid reaches cut-off districts",
        shown(
            fig(value=250_000, qualifier="at_least", place="Sofala", country="MOZ", agency="IOM"),
            quote,
        ),
        level=SEVERE,
        agencies=(IOM,),
    )


def gdacs_cyclone(level: str = "Orange", exposed: int = 795_000) -> Structured:
    return Structured(
        source="gdacs",
        event_id="TC1002417",
        event_type="Tropical cyclone",
        alert_level=level,
        countries=("PHL",),
        exposed=exposed,
        exposure="within 100 km",
        severity="winds up to 130 km/h",
    )


LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
LONG_URL = "https://reports.example.org/" + "a-very-long-path-segment/" * 8 + "?q=" + "x" * 60


def worst_case_digest() -> Digest:
    """Every kind in the summary, millions, long words and URLs: what must still fit a phone."""
    kinds = ("displaced", "killed", "injured", "missing", "casualties", "at_risk")
    big = entry(
        f"Floods and landslides across {LONG_WORD} districts",
        *(
            shown(fig(k, 18_830_000 - i, place=LONG_WORD, country="COD", evidence=LONG_WORD))
            for i, k in enumerate(kinds)
        ),
        level=SEVERE,
        sources=(Source("Wire with a rather long name", LONG_URL, LONG_WORD, NOW),),
        notes=(f"GDACS counts 1,234,567 people exposed; the text says {LONG_WORD}",),
    )
    exposed = entry(
        "Orange alert for tropical cyclone LUMEN-26 in Philippines",
        shown(fig("at_risk", 795_000, country="PHL"), exposure="within 100 km"),
        structured=gdacs_cyclone(),
    )
    return digest(
        big,
        exposed,
        sent_earlier=(SentEarlier(LONG_WORD, LONG_URL, NOW - timedelta(hours=5)),),
    )


# numbers and figures ---------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "phrase"),
    [
        (fig(value=60000, qualifier="at_least"), "at least 60,000 people displaced"),
        (
            fig(value=2000, high=3000, unit="households", qualifier="range"),
            "2,000\u20133,000 households displaced",
        ),
        (fig("at_risk", 2_000_000, qualifier="about"), "about 2 million people at risk"),
        (fig("at_risk", 1_234_567, qualifier="about"), "about 1.2 million people at risk"),
        (fig("killed", 1), "1 person killed"),
        (fig("injured", 1_300_000, qualifier="at_most"), "up to 1.3 million people injured"),
        (fig("casualties", 120), "120 casualties"),
        (fig("casualties", 1), "1 casualty"),
        (fig("missing", 1, unit="households"), "1 household missing"),
        (fig("displaced", 1_234_567), "1,234,567 people displaced"),
    ],
)
def test_figure_phrase(figure: Figure, phrase: str) -> None:
    assert words.figure_phrase(figure) == phrase


@pytest.mark.parametrize(
    ("figure", "short"),
    [
        (fig(value=250_000, qualifier="at_least"), "250,000+ displaced"),
        (fig(value=1_234_567, qualifier="about"), "about 1.2 million displaced"),
        (fig(value=1_200_000), "1.2 million displaced"),
        (fig("killed", 500, qualifier="at_most"), "up to 500 killed"),
        (
            fig(value=20, high=30, unit="households", qualifier="range"),
            "20\u201330 households displaced",
        ),
    ],
)
def test_subject_counts(figure: Figure, short: str) -> None:
    assert words.figure_short(figure) == short


def test_numbers_read_as_reports_write_them() -> None:
    assert words.format_number(60000) == "60,000"
    assert words.human_number(1_200_000) == "1.2 million"
    assert words.human_number(18_830_000) == "18,830,000"  # exact stays exact
    assert words.human_number(18_830_000, rounded=True) == "18.8 million"
    assert words.human_number(999_999, rounded=True) == "999,999"


def test_exposure_is_never_people_in_need() -> None:
    exposed = shown(fig("at_risk", 18_830_000, place="An", country="CHN"), exposure="within 100 km")
    assert words.shown_phrase(exposed) == "18,830,000 people exposed, within 100 km"
    assert words.shown_line(exposed) == "18,830,000 people exposed, within 100 km, in An, China"
    assert words.shown_short(exposed) == "18,830,000 exposed"
    plain_exposure = shown(fig("at_risk", 1, country="CHN"), exposure="exposed")
    assert words.shown_line(plain_exposure) == "1 person exposed in China"
    need = shown(fig("at_risk", 200_000, country="SDN", agency="WFP"))
    assert words.shown_line(need) == "200,000 people at risk in Sudan, according to WFP"


def test_gdacs_fields_in_words() -> None:
    assert words.structured_parts(gdacs_cyclone()) == [
        "Tropical cyclone",
        "winds up to 130 km/h",
        "795,000 people exposed (within 100 km)",
    ]
    assert words.structured_parts(None) == []
    tagged = Structured(source="reliefweb", tags=("Floods",))
    assert words.structured_parts(tagged) == []
    assert words.source_name(tagged) == "ReliefWeb"


# trends ----------------------------------------------------------------------


def test_trend_up_down_and_unchanged() -> None:
    idlib = fig(value=90_000, qualifier="at_least", place="Idlib", country="SYR", agency="OCHA")
    up = shown(idlib, previous=previous(60_000, days=2))
    assert words.trend_direction(up) == "up"
    assert words.trend_phrase(up, "UTC", NOW) == "up from 60,000 on 02 Dec (Wire A, OCHA)"
    down = shown(fig(value=50_000), previous=previous(60_000, agency=None))
    assert words.trend_phrase(down, "UTC", NOW) == "down from 60,000 on 02 Dec (Wire A)"
    same = shown(fig(value=60_000), previous=previous(60_000, qualifier="about"))
    assert words.trend_phrase(same, "UTC", NOW) == "unchanged since 02 Dec (Wire A, OCHA)"
    assert words.trend_phrase(shown(fig()), "UTC", NOW) == ""
    assert words.trend_direction(shown(fig())) == ""


def test_trend_says_the_year_when_it_differs_and_keeps_estimates() -> None:
    old = shown(fig(value=90_000), previous=previous(1_500_000, days=400, qualifier="about"))
    assert (
        words.trend_phrase(old, "UTC", NOW)
        == "down from about 1.5 million on 30 Oct 2025 (Wire A, OCHA)"
    )
    ranged = shown(fig(value=90_000), previous=previous(2_000, high=3_000, qualifier="range"))
    assert words.trend_phrase(ranged, "UTC", NOW).startswith("up from 2,000\u20133,000 on")


def test_trend_date_is_the_subscribers_day() -> None:
    late = shown(fig(value=2), previous=previous(1, date=datetime(2026, 12, 2, 22, 30, tzinfo=UTC)))
    assert "on 03 Dec" in words.trend_phrase(late, "Africa/Nairobi", NOW)
    assert "on 02 Dec" in words.trend_phrase(late, "UTC", NOW)


# places ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("SYR", "Syria"),  # pycountry's common name
        ("syr", "Syria"),
        ("CIV", "Côte d'Ivoire"),
        ("COD", "Democratic Republic of the Congo"),  # "Congo, The Democratic Republic of the"
        ("PSE", "State of Palestine"),  # "Palestine, State of"
        ("FSM", "Federated States of Micronesia"),
        ("VGB", "British Virgin Islands"),
        ("BES", "Bonaire, Sint Eustatius and Saba"),  # a list of places: not inverted
        ("KOR", "South Korea"),
        ("TUR", "Türkiye"),
        ("XKX", "XKX"),  # unknown to pycountry: passes through
    ],
)
def test_country_names_come_from_pycountry(code: str, name: str) -> None:
    assert words.country_name(code) == name


def test_no_hand_typed_country_table() -> None:
    source = Path(words.__file__).read_text(encoding="utf-8")
    assert "Democratic Republic of the Congo" not in source.split('"""')[-1]


def test_a_country_place_is_not_repeated_under_its_official_name() -> None:
    turkey = fig(place="Turkey", country="TUR", place_level="country")
    assert words.figure_where(turkey) == "Turkey"  # the extractor says the place is the country
    assert words.figure_where(fig(place="Idlib", country="SYR")) == "Idlib, Syria"
    assert words.figure_where(fig(place=None, country="SYR")) == "Syria"
    assert words.figure_where(fig()) == ""


# small filters ---------------------------------------------------------------


def test_dates_links_and_colours() -> None:
    winter = datetime(2026, 1, 15, 12, 0)  # naive: UTC, as the store keeps it
    assert words.local_time(winter, "Asia/Kolkata") == "15 Jan 2026 17:30 IST"
    assert words.local_time(None, "UTC") == ""
    assert words.web_url(" https://a.example.org/x ") == "https://a.example.org/x"
    assert words.web_url("data:text/html,hi") == ""
    assert words.web_url("javascript:alert(1)") == ""
    assert words.kind_label("at_risk") == "At risk"
    assert words.plural(1, "event") == "1 event"
    assert words.plural(2, "country", "countries") == "2 countries"
    assert words.agency_name(OCHA) == f"OCHA ({OCHA.name})"
    assert words.agency_name(Agency("WFP", "WFP")) == "WFP"
    assert words.on_colour("#b91c1c") == "#ffffff"  # the default levels carry white text
    assert words.on_colour("#8d6708") == "#ffffff"
    assert words.on_colour("#ffeb3b") == "#111111"  # a light level colour gets dark text
    assert words.on_colour("not a colour") == "#ffffff"


# the text layout -------------------------------------------------------------


def test_wrap_keeps_urls_whole_on_their_own_lines() -> None:
    text = f"See the report at {LONG_URL} for the details of the assessment."
    lines = plain.wrap(text, 40, "  ", "- ").split("\n")
    assert lines[0] == "- See the report at"
    assert lines[1] == "  " + LONG_URL
    assert all(len(line) <= 40 for line in lines if not plain.is_url(line.strip()))
    assert plain.wrap("a\nb\r\nc") == "a b c"  # a feed cannot add lines
    assert plain.wrap("") == ""


def test_wrap_splits_a_word_longer_than_a_line() -> None:
    lines = plain.wrap(f"x {LONG_WORD} y", 30, "    ", "  * ").split("\n")
    assert all(len(line) <= 30 for line in lines)
    assert lines[0] == "  * x"
    assert "".join(line[4:] for line in lines[1:]) == LONG_WORD + " y"


def test_columns_align_numbers_and_wrap_the_first_column() -> None:
    lines = plain.columns(
        ["Country", "Displaced"],
        [["Democratic Republic of the Congo", "12,000"], ["Chad", "250,000"]],
        right=[False, True],
        width=30,
    )
    assert lines == [
        "Country              Displaced",
        "-------------------  ---------",
        "Democratic Republic     12,000",
        "of the Congo",
        "Chad                   250,000",
    ]
    assert (
        plain.columns(["Country", "X" * 30], [["Chad", "1"]], right=[False, True], width=40) is None
    )


# the environment -------------------------------------------------------------


@pytest.fixture
def env() -> jinja2.Environment:
    return make_environment(None)


def test_bundled_templates_are_found() -> None:
    root = environment.bundled_templates()
    for name in (*environment.TEMPLATES, environment.CSS_FILE):
        assert root.joinpath(name).is_file(), name


def test_source_checkout_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not installed (a bare checkout): the package is missing, templates/ sits beside notifier/.
    monkeypatch.setattr(environment, "TEMPLATES_PACKAGE", "notifier.no_such_templates")
    expected = Path(environment.__file__).resolve().parents[2] / "templates"
    assert environment.bundled_templates() == expected


def test_missing_operator_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"digest\.templates_dir"):
        make_environment(tmp_path / "nope")


@pytest.mark.parametrize("name", environment.TEMPLATES)
def test_a_broken_operator_template_is_a_config_error(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"template .*{name}, line 1"):
        environment.check_templates(make_environment(tmp_path))


def test_bundled_templates_compile(env: jinja2.Environment) -> None:
    environment.check_templates(env)


def test_a_missing_template_is_a_config_error() -> None:
    bare = jinja2.Environment(loader=jinja2.DictLoader({}), autoescape=True)
    with pytest.raises(ConfigError, match="not found"):
        environment.check_templates(bare)


def test_css_is_read_through_the_loader(tmp_path: Path) -> None:
    (tmp_path / "digest.css").write_text("h2 { color: #123456; }", encoding="utf-8")
    assert environment.read_css(make_environment(tmp_path)) == "h2 { color: #123456; }"
    assert environment.read_css(jinja2.Environment(autoescape=True)) == ""
    bare = jinja2.Environment(loader=jinja2.DictLoader({}), autoescape=True)
    assert environment.read_css(bare) == ""


def test_inlining_keeps_media_blocks_and_fetches_nothing() -> None:
    css = "p { color: red; } @media (prefers-color-scheme: dark) { p { color: white !important; } }"
    page = '<html><head><link rel="stylesheet" href="https://x.example.org/a.css"></head><body><p>x</p></body></html>'
    out = environment.inline_css(page, css)
    assert '<p style="color: red;">' in out
    assert "@media (prefers-color-scheme: dark)" in out
    assert "x.example.org" not in out


def test_a_bracketed_url_is_a_url() -> None:
    for word in (LONG_URL, f"<{LONG_URL}>", f"({LONG_URL}):", f'"{LONG_URL}",'):
        assert plain.is_url(word), word
        assert plain.wrap(f"see {word} now", 40).split("\n") == ["see", word, "now"]
    assert not plain.is_url("ftp://x.example.org")
    assert not plain.is_url("see https://x")


SEED = (
    "Fighting and air strikes have forced more than 60,000 people to leave their homes since "
    "November 1, according to the UN Office for the Coordination of Humanitarian Affairs (OCHA)."
)


def test_a_quote_keeps_the_words_around_its_figure_on_one_line() -> None:
    assert "forced more than 60,000 people to leave their homes" not in plain.wrap(SEED, 78, "    ")
    lines = plain.wrap_quote(SEED, 60_000, 78, "    ").split("\n")
    assert lines == [
        "    Fighting and air strikes have",
        "    forced more than 60,000 people to leave their homes since November 1,",
        "    according to the UN Office for the Coordination of Humanitarian Affairs",
        "    (OCHA).",
    ]
    # Already whole, or the figure is not written in digits: filled as any paragraph.
    assert plain.wrap_quote(SEED, 60_000, 200) == SEED
    assert plain.wrap_quote(SEED, 70_000, 78) == plain.wrap(SEED, 78)
    assert plain.wrap_quote(SEED, None, 78) == plain.wrap(SEED, 78)


def test_the_words_kept_with_a_figure_end_with_its_clause() -> None:
    quote = (
        '"At least 48 people were killed and 310 injured, the national disaster management '
        'institute said, as roads reopened."'
    )
    # "were killed and 310 injured," fits on the first line: the plain fill stands.
    assert plain.wrap_quote(quote, 310, 78, "    ") == plain.wrap(quote, 78, "    ")
