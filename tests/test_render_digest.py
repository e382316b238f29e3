"""Whole messages rendered from digests built by hand: subject forms, the HTML a mail client
gets, the text part's 78 columns, escaping of hostile feed text, operator templates, JSON,
feed-health messages. The same messages from real feeds are golden files
(test_render_golden.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from test_render import (
    LEVELS,
    LONG_URL,
    NOW,
    OCHA,
    SERIOUS,
    SEVERE,
    WATCH,
    digest,
    entry,
    fig,
    gdacs_cyclone,
    previous,
    shown,
    sofala,
    worst_case_digest,
)

from notifier.models import (
    Digest,
    DigestEntry,
    HealthNotice,
    RenderedMessage,
    SentEarlier,
    Source,
    Structured,
)
from notifier.render import digest_json, make_environment, render_digest, render_health
from notifier.render.plain import is_url


@pytest.fixture
def env() -> jinja2.Environment:
    return make_environment(None)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.add(tag)
        self.attributes.update(name for name, _ in attrs)


def parse(html: str) -> tuple[set[str], set[str]]:
    """The elements and attribute names a browser would see in `html`."""
    tags = _Tags()
    tags.feed(html)
    return tags.elements, tags.attributes


def render(d: Digest, env: jinja2.Environment | None = None) -> RenderedMessage:
    return render_digest(d, env or make_environment(None), "[alerts]")


def idlib(value: int = 90_000, before: int | None = 60_000) -> DigestEntry:
    return entry(
        "Idlib displacement passes 90,000",
        shown(
            fig(value=value, qualifier="at_least", place="Idlib", country="SYR", agency="OCHA"),
            f"The number displaced in Idlib has risen to more than {value:,}, OCHA said.",
            previous=previous(before) if before is not None else None,
        ),
        agencies=(OCHA,),
    )


def cyclone_entry(level: str = "Orange") -> DigestEntry:
    return entry(
        f"{level} alert for tropical cyclone LUMEN-26 in Philippines",
        shown(fig("at_risk", 795_000, country="PHL"), exposure="within 100 km"),
        level=SERIOUS,
        structured=gdacs_cyclone(level),
    )


# subject ---------------------------------------------------------------------


def test_subject_names_the_top_event_its_level_and_how_many_more() -> None:
    d = digest(sofala(), idlib(), cyclone_entry())
    assert render(d).subject == (
        "[alerts] Sofala, Mozambique: 250,000+ displaced (severe) and 2 more"
    )
    assert render(digest(sofala())).subject == (
        "[alerts] Sofala, Mozambique: 250,000+ displaced (severe)"
    )


def test_subject_follows_the_digest_order_and_says_about() -> None:
    drought = entry(
        "Third failed rainy season",
        shown(fig("at_risk", 1_234_567, qualifier="about", country="CIV", agency="WFP")),
    )
    d = digest(drought, sofala())
    assert render(d).subject == (
        "[alerts] Côte d'Ivoire: about 1.2 million at risk (serious) and 1 more"
    )


def test_subject_of_exposure_and_of_an_entry_without_figures() -> None:
    assert render(digest(cyclone_entry())).subject == (
        "[alerts] Philippines: 795,000 exposed (serious)"
    )
    gdacs_only = entry(
        "Orange alert", level=SERIOUS, countries=("PHL",), structured=gdacs_cyclone()
    )
    assert render(digest(gdacs_only)).subject == (
        "[alerts] Philippines: GDACS Orange alert, tropical cyclone (serious)"
    )
    bare = entry("Bcc: x@evil\r\nline two", level=WATCH)
    assert render(digest(bare)).subject == "[alerts] Bcc: x@evil line two (watch)"


def test_subject_of_an_immediate_alert_and_of_an_empty_digest() -> None:
    assert render(digest(sofala(), kind="immediate")).subject.startswith(
        "[alerts] IMMEDIATE Sofala"
    )
    assert render(digest()).subject == "[alerts] No new alerts since the last digest"
    earlier = SentEarlier("Cyclone Amara", "https://wire.example.org/a", NOW - timedelta(hours=3))
    assert render(digest(sent_earlier=[earlier])).subject == (
        "[alerts] No new alerts since the last digest (1 already sent at once)"
    )


def test_a_green_alert_below_an_orange_one_does_not_lead() -> None:
    green = entry(
        "Green earthquake alert in China",
        shown(fig("at_risk", 18_830_000, place="An", country="CHN"), exposure="within 100 km"),
        level=WATCH,
        structured=Structured(source="gdacs", event_id="EQ1", alert_level="Green"),
    )
    subject = render(digest(cyclone_entry(), green)).subject
    assert "Philippines" in subject
    assert "China" not in subject


# HTML ------------------------------------------------------------------------


def test_html_is_built_for_mail_clients() -> None:
    html = render(digest(sofala(), idlib(), cyclone_entry())).html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "@media (max-width: 480px)" in html
    assert html.count('style="') > 40  # the CSS is inlined
    assert not re.search(r"<link[^>]+stylesheet", html, re.IGNORECASE)
    assert not re.search(r"display:\s*(flex|grid)", html)
    assert 'role="presentation"' in html
    assert "<img" not in html  # readable without images
    assert "max-width: 680px" in html
    assert '<!--[if mso]><table role="presentation" width="680"' in html  # Outlook: no max-width


def test_html_preheader_says_what_the_email_holds() -> None:
    html = render(digest(sofala(), idlib())).html
    pre = re.search(r'<div class="preheader"[^>]*>(.*?)\u034f', html, re.DOTALL)
    assert pre is not None
    assert "display: none" in pre.group(0)
    assert pre.group(1) == (
        "2 events in 2 countries: Sofala, Mozambique: 250,000+ displaced (severe); "
        "Idlib, Syria: 90,000+ displaced (serious)."
    )


def test_html_summary_table_has_country_names_levels_and_present_kinds_only() -> None:
    html = render(digest(sofala(), idlib(), cyclone_entry())).html
    table = html.split('class="summary"', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert headers == ["Country", "Displaced", "At risk", "Sources"]
    assert re.search(r'<span class="country"[^>]*>Mozambique</span> <span class="badge"', table)
    assert "background-color: #b91c1c;color: #ffffff" in table  # the severe badge
    assert ">250,000<" in table
    assert "795,000<br><span" in table and ">exposed</span>" in table


def test_html_entries_grouped_with_gdacs_line_trend_quote_and_sources() -> None:
    d = digest(idlib(), cyclone_entry(), entry("No country", shown(fig(value=20_000))))
    html = render(d).html
    groups = re.findall(r'<h2 class="group"[^>]*>([^<]*)</h2>', html)
    assert groups == ["Syria", "Philippines", "Several countries or none"]
    assert "GDACS Orange</span> alert · Tropical cyclone · winds up to 130 km/h" in html
    assert "795,000 people exposed (within 100 km)" in html
    assert "<strong>795,000 people exposed, within 100 km</strong>, in Philippines" in html
    philippines = html.split(">Philippines</h2>")[1].split('<h2 class="group"')[0]
    assert "at risk" not in philippines  # exposure is never people in need
    assert "\u25b2 up from 60,000 on 02 Dec (Wire A, OCHA)</span>" in html
    assert (
        "\u201cThe number displaced in Idlib has risen to more than 90,000, OCHA said.\u201d"
        in html
    )
    assert (
        '<abbr title="UN Office for the Coordination of Humanitarian Affairs">OCHA</abbr>' in html
    )


def test_html_trend_down_and_unchanged() -> None:
    html = render(digest(idlib(50_000), idlib(60_000))).html
    assert "\u25bc down from 60,000 on 02 Dec (Wire A, OCHA)" in html
    assert "= unchanged since 02 Dec (Wire A, OCHA)" in html


def test_html_notes_tags_sent_earlier_and_legend() -> None:
    tagged = entry(
        "Sudan: Flash floods in Kassala",
        shown(fig(value=30_000, country="SDN")),
        structured=Structured(source="reliefweb", countries=("SDN",), tags=("Floods", "Shelter")),
        notes=("ReliefWeb tags SDN; the text places its figures in ERI",),
    )
    earlier = SentEarlier("Cyclone Amara", "https://wire.example.org/a", NOW - timedelta(hours=3))
    html = render(digest(tagged, sent_earlier=[earlier])).html
    assert "ReliefWeb tags: Floods, Shelter" in html
    assert "<strong>Note:</strong> ReliefWeb tags SDN; the text places its figures in ERI" in html
    assert re.search(
        r'<a href="https://wire.example.org/a"[^>]*>Cyclone Amara</a>: already sent as an '
        r"immediate alert on 04 Dec 2026 01:00 UTC",
        html,
    )
    legend = html.split(">Levels</h2>", 1)[1]
    for level in LEVELS:
        assert f">{level.name}</span> {level.factor:g}&nbsp;\u00d7&nbsp;threshold" in legend
    assert "sent at once" in legend


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_hostile_feed_text_is_escaped() -> None:
    bad = entry(
        HOSTILE,
        shown(fig(value=20_000, place=HOSTILE, agency=HOSTILE, country="SDN"), HOSTILE),
        sources=(
            Source(HOSTILE, "javascript:alert(3)", HOSTILE, None),
            Source("ok", 'https://ok.example.org/"><img onerror=alert(4)>', "t", None),
            Source("spoof", "https://x.example.org/a\n\nFAKE: 1,000,000 killed", "t", None),
        ),
        structured=Structured(source="reliefweb", tags=(HOSTILE,)),
        notes=(HOSTILE,),
    )
    rendered = render(digest(bad, sent_earlier=[SentEarlier(HOSTILE, "data:x", NOW)]))
    html = rendered.html
    elements, attributes = parse(html)
    assert not elements & {"script", "img"}
    assert not [a for a in attributes if a.startswith("on")]
    assert 'href="javascript' not in html
    assert 'href="data' not in html
    assert "&lt;script&gt;" in html
    # The text part is plain text: shown as is, never interpreted, and a link cannot add lines.
    assert "<script>alert(1)</script>" in rendered.text
    assert "\nFAKE" not in rendered.text
    assert "javascript:" not in rendered.text


# text ------------------------------------------------------------------------


def test_text_lines_fit_78_columns_urls_excepted() -> None:
    text = render(worst_case_digest()).text
    assert LONG_URL in text.splitlines()[-30:][0] or LONG_URL in text
    for line in text.splitlines():
        assert len(line) <= 78 or is_url(line.strip()), line


def test_text_summary_is_aligned_columns() -> None:
    text = render(digest(sofala(), idlib(), cyclone_entry())).text
    assert (
        "Country      Level    Displaced   At risk  Sources\n"
        "-----------  -------  ---------  --------  -------\n"
        "Mozambique   severe     250,000                  1\n"
        "Syria        serious     90,000                  1\n"
        "Philippines  serious             795,000*        1\n"
        "  * people exposed to the hazard (GDACS), not people in need\n"
    ) in text


def test_text_summary_lists_rows_when_columns_do_not_fit() -> None:
    text = render(worst_case_digest()).text
    assert "  - Democratic Republic of the Congo (severe): 18.8 million displaced," in text


def test_text_carries_trends_quotes_notes_and_sent_earlier() -> None:
    earlier = SentEarlier("Cyclone Amara", "https://wire.example.org/a", NOW - timedelta(hours=3))
    noted = entry("Floods", shown(fig(value=30_000, country="SDN")), notes=("A note.",))
    text = render(digest(idlib(), noted, sent_earlier=[earlier])).text
    flat = " ".join(text.split())
    assert (
        "* at least 90,000 people displaced in Idlib, Syria, according to OCHA; "
        "up from 60,000 on 02 Dec (Wire A, OCHA)"
    ) in flat
    assert '"The number displaced in Idlib has risen to more than 90,000, OCHA said."' in flat
    assert "  Note: A note." in text
    assert (
        "  - Cyclone Amara: already sent as an immediate alert on 04 Dec 2026 01:00 UTC\n" in text
    )
    assert "\n    https://wire.example.org/a\n" in text
    assert "  - severe: 10 x threshold, sent at once" in text
    assert "<" not in text


def test_an_event_of_many_reports_lists_the_first_figures_and_the_latest_sources() -> None:
    many = entry(
        "Floods across the delta",
        *(shown(fig(value=10_000 + i, place="Sofala", country="MOZ")) for i in range(20)),
        other=[shown(fig("killed", 10 + i, country="MOZ")) for i in range(9)],
        sources=[
            Source(f"Wire {i}", f"https://wire.example.org/{i}", f"Report {i}", NOW)
            for i in range(12)
        ],
    )
    d = digest(many)
    message = render(d)
    for part in (message.text, message.html):
        assert "10,007" in part and "10,008" not in part
        assert "and 12 more over your thresholds" in part
        assert "and 3 more" in part
        assert "7 earlier reports not listed" in part
        assert "Report 11" in part and "Report 6" not in part
    entry_json = digest_json(d)["entries"][0]
    assert len(entry_json["figures"]) == 20 and len(entry_json["sources"]) == 12


def test_empty_digest_says_so() -> None:
    rendered = render(digest())
    assert "Nothing new crossed your thresholds since the last digest." in rendered.text
    assert "Nothing new crossed your thresholds since the last digest." in rendered.html
    assert 'class="summary"' not in rendered.html


def test_times_are_the_subscribers() -> None:
    text = render(digest(sofala(), timezone="Africa/Nairobi")).text
    assert "04 Dec 2026 07:00 EAT (Africa/Nairobi)" in text


# operator templates ----------------------------------------------------------


def test_operator_templates_override_one_file(tmp_path: Path) -> None:
    (tmp_path / "subject.j2").write_text("Desk: {{ entries|length }} events", encoding="utf-8")
    rendered = render(digest(sofala(), idlib()), make_environment(tmp_path))
    assert rendered.subject == "Desk: 2 events"
    assert 'style="' in rendered.html  # the bundled HTML and CSS still apply
    assert "HUMANITARIAN ALERTS" in rendered.text


def test_operator_css_is_inlined(tmp_path: Path) -> None:
    (tmp_path / "digest.css").write_text("h2 { color: #123456; }", encoding="utf-8")
    html = render(digest(sofala()), make_environment(tmp_path)).html
    assert "color: #123456" in html
    assert "#0a58a3" not in html


def test_strict_undefined_reports_template_mistakes(tmp_path: Path) -> None:
    (tmp_path / "digest.txt.j2").write_text("{{ digest.no_such_field }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render(digest(sofala()), make_environment(tmp_path))


def test_every_documented_variable_reaches_the_templates(tmp_path: Path) -> None:
    readme = Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = text.split("### What the digest templates receive", 1)[1]
    section = section.split("| variable | what it is |", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert "digest" in names and "summary_cells" in names
    template = "".join(f"{{{{ {name} is defined }}}}," for name in names)
    (tmp_path / "subject.j2").write_text(template, encoding="utf-8")
    subject = render(digest(sofala()), make_environment(tmp_path)).subject
    assert "False" not in subject, subject


# JSON ------------------------------------------------------------------------


def test_json_has_the_shape_design_gives() -> None:
    d = digest(sofala(), idlib(), cyclone_entry())
    doc = digest_json(d)
    assert {"subscriber", "kind", "generated", "entries"} <= doc.keys()
    assert doc["subscriber"] == "desk@example.org"
    assert doc["kind"] == "daily"
    assert doc["generated"] == "2026-12-04T04:00:00+00:00"
    assert [e["title"] for e in doc["entries"]] == [e.title for e in d.entries]  # email order
    first = doc["entries"][0]
    assert {"title", "level", "countries", "figures", "structured", "sources"} <= first.keys()
    assert first["level"] == "severe"
    assert first["countries"] == ["MOZ"]
    assert first["structured"] is None
    figure = first["figures"][0]
    assert {k: figure[k] for k in ("kind", "value", "high", "unit", "qualifier")} == {
        "kind": "displaced",
        "value": 250_000,
        "high": None,
        "unit": "people",
        "qualifier": "at_least",
    }
    assert (figure["place"], figure["country"], figure["agency"]) == ("Sofala", "MOZ", "IOM")
    assert figure["evidence"].startswith("Cyclone Amara has displaced")
    assert figure["previous"] is None
    assert first["sources"][0] == {
        "feed": "Wire A",
        "title": "Cyclone Amara: aid reaches cut-off districts",
        "link": "https://wire.example.org/44",
        "published": "2026-12-04T04:00:00+00:00",
    }
    trend = doc["entries"][1]["figures"][0]["previous"]
    assert {k: trend[k] for k in ("value", "date", "source")} == {
        "value": 60_000,
        "date": "2026-12-02",
        "source": "Wire A",
    }
    s = doc["entries"][2]["structured"]
    assert {k: s[k] for k in ("source", "alert_level", "event_id")} == {
        "source": "gdacs",
        "alert_level": "Orange",
        "event_id": "TC1002417",
    }
    assert doc["entries"][2]["figures"][0]["exposure"] == "within 100 km"


def test_json_of_a_source_without_a_date_and_of_sent_earlier() -> None:
    undated = entry(
        "x", shown(fig()), sources=(Source("Wire", "https://w.example.org", "x", None),)
    )
    earlier = SentEarlier("Cyclone Amara", "https://wire.example.org/a", NOW)
    doc = digest_json(digest(undated, sent_earlier=[earlier]))
    assert doc["entries"][0]["sources"][0]["published"] is None
    assert doc["sent_earlier"] == [
        {"title": "Cyclone Amara", "link": "https://wire.example.org/a", "sent_at": NOW.isoformat()}
    ]
    assert [lv["name"] for lv in doc["levels"]] == ["watch", "serious", "severe"]


# feed health -----------------------------------------------------------------


def notice(
    failing: bool = True, url: str = "https://feeds.example.org/rss", **kw: object
) -> HealthNotice:
    base: dict[str, object] = {
        "feed": "Coastal Monitor",
        "url": url,
        "failing": failing,
        "failures": 3 if failing else 0,
        "error": "HTTP 404 Not Found" if failing else None,
        "since": NOW - timedelta(days=1),
    }
    base.update(kw)
    return HealthNotice(**base)  # type: ignore[arg-type]


def test_feed_failing_message(env: jinja2.Environment) -> None:
    rendered = render_health(notice(), env, "[alerts]")
    assert rendered.subject == "[alerts] Feed failing: Coastal Monitor (3 polls in a row)"
    for part in (rendered.text, rendered.html):
        assert "HTTP 404 Not Found" in part
        assert "https://feeds.example.org/rss" in part
        assert "03 Dec 2026 04:00 UTC" in part
        assert "notifier feeds" in part
        assert "Open the URL in a browser" in part
    assert '<meta name="color-scheme" content="light dark">' in rendered.html
    assert 'href="https://feeds.example.org/rss"' in rendered.html
    assert all(len(line) <= 78 for line in rendered.text.splitlines())


def test_feed_failing_advice_for_a_local_file(env: jinja2.Environment) -> None:
    rendered = render_health(notice(url="/srv/feeds/coastal.xml", since=None), env)
    assert "Does the file exist" in rendered.text
    assert "never been fetched successfully" in rendered.text
    assert "Open the URL in a browser" not in rendered.html
    assert "href=" not in rendered.html.split("<body", 1)[1]


def test_feed_recovered_message(env: jinja2.Environment) -> None:
    rendered = render_health(notice(failing=False, since=NOW), env, "[alerts]")
    assert rendered.subject == "[alerts] Feed recovered: Coastal Monitor"
    assert "is fetched again" in rendered.text
    assert "Fetched again: 04 Dec 2026 04:00 UTC." in rendered.text
    assert "What to check" not in rendered.text


def test_feed_health_error_is_escaped(env: jinja2.Environment) -> None:
    html = render_health(notice(error=HOSTILE, feed=HOSTILE), env).html
    elements, attributes = parse(html)
    assert not elements & {"script", "img"}
    assert not [a for a in attributes if a.startswith("on")]
    assert "&lt;script&gt;" in html


def test_badges_carry_their_level_colour() -> None:
    light = (SEVERE.__class__)("calm", 1.0, "#ffeb3b", 0)
    d = digest(entry("x", shown(fig(value=20_000)), level=light))
    assert "background-color: #ffeb3b;color: #111111" in render(d).html


def test_html_summary_lists_figures_when_too_many_kinds_for_a_phone() -> None:
    html = render(worst_case_digest()).html
    table = html.split('class="summary"', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert headers == ["Country", "Largest figures", "Sources"]
    assert "<strong>18.8 million</strong> displaced</span><br>" in table
    assert "<strong>795,000</strong> exposed</span>" in table
