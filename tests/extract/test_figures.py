"""Kinds, qualifiers, units and exclusions, one pattern or trap per case.

Every text here is written for these tests (none comes from the evaluation
sets), so that passing them says the rule is general, not tuned to a sentence.
"""

from __future__ import annotations

import pytest

from notifier.extract import extract, heads
from notifier.extract.lexicon import TRIGGER_RE
from notifier.extract.triggers import find_triggers


def figs(text: str) -> list[tuple[str, int, int | None, str, str]]:
    return [(f.kind, f.value, f.high, f.unit, f.qualifier) for f in extract(text).figures]


def one(text: str) -> tuple[str, int, int | None, str, str]:
    found = figs(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # active and passive voice, trigger before or after the number
        ("Landslides killed 37 people in the hills.", "killed", 37),
        ("At least 37 people were killed when the hillside collapsed.", "killed", 37),
        ("The fighting has displaced 9,400 people this month.", "displaced", 9400),
        ("Some 9,400 people were displaced by the fighting.", "displaced", 9400),
        ("The storm left 4,100 people homeless.", "displaced", 4100),
        ("The wildfire forced 3,200 residents to flee their homes.", "displaced", 3200),
        ("The blaze claimed the lives of 19 workers.", "killed", 19),
        ("The conflict has claimed more than 40,000 lives.", "killed", 40000),
        ("Rescuers have recovered 52 bodies from the rubble.", "killed", 52),
        ("The death toll stands at 212.", "killed", 212),
        ("The toll from the mudslide has risen to 64.", "killed", 64),
        ("Quake deaths pass 3,000 as rescue teams dig on", "killed", 3000),
        ("Some 80 villagers remain unaccounted for.", "missing", 80),
        ("Another 23 fishermen are still missing.", "missing", 23),
        ("Police said 41 protesters were wounded.", "injured", 41),
        ("At least 150 people were hospitalised with injuries.", "injured", 150),
        ("Medics reported 75 casualties after the shelling.", "casualties", 75),
        ("More than 300 civilians were killed or injured.", "casualties", 300),
        ("About 1.2 million people are in need of humanitarian assistance.", "at_risk", 1_200_000),
        ("Some 600,000 people face acute food insecurity.", "at_risk", 600_000),
        ("Nearly 90,000 people are trapped in the besieged city.", "at_risk", 90000),
        ("The floods have affected 250,000 people in six provinces.", "at_risk", 250000),
        ("An estimated 2,500 people have crossed into Chad.", "displaced", 2500),
        ("Roughly 7,000 people are sheltering in evacuation centres.", "displaced", 7000),
        ("12,000 refugees live in the camp.", "displaced", 12000),
        ("The agency registered 5,600 new asylum seekers.", "displaced", 5600),
        ("The authorities evacuated 18,000 villagers ahead of the storm.", "displaced", 18000),
        ("Floods forced the evacuation of 6,300 people.", "displaced", 6300),
        ("Sixteen people drowned when the ferry capsized.", "killed", 16),
        ("Scores of civilians were killed in the raid.", "killed", 40),
    ],
)
def test_kinds(text: str, kind: str, value: int) -> None:
    got = one(text)
    assert (got[0], got[1]) == (kind, value)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("Exactly 412 people were killed.", "exact"),
        ("About 412 people were killed.", "about"),
        ("Nearly 412 people were killed.", "about"),
        ("Close to 412 people were killed.", "about"),
        ("An estimated 412 people were killed.", "about"),
        ("~412 people were killed.", "about"),
        ("More than 412 people were killed.", "at_least"),
        ("Over 412 people were killed.", "at_least"),
        ("At least 412 people were killed.", "at_least"),
        ("In excess of 412 people were killed.", "at_least"),
        ("Up to 412 people were killed.", "at_most"),
        ("As many as 412 people were killed.", "at_most"),
        ("Fewer than 412 people were killed.", "at_most"),
        ("Between 400 and 412 people were killed.", "range"),
        ("Hundreds of people were killed.", "at_least"),
    ],
)
def test_qualifiers(text: str, qualifier: str) -> None:
    assert one(text)[4] == qualifier


def test_range_keeps_both_ends() -> None:
    assert one("Between 3,000 and 4,500 people fled the town.") == (
        "displaced",
        3000,
        4500,
        "people",
        "range",
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Some 1,300 families were displaced by the floods.", 1300),
        ("About 40 households were evacuated from the riverbank.", 40),
        ("Thousands of families have fled to higher ground.", 2000),
    ],
)
def test_households(text: str, value: int) -> None:
    got = one(text)
    assert (got[1], got[3]) == (value, "households")


def test_key_figure_box_number_above_its_label() -> None:
    text = "KEY FIGURES\n2.3M\npeople in need\n410K\ninternally displaced\n87\nschools damaged"
    assert figs(text) == [
        ("at_risk", 2_300_000, None, "people", "exact"),
        ("displaced", 410_000, None, "people", "exact"),
    ]


def test_table_like_lines() -> None:
    text = "Deaths: 1,204\nInjured: 3,118\nMissing | 56\nEvacuated people 9,870"
    assert [(k, v) for k, v, *_ in figs(text)] == [
        ("killed", 1204),
        ("injured", 3118),
        ("missing", 56),
        ("displaced", 9870),
    ]


def test_bullet_highlights() -> None:
    text = (
        "HIGHLIGHTS\n\u2022 Authorities report 58 people dead.\n"
        "\u2022 Over 4,000 people are displaced."
    )
    assert [(k, v) for k, v, *_ in figs(text)] == [("killed", 58), ("displaced", 4000)]


def test_sub_count_takes_the_kind_of_its_total() -> None:
    text = "The clashes killed 85 people, including 21 children, officials said."
    assert {(k, v) for k, v, *_ in figs(text)} == {("killed", 85), ("killed", 21)}


def test_sub_count_after_the_total() -> None:
    text = "About 52,000 people have been displaced, including some 9,000 in the capital."
    assert {(k, v) for k, v, *_ in figs(text)} == {("displaced", 52000), ("displaced", 9000)}


def test_additional_vague_count_takes_the_kind_before_it() -> None:
    text = "Some 3,000 people have fled to the hills. Thousands more are staying with relatives."
    assert {(k, v) for k, v, *_ in figs(text)} == {("displaced", 3000), ("displaced", 2000)}


def test_two_figures_in_one_clause() -> None:
    text = "The blast killed 14 people and wounded 63 others."
    assert [(k, v) for k, v, *_ in figs(text)] == [("killed", 14), ("injured", 63)]


@pytest.mark.parametrize(
    "text",
    [
        "The storm destroyed 3,400 homes and damaged 120 schools.",
        "WHO said 2.1 million people had been vaccinated against cholera.",
        "The agency has reached 450,000 people with food aid this year.",
        "WFP delivered rations to 80,000 displaced people in the camps.",
        "About 4,000 returnees arrived from Sudan last week.",
        "The 45-year-old farmer was killed by a landmine.",
        "The appeal seeks $45 million to help 300,000 people.",
        "Some 60 per cent of the displaced are children.",
        "The convoy of 40 trucks reached the camp for displaced people.",
        "The camp was designed for 20,000 refugees.",
        "The town, a city of 250,000 inhabitants, was shelled.",
        "Officials counted 1,200 cases of cholera and 34 treatment centres.",
        "The quake of magnitude 6.4 struck at 3:15 a.m. on 12 March.",
        "He said one of the victims was a child.",
        "1,500 head of cattle died in the drought.",
        "The earthquake in 1999 killed thousands in the region.",
        "139 users have voted.",
        "Children under five are most at risk.",
        "The agency hired 300 staff to help evacuees.",
        "Seven in ten of the displaced are women and children.",
        "The blaze started in Block 17 of the camp, where people were killed.",
        "Amina, a mother of six, now lives in a displacement camp.",
        "Around 80 guests had gathered for a wedding when gunmen fired on people fleeing the hall.",
    ],
)
def test_not_figures(text: str) -> None:
    assert [f for f in figs(text) if f[1] != 2000] == []


def test_year_with_a_people_noun_is_a_count() -> None:
    assert one("Officials said 2000 people were evacuated.")[:2] == ("displaced", 2000)


def test_year_before_a_trigger_is_not_a_count() -> None:
    assert figs("An eruption in 1911 killed more than 1,300 people.") == [
        ("killed", 1300, None, "people", "at_least")
    ]


GATE_TEXT = """
Casualties rose. Killed or injured, dead and wounded. The death toll and the toll.
Killing, kills, dead, deaths, died, dies, fatalities. They lost their lives; lives lost.
The storm claimed the lives of many. Perished, drowned, murdered, massacred, slain, executed.
Bodies were recovered. Bodies have been found. Fallecidos, muertos, morts, tués, décès.
Injured, injuring, injuries, wounded, hurt, hospitalised, hospitalized, heridos, blessés.
Missing, unaccounted for, desaparecidos, disparus. Internally displaced, displacement.
Uprooted, homeless, made homeless, in need of emergency shelter, forced into shelters,
moved to safer areas, managed to leave the besieged city, fled their villages, flee, fleeing,
evacuated, evacuations, evacuees, lost their homes, from their homes, out of their homes,
forced to flee, sheltering, took refuge, sought shelter, in temporary shelters, in camps,
living in tents, sleeping in the open, staying with relatives, accommodated at a school,
crossed into Chad, crossing into Chad, relocated, relocation, moved onto higher ground,
on the move, hosted by relatives, arrived in Pemba, desplazados, evacuadas, desalojadas,
damnificados, sin hogar, déplacés, deplacement, sans abris, sinistrés, sem abrigo.
Refugees, IDPs, asylum seekers, asylum-seekers, migrants, PDI, displaced people.
At risk, in need, in urgent need, in dire need, in crisis, in the path of the storm,
need humanitarian assistance, require urgent aid, affected, exposed, threatened, trapped,
besieged, stranded, endangered, famine, starvation, starving, food insecurity, hunger,
malnourished, in IPC Phase 4, in Catastrophe, concern for, afectados.
Reached, assisted, vaccinated, immunized, treated, rescued, returned, returning, returnees,
received, benefited, employed, trained, voted, votes, voters, every, per day, each day,
a day, a week, spectators, attended, enrolled, supported, screened, tested, to help,
registered to vote, in the area were. Left without shelter, moved to temporary accommodation,
into emergency accommodation, in accommodation, spent the night in halls, spending the night
outdoors, have been cut off, remain cut off. At grave risk, at high risk.
A gate that is no trigger must not hide the one inside it: still living in displacement.
"""


def test_trigger_gate_finds_what_the_full_pattern_finds() -> None:
    full = [(m.start(), m.end(), m.lastgroup) for m in TRIGGER_RE.finditer(GATE_TEXT)]
    gated = [(h.start, h.end, h.group) for h in find_triggers(GATE_TEXT)]
    assert gated == full
    assert len(full) > 140


def test_more_after_another_verb_is_not_inherited() -> None:
    text = "Gunmen killed 31 villagers and abducted dozens more."
    assert [(k, v) for k, v, *_ in figs(text)] == [("killed", 31)]


def test_table_label_in_households() -> None:
    assert one("Displaced households: 8,900")[:4] == ("displaced", 8900, None, "households")


def test_new_arrivals_are_displaced() -> None:
    assert one("Partners registered 12,300 new arrivals in the camp.")[:2] == ("displaced", 12300)


def test_need_of_shelter_assistance_is_need_not_displacement() -> None:
    assert one("Some 45,000 people are in need of shelter assistance.")[0] == "at_risk"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Heavy rains left 1,240 families without shelter.", "displaced", 1240),
        ("Authorities moved 3 500 residents to temporary accommodation.", "displaced", 3500),
        ("Nearly 900 people spent the night in community halls.", "displaced", 900),
        ("Some 2,000 people have been cut off by the floods.", "at_risk", 2000),
        ("Las lluvias dejaron 4.300 personas damnificadas.", "displaced", 4300),
        ("Les inondations ont fait 8 morts.", "killed", 8),
        ("An estimated 800,000 civilians are at grave risk.", "at_risk", 800_000),
        ("The governor put the number of dead at 212 on Friday.", "killed", 212),
        ("Rescuers said the remains of 75 people had been recovered.", "killed", 75),
        ("The clinic in Kasai has treated 930 wounded people since May.", "injured", 930),
        ("One fisherman remained missing after the boat capsized.", "missing", 1),
        (
            "Some 41,000 people face catastrophic hunger (IPC Phase 5) in the north.",
            "at_risk",
            41_000,
        ),
        ("Roughly 62,000 children need treatment for severe malnutrition.", "at_risk", 62_000),
        ("Up to 300,000 more could be forced out of the coastal towns.", "displaced", 300_000),
        ("A nurse who helped carry stretchers said 45 others were wounded.", "injured", 45),
        ("The mudslide buried two homes, killing nine members of one family.", "killed", 9),
        (
            "Conflict drove acute hunger for nearly 90 million people last year.",
            "at_risk",
            90_000_000,
        ),
        (
            "Some 410,000 children are expected to suffer severe acute malnutrition.",
            "at_risk",
            410_000,
        ),
        ("The transit centre for refugees in Kalemie now shelters 8,200.", "displaced", 8_200),
        (
            "The transit site near the border now shelters 23,400, officials said.",
            "displaced",
            23_400,
        ),
        ("Two more people were swept away by the river and remain missing.", "missing", 2),
        ("Roads to 14 woredas remain cut off, and 2,300 people are stranded.", "at_risk", 2_300),
        (
            "Up to 90,000 people may be crossing borders this year.",
            "displaced",
            90_000,
        ),
    ],
)
def test_more_wordings(text: str, kind: str, value: int) -> None:
    got = one(text)
    assert (got[0], got[1]) == (kind, value)


def test_peak_figure_takes_the_kind_of_its_clause() -> None:
    text = "Around 65,000 people remain in evacuation centres, down from a peak of 180,000."
    assert {(k, v) for k, v, *_ in figs(text)} == {("displaced", 65000), ("displaced", 180000)}


def test_evacuated_homes_count_households() -> None:
    text = "The wildfire forced the evacuation of about 120 homes near the lake."
    assert one(text) == ("displaced", 120, None, "households", "about")


def test_destroyed_homes_are_not_a_figure() -> None:
    assert figs("The wildfire destroyed about 120 homes near the lake.") == []


def test_metres_before_a_noun_are_not_millions() -> None:
    assert figs("A 5m wave killed 20 people.") == [("killed", 20, None, "people", "exact")]


def test_active_verb_takes_the_next_number_as_its_object() -> None:
    text = "The 300 residents displaced 40 others."
    assert [(k, v) for k, v, *_ in figs(text)] == [("displaced", 40)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tallies: 4 dead, 9 injured and 2 missing.",
            {("killed", 4), ("injured", 9), ("missing", 2)},
        ),
        (
            "A total of 1,020 families or 4,310 persons are staying in evacuation centres.",
            {("displaced", 1020), ("displaced", 4310)},
        ),
        (
            "The storm affected 5,100 households (about 30,000 people) in the valley.",
            {("at_risk", 5100), ("at_risk", 30000)},
        ),
        ("Some 40 bodies were recovered and 95 people rescued.", {("killed", 40)}),
        ("Mines have killed or maimed 120 civilians this year.", {("casualties", 120)}),
        ("The UN voiced concern for the 60,000 civilians in the town.", {("at_risk", 60000)}),
        ("Aid groups said 11,34,427 people were affected.", {("at_risk", 1_134_427)}),
        ("Rescuers found three more bodies, raising the death toll from the blast to 31.", None),
        ("Officials said 2,000 personnel had been deployed to evacuate residents.", set()),
        ("Temperatures of 41C were recorded as 12 people died.", {("killed", 12)}),
    ],
)
def test_heldout_style_patterns(text: str, expected: set[tuple[str, int]] | None) -> None:
    got = {(k, v) for k, v, *_ in figs(text)}
    if expected is None:
        assert ("killed", 31) in got
    else:
        assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Livestock affected: 12,500\nPeople affected: 40,200", {("at_risk", 40200)}),
        (
            "The number of people displaced by the conflict reached a record 3.1 million.",
            {("displaced", 3_100_000)},
        ),
        ("The toll from the Feb. 6 quake climbed past 9,000 on Monday.", {("killed", 9000)}),
        ("The agency said it reached 80,000 people with food.", set()),
    ],
)
def test_labels_tolls_and_abbreviations(text: str, expected: set[tuple[str, int]]) -> None:
    assert {(k, v) for k, v, *_ in figs(text)} == expected


@pytest.mark.parametrize(
    "text",
    [
        "KILLED 12. The İzmir floods displaced 300 people.",
        "D\u0131splaced 40 (dotless i), di\u017fplaced 50 (long s), DISPLACED 60, Killed 7.",
    ],
)
def test_trigger_scan_on_lower_case_matches_ignorecase(text: str) -> None:
    full = [(m.start(), m.end(), m.lastgroup, m.group()) for m in TRIGGER_RE.finditer(text)]
    found = [(h.start, h.end, h.group, h.text) for h in find_triggers(text)]
    assert found == full


def test_a_time_after_a_number_is_read_after_the_first_word_shortcut() -> None:
    """heads.head looks a time up ("300 a day earlier") only where its first-word table has no answer.

    That is the same answer as before the table, as long as no word a time opens with is in it.
    """
    assert not {"a", "one", "the"} & heads._FIRST.keys()
    # "a day" would be the noun of 300 ("thing": not a figure) but for the time.
    values = [(f[0], f[1]) for f in figs("Floods killed 320 people, up from 300 a day earlier.")]
    assert values == [("killed", 320), ("killed", 300)]


def test_range_given_in_quotes_after_the_number_of_dead() -> None:
    got = one('A police source put the number of dead at "between 40 and 60" on Sunday.')
    assert got == ("killed", 40, 60, "people", "range")


def test_the_later_ages_of_a_list_are_not_counts() -> None:
    assert figs("Two nurses, aged 29 and 52, were among the wounded.") == [
        ("injured", 2, None, "people", "exact")
    ]


def test_the_figure_put_at_a_count_takes_the_kind_of_the_count_before() -> None:
    text = "IOM counted 52,000 displaced people; the authorities put the figure at up to 90,000."
    assert [(f[0], f[1], f[4]) for f in figs(text)] == [
        ("displaced", 52_000, "exact"),
        ("displaced", 90_000, "at_most"),
    ]
