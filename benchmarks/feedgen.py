"""Generated humanitarian feed items and RSS/Atom documents for the benchmarks.

Every item is made from templates with a seeded RNG keyed by (seed, feed,
generation, item), so a run is reproducible and any item can be made on its
own. Items are about 2 KB of text, as report feeds carry them: a headline, a
lead, three to six paragraphs, sometimes a key-figures list. Three mixes:

- `figures` (40 %): counts of people displaced, killed, injured, missing or in
  need, attributed to a UN agency or another source; about half of them cross
  the default thresholds;
- `numbers` (35 %): numbers that are not counts of people (money, tonnes,
  trucks, dates, percentages, magnitudes, resolutions, phone numbers);
- `narrative` (25 %): statements and updates with hardly a number.

`GenItem.figures` says which figure sentences went into an item (kind, value,
place, agency), so the growth benchmark can store plausible figures without
running the extractor.
"""

from __future__ import annotations

import functools
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

# (place, country as reports name it, ISO3)
PLACES = [
    ("Sofala province", "Mozambique", "MOZ"),
    ("Beira", "Mozambique", "MOZ"),
    ("Cabo Delgado", "Mozambique", "MOZ"),
    ("North Darfur", "Sudan", "SDN"),
    ("El Fasher", "Sudan", "SDN"),
    ("Khartoum", "Sudan", "SDN"),
    ("Idlib", "Syria", "SYR"),
    ("Aleppo", "Syria", "SYR"),
    ("Sindh province", "Pakistan", "PAK"),
    ("Balochistan", "Pakistan", "PAK"),
    ("North Kivu", "the Democratic Republic of the Congo", "COD"),
    ("Ituri province", "the Democratic Republic of the Congo", "COD"),
    ("Tigray", "Ethiopia", "ETH"),
    ("Amhara region", "Ethiopia", "ETH"),
    ("Cox's Bazar", "Bangladesh", "BGD"),
    ("Sylhet division", "Bangladesh", "BGD"),
    ("Kharkiv", "Ukraine", "UKR"),
    ("Kherson", "Ukraine", "UKR"),
    ("Derna", "Libya", "LBY"),
    ("Herat province", "Afghanistan", "AFG"),
    ("Kandahar", "Afghanistan", "AFG"),
    ("Borno State", "Nigeria", "NGA"),
    ("Maiduguri", "Nigeria", "NGA"),
    ("Baidoa", "Somalia", "SOM"),
    ("Mogadishu", "Somalia", "SOM"),
    ("Rakhine State", "Myanmar", "MMR"),
    ("Sagaing region", "Myanmar", "MMR"),
    ("Hodeidah", "Yemen", "YEM"),
    ("Marib", "Yemen", "YEM"),
    ("Ouaddai province", "Chad", "TCD"),
    ("Port-au-Prince", "Haiti", "HTI"),
    ("Artibonite", "Haiti", "HTI"),
    ("Upper Nile State", "South Sudan", "SSD"),
    ("Jonglei", "South Sudan", "SSD"),
    ("Tillaberi region", "Niger", "NER"),
    ("Mopti region", "Mali", "MLI"),
    ("Hatay province", "Türkiye", "TUR"),
    ("Sulawesi", "Indonesia", "IDN"),
]
# (as a sentence names it, acronym or None for non-UN sources)
SOURCES = [
    ("OCHA", "OCHA"),
    ("the UN Office for the Coordination of Humanitarian Affairs (OCHA)", "OCHA"),
    ("UNHCR", "UNHCR"),
    ("the UN refugee agency, UNHCR,", "UNHCR"),
    ("the International Organization for Migration (IOM)", "IOM"),
    ("IOM", "IOM"),
    ("UNICEF", "UNICEF"),
    ("the World Food Programme (WFP)", "WFP"),
    ("WFP", "WFP"),
    ("the World Health Organization", "WHO"),
    ("UNFPA", "UNFPA"),
    ("the UN human rights office (OHCHR)", "OHCHR"),
    ("the Red Cross", None),
    ("Médecins Sans Frontières", None),
    ("the national disaster management authority", None),
    ("the health ministry", None),
    ("local officials", None),
    ("the provincial governor", None),
]
EVENTS = [
    "Heavy flooding",
    "Monsoon flooding",
    "Flash floods",
    "Cyclone Amara",
    "Tropical Storm Belen",
    "The earthquake",
    "Renewed fighting",
    "Clashes between armed groups",
    "The prolonged drought",
    "A series of landslides",
    "Airstrikes on residential areas",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HEDGES = ["", "", "about ", "more than ", "at least ", "nearly ", "some ", "an estimated "]

# kind, template; {n} a count, {src} a source, {place}/{country} a place.
FIGURE_TEMPLATES = [
    ("displaced", "{event} has displaced {hedge}{n} people in {place}, according to {src}."),
    (
        "displaced",
        "{Hedge}{n} people have fled their homes in {place} since {month}, {src} said on {day}, "
        "most of them women and children now sheltering in schools and mosques.",
    ),
    (
        "displaced",
        "The number of internally displaced people in {place} has risen to {n}, {src} said, "
        "the highest figure recorded since the crisis began.",
    ),
    (
        "displaced",
        "According to {src}, {hedge}{n} people were evacuated from low-lying villages in {place} "
        "before the river burst its banks.",
    ),
    (
        "killed",
        "At least {k} people were killed and {k2} injured in {place} on {day}, {src} said, "
        "and the toll is expected to rise as rescue teams reach cut-off areas.",
    ),
    ("killed", "The death toll from {event_l} in {place} rose to {k} on {day}, {src} said."),
    (
        "killed",
        "{k} people have died of cholera in {place} since the outbreak was declared in {month}, "
        "according to {src}.",
    ),
    (
        "missing",
        "{Hedge}{k} people remain missing after {event_l} buried part of a village near {place}, "
        "{src} said.",
    ),
    (
        "injured",
        "Hospitals in {place} have treated {k} people injured in the shelling, {src} said, "
        "and several are in critical condition.",
    ),
    (
        "at_risk",
        "{Src} estimates that {n} people in {country} will need humanitarian assistance this "
        "year, up from last year's figure.",
    ),
    (
        "at_risk",
        "Some {n} people face acute food insecurity across {place}, according to the latest "
        "analysis published by {src}.",
    ),
]
NUMBER_TEMPLATES = [
    "The {year} Humanitarian Response Plan for {country} seeks US${k}.{d} billion and was "
    "{p} per cent funded as of {dd} {month}.",
    "{Src} has released US${k} million from the Central Emergency Response Fund to scale up "
    "the response in {place}.",
    "A convoy of {k} trucks carrying {m} tonnes of food and medical supplies reached {place} "
    "on {day}.",
    "The earthquake, of magnitude {mag}, struck at a depth of {k} kilometres at {h}:{mm} local "
    "time on {dd} {month}.",
    "Rainfall in {month} was {p} per cent above the {y}-year average, and further heavy rain is "
    "forecast for the coming {t} days.",
    "Security Council resolution {res} ({year}) calls on all parties to allow rapid and "
    "unimpeded humanitarian access.",
    "Partners distributed {m} hygiene kits and {k} water tanks in {place} during the week of "
    "{dd} {month}.",
    "Fuel prices have risen by {p} per cent since {month}, and a 50 kg bag of wheat flour now "
    "costs the equivalent of US${k}.",
    "The vaccination campaign planned for {dd} {month} will run for {k} days in {k2} districts.",
    "Water trucking now serves {m} sites in {place}, up from {k2} sites in {month}.",
    "The hotline on +{phone} has received {m} calls since it opened on {dd} {month} {year}.",
    "Temperatures in the highlands are forecast to fall to minus {t} degrees Celsius by the end "
    "of the month.",
    "Phase 3 or worse conditions are projected in {k} of the {k3} districts assessed between "
    "{month} and {month2}.",
    "{k} schools, {m} health facilities and {k2} kilometres of road were damaged, according to "
    "the preliminary assessment.",
    "Flight {flight} of the UN Humanitarian Air Service carried {k} aid workers and {k2} tonnes "
    "of cargo to {place}.",
]
NARRATIVE_TEMPLATES = [
    "Humanitarian partners in {place} continue to scale up the response despite access "
    "constraints and insecurity along the main supply routes.",
    "Local authorities, together with {src}, are coordinating the distribution of shelter "
    "materials, hygiene kits and drinking water to the families hardest hit.",
    "Heavy rains over the past week have washed away roads and bridges, cutting off several "
    "communities in the hills around {place}.",
    "The security situation in {country} remains volatile, with sporadic clashes reported on "
    "the outskirts of {place} and along the border.",
    "Health workers warned of a heightened risk of cholera and other waterborne diseases as "
    "sanitation facilities in the camps are overwhelmed.",
    "Schools have been turned into collective shelters, disrupting education for children who "
    "had only recently returned to the classroom.",
    "{Src} called on all parties to respect international humanitarian law and to allow safe "
    "and unhindered access for aid workers.",
    "Markets in {place} have reopened, but the prices of staple foods remain well above their "
    "seasonal average, out of reach for many households.",
    "Needs assessments are ongoing and the figures are expected to change as teams reach the "
    "most remote villages.",
    '"We are seeing families arrive with nothing but the clothes on their backs," a '
    "spokesperson for {src} told reporters in {place}.",
    "Women and girls face increased risks of gender-based violence in overcrowded sites, where "
    "lighting and private latrines are scarce.",
    "Mobile clinics have been deployed to the worst-affected districts, and partners are "
    "repairing water points damaged by the floods.",
    "The authorities in {country} have declared a state of emergency in the affected areas and "
    "requested international assistance.",
    "Aid agencies said the lean season, which usually peaks before the harvest, could deepen "
    "hunger in communities already stretched by years of crisis.",
    "Humanitarian flights resumed after the airstrip in {place} was cleared of debris, allowing "
    "teams to rotate and supplies to be restocked.",
    "Community leaders in {place} said that many families had sold their livestock and borrowed "
    "money to buy food.",
    "The response remains severely underfunded, and partners have warned that pipelines for "
    "food, nutrition supplies and medicines could break in the coming weeks.",
    "Protection monitors reported arbitrary arrests and restrictions on movement at checkpoints "
    "on the main road out of {place}.",
]
HEADLINES = {
    "figures": [
        "{country}: {event} displaces thousands in {place}",
        "{country}: Death toll rises in {place} as {event_l} continues",
        "{country}: {src_acr} warns of worsening crisis in {place}",
        "Flash Update: {event} in {place}, {country}",
    ],
    "numbers": [
        "{country}: Humanitarian Response Plan {year} funding update",
        "{country}: Logistics and access snapshot, {month} {year}",
        "{country}: {src_acr} scales up operations in {place}",
    ],
    "narrative": [
        "{country}: Statement on the situation in {place}",
        "{country}: Humanitarian access remains constrained in {place}",
        "Press briefing notes on {country}",
    ],
}


@dataclass(frozen=True, slots=True)
class GenFigure:
    """A figure sentence put into an item: what the extractor should find there."""

    kind: str
    value: int
    place: str
    country: str
    agency: str | None
    evidence: str


@dataclass(slots=True)
class GenItem:
    """One generated feed item."""

    guid: str
    link: str
    title: str
    published: datetime
    html: str
    text: str
    summary: str
    mix: str
    figures: list[GenFigure] = field(default_factory=list)


class _Filler:
    """Fills templates with one item's random choices; remembers the figure sentences."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.place, self.country, self.iso3 = rng.choice(PLACES)
        self.event = rng.choice(EVENTS)
        self.src, self.acronym = rng.choice(SOURCES)
        self.figures: list[GenFigure] = []

    def fill(self, template: str, kind: str | None = None) -> str:
        rng = self.rng
        src, acronym = (self.src, self.acronym) if rng.random() < 0.7 else rng.choice(SOURCES)
        values = {name: self._value(name, src) for name in _fields(template)}
        sentence = template.format(**values)
        sentence = sentence[0].upper() + sentence[1:]
        if kind is not None:
            value = values["n"] if "n" in values else values["k"]
            self.figures.append(
                GenFigure(
                    kind, int(str(value).replace(",", "")), self.place, self.iso3, acronym, sentence
                )
            )
        return sentence

    def _value(self, name: str, src: str) -> object:  # noqa: PLR0911, PLR0912 - one case per field
        rng = self.rng
        match name:
            case "hedge" | "Hedge":
                hedge = rng.choice(HEDGES)
                return hedge.capitalize() if name == "Hedge" else hedge
            case "n":  # people: about half of them cross the default thresholds
                n = rng.choice([rng.randint(300, 9_500), rng.randint(10_000, 450_000)])
                return f"{round(n, -2) if n >= 1000 else n:,}"
            case "k":
                return rng.choice([rng.randint(3, 49), rng.randint(50, 400)])
            case "k2":
                return rng.randint(2, 120)
            case "k3":
                return rng.randint(20, 150)
            case "m":
                return f"{rng.randint(120, 9_800):,}"
            case "d":
                return rng.randint(1, 9)
            case "p":
                return rng.randint(3, 97)
            case "t":
                return rng.randint(3, 25)
            case "y":
                return rng.randint(10, 40)
            case "dd":
                return rng.randint(1, 28)
            case "h":
                return rng.randint(1, 12)
            case "mm":
                return f"{rng.randint(0, 59):02d}"
            case "mag":
                return f"{rng.randint(45, 78) / 10:.1f}"
            case "res":
                return rng.randint(2100, 2750)
            case "phone":
                return f"{rng.randint(200, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            case "flight":
                return f"UNH{rng.randint(100, 999)}"
            case "year":
                return rng.randint(2019, 2026)
            case "month" | "month2":
                return rng.choice(MONTHS)
            case "day":
                return rng.choice(DAYS)
            case "src":
                return src
            case "Src":
                return src[0].upper() + src[1:]
        return self._fixed[name]

    @property
    def _fixed(self) -> dict[str, str]:
        return {
            "place": self.place,
            "country": self.country,
            "event": self.event,
            "event_l": self.event[0].lower() + self.event[1:],
            "src_acr": self.acronym or "OCHA",
        }


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple({name for _, name, _, _ in string.Formatter().parse(template) if name})


def make_item(seed: int, feed: int, generation: int, index: int, now: datetime) -> GenItem:
    """Item `index` of feed `feed` at `generation`: the same arguments give the same item."""
    rng = random.Random(f"{seed}:{feed}:{generation}:{index}")
    roll = rng.random()
    mix = "figures" if roll < 0.40 else "numbers" if roll < 0.75 else "narrative"
    f = _Filler(rng)
    target = rng.randint(1700, 2400)

    def body_sentence() -> str:
        r = rng.random()
        if mix == "figures" and r < 0.18:
            kind, template = rng.choice(FIGURE_TEMPLATES)
            return f.fill(template, kind)
        if (mix != "narrative" and r < 0.45) or (mix == "narrative" and r < 0.08):
            return f.fill(rng.choice(NUMBER_TEMPLATES))
        return f.fill(rng.choice(NARRATIVE_TEMPLATES))

    if mix == "figures":
        kind, template = rng.choice(FIGURE_TEMPLATES)
        lead = f.fill(template, kind)
    elif mix == "numbers":
        lead = f.fill(rng.choice(NUMBER_TEMPLATES))
    else:
        lead = f.fill(rng.choice(NARRATIVE_TEMPLATES))
    paragraphs = [[lead]]
    size = len(lead)
    while size < target:
        sentence = body_sentence()
        if len(paragraphs[-1]) >= rng.randint(2, 4):
            paragraphs.append([])
        paragraphs[-1].append(sentence)
        size += len(sentence) + 1
    key_figures = []
    if mix == "figures" and rng.random() < 0.2:
        key_figures = [
            f"{fig.value:,} people {fig.kind.replace('_', ' ')} ({fig.place})" for fig in f.figures
        ]
    title = f.fill(rng.choice(HEADLINES[mix]))
    html_parts = [f"<p>{escape(' '.join(p))}</p>" for p in paragraphs]
    if key_figures:
        items = "".join(f"<li>{escape(k)}</li>" for k in key_figures)
        html_parts.insert(1, f"<h3>Key figures</h3><ul>{items}</ul>")
    html_parts.append(
        f'<p>Read the <a href="https://bench.example.org/docs/{feed}-{generation}-{index}.pdf">'
        "full report</a> (PDF).</p>"
    )
    text_parts = [" ".join(p) for p in paragraphs]
    if key_figures:
        text_parts.insert(1, "Key figures\n" + "\n".join(key_figures))
    link = f"https://bench.example.org/reports/{feed}/{generation}/{index}"
    return GenItem(
        guid=link,
        link=link,
        title=title,
        published=now - timedelta(minutes=17 * index + 3),
        html="".join(html_parts),
        text="\n\n".join(text_parts),
        summary=lead,
        mix=mix,
        figures=f.figures,
    )


def rss(title: str, items: list[GenItem]) -> str:
    """An RSS 2.0 document with content:encoded, as ReliefWeb and agency sites publish."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(title)}</title>\n<link>https://bench.example.org/</link>\n"
        "<description>Situation reports, flash updates and news</description>\n"
        "<language>en</language>\n"
    ]
    for it in items:
        out.append(
            f"<item>\n<title>{escape(it.title)}</title>\n<link>{it.link}</link>\n"
            f'<guid isPermaLink="true">{it.guid}</guid>\n'
            f"<pubDate>{format_datetime(it.published, usegmt=True)}</pubDate>\n"
            "<dc:creator>Humanitarian desk</dc:creator>\n"
            f"<description>{escape(it.summary)}</description>\n"
            f"<content:encoded><![CDATA[{it.html}]]></content:encoded>\n</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(title: str, feed_id: str, items: list[GenItem]) -> str:
    """An Atom 1.0 document with HTML content, as some agency and news sites publish."""
    updated = max((it.published for it in items), default=datetime.now(UTC)).isoformat()
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>{escape(title)}</title>\n<id>{feed_id}</id>\n<updated>{updated}</updated>\n"
        '<link rel="alternate" href="https://bench.example.org/"/>\n'
    ]
    for it in items:
        out.append(
            f"<entry>\n<title>{escape(it.title)}</title>\n<id>{it.guid}</id>\n"
            f'<link rel="alternate" href="{it.link}"/>\n'
            f"<updated>{it.published.isoformat()}</updated>\n"
            f"<summary>{escape(it.summary)}</summary>\n"
            f'<content type="html">{escape(it.html)}</content>\n</entry>\n'
        )
    out.append("</feed>\n")
    return "".join(out)


def feed_document(feed: int, items: list[GenItem]) -> bytes:
    """Feed `feed` as bytes: every fifth feed is Atom, the others RSS 2.0."""
    title = f"Bench wire {feed}"
    if feed % 5 == 4:
        return atom(title, f"https://bench.example.org/feeds/{feed}", items).encode()
    return rss(title, items).encode()
