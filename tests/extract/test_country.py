"""A figure's country is that of the people counted (EXTRACTION.md, "Output").

Each text is written for this test; each names a country that is not the
people's, in one of the ways news does.
"""

from __future__ import annotations

import pytest

from notifier.extract import extract


def _countries(text: str) -> dict[tuple[str, int], str | None]:
    return {(f.kind, f.value): f.country for f in extract(text).figures}


CASES = [
    pytest.param(
        "Dam breach\n\nKherson, Ukraine, 8 June - Some 3,000 people were evacuated.A further "
        "400,000 people across the region are affected by water cuts.",
        ("at_risk", 400000),
        "UKR",
        id="region-of-a-one-country-story",
    ),
    pytest.param(
        "PARIS, May 2 (Wire) - A bomb at a market in Mopti killed 20 people, including 2 "
        "France nationals, French officials said.",
        ("killed", 2),
        "MLI",
        id="nationality-after-a-count",
    ),
    pytest.param(
        "LONDON, May 2 (Wire) - Gunmen killed 9 people in Kaduna, including 3 aid workers, "
        "U.K. officials said on Friday.",
        ("killed", 3),
        "NGA",
        id="officials-of-a-country-said",
    ),
    pytest.param(
        "MADRID, June 3 (Wire) - At least 22 migrants died when their dinghy sank off "
        "Lampedusa, after leaving Zuwara in Libya, rescuers said.",
        ("killed", 22),
        "ITA",
        id="departure-town-in-its-country",
    ),
    pytest.param(
        "DHAKA, Nov 2 (Wire) - The storm killed 9 people in Bangladesh's Khulna division before "
        "making landfall in India, where 3 more died in Kolkata.",
        ("killed", 9),
        "BGD",
        id="place-right-after-the-count",
    ),
    pytest.param(
        "Outbreak\n\nThe epidemic of 2014 killed 8,000 people in Guinea, Liberia and Sierra Leone.",
        ("killed", 8000),
        None,
        id="count-then-list-of-countries",
    ),
    pytest.param(
        "ATLANTA, May 2 (Wire) - Storms swept across the U.S. state of Georgia overnight, "
        "killing 6 people.",
        ("killed", 6),
        "USA",
        id="state-named-like-a-country",
    ),
    pytest.param(
        "Quake alert\n\nAn earthquake occurred near the east coast of Kamchatka, potentially "
        "affecting 4000 people within 100km.",
        ("at_risk", 4000),
        "RUS",
        id="kamchatka",
    ),
    pytest.param(
        "Quake alert\n\nAn earthquake occurred in New Britain Region, P.N.G. potentially "
        "affecting 90000 people within 100km.",
        ("at_risk", 90000),
        "PNG",
        id="png-abbreviated",
    ),
    pytest.param(
        "Storm\n\nFlooding in the U.S. Virgin Islands killed 3 people on Monday.",
        ("killed", 3),
        "VIR",
        id="us-virgin-islands-own-code",
    ),
    pytest.param(
        "Quake update\n\nIn Nepal, 120 people died. In India, 40 died.\nAcross both "
        "countries, some 900,000 people are affected.",
        ("at_risk", 900000),
        None,
        id="fronted-several-countries",
    ),
    pytest.param(
        "Basin overview\n\nAcross the Lake Chad Basin, about 2 million people are displaced.",
        ("displaced", 2000000),
        None,
        id="a-region-named-after-a-country",
    ),
    pytest.param(
        "NAIROBI, May 3 (Wire) - Clashes flared in Ituri, Congo.\n\nThe agency said in a "
        "statement issued in Nairobi that 2,500 of those who fled had crossed into Uganda.",
        ("displaced", 2500),
        "UGA",
        id="statement-issued-in-a-capital",
    ),
    pytest.param(
        "Sahel update\n\nIn Mali, 310,000 people are displaced. Attacks in the border area "
        "of the three countries have killed more than 900 civilians this year.",
        ("killed", 900),
        None,
        id="area-of-several-countries",
    ),
    pytest.param(
        "Shelling hits Hama\n\nThe UN said in Geneva on Monday that shelling had killed 14 "
        "people in the town of Hama, Syria.",
        ("killed", 14),
        "SYR",
        id="announced-in-geneva",
    ),
    pytest.param(
        "Floods in Bangladesh\n\nA spokesman for the agency told reporters in Geneva that "
        "another 310 people had been injured.",
        ("injured", 310),
        "BGD",
        id="briefing-venue-then-main-country",
    ),
    pytest.param(
        "Truce collapses\n\nIn Lebanon, missiles launched from Israel killed 9 people "
        "overnight, local officials said.",
        ("killed", 9),
        "LBN",
        id="attackers-country",
    ),
    pytest.param(
        "Talks stall in Sudan\n\nNegotiations brokered by Qatar stalled as fighting in "
        "Darfur killed 40 more civilians.",
        ("killed", 40),
        "SDN",
        id="mediators-country",
    ),
    pytest.param(
        "Somalia drought\n\nThe agency said 52,000 Somalis had fled to Kenya and Ethiopia "
        "this year.",
        ("displaced", 52000),
        "SOM",
        id="demonym-origin-several-hosts",
    ),
    pytest.param(
        "Refugees in Chad\n\nChad now hosts more than 410,000 Sudanese refugees, the "
        "government said.",
        ("displaced", 410000),
        "TCD",
        id="host-country",
    ),
    pytest.param(
        "War in Ukraine\n\nSome 25,000 people crossed into Romania over the weekend, "
        "border police said.",
        ("displaced", 25000),
        "ROU",
        id="arrivals-without-origin",
    ),
    pytest.param(
        "Fighting in Sudan\n\nAbout 8,000 people fled from Darfur into Chad last week.",
        ("displaced", 8000),
        "SDN",
        id="fled-from-into",
    ),
    pytest.param(
        "Heatwave\n\nThe heat killed more than 900 people in France and Italy last month.",
        ("killed", 900),
        None,
        id="spans-several-countries",
    ),
    pytest.param(
        "Cholera\n\nThe disease has killed 3,100 people across the four countries since May.",
        ("killed", 3100),
        None,
        id="spans-countries-unnamed",
    ),
    pytest.param(
        "Storm batters Haiti\n\nPORT-AU-PRINCE, Oct 3 (Wire) - Officials said on Friday "
        "that 61 people had died.\n\nThe storm later reached Cuba.",
        ("killed", 61),
        "HTI",
        id="dateline",
    ),
    pytest.param(
        "Quake\n\nThe quake struck eastern Afghanistan on Saturday. It killed 70 people "
        "near the border with Pakistan, officials said.",
        ("killed", 70),
        "AFG",
        id="border-named",
    ),
    pytest.param(
        "Venezuela\n\nThe number of Venezuelan migrants has reached 4.1m, with 3m of them "
        "in South America.",
        ("displaced", 3000000),
        "VEN",
        id="demonym-over-region",
    ),
    pytest.param(
        "Clashes in Mali\n\nClashes in Mopti killed 12 soldiers. Aid groups said supplies "
        "from Senegal were delayed.\n\nAt least 300 families have since been displaced.",
        ("displaced", 300),
        "MLI",
        id="supplies-from-elsewhere",
    ),
    pytest.param(
        "Storm\n\nThe storm killed 118 people in Malawi and 14 in Zambia.",
        ("killed", 14),
        "ZMB",
        id="each-number-its-country",
    ),
    pytest.param(
        "Mali\n\nTwo aid workers from Canada were killed in Mali on Sunday.",
        ("killed", 2),
        "MLI",
        id="where-over-whence",
    ),
    pytest.param(
        "War\n\nRussia's war in Ukraine has displaced 3.2 million people inside the country.",
        ("displaced", 3200000),
        "UKR",
        id="aggressor-possessive",
    ),
    pytest.param(
        "Refugees\n\nUganda, which hosts 1.4 million refugees, appealed for funds.",
        ("displaced", 1400000),
        "UGA",
        id="host-relative-clause",
    ),
    pytest.param(
        "Report\n\nSome 110 million people are forcibly displaced in the world, UNHCR said.",
        ("displaced", 110000000),
        None,
        id="the-world",
    ),
    pytest.param(
        "Tigray\n\nThe ICRC delegation in Nairobi said 35 people died in Tigray last week.",
        ("killed", 35),
        "ETH",
        id="who-said-it-is-not-where",
    ),
    pytest.param(
        "Somalia\n\nU.S. drone strikes killed 17 fighters in Somalia, officials said.",
        ("killed", 17),
        "SOM",
        id="attackers-named-as-country",
    ),
    pytest.param(
        "BENGHAZI, May 3 (Wire) - Floods hit the port city of Tobruk on Friday.\n\n"
        "Rescue teams from Egypt, Jordan and the United Arab Emirates landed at the airport. "
        "A team recovered 61 bodies along the coast.",
        ("killed", 61),
        "LBY",
        id="rescuers-from-a-list-of-countries-are-not-where-the-dead-are",
    ),
    pytest.param(
        "MALI: Mopti region - Flash Update No. 2\n\n"
        "On 3 May, gunmen who crossed from Burkina Faso raided two villages near the border "
        "town. Local authorities said 34 civilians were killed.",
        ("killed", 34),
        "MLI",
        id="attackers-came-from-a-country-the-dead-were-not-in",
    ),
    pytest.param(
        "EAST AFRICA: Floods Flash Update No. 3\n\nKEY FIGURES\n96 deaths confirmed\n\n"
        "Heavy rain has hit Kenya, Somalia and Tanzania since early April.",
        ("killed", 96),
        None,
        id="figure-of-a-regional-report-with-no-place",
    ),
    pytest.param(
        "AMMAN, May 3 (Wire) - The toll from the floods in Jordan and Iraq rose to 140, up "
        "from 95 a day earlier, officials said.",
        ("killed", 95),
        None,
        id="old-count-of-a-revised-toll-spans-the-same-countries",
    ),
    pytest.param(
        "MANAGUA - Floods killed 12 people, eight in Nicaragua and four in Costa Rica, "
        "officials said.",
        ("killed", 4),
        "CRI",
        id="a-part-in-words-takes-the-country-after-it",
    ),
    pytest.param(
        "MANAGUA - Floods killed 12 people, eight in Nicaragua and four in Costa Rica, "
        "officials said.",
        ("killed", 12),
        None,
        id="a-total-split-by-country-spans-them",
    ),
]


@pytest.mark.parametrize(("text", "figure", "country"), CASES)
def test_country_of_the_people_counted(
    text: str, figure: tuple[str, int], country: str | None
) -> None:
    assert _countries(text)[figure] == country


def test_main_country_by_frequency_not_the_dateline_city() -> None:
    text = (
        "Iraq offensive\n\nANKARA - Turkish officials met their Iraqi counterparts.\n\n"
        "Fighting in Mosul, Iraq, continued. Iraq's army advanced in Nineveh.\n\n"
        "More than 5,000 people have been forced to leave their homes, the UN said."
    )
    assert _countries(text)[("displaced", 5000)] == "IRQ"


@pytest.mark.parametrize(
    ("text", "figure", "country"),
    [
        pytest.param(
            "KENYA: Floods in the north\nFlash Update No. 2\n\nThe river burst its banks "
            "upstream in the Ethiopian highlands, and 3,100 people have fled the low-lying "
            "quarters of the town.",
            ("displaced", 3100),
            "KEN",
            id="country-in-capitals-titles-the-report",
        ),
        pytest.param(
            "LEBANON: Flash Update No. 4\n\nDeaths 58 | Injured 210\n\nStrikes also hit "
            "a crossing into Syria on Friday.",
            ("killed", 58),
            "LBN",
            id="capitals-title-whose-name-is-also-a-town-elsewhere",
        ),
        pytest.param(
            "A blaze in a camp near Kutupalong, Bangladesh, on Friday left 4,800 Rohingya "
            "refugees homeless, camp officials said.",
            ("displaced", 4800),
            "BGD",
            id="demonym-without-flight-stays-where-it-happened",
        ),
        pytest.param(
            "Nearly 900 migrants died crossing the central Mediterranean in the first half "
            "of the year. Most boats left from Libya and Tunisia for Italy.",
            ("killed", 900),
            None,
            id="a-sea-between-countries",
        ),
    ],
)
def test_more_countries(text: str, figure: tuple[str, int], country: str | None) -> None:
    assert _countries(text)[figure] == country


def test_flight_from_an_area_the_gazetteer_does_not_know() -> None:
    text = (
        "Chad: clashes in the east\n\nFighting in Ouaddi Kadja department has forced "
        "about 2,700 people to seek safety in Sudan, officials said."
    )
    assert _countries(text)[("displaced", 2700)] == "TCD"


def test_another_count_in_the_next_sentence_keeps_its_own_country() -> None:
    text = (
        "Refugees\n\nSome 1.4 million Sudanese refugees are in Chad, the agency said. "
        "Another 600,000 are in South Sudan."
    )
    assert _countries(text) == {("displaced", 1400000): "TCD", ("displaced", 600000): "SSD"}


def test_demonym_right_after_the_count_names_where_they_fled() -> None:
    text = "Some 9,500 Burundians have crossed into Tanzania since May, officials said."
    assert _countries(text) == {("displaced", 9500): "BDI"}


@pytest.mark.parametrize(
    ("text", "figure", "country"),
    [
        pytest.param(
            "Aid\n\nMore than 600,000 people have fled the war in Sudan into eastern Chad "
            "since April, the agency said.",
            ("displaced", 600000),
            "SDN",
            id="fled-the-war-in-a-country-into-another",
        ),
        pytest.param(
            "Chad\n\nSome 20,000 people fled fighting in North Darfur into Chad's Ouaddai "
            "province last week.",
            ("displaced", 20000),
            "SDN",
            id="fled-fighting-in-a-province-into-another-country",
        ),
        pytest.param(
            "SOUTH SUDAN: Floods in Jonglei\n\nWater has displaced 7,000 people, officials said.",
            ("displaced", 7000),
            "SSD",
            id="two-word-country-in-a-capitals-title",
        ),
        pytest.param(
            "Drought\n\nZambia declared a disaster in March. The rains failed across southern "
            "Africa this season, and 21 million people now face hunger, the agency said.",
            ("at_risk", 21000000),
            None,
            id="a-region-of-several-countries-outside-the-clause",
        ),
        pytest.param(
            "Cholera\n\nMalawi: The outbreak has killed 1,100 people this year. The disease "
            "spread to 14 African countries in 2023, where it killed 4,000 people, WHO said.",
            ("killed", 4000),
            None,
            id="countries-with-an-adjective",
        ),
        pytest.param(
            "Boats\n\nMore than 500 Rohingya died at sea last year on journeys across the "
            "Andaman Sea and the Bay of Bengal, UNHCR said. Most had left camps in Bangladesh.",
            ("killed", 500),
            None,
            id="seas-between-countries",
        ),
        pytest.param(
            "Refugees\n\nMore than 300,000 people have fled from both countries since the "
            "fighting began, officials said. Sudan and South Sudan share a long border.",
            ("displaced", 300000),
            None,
            id="from-both-countries",
        ),
        pytest.param(
            "Central African Republic\n\nViolence in the south-east has displaced 520,000 "
            "people inside the country, while 740,000 refugees live in neighbouring countries, "
            "UNHCR said.",
            ("displaced", 740000),
            "CAF",
            id="refugees-in-neighbouring-countries-are-from-the-story's-country",
        ),
        pytest.param(
            "Nutrition\n\nUNICEF, which works in 190 countries, said 30 children died of "
            "hunger last month, most of them in Somalia's Sool region.",
            ("killed", 30),
            "SOM",
            id="an-organisation's-reach-is-not-a-spread",
        ),
    ],
)
def test_flight_headings_and_spreads(
    text: str, figure: tuple[str, int], country: str | None
) -> None:
    assert _countries(text)[figure] == country


def test_a_river_named_like_a_town_is_not_the_town() -> None:
    text = (
        "Somalia floods\n\nHeavy rain along the Juba and Shabelle rivers has displaced "
        "90,000 people, OCHA said."
    )
    assert _countries(text) == {("displaced", 90000): "SOM"}


def test_a_place_leading_the_next_number_is_that_numbers() -> None:
    text = "Drought\n\nZambia has 6 million people in need and Malawi 4.2 million, OCHA said."
    assert _countries(text) == {("at_risk", 6000000): "ZMB", ("at_risk", 4200000): "MWI"}


def test_a_place_before_and_then_a_number_stays_with_the_number_before() -> None:
    text = "Floods\n\nThe storm killed 50 people in Zambia and 300 in Malawi, officials said."
    assert _countries(text) == {("killed", 50): "ZMB", ("killed", 300): "MWI"}
