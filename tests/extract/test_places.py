"""Places: gazetteer look-ups, longest match, ambiguous names and the country ranking."""

from __future__ import annotations

import gzip
import json
import runpy
from importlib import resources
from pathlib import Path

import pytest

from notifier.extract import gazetteer, places
from notifier.extract.places import PlaceMention, document_countries, find_places

BUILD_SCRIPT = Path(__file__).parents[2] / "scripts" / "build_gazetteer.py"


def found(text: str) -> list[tuple[str, str, str]]:
    return [(m.name, m.country, m.level) for m in find_places(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Floods hit South Sudan.", [("South Sudan", "SSD", "country")]),
        ("Floods hit Sudan.", [("Sudan", "SDN", "country")]),
        (
            "Cholera in the Democratic Republic of the Congo.",
            [("Democratic Republic of the Congo", "COD", "country")],
        ),
        ("Rain in Papua New Guinea.", [("Papua New Guinea", "PNG", "country")]),
        ("Niger and Nigeria.", [("Niger", "NER", "country"), ("Nigeria", "NGA", "country")]),
        ("Aid to Guinea-Bissau.", [("Guinea-Bissau", "GNB", "country")]),
        ("Aid to Equatorial Guinea.", [("Equatorial Guinea", "GNQ", "country")]),
        ("Aid to Guinea.", [("Guinea", "GIN", "country")]),
        ("Storms in Georgia.", [("Georgia", "GEO", "country")]),
        ("Fighting in North Darfur.", [("North Darfur", "SDN", "subdivision")]),
        ("South Sudan's envoy spoke.", [("South Sudan", "SSD", "country")]),
        (
            "Shelling in El Fasher, Sudan.",
            [("El Fasher", "SDN", "city"), ("Sudan", "SDN", "country")],
        ),
    ],
)
def test_longest_name_wins(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Clashes in the DRC.", "COD"),
        ("Clashes in DR Congo.", "COD"),
        ("Clashes in Congo.", "COD"),
        ("Clashes in the Republic of the Congo.", "COG"),
        ("Voting in Ivory Coast.", "CIV"),
        ("Voting in Côte d'Ivoire.", "CIV"),
        ("Voting in Cote d'Ivoire.", "CIV"),
        ("Talks with Syria.", "SYR"),
        ("Talks with Iran.", "IRN"),
        ("Talks with Russia.", "RUS"),
        ("Quake in Turkey.", "TUR"),
        ("Quake in Türkiye.", "TUR"),
        ("Refugees from Burma.", "MMR"),
        ("Strikes on Gaza.", "PSE"),
        ("Raids in the West Bank.", "PSE"),
        ("Aid from the U.S. arrived.", "USA"),
        ("Aid from the UK arrived.", "GBR"),
        ("Troops raided the camp in Jenin.", "PSE"),
        ("Convoys left Stepanakert at dawn.", "AZE"),
        ("Families walked to Tawila.", "SDN"),
    ],
)
def test_aliases(text: str, country: str) -> None:
    assert [m.country for m in find_places(text)] == [country]


def test_offsets_and_possessive() -> None:
    text = "In Syria's Idlib province, and in Aleppo, people fled."
    mentions = find_places(text)
    assert [text[m.start : m.end] for m in mentions] == ["Syria", "Idlib", "Aleppo"]
    assert [m.name for m in mentions] == ["Syria", "Idlib", "Aleppo"]
    assert mentions[1] == PlaceMention("Idlib", "SYR", "subdivision", 11, 16)
    assert mentions[2].level == "city"


def test_accents_and_articles_are_spelling_variants() -> None:
    assert found("Shelling in Hodeidah, Yemen.")[0][1] == "YEM"
    assert found("Displaced to al-Hasakah in Syria.")[0] == ("Hasakah", "SYR", "city")


@pytest.mark.parametrize(
    "text",
    [
        "Police said the Mobile unit was Reading the list.",  # towns named like words
        "Say what you will.",
        "Of the dead, most were children.",
        "Syrian and Sudanese refugees arrived.",  # demonyms are not places
        "the city of tripoli",  # lower case is not a name
        "President Jackson spoke.",  # a town's name as a surname
        "Hassan Rouhani and Florence Nightingale.",  # a town's name as a first name
        "Fighters of Hayat Tahrir al-Sham advanced.",
    ],
)
def test_words_that_are_not_places(text: str) -> None:
    assert find_places(text) == []


def test_ambiguous_city_follows_the_country_the_text_names() -> None:
    lebanon = "Clashes in Tripoli, in northern Lebanon, killed two."
    libya = "Clashes in Tripoli, the capital of Libya, killed two."
    assert find_places(lebanon)[0].country == "LBN"
    assert find_places(libya)[0].country == "LBY"
    # with no country named, the larger city
    assert find_places("Clashes in Tripoli killed two.")[0].country == "LBY"


def test_small_towns_need_their_country_named() -> None:
    assert found("Families fled to Djibo.") == []
    assert ("Djibo", "BFA", "city") in found("Families fled to Djibo in Burkina Faso.")


def test_a_subdivision_is_resolved_by_the_other_places_named() -> None:
    text = "The storm crossed Rakhine and Kachin."
    assert [m.country for m in find_places(text)] == ["MMR", "MMR"]


def test_shouted_abbreviations_are_not_places() -> None:
    assert found("LET US KNOW WHAT THE CAR NEEDS") == []
    assert found("Fighting in the CAR displaced thousands.") == [("CAR", "CAF", "country")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SOUTH SUDAN: Rains cut roads", [("South Sudan", "SSD", "country")]),
        (
            "DEMOCRATIC REPUBLIC OF THE CONGO - Cholera spreads",
            [("Democratic Republic of the Congo", "COD", "country")],
        ),
        (
            "Update\nCENTRAL AFRICAN REPUBLIC\nText",
            [("Central African Republic", "CAF", "country")],
        ),
        ("NORTH KIVU PROVINCE: Camps full", [("North Kivu", "COD", "subdivision")]),
        ("HEAVY RAIN HITS US TOWNS", []),
    ],
)
def test_place_names_opening_a_line_in_capitals(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert found(text) == expected


def test_document_countries_most_mentioned_first_ties_by_first_mention() -> None:
    text = (
        "Turkey urged Russia and Iran to halt the offensive in Syria. "
        "Idlib, in Syria, borders Turkey. Damascus denied it."
    )
    assert document_countries(find_places(text)) == ("SYR", "TUR", "RUS", "IRN")


def test_document_countries_of_no_places() -> None:
    assert document_countries([]) == ()


def test_town_names_next_to_acronyms_sites_and_in_headlines() -> None:
    assert found("The UNICEF Goma office reopened.") == [("Goma", "COD", "city")]
    assert found("Flights resumed at Kabul Airport.") == [("Kabul", "AFG", "city")]
    assert found("Cyclone Idai Hits Beira As Storm Nears") == [("Beira", "MOZ", "city")]
    assert found("Talks after Russia's Sochi summit.") == [
        ("Russia", "RUS", "country"),
        ("Sochi", "RUS", "city"),
    ]


def test_doubtful_names_count_when_two_agree_or_the_kind_is_said() -> None:
    assert [m.country for m in find_places("Floods in Badghis and Farah.")] == ["AFG", "AFG"]
    assert found("Storms lashed Queensland state.") == [("Queensland", "AUS", "subdivision")]
    assert found("Storms lashed Queensland.") == []


def test_a_country_name_followed_by_state_is_the_subdivision() -> None:
    assert found("Rain hit Niger State.") == [("Niger", "NGA", "subdivision")]


def test_arabic_articles_inside_names_and_regions_of_several_countries() -> None:
    assert found("Deir ez-Zor was shelled.") == [("Deir ez-Zor", "SYR", "city")]
    assert found("Drought across the Sahel region.") == []


def test_the_shipped_gazetteer_is_what_the_build_script_writes_now() -> None:
    """data/gazetteer.json.gz is built from the current sources; else rebuild it."""
    shipped = gzip.decompress(
        resources.files("notifier.extract").joinpath("data", gazetteer.INDEX_FILE).read_bytes()
    )
    index_bytes = runpy.run_path(str(BUILD_SCRIPT))["index_bytes"]
    fix = "run `python scripts/build_gazetteer.py`"
    assert json.loads(shipped)["fingerprint"] == gazetteer.fingerprint(), fix
    assert shipped == gzip.decompress(index_bytes()), fix


def test_an_out_of_date_gazetteer_is_built_from_its_sources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    places._gazetteer.cache_clear()
    gazetteer.load.cache_clear()
    monkeypatch.setattr(gazetteer, "_FORMAT", -1)
    try:
        assert found("Shelling in El Fasher, Sudan.") == [
            ("El Fasher", "SDN", "city"),
            ("Sudan", "SDN", "country"),
        ]
    finally:
        places._gazetteer.cache_clear()
        gazetteer.load.cache_clear()


def test_a_name_in_several_countries_waits_for_the_countries_the_text_names() -> None:
    # Gaza is also a province of Mozambique: the choice is made once the whole
    # text is read, and holds for every naming of it.
    assert found("Floods in Gaza.") == [("Gaza", "PSE", "subdivision")]
    assert found("Floods in Gaza. Mozambique asked for aid for Gaza.") == [
        ("Gaza", "MOZ", "subdivision"),
        ("Mozambique", "MOZ", "country"),
        ("Gaza", "MOZ", "subdivision"),
    ]


def test_what_a_name_stands_for_in_any_text_is_worked_out_once() -> None:
    gaz = places._gazetteer()
    goma, idlib, gaza = (places._named(gaz, n) for n in ("Goma", "Idlib", "Gaza"))
    assert goma is not None and idlib is not None and gaza is not None
    assert not goma.contextual
    assert {(c and (c.country, c.level)) for c in goma.fixed} == {("COD", "city")}
    # "Idlib province" is the province, "Idlib" the city, whatever else is named
    assert idlib.contextual
    assert [c and c.level for c in idlib.fixed] == ["city", "city", "subdivision", "subdivision"]
    assert gaza.fixed[0] is None  # depends on whether Mozambique is named
    assert found("Idlib province and Idlib city.") == [
        ("Idlib", "SYR", "subdivision"),
        ("Idlib", "SYR", "city"),
    ]
