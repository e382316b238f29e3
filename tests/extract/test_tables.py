"""Tables, lists and key-figure boxes: each number keeps the label its row, column or heading gives."""

from __future__ import annotations

from notifier.extract import Report, extract
from notifier.extract.sentences import split_sentences
from notifier.htmltext import html_to_text


def pairs(report: Report) -> set[tuple[str, int]]:
    return {(f.kind, f.value) for f in report.figures}


def test_header_row_gives_its_columns_kinds() -> None:
    text = (
        "Cyclone update for the coastal provinces.\n\n"
        "Province | Evacuated | Dead | Houses damaged\n"
        "Northern | 14,200 | 23 | 1,900\n"
        "Eastern | 8,750 | 6 | 640\n"
    )
    assert pairs(extract(text)) == {
        ("displaced", 14200),
        ("killed", 23),
        ("displaced", 8750),
        ("killed", 6),
    }


def test_header_row_of_an_html_table() -> None:
    markup = (
        "<p>Situation overview</p><table><tr><th>County</th><th>Injured</th></tr>"
        "<tr><td>Lakeside</td><td>112</td></tr><tr><td>Hillview</td><td>37</td></tr></table>"
    )
    assert pairs(extract(html_to_text(markup))) == {("injured", 112), ("injured", 37)}


def test_tab_separated_table() -> None:
    text = "Camp\tIDPs\tRooms\nNorth camp\t5,300\t410\nSouth camp\t2,150\t95\n"
    assert pairs(extract(text)) == {("displaced", 5300), ("displaced", 2150)}


def test_heading_gives_its_kind_to_the_list_below() -> None:
    text = "Weekly bulletin.\n\nFatalities by region\nUpper valley: 41\nLower valley: 17\n"
    assert pairs(extract(text)) == {("killed", 41), ("killed", 17)}


def test_heading_without_a_kind_gives_none() -> None:
    text = "Shelters opened by region\nUpper valley: 41\nLower valley: 17\n"
    assert pairs(extract(text)) == set()


def test_each_number_keeps_its_own_label_in_a_row() -> None:
    text = "Quake toll so far.\n\nDead 212 | Hurt 1,045 | Missing: 38\n"
    assert pairs(extract(text)) == {("killed", 212), ("injured", 1045), ("missing", 38)}


def test_a_cell_without_a_number_stays_with_its_neighbour() -> None:
    text = "Totals\n\n3,300 | people displaced\n"
    assert pairs(extract(text)) == {("displaced", 3300)}
    assert len(split_sentences("A | 12 | 13 and 14")) == 2


def test_key_figure_box_number_above_its_label() -> None:
    text = "At a glance\n\n2.4M\npeople in need\n\n310K\ninternally displaced\n"
    assert pairs(extract(text)) == {("at_risk", 2400000), ("displaced", 310000)}


def test_key_figures_under_their_labels() -> None:
    text = "Snapshot\n\nPeople killed\n1,870\nPeople injured\n4,420\n"
    assert pairs(extract(text)) == {("killed", 1870), ("injured", 4420)}


def test_key_figures_of_inline_html_elements() -> None:
    markup = "<div><span>3.1M</span><span>people in need</span></div>"
    assert pairs(extract(html_to_text(markup))) == {("at_risk", 3100000)}


def test_definition_list_of_key_figures() -> None:
    markup = "<dl><dt>Dead</dt><dd>57</dd><dt>Wounded</dt><dd>309</dd></dl>"
    assert pairs(extract(html_to_text(markup))) == {("killed", 57), ("injured", 309)}


def test_html_list_under_a_heading() -> None:
    markup = (
        "<h2>Displacement by province</h2><ul><li>Coastal: 6,100</li><li>Inland: 2,900</li></ul>"
    )
    assert pairs(extract(html_to_text(markup))) == {("displaced", 6100), ("displaced", 2900)}


def test_space_aligned_table() -> None:
    text = "Zone        Dead     Injured\nRiverside   14       52\nUplands     3        19\n"
    assert pairs(extract(text)) == {
        ("killed", 14),
        ("injured", 52),
        ("killed", 3),
        ("injured", 19),
    }


def test_households_column_counts_households() -> None:
    text = "Area | Displaced families\nEast bank | 640\nWest bank | 215\n"
    assert {(f.kind, f.value, f.unit) for f in extract(text).figures} == {
        ("displaced", 640, "households"),
        ("displaced", 215, "households"),
    }


def test_years_under_a_heading_are_not_counts() -> None:
    text = "Storms displaced many\nIn 2021\nIn 2022\n"
    assert pairs(extract(text)) == set()


def test_label_before_number_cells() -> None:
    text = "Summary | Missing 44 | In need 9,500\n"
    assert pairs(extract(text)) == {("missing", 44), ("at_risk", 9500)}


def test_columns_and_key_figures_of_things_get_no_kind() -> None:
    text = (
        "District | Houses affected | Schools damaged\nRiverside | 1,400 | 12\nHilltop | 310 | 4\n"
    )
    assert pairs(extract(text)) == set()
    assert pairs(extract("Overview\n\nAffected districts\n14\n")) == set()


def test_rates_and_rankings_get_no_kind() -> None:
    assert pairs(extract("Zone | Affected (%)\nCoast | 45\nHills | 30\n")) == set()
    assert pairs(extract("Top countries by displacement\nAtlantis: 1\nUtopia: 2\n")) == set()


def test_header_over_the_last_columns_when_the_corner_cell_is_empty() -> None:
    markup = (
        "<table><tr><th></th><th>New displacements</th><th>Deaths</th></tr>"
        "<tr><td>Lakeside</td><td>1,350</td><td>16</td></tr></table>"
    )
    assert pairs(extract(html_to_text(markup))) == {("displaced", 1350), ("killed", 16)}


def test_key_figures_as_paragraphs_number_first() -> None:
    markup = "<div><p>740,000</p><p>people displaced</p></div><div><p>2,310</p><p>deaths</p></div>"
    assert pairs(extract(html_to_text(markup))) == {("displaced", 740000), ("killed", 2310)}


def test_key_figures_as_paragraphs_label_first() -> None:
    markup = "<p>People displaced</p><p>740,000</p><p>Deaths</p><p>2,310</p>"
    assert pairs(extract(html_to_text(markup))) == {("displaced", 740000), ("killed", 2310)}


def test_lone_page_numbers_and_years_are_not_key_figures() -> None:
    assert pairs(extract("Chapter on displacement\n\n12\n\nMore text here.")) == set()
    assert pairs(extract("Deaths in review\n\n2024\n\nThe year ahead.")) == set()


def test_markdown_table_with_rule_row() -> None:
    text = (
        "Figures by county:\n\n"
        "| County | Evacuated | Dead |\n"
        "|:---|---:|---:|\n"
        "| Riverside | 6,400 | 19 |\n"
        "| Upland | 2,075 | 4 |\n"
    )
    assert pairs(extract(text)) == {
        ("displaced", 6400),
        ("killed", 19),
        ("displaced", 2075),
        ("killed", 4),
    }


def test_asylum_seekers_column() -> None:
    text = "Host\tRefugees\tAsylum-seekers\nUganda\t1,700,000\t41,000\nKenya\t820,000\t95,000\n"
    assert pairs(extract(text)) == {
        ("displaced", 1700000),
        ("displaced", 41000),
        ("displaced", 820000),
        ("displaced", 95000),
    }


def test_pipe_table_padded_with_spaces() -> None:
    text = (
        "Table 2: Flood impact by county\n"
        "County      | Newly displaced | People in need\n"
        "Marsh       | 21,400          | 88,000\n"
        "Delta East  | 9,050           | 47,300\n"
    )
    assert pairs(extract(text)) == {
        ("displaced", 21400),
        ("at_risk", 88000),
        ("displaced", 9050),
        ("at_risk", 47300),
    }


def test_a_row_named_after_areas_still_counts_people() -> None:
    text = (
        "Flood update.\n\nZone | People affected\nNorth | 120,000\nSouth and other zones | 40,000\n"
    )
    assert pairs(extract(text)) == {("at_risk", 120_000), ("at_risk", 40_000)}


def test_households_column_of_a_displacement_table_and_no_count_of_sites() -> None:
    text = (
        "Flash update.\n\nTown | IDPs | Households | Displacement sites\n"
        "Riverside | 6,240 | 1,248 | 3\nHilltop | 2,100 | 420 | 1\n"
    )
    report = extract(text)
    assert pairs(report) == {
        ("displaced", 6240),
        ("displaced", 1248),
        ("displaced", 2100),
        ("displaced", 420),
    }
    assert {f.value: f.unit for f in report.figures}[1248] == "households"


def test_a_column_of_people_in_shelters_counts_the_displaced() -> None:
    text = "Update.\n\nDistrict | In evacuation centres | Houses damaged\nEast | 3,120 | 410\nWest | 980 | 75\n"
    assert pairs(extract(text)) == {("displaced", 3120), ("displaced", 980)}
