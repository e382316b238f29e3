"""Word lists that decide what a number counts: kind triggers, hedges, exclusions.

Kept apart from the matching code so that an analyst can read and extend them
(the rules that use them: `figures.py`). Every list is compiled once into one
alternation: the hot loop then runs a few `search` calls per number instead of
one per word.

A pattern anchored at the end of the text before a number (FILLER_RE,
QUALIFIER_RE, LEFT_TRIGGER_RE, TOLL_REACHED_RE, CONNECTOR_RE, RAISING_TO_RE,
LEFT_EXCLUDE_RE) is only tried where that text ends with one of its last words,
listed by hand in `fastpath._LAST_WORDS`: a new last word goes there too
(tests/extract/test_fastpath.py checks the two agree on real texts).
"""

from __future__ import annotations

import re

from notifier.extract.wordtrie import trie_regex

_B = r"\b"


def _words(*alternatives: str) -> str:
    return "|".join(alternatives)


# Trigger groups, most specific first: at one position the first group wins,
# so "killed or injured" is a casualty count, not a death toll.
KIND_GROUPS: dict[str, str] = {
    "casualties": _words(
        r"casualties",
        r"(?:killed|dead|died) (?:or|and) (?:injured|wounded|hurt|maimed)",
        r"(?:injured|wounded) (?:or|and) (?:killed|dead)",
        r"deaths and injuries",
    ),
    "killed": _words(
        r"death toll|toll",
        r"killed|killing|kills|dead|deaths?|died|dies|die|fatalities|fatality",
        r"lost (?:their|his|her) li(?:ves|fe)|li(?:ves|fe) lost|claimed the lives",
        r"perished|drowned|murdered|massacred|slain|executed|burned to death",
        r"succumbed to (?:their|his|her|the) (?:injuries|wounds)",
        r"bodies (?:have |had )?(?:been |were )?(?:recovered|retrieved|found|pulled|identified)",
        r"(?:recovered|retrieved|pulled|exhumed) (?:the |more |\w+ more )?bodies|remains of",
        r"fallecid\w*|muert[oa]s|morts?|tu[ée]s|d[ée]c[èe]s",
    ),
    "injured": _words(
        # "hospitalised with cholera" counts the sick of an outbreak, not the hurt.
        r"injured|injuring|injuries|wounded|wounding|hurt|heridos?|bless[ée]s?",
        r"(?:rushed|taken|admitted|brought|airlifted|evacuated) to (?:a |the |local |nearby )?"
        r"hospitals?",
        r"hospitali[sz]ed(?! (?:with|for) (?:[\w-]+ )?(?:cholera|measles|dengue|malaria|covid"
        r"|diarrho?ea|fever|symptoms|infections?|diseases?|illness))",
    ),
    "missing": _words(r"missing|unaccounted(?: for)?|desaparecid\w*|disparus?"),
    "displaced": _words(
        r"(?:internally )?displaced|displacements?(?! tracking| monitoring)|displacing|uprooted",
        r"homeless|made homeless",
        r"in need of (?:emergency |temporary )?shelter(?! assistance| support| kits| items)",
        r"without (?:shelter|a roof|a home|homes)|(?:to|in|into) (?:temporary |emergency )?"
        r"accommodation|sp(?:e|en)nt the night (?:in|outdoors|outside)|spending the night"
        r" (?:in|outdoors|outside)",
        r"(?:forced|moved|taken|brought|sent|relocated) (?:in)?to (?:temporary |emergency "
        r"|evacuation |community |public |town |village )*"
        r"(?:shelters?|camps?|cent(?:re|er)s?|safety|safer (?:areas|places|ground)|higher ground"
        r"|schools|halls|churches|mosques|monasteries|stadiums?|gymnasiums?|public buildings)",
        r"(?:managed to |were able to )?(?:leave|left|escape|escaped|flee|fled|abandoned|deserted)"
        r" (?:the|their|its)"
        r"(?: [\w-]+){0,3} (?:city|town|country|area|region|villages?|homes?|camps?|hamlets?"
        r"|neighbou?rhoods?|districts?|settlements?|island|valley)",
        r"fled|flee|flees|fleeing|evacuated|evacuate|evacuating|evacuations?|evacuees",
        r"(?:lost|left|leave|leaving|abandon(?:ed)?) (?:their|his|her)"
        r" (?:homes?|houses?|villages?)",
        r"(?:from|out of) (?:their|his|her) (?:homes?|houses?|villages?)",
        r"forced (?:to|into) (?:leave|flee|move|evacuate|relocate)|forced (?:out|from)",
        r"sheltering|sheltered|(?:took|taken|taking|sought|seeking|seek) (?:refuge|shelter)",
        r"in (?:temporary |emergency |public |collective |relief |informal |displacement )*"
        r"(?:shelters|evacuation cent(?:re|er)s|camps|accommodation cent(?:re|er)s"
        r"|displacement sites|collective cent(?:re|er)s|tents|settlements|sites)",
        r"(?:living|live|lives|lived|sleeping|staying|housed|accommodated|remain|remains|remained)"
        r" (?:in tents|in the open|outdoors|in cars"
        r"|with relatives|with host families|in (?:[\w-]+ ){0,2}"
        r"(?:shelters|camps?|cent(?:re|er)s|schools|tents|dormitories|hotels|churches|mosques"
        r"|halls|stadiums|containers|buildings|classrooms|sites|settlements))",
        r"accommodated (?:at|in)|crossed (?:into|from|over|the border)|crossing into",
        r"(?:crossed|crossing) (?:international |national )?borders",
        r"sleeping (?:in|on) the streets?|slept (?:in|on) the streets?",
        r"(?:slipped|slipping|streamed|streaming|poured|pouring) (?:across|into|over)",
        r"relocated|relocation|evicted|evictions?",
        r"(?:moved|headed|fled|relocated) (?:further )?(?:south|north|east|west)(?:wards?)?\b",
        r"(?:seek|seeking|sought) (?:safety|sanctuary|protection|refuge)",
        r"(?:moved|taken|brought|transferred|sent) (?:in)?to (?:[\d,]+ )?(?:[\w-]+ ){0,2}"
        r"(?:camps|cent(?:re|er)s|shelters|sites)",
        r"moved (?:to|onto|into) (?:safer|higher|safety|evacuation|temporary|camps)",
        r"on the move|hosted by (?:relatives|host families|families)|arrived in",
        r"desplazad\w*|evacuad\w*|desalojad\w*|damnificad\w*|sin hogar(?:es)?|d[ée]plac[ée]s?",
        r"deplace\w*|sans abris?|sinistr[ée]s|sem abrigo",
    ),
    "weak": _words(
        r"refugees?|IDPs?|asylum[- ]seekers?|migrants|PDIs?|displaced (?:people|persons)",
        r"(?:new )?arrivals",
    ),
    "at_risk": _words(
        r"at (?:grave |great |serious |high |imminent |heightened |increased |severe |extreme "
        r"|immediate |particular )?risk|in need|in urgent need|in dire need|in crisis"
        r"|in the path of",
        r"(?:needs?|needed|needing|requires?|required|requiring) (?:of )?"
        r"(?:urgent |immediate |emergency |humanitarian |life-saving |lifesaving |food |basic "
        r"|protection |shelter |some |sustained |medical )*(?:assistance|aid|support|help|relief"
        r"|treatment|care)",
        r"suffer(?:s|ed|ing)? (?:from )?(?:severe |acute |moderate |chronic )*malnutrition",
        r"affected|exposed|threatened|trapped|besieged|stranded|endangered",
        r"(?:have been|has been|were|are|remain|remained) cut off",
        r"famine|starvation|starving|food insecur\w*|hunger|malnourished",
        r"in (?:IPC )?(?:Phase [345]|Catastrophe|Emergency)|IPC Phase [345]|concern for|afectad\w*",
    ),
    "exclude": _words(
        r"reached|assisted|vaccinated|immuni[sz]ed|treated|rescued|returned|returning|returnees?",
        r"(?:helped|able) to return",
        r"received|receiving|benefit(?:ed|ted|ing)?|employ\w*|trained|voted|votes|voters|every",
        r"per (?:day|week|month|year|hour|capita|head|person|\d)|(?:each|a) (?:day|week)"
        r"(?! earlier| before| ago| later)|spectators",
        r"attended|enrolled|supported|screened|tested|deployed|mobili[sz]ed|dispatched",
        r"to (?:help|assist|support|serve|treat|feed|protect|care for|reach)",
        r"registered to vote|in the (?:area|region|city|town|country) (?:are|were)",
    ),
}

_SPACE = r"\s+"
TRIGGER_RE = re.compile(
    "|".join(rf"{_B}(?P<{k}>{v.replace(' ', _SPACE)}){_B}" for k, v in KIND_GROUPS.items()),
    re.IGNORECASE,
)

#: Hedges right before a number, mapped to EXTRACTION.md's qualifiers.
HEDGES = {
    "at_least": """more than|over|at least|upwards of|in excess of|exceeding|exceeds|exceed|exceeded
        |past|passed|pass|passes|tops|top|topped|surpass|surpassed|surpasses|no fewer than
        |no less than|not less than|a minimum of|above|beyond|well over|just over""",
    "about": """about|around|approximately|approx.|roughly|some|an estimated|estimated|nearly
        |almost|close to|circa|just under|an approximate|approximate|estimated at|cerca de
        |approaching|nearing|some estimated
        |environ|près de|unas|unos|alrededor de""",
    "at_most": """up to|as many as|fewer than|less than|under|below|no more than|at most
        |a maximum of|hasta""",
}


def _hedge(words: str) -> str:
    # A trie: it is searched before most numbers, and a flat alternation of
    # thirty phrases is tried phrase by phrase at every character.
    return trie_regex(frozenset(w.strip() for w in words.split("|")), space=" ")


QUALIFIER_RE = re.compile(
    rf"(?:\b(?:(?P<at_least>{_hedge(HEDGES['at_least'])})|(?P<about>{_hedge(HEDGES['about'])})"
    rf"|(?P<at_most>{_hedge(HEDGES['at_most'])}))|(?P<tilde>~))\s*$",
    re.IGNORECASE,
)

#: Words between a hedge or trigger and the number that change nothing.
FILLER_RE = re.compile(
    r"(?:\b(?:a further|another|an additional|additional|a total of|a total|total of|only|a record"
    r"|record"
    r"|just|still|all|now|further)\s*)+$",
    re.IGNORECASE,
)

#: A kind trigger right before the number: "killed 12 people", "the deaths of 1,500".
LEFT_TRIGGER_RE = re.compile(
    r"\b(?:(?P<casualties>(?:killed|dead) (?:or|and) (?:injured|wounded|maimed))"
    r"|(?P<killed>killed|killing|kills|kill|claimed the lives of|lives of|deaths? of|killing of"
    r"|bodies of|remains of|massacre of|toll of)"
    r"|(?P<injured>injured|injuring|wounded|wounding|injuries to)"
    r"|(?P<missing>search(?:ing|ed|es)?(?: the [\w-]+)? for|looking for|hunt(?:ing)? for)"
    r"|(?P<displaced>displaced|displacing|displace|uprooted|uprooting|evacuated|evacuating"
    r"|evacuate|(?:forced |preventive |precautionary )?evacuations? of|relocation of|relocated"
    r"|drove|driven|driving|chased|forced(?: out)?|evicted|evicting|evict|evictions? of"
    r"|relocating|relocate|displacement of|exodus of|rendered homeless|made homeless"
    r"|shelters|sheltering|hosts|hosting|houses|housing)"
    r"|(?P<at_risk>affected|affecting|affects|affect|threatening|threatens|endangering"
    r"|(?:acute |severe |extreme )?(?:hunger|famine|food insecurity) for"
    r"|(?:(?:concern|concerned|fears|fearing) (?:for|about)(?: the (?:wellbeing|well-being|safety"
    r"|fate|lives|welfare) of)?)|exposing|trapping|cut off|cutting off|stranding))"
    r"(?:\s+the)?\s*$",
    re.IGNORECASE,
)

#: After a number evacuated: the hurt taken to care ("evacuated 28 wounded civilians").
HURT_HEAD_RE = re.compile(r"\s+(?:seriously |critically |badly |severely )?(?:wounded|injured)\b")

#: "the toll rose to N", "deaths pass N", "IDPs total N", "Number of displaced: N".
CONNECTOR_RE = re.compile(
    r"(?:\b(?:ris(?:en|es|e)|rose|climb(?:ed|s)?|increas(?:ed|es)|jump(?:ed|s)?|soar(?:ed|s)?"
    r"|grew|grown|doubled|tripled|trebled|quadrupled|swelled|swollen|reach(?:ed|es)?|pass(?:ed|es)?|past|top(?:ped|s)?|exceed(?:ed|s)?"
    r"|surpass(?:ed|es)?|hits?|stands?|stood|totals?|totall?ed|totall?ing|total|is|was|are|were"
    r"|be|home|put|up from|from|revised|peak of|high of|accounted for|account for|made up"
    r"|make up)\s*(?:to|at|of|from)?|:"
    # "the dead included N", "displaced persons now number N"
    r"|\b(?:included|includes|include|number|numbers|numbered)"
    # "Of those killed, N were women"
    r"|\bof\s+(?:those|the|them)\s+(?:[^\W\d_]+\s+){0,3}[^\W\d_]+,"
    # "put the death toll at N", "estimates the number at N"
    r"|\b(?:toll|number|figure|total|tally|count)s?\s+at"
    # "put the number of dead at N", "put the number of people killed at \"between N"
    r"|\b(?:toll|number|figure|total|tally|count)s?\s+of\s+(?:[^\W\d_]+\s+){1,3}at(?:\s+[\"\u201c]"
    r"(?:between)?)?"
    # a revised figure, "rose from 41 to N": the new one
    r"|\bfrom\s+\d[\d.,]*(?:\s+(?:million|thousand))?\s+to)\s*$",
    re.IGNORECASE,
)

#: "raising the death toll from a landslide that swept two buses ... to 11".
RAISING_TO_RE = re.compile(
    r"\b(?:raising|raised|bringing|brought|pushing|pushed|taking)\b[^.;:]{0,90}\bto\s*$",
    re.IGNORECASE,
)

#: Before the number: it counts capacity, population, aid or an age, not victims.
LEFT_EXCLUDE_RE = re.compile(
    r"(?:\b(?:reach(?:ed|ing|es)?|assist(?:ed|ing|s)?|provid(?:ed|ing|es|e)|deliver(?:ed|ing|s)?"
    r"|distribut(?:ed|ing|es|e)|hand(?:ed|ing|s)? out|vaccinat(?:ed|ing|e)|immuni[sz](?:ed|ing|e)"
    r"|support(?:ed|ing|s)?|help(?:ed|ing|s)?|serv(?:ed|ing|e)|feed(?:ing|s)?|fed|treat(?:ed|ing)?"
    r"|train(?:ed|ing)?|employ(?:ed|ing|s)?|target(?:ed|ing|s)?|benefit(?:ed|ing|s)?"
    r"|rescued|aim(?:s|ed)? to)\b(?:(?!,\s*(?:and|where|while|but|as|who|which|was|were"
    r"|up from|down from|with)\b"
    r"|\band\s+(?:some|about|over|more|nearly|around|another|up|a further)\b|\band\s+\d"
    r"|\band\s*$|\b(?:said|says|told|added|reported|warned)\b)"
    r"[^;:.]){0,60}$"
    r"|\b(?:for|aged|ages?|age of|aged between|children under|under the age of|over the age of"
    r"|enough for|sufficient for|designed for|built for|(?:built )?to hold|capacity (?:of|for)"
    r"|(?:town|city|village|country|nation|population|community|district|region|province"
    r"|island|capital|municipality|state|scale) of|one in|out of)\s*$)",
    re.IGNORECASE,
)

#: Right after the number: an age, a compound modifier or a rate, not a count.
RIGHT_EXCLUDE_RE = re.compile(
    r"(?:-[a-z]|\s*(?:st|nd|rd|th)\b|\s+(?:years?[- ]old|year-olds?)|\s+(?:in|out of)\s+"
    r"(?:\d|one|two|three|four|five|six|seven|eight|nine|ten)\b|\s+per\b|\s+(?:people\s+)?per\b"
    r"|\s*(?:times|fold)\b|[a-z]*%)",
    re.IGNORECASE,
)

#: Right before the number: the subject of a toll that reached it ("the number
#: of people displaced reached a record N"); the kind is that subject's.
TOLL_REACHED_RE = re.compile(
    r"\b(?:number|toll|total|tally|count|displacement|deaths|arrivals|fatalities)\b[^.;:]{0,120}"
    r"\breach(?:ed|es)?\s*$",
    re.IGNORECASE,
)

#: Right after the number: lives or bodies counted ("claimed 12 lives"): the dead.
LIVES_RE = re.compile(r"\s+(?:(?:civilian |human )?lives|(?:\w+ )?bodies)\b", re.IGNORECASE)

#: Before a number of homes: their evacuation counts the households in them.
EVACUATED_HOMES_RE = re.compile(
    r"\b(?:evacuations? of|evacuated|evacuating|evacuate)\s+(?:about |some |around |nearly "
    r"|more than |over |up to |at least |an estimated |another |a further )?$",
    re.IGNORECASE,
)
HOMES_RE = re.compile(r"\s+(?:homes|houses|dwellings|residences)\b", re.IGNORECASE)

#: Between a transitive verb after a number and the next number: the verb takes
#: that number as its object ("a 5m wave killed 20").
OBJECT_NEXT_RE = re.compile(
    r"\s*(?:a further |another |an additional |at least |more than |over |about |around |some "
    r"|nearly |almost |up to |as many as |an estimated |approximately |roughly )?$",
    re.IGNORECASE,
)

#: Right before the number, a verb of its own ("abducted dozens more"): the
#: count is of something else, and takes no kind from its neighbours.
OTHER_VERB_RE = re.compile(r"\b(?!including\b)[a-z]+(?:ed|ing)\s+$", re.IGNORECASE)

#: Right after the number, a time: "up from 300 a day earlier" counts no noun.
TIME_AGO_RE = re.compile(
    r"\s+(?:a|one|the|(?:a )?few|several|two|three|four|five|six|seven|\d{1,2}) (?:hours?|days?"
    r"|weeks?|months?|years?) (?:earlier|before|ago|previously)",
    re.IGNORECASE,
)

#: Where a clause ends: the trigger of a number is looked for before this.
CLAUSE_END_RE = re.compile(
    r";|:|\s(?:--|[\u2013—-])\s|,\s+(?:and|but|while|whereas|although|though|as)\b|\b(?:while|whereas|but"
    r"|although|though|when)\b",
    re.IGNORECASE,
)

#: Between a sub-count and its total: "5 officers were among the 19 killed".
AMONG_NEXT_RE = re.compile(r"\s*(?:[^\W\d_]+\s+){0,3}(?:were|was|are)\s+among\s+(?:the\s+)?")

#: After a number, its head noun and the phrase that qualifies it ("residents of
#: the besieged districts"): a trigger there describes the noun, not the people.
OF_PHRASE_RE = re.compile(
    r"(?:\s+[^\W\d_]+){1,3}\s+(?:of|from|among)\s+(?:the\s+|their\s+|its\s+)?"
)

#: A word (or a punctuation mark) after a number or in a label: where head nouns are read.
WORD_RE = re.compile(r"[^\W\d_][\w'\u2019-]*|[,.;:!?()\[\]|•]", re.UNICODE)

#: The subject of a toll that "reached" a number (not aid that reached people).
TOLL_SUBJECT_RE = re.compile(r"\b(?:number|toll|total|tally|count)\b", re.IGNORECASE)

#: Sub-counts that share the kind of the count before them.
INHERIT_LEFT_RE = re.compile(
    r"(?:\b(?:including|among them|of whom|of which|with|incl\.|another|a further|an additional"
    r"|and)|,)\s*$",
    re.IGNORECASE,
)
INHERIT_RIGHT_RE = re.compile(r"^\s*(?:more|others|of them|of whom|of these)\b", re.IGNORECASE)

PERSON_NOUNS = frozenset(
    """people persons person individuals individual residents civilians children kids women men
    girls boys adults infants babies minors families households refugees migrants idps villagers
    inhabitants citizens survivors victims patients workers staff soldiers troops fighters police
    officers personnel volunteers students pupils teachers farmers fishermen miners pilgrims
    tourists trekkers climbers passengers prisoners detainees protesters demonstrators evacuees
    nationals others them people's civilian child woman man family household peole persones
    personas familias familles ménages menages desplazados personnes habitants pdi pdis
    asylum-seekers seekers bodies dead hiker hikers trekker climber passenger resident soldier
    officer worker fisherman migrant refugee journalist journalists doctor doctors nurse nurses
    crew sailor sailors driver drivers guard guards boy girl baby infant student teacher farmer
    villager victim survivor patient pilgrim tourist prisoner detainee protester""".split()
)

HOUSEHOLD_NOUNS = frozenset("families households familias familles ménages menages".split())

NON_PERSON_NOUNS = frozenset(
    """houses homes house home buildings building shelters structures dwellings housing
    apartments flats rooms beds wards villages towns cities districts provinces counties
    municipalities countries country islands communities schools hospitals facilities centres
    centers centre center clinics camps sites trucks vehicles boats helicopters flights aircraft
    planes bases positions tents kits tonnes tons km kilometres kilometers miles metres meters
    m mm cm hectares acres degrees hours hour days day weeks week months month years year
    minutes seconds times occasions incidents attacks strikes airstrikes rockets missiles
    shells bombs cases case doses vaccines tests votes seats goals points matches games
    livestock cattle animals head goats sheep camels crops factories businesses shops roads
    bridges wells latrines items rations meals packages parcels litres liters gallons bags
    blankets shipments convoys containers units agencies organisations organizations partners
    ngos states nations departments governorates regions prefectures townships neighbourhoods
    neighborhoods areas zones locations patrols operations projects programmes stories
    comments users views pages articles tweets posts languages calls tremors aftershocks
    earthquakes quakes storms fires blazes landslides mines explosions kg kilograms magnitude
    mph knots feet ft inches dollars euros francs percent tonne ton sq square million
    billion members member donors representatives episodes steps stages hectare acre
    viviendas casas maisons logements vans minivans buses cars lorries ambulances tankers
    concentrators generators ventilators parts thirds third quarters fifths tenths engines
    tractors pumps bulldozers excavators drones routes corridors woredas kebeles upazilas
    communes payams bomas dams reservoirs dykes dikes levees embankments""".split()
)
