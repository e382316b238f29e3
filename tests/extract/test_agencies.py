"""UN entities and cited bodies: every way of naming one, and the near-names that are not."""

from __future__ import annotations

import pytest

from notifier.extract.agencies import (
    AgencyMention,
    document_agencies,
    document_organisations,
    find_agencies,
    find_organisations,
)
from notifier.extract.models import Agency, Organisation


def acronyms(text: str) -> list[str]:
    return [a.acronym for a in document_agencies(find_agencies(text))]


def orgs(text: str) -> list[str]:
    return [o.name for o in document_organisations(find_organisations(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # acronyms, case-sensitive whole words
        ("Aid was delivered by OCHA and UNHCR staff.", ["OCHA", "UNHCR"]),
        ("Convoys run by WFP reached the valley.", ["WFP"]),
        ("Unicef said schools were shut.", ["UNICEF"]),
        ("Monusco helicopters flew over the lava.", ["MONUSCO"]),
        ("Satellite images from UNOSAT show the flooding.", ["UNITAR"]),
        ("A UN-Habitat shelter team arrived.", ["UN-Habitat"]),
        ("The UNMISS base sheltered families.", ["UNMISS"]),
        ("IOM's tracking matrix counted arrivals.", ["IOM"]),
        ("UN-OCHA mapped the damage.", ["OCHA"]),
        ("the UN Office for the Co-ordination of Humanitarian Affairs", ["OCHA"]),
        ("a UN Habitat survey", ["UN-Habitat"]),
        ("UNITAR-UNOSAT imagery", ["UNITAR"]),
        ("the unhcr website", []),
        # full names
        (
            "the United Nations Office for the Coordination of Humanitarian Affairs said",
            ["OCHA"],
        ),
        ("The World Food Program warned of shortages.", ["WFP"]),
        ("The World Food Programme warned of shortages.", ["WFP"]),
        ("the World Health Organisation reported", ["WHO"]),
        ("the International Organization for Migration said", ["IOM"]),
        ("The UN Population Fund sent midwives.", ["UNFPA"]),
        ("a grant from the Central Emergency Response Fund", ["CERF"]),
        ("the UN Relief and Works Agency runs the schools", ["UNRWA"]),
        ("The Food and Agriculture Organization of the United Nations said", ["FAO"]),
        ("UN Women said women-headed households suffer most.", ["UN Women"]),
        ("the UN Mission in South Sudan opened its gates", ["UNMISS"]),
        ("the UN Assistance Mission in Afghanistan said", ["UNAMA"]),
        ("the UN Support Mission in Libya urged calm", ["UNSMIL"]),
        # descriptions
        ("the UN refugee agency said on Tuesday", ["UNHCR"]),
        ("the U.N. refugee agency said on Tuesday", ["UNHCR"]),
        ("the United Nations' refugee agency said", ["UNHCR"]),
        ("the UN children's fund warned", ["UNICEF"]),
        ("the UN\u2019s children\u2019s agency warned", ["UNICEF"]),
        ("the UN food agency began airdrops", ["WFP"]),
        ("the UN migration agency counted 40 boats", ["IOM"]),
        ("the UN health agency confirmed the outbreak", ["WHO"]),
        ("the UN humanitarian office said", ["OCHA"]),
        ("the UN humanitarian affairs office said", ["OCHA"]),
        ("the UN agency for Palestine refugees said", ["UNRWA"]),
        ("the UN's top human rights official said", ["OHCHR"]),
        ("the U.N. human rights office (OHCHR) said", ["OHCHR"]),
        ("the UN peacekeeping mission in Mali reported", ["MINUSMA"]),
        ("UN peacekeepers in the Central African Republic patrolled", ["MINUSCA"]),
        # heads
        ("The UN High Commissioner for Human Rights condemned the attack.", ["OHCHR"]),
        ("The High Commissioner for Human Rights condemned the attack.", ["OHCHR"]),
        ("the UN High Commissioner for Refugees visited the camp", ["UNHCR"]),
        ("the UN refugee chief visited the camp", ["UNHCR"]),
        ("UN humanitarian chief Jane Doe appealed for access", ["OCHA"]),
        ("U.N. aid chief John Roe said", ["OCHA"]),
        ("the Emergency Relief Coordinator briefed donors", ["OCHA"]),
        ("the Under-Secretary-General for Humanitarian Affairs said", ["OCHA"]),
        ("the UN peacekeeping chief visited the base", ["DPO"]),
        # councils
        ("The UN Security Council met on Monday.", ["UNSC"]),
        ("The Security Council met on Monday.", ["UNSC"]),
        ("under Security Council resolution 2139", ["UNSC"]),
        ("the Human Rights Council opened an inquiry", ["HRC"]),
        # bare UN is not an entity
        ("The United Nations and UN agencies appealed for funds.", []),
        ("the UN Secretary-General said", []),
    ],
)
def test_names_of_agencies(text: str, expected: list[str]) -> None:
    assert acronyms(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the two High Commissioners
        (
            "The High Commissioner for Human Rights and the High Commissioner for Refugees met.",
            ["OHCHR", "UNHCR"],
        ),
        (
            "the Office of the UN High Commissioner for Refugees runs the camp",
            ["UNHCR"],
        ),
        (
            "the Office of the United Nations High Commissioner for Human Rights said",
            ["OHCHR"],
        ),
        # near-names that are not UN entities
        ("the Syrian Observatory for Human Rights said 12 died", []),
        ("Human Rights Watch documented the strikes", []),
        ("the Norwegian Refugee Council (NRC) said", []),
        ("the Danish Refugee Council runs the site", []),
        ("the National Security Council of Turkey met", []),
        ("the African Union's Peace and Security Council met", []),
        ("Morocco's National Human Rights Council said", []),
        ("the Iranian Supreme National Security Council decided", []),
        ("the refugee agency said", []),
        ("Reuters and the Anadolu news agency reported", []),
        ("the country's disaster management agency AFAD said", []),
        # WHO the agency, who the pronoun
        ("people who fled the town", []),
        ("WHO said the outbreak was slowing", ["WHO"]),
        ("THOSE WHO FLED THE FIGHTING SPEAK OUT", []),
        ("Those WHO remain face shortages.", []),
        ("Security Council Report tracked the vote.", []),
        ("CHOLERA: WHO SENDS KITS\n\nThe World Health Organization sent kits.", ["WHO"]),
        # a bare acronym that other bodies use needs its context
        ("the DPO of the company handles data", []),
        ("DPO and the peacekeeping missions agreed", ["DPO"]),
    ],
)
def test_near_names(text: str, expected: list[str]) -> None:
    assert acronyms(text) == expected


def test_offsets_point_at_the_mention() -> None:
    text = "Yesterday the UN refugee agency and WHO said, per the UN Security Council, that"
    mentions = find_agencies(text)
    assert [text[m.start : m.end] for m in mentions] == [
        "UN refugee agency",
        "WHO",
        "UN Security Council",
    ]
    assert [m.acronym for m in mentions] == ["UNHCR", "WHO", "UNSC"]
    assert all(isinstance(m, AgencyMention) for m in mentions)


def test_every_mention_is_kept_and_documents_list_each_once() -> None:
    text = "OCHA said. WFP said. The UN humanitarian office (OCHA) said again."
    mentions = find_agencies(text)
    assert [m.acronym for m in mentions] == ["OCHA", "WFP", "OCHA", "OCHA"]
    assert document_agencies(mentions) == (
        Agency("OCHA", "UN Office for the Coordination of Humanitarian Affairs"),
        Agency("WFP", "World Food Programme"),
    )


def test_canonical_names_follow_the_contract() -> None:
    text = "The UN High Commissioner for Human Rights and OCHA."
    assert document_agencies(find_agencies(text)) == (
        Agency("OHCHR", "Office of the UN High Commissioner for Human Rights"),
        Agency("OCHA", "UN Office for the Coordination of Humanitarian Affairs"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the International Committee of the Red Cross (ICRC) said", ["ICRC"]),
        ("the IFRC launched an appeal", ["IFRC"]),
        ("Doctors Without Borders (MSF) treated 40 people", ["MSF"]),
        ("Médecins Sans Frontières treated 40 people", ["MSF"]),
        ("the Norwegian Refugee Council said", ["NRC"]),
        ("the Danish Refugee Council said", ["DRC"]),
        ("Save the Children and Oxfam warned", ["Save the Children", "Oxfam"]),
        (
            "Amnesty International and Human Rights Watch said",
            [
                "Amnesty International",
                "Human Rights Watch",
            ],
        ),
        ("the Syrian Observatory for Human Rights said", ["Syrian Observatory for Human Rights"]),
        ("Pakistan's National Disaster Management Authority (NDMA) said", ["NDMA"]),
        ("the Philippine Red Cross evacuated families", ["Philippine Red Cross"]),
        ("the Syrian Arab Red Crescent sent trucks", ["Syrian Arab Red Crescent"]),
        ("the Red Cross said", ["Red Cross"]),
        ("Yesterday Red Cross teams arrived", ["Red Cross"]),
        ("data from ACLED and IDMC", ["ACLED", "IDMC"]),
        # "DRC" alone is the country, not the council
        ("fighting in eastern DRC displaced thousands", []),
        # a plain phrase is not a name
        ("efforts to save the children failed", []),
        ("a general amnesty was declared", []),
    ],
)
def test_organisations(text: str, expected: list[str]) -> None:
    assert orgs(text) == expected


def test_organisations_are_not_agencies() -> None:
    text = "ICRC, MSF and the Norwegian Refugee Council said, as did UNICEF."
    assert acronyms(text) == ["UNICEF"]
    assert orgs(text) == ["ICRC", "MSF", "NRC"]
    assert document_organisations(find_organisations(text))[0] == Organisation("ICRC")


def test_organisation_offsets() -> None:
    text = "The Kenya Red Cross Society said"
    (mention,) = find_organisations(text)
    assert text[mention.start : mention.end] == "Kenya Red Cross Society"
    assert mention.name == "Kenya Red Cross Society"


def test_results_are_fresh_lists() -> None:
    text = "WFP said."
    first = find_agencies(text)
    first.clear()
    assert [m.acronym for m in find_agencies(text)] == ["WFP"]


def test_a_shouted_who_counts_when_the_agency_is_named_elsewhere() -> None:
    text = "CHOLERA: WHO SENDS KITS\n\nThe World Health Organization sent kits."
    mentions = find_agencies(text)
    assert [(text[m.start : m.end], m.acronym) for m in mentions] == [
        ("WHO", "WHO"),
        ("World Health Organization", "WHO"),
    ]
