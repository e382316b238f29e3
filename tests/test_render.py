"""Rendering: golden files for a realistic digest, filters, escaping of hostile feed text.

Regenerate the golden files after an intended change of the templates with:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest

from notifier import render
from notifier.errors import ConfigError
from notifier.extract.models import Agency, Figure, Organisation
from notifier.models import Digest, DigestEntry, Source
from notifier.render import (
    bundled_templates,
    country_name,
    figure_phrase,
    figure_short,
    figure_where,
    format_number,
    kind_label,
    local_time,
    make_environment,
    render_digest,
    web_url,
)

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py"


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


OCHA = Agency("OCHA", "Office for the Coordination of Humanitarian Affairs")
UNHCR = Agency("UNHCR", "Office of the UN High Commissioner for Refugees")
WFP = Agency("WFP", "World Food Programme")


def sample_digest() -> Digest:
    """Three events: a merged two-source entry, an immediate one, a small one."""
    flood_evidence = (
        "Flash floods along the river have forced more than 60,000 people from their "
        "homes in the past week, OCHA said on Monday, with 35 people confirmed dead."
    )
    flood = DigestEntry(
        title="Floods sweep through riverside districts of Hama",
        sources=(
            Source(
                "Wire A",
                "https://wire-a.example.org/hama-floods",
                "Floods sweep through riverside districts of Hama",
                datetime(2026, 11, 23, 6, 40, tzinfo=UTC),
            ),
            Source(
                "Agency B",
                "https://agency-b.example.org/story/9912?lang=en&src=rss",
                "Tens of thousands flee rising water in central Syria",
                None,
            ),
        ),
        figures=(
            fig(
                value=60000,
                qualifier="at_least",
                agency="OCHA",
                place="Hama",
                country="SYR",
                evidence=flood_evidence,
            ),
        ),
        other_figures=(
            fig("killed", 35, place="Hama", country="SYR"),
            fig("displaced", 2000, high=3000, unit="households", qualifier="range"),
        ),
        agencies=(OCHA, UNHCR),
        organisations=(Organisation("Syrian Arab Red Crescent"),),
        countries=("SYR",),
        evidence=flood_evidence,
        immediate=True,
        item_ids=(11, 14),
    )
    drought_evidence = (
        "About 2 million people in the northern regions are at risk of severe hunger "
        "as the rains failed for a third season, WFP warned."
    )
    drought = DigestEntry(
        title="Third failed rainy season puts northern Côte d'Ivoire at risk",
        sources=(
            Source(
                "Relief desk",
                "https://relief.example.org/reports/drought-north",
                "Third failed rainy season puts northern Côte d'Ivoire at risk",
                datetime(2026, 11, 22, 15, 5, tzinfo=UTC),
            ),
        ),
        figures=(fig("at_risk", 2_000_000, qualifier="about", agency="WFP", country="CIV"),),
        other_figures=(),
        agencies=(WFP,),
        organisations=(),
        countries=("CIV",),
        evidence=drought_evidence,
        immediate=False,
        item_ids=(20,),
    )
    clash_evidence = "Clashes near the border town killed 62 people, local officials said."
    clash = DigestEntry(
        title="Border clashes leave dozens dead",
        sources=(
            Source(
                "Wire A",
                "https://wire-a.example.org/border-clashes",
                "Border clashes leave dozens dead",
                datetime(2026, 11, 23, 21, 15, tzinfo=UTC),
            ),
        ),
        figures=(fig("killed", 62, evidence=clash_evidence, country="COD"),),
        other_figures=(fig("injured", 1, qualifier="exact"),),
        agencies=(),
        organisations=(),
        countries=("COD",),
        evidence=clash_evidence,
        immediate=False,
        item_ids=(31,),
    )
    return Digest(
        subscriber_email="desk@example.org",
        subscriber_name="Operations desk",
        kind="daily",
        entries=(flood, drought, clash),  # as build_digest orders them: immediate first
        created=datetime(2026, 11, 24, 6, 0, tzinfo=UTC),
        timezone="Europe/Paris",
    )


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} is missing; create it with: {REGENERATE}"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"rendered {name} differs from {path}. If the change is intended, "
        f"regenerate the golden files with: {REGENERATE}"
    )


@pytest.fixture
def env() -> jinja2.Environment:
    return make_environment(None)


def test_digest_matches_golden_files(env: jinja2.Environment) -> None:
    rendered = render_digest(sample_digest(), env, subject_prefix="[alerts]")
    check_golden("subject.txt", rendered.subject + "\n")
    check_golden("digest.txt", rendered.text)
    check_golden("digest.html", rendered.html)


def test_subject_names_the_first_entry(env: jinja2.Environment) -> None:
    # The digest leads with the immediate floods, so the subject does too.
    rendered = render_digest(sample_digest(), env, "[ops]")
    assert rendered.subject == "[ops] 60,000 displaced in Hama, Syria + 2 more"


def test_subject_follows_the_digest_order(env: jinja2.Environment) -> None:
    digest = sample_digest()
    flood, drought, clash = digest.entries
    reordered = Digest(**{**_fields(digest), "entries": (drought, flood, clash)})
    rendered = render_digest(reordered, env, "[ops]")
    assert rendered.subject == "[ops] 2 million at risk in Côte d'Ivoire + 2 more"


def _fields(digest: Digest) -> dict[str, object]:
    return {name: getattr(digest, name) for name in Digest.__slots__}


def test_text_part_is_plain_and_wrapped(env: jinja2.Environment) -> None:
    text = render_digest(sample_digest(), env).text
    assert "<" not in text.replace("<alerts>", "")
    for line in text.splitlines():
        verbatim = line.strip().startswith(("https://", '"'))  # links and quoted evidence
        assert len(line) <= 72 or verbatim, line
    # The evidence is quoted whole, on one line, so a search for a phrase of it finds it.
    assert '     "Flash floods along the river have forced more than 60,000 people from' in text
    assert "at least 60,000 people displaced in Hama, Syria, according to OCHA" in " ".join(
        text.split()
    )
    assert "https://agency-b.example.org/story/9912?lang=en&src=rss" in text
    assert "[IMMEDIATE]" in text
    assert "Democratic Republic of the Congo" in text


def test_html_has_inline_styles_and_no_stylesheet(env: jinja2.Environment) -> None:
    html = render_digest(sample_digest(), env).html
    assert html.count('style="') >= 5
    assert "<style" not in html
    assert not re.search(r"<link[^>]+stylesheet", html, re.IGNORECASE)
    # A merged entry shows every source; & in a URL is escaped in an attribute.
    assert 'href="https://wire-a.example.org/hama-floods"' in html
    assert 'href="https://agency-b.example.org/story/9912?lang=en&amp;src=rss"' in html
    assert ">IMMEDIATE</span>" in html
    assert '<abbr title="Office for the Coordination of Humanitarian Affairs"' in html


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_hostile_feed_text_is_escaped(env: jinja2.Environment) -> None:
    digest = sample_digest()
    entry = digest.entries[1]
    bad = DigestEntry(
        **{
            **{name: getattr(entry, name) for name in DigestEntry.__slots__},
            "title": HOSTILE,
            "evidence": HOSTILE,
            "sources": (
                Source(HOSTILE, "javascript:alert(3)", HOSTILE, None),
                Source("ok", 'https://ok.example.org/"><img onerror=alert(4)>', "t", None),
                Source("spoof", "https://x.example.org/a\n\nFAKE: 1,000,000 killed", "t", None),
            ),
            "organisations": (Organisation(HOSTILE),),
        }
    )
    rendered = render_digest(Digest(**{**_fields(digest), "entries": (bad,)}), env)
    html = rendered.html
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "(javascript:alert(3))" in html  # shown as text, not a link
    assert "&lt;script&gt;" in html
    # The text part is plain text: shown as is, never interpreted.
    assert "<script>alert(1)</script>" in rendered.text
    assert "\nFAKE" not in rendered.text  # a link cannot add lines to the text part


def test_subject_collapses_line_breaks(env: jinja2.Environment) -> None:
    digest = sample_digest()
    entry = digest.entries[2]
    fields = {name: getattr(entry, name) for name in DigestEntry.__slots__}
    broken = DigestEntry(**{**fields, "figures": (), "title": "Bcc: x@evil\r\nline two"})
    subject = render_digest(Digest(**{**_fields(digest), "entries": (broken,)}), env).subject
    assert "\n" not in subject
    assert "\r" not in subject
    assert subject == "[alerts] Bcc: x@evil line two"


@pytest.mark.parametrize(
    ("figure", "phrase"),
    [
        (fig(value=60000, qualifier="at_least"), "at least 60,000 people displaced"),
        (
            fig(value=2000, high=3000, unit="households", qualifier="range"),
            "2,000\u20133,000 households displaced",
        ),
        (fig("at_risk", 2_000_000, qualifier="about"), "about 2 million people at risk"),
        (fig("killed", 1), "1 person killed"),
        (fig("injured", 1_300_000, qualifier="at_most"), "up to 1.3 million people injured"),
        (fig("casualties", 120), "120 casualties"),
        (fig("casualties", 1), "1 casualty"),
        (fig("missing", 1, unit="households"), "1 household missing"),
        (fig("displaced", 1_234_567), "1,234,567 people displaced"),
    ],
)
def test_figure_phrase(figure: Figure, phrase: str) -> None:
    assert figure_phrase(figure) == phrase


def test_small_filters() -> None:
    assert format_number(60000) == "60,000"
    assert figure_short(fig(value=2000, high=3000, unit="households", qualifier="range")) == (
        "2,000\u20133,000 households displaced"
    )
    assert country_name("syr") == "Syria"
    assert country_name("CIV") == "Côte d'Ivoire"
    assert country_name("COD") == "Democratic Republic of the Congo"
    assert country_name("XXX") == "XXX"
    winter = datetime(2026, 1, 15, 12, 0)  # naive: UTC, as the store keeps it
    assert local_time(winter, "Asia/Kolkata") == "15 Jan 2026 17:30 IST"
    assert local_time(None, "UTC") == ""
    assert web_url(" https://a.example.org/x ") == "https://a.example.org/x"
    assert web_url("data:text/html,hi") == ""
    assert kind_label("at_risk") == "At risk"


def test_operator_templates_override_one_file(tmp_path: Path) -> None:
    (tmp_path / "subject.j2").write_text("Desk: {{ entries|length }} events", encoding="utf-8")
    env = make_environment(tmp_path)
    rendered = render_digest(sample_digest(), env)
    assert rendered.subject == "Desk: 3 events"
    assert 'style="' in rendered.html  # the bundled HTML and CSS still apply


def test_operator_css_is_inlined(tmp_path: Path) -> None:
    (tmp_path / "digest.css").write_text("h2 { color: #123456; }", encoding="utf-8")
    html = render_digest(sample_digest(), make_environment(tmp_path)).html
    assert "color: #123456" in html
    assert "#0b5ea8" not in html


def test_missing_operator_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"digest\.templates_dir"):
        make_environment(tmp_path / "nope")


def test_strict_undefined_reports_template_mistakes(tmp_path: Path) -> None:
    (tmp_path / "subject.j2").write_text("{{ no_such_name }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render_digest(sample_digest(), make_environment(tmp_path))


def test_figure_agency_not_in_the_entry_list(env: jinja2.Environment) -> None:
    digest = sample_digest()
    entry = digest.entries[2]
    fields = {name: getattr(entry, name) for name in DigestEntry.__slots__}
    figures = (fig("killed", 62, agency="OHCHR"),)
    odd = DigestEntry(**{**fields, "figures": figures, "agencies": ()})
    html = render_digest(Digest(**{**_fields(digest), "entries": (odd,)}), env).html
    assert '<abbr title="OHCHR">OHCHR</abbr>' in html


def test_templates_without_css_still_render() -> None:
    names = ("subject.j2", "digest.txt.j2", "digest.html.j2")
    sources = {name: bundled_templates().joinpath(name).read_text("utf-8") for name in names}
    env = jinja2.Environment(
        loader=jinja2.DictLoader(sources), undefined=jinja2.StrictUndefined, autoescape=True
    )
    env.filters.update(make_environment(None).filters)
    rendered = render_digest(sample_digest(), env)
    assert 'style="' not in rendered.html
    assert "Hama" in rendered.html
    # An environment without a loader (built by hand) has no stylesheet to inline.
    assert render._read_css(jinja2.Environment(autoescape=True)) == ""


def test_source_checkout_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not installed (a bare checkout): the package is missing, templates/ sits beside notifier/.
    monkeypatch.setattr(render, "TEMPLATES_PACKAGE", "notifier.no_such_templates")
    expected = Path(render.__file__).resolve().parent.parent / "templates"
    assert bundled_templates() == expected


def test_bundled_templates_are_found() -> None:
    root = bundled_templates()
    for name in ("subject.j2", "digest.txt.j2", "digest.html.j2", "digest.css"):
        assert root.joinpath(name).is_file(), name


def test_a_country_place_is_not_repeated_under_its_official_name() -> None:
    assert figure_where(fig(place="Turkey", country="TUR")) == "Turkey"
    assert figure_where(fig(place="Idlib", country="SYR")) == "Idlib, Syria"
    assert figure_where(fig(place=None, country="SYR")) == "Syria"
