"""Digest -> subject, text/plain and text/html, through Jinja templates.

The wording lives in templates (bundled in `templates/`, installed as the data
package `notifier.templates`) so an operator can change it without touching
code: a `digest.templates_dir` folder overrides the bundled files one by one.
Everything that comes from feeds is untrusted, so the HTML template is
autoescaped, and mail clients drop `<style>`, so the CSS is inlined into
`style=""` attributes after rendering.
"""

from __future__ import annotations

import importlib.resources
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import css_inline
import jinja2

from notifier.errors import ConfigError
from notifier.models import Digest, DigestEntry, HealthNotice, RenderedMessage

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from notifier.extract.models import Figure, Kind

TEMPLATES_PACKAGE = "notifier.templates"
SUBJECT_TEMPLATE = "subject.j2"
TEXT_TEMPLATE = "digest.txt.j2"
HTML_TEMPLATE = "digest.html.j2"
CSS_FILE = "digest.css"
HEALTH_SUBJECT_TEMPLATE = "health_subject.j2"
HEALTH_TEXT_TEMPLATE = "health.txt.j2"
HEALTH_HTML_TEMPLATE = "health.html.j2"

_QUALIFIER_WORDS = {"exact": "", "about": "about", "at_least": "at least", "at_most": "up to"}
# pycountry's official names read badly in a sentence ("Congo, The Democratic Republic of the").
_COUNTRY_NAMES = {
    "COD": "Democratic Republic of the Congo",
    "PSE": "Palestine",
    "PRK": "North Korea",
    "KOR": "South Korea",
    "MDA": "Moldova",
}
_SPACE = re.compile(r"\s+")


def bundled_templates() -> Traversable:
    """The templates shipped with notifier, wherever notifier is installed.

    A wheel install has them as the data package `notifier.templates`. An
    editable install does not (setuptools' editable finder cannot map a folder
    without `__init__.py` under a regular package), nor does a bare checkout;
    both find them beside the package instead. Use this rather than
    `importlib.resources.files("notifier.templates")` directly.
    """
    try:
        return importlib.resources.files(TEMPLATES_PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "templates"


def make_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja environment that finds the operator's templates first, then the bundled ones.

    Falling back per file means an operator who only wants another subject line
    ships only `subject.j2`. A configured folder that does not exist is an error
    rather than a silent fallback, so a typo in the config does not go unnoticed.
    """
    bundled = bundled_templates()
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise ConfigError(
                f"digest.templates_dir: {templates_dir} is not a folder; create it with "
                f"your own {SUBJECT_TEMPLATE}, {TEXT_TEMPLATE}, {HTML_TEMPLATE} or {CSS_FILE}, "
                "or remove the key to use the bundled templates"
            )
        loaders.append(jinja2.FileSystemLoader(templates_dir))
    loaders.append(jinja2.FunctionLoader(lambda name: _read_bundled(bundled, name)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=format_number,
        figure=figure_phrase,
        where=figure_where,
        quotes=entry_quotes,
        figure_short=figure_short,
        kind_label=kind_label,
        country=country_name,
        localtime=local_time,
        wrap=wrap,
        oneline=oneline,
        web_url=web_url,
    )
    return env


def _read_bundled(root: Traversable, name: str) -> str | None:
    resource = root.joinpath(*name.split("/"))
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def render_digest(
    digest: Digest, env: jinja2.Environment, subject_prefix: str = "[alerts]"
) -> RenderedMessage:
    """Render one digest; the subject names its biggest event so the inbox shows it."""
    top_entry, top_figure = _top_event(digest.entries)
    context: dict[str, Any] = {
        "digest": digest,
        "entries": digest.entries,
        "prefix": subject_prefix,
        "top_entry": top_entry,
        "top_figure": top_figure,
        "top_place": _place(top_entry, top_figure),
        "more": max(len(digest.entries) - 1, 0),
        "tz": digest.timezone,
    }
    subject = env.get_template(SUBJECT_TEMPLATE).render(context)
    text = env.get_template(TEXT_TEMPLATE).render(context)
    html = env.get_template(HTML_TEMPLATE).render(context)
    return RenderedMessage(
        # A header cannot carry line breaks, and a feed title may contain some.
        subject=oneline(subject),
        text=text,
        html=_inline_css(html, _read_css(env)),
    )


def check_templates(env: jinja2.Environment) -> None:
    """Compile the three templates; a syntax error or a missing file becomes a ConfigError."""
    for name in (SUBJECT_TEMPLATE, TEXT_TEMPLATE, HTML_TEMPLATE):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as e:
            raise ConfigError(
                f"template {e.filename or name}, line {e.lineno}: {e.message}; fix it or remove "
                "it from digest.templates_dir to use the bundled one"
            ) from e
        except jinja2.TemplateNotFound as e:
            raise ConfigError(f"template {name} not found in digest.templates_dir") from e


def _read_css(env: jinja2.Environment) -> str:
    """The stylesheet through the same loader, so an operator's digest.css wins too."""
    if env.loader is None:
        return ""
    try:
        source, _, _ = env.loader.get_source(env, CSS_FILE)
    except jinja2.TemplateNotFound:
        return ""
    return source


def _inline_css(html: str, css: str) -> str:
    # Remote stylesheets are never fetched: rendering must not touch the network,
    # and a <link> left in a template is dropped rather than sent.
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, extra_css=css or None)
    return str(inliner.inline(html))


def _top_event(entries: tuple[DigestEntry, ...]) -> tuple[DigestEntry | None, Figure | None]:
    """What the subject line names: the digest's first entry and its most severe figure.

    The digest already orders entries (immediate first, then by how far their
    figures exceed the thresholds) and figures within an entry, so the subject
    agrees with what the reader sees first.
    """
    if not entries:
        return None, None
    first = entries[0]
    return first, (first.figures[0].figure if first.figures else None)


def _place(entry: DigestEntry | None, figure: Figure | None) -> str:
    """'Idlib, Syria' from the figure, else the entry's first country, else nothing."""
    if entry is None:
        return ""
    where = figure_where(figure) if figure else ""
    if where:
        return where
    return country_name(entry.countries[0]) if entry.countries else ""


def format_number(value: int) -> str:
    """60000 -> '60,000': digits grouped so a large count is read right at a glance."""
    return f"{value:,}"


def _human_number(value: int) -> str:
    """Round millions read as words ('2 million', '1.3 million'), as reports write them."""
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:g} million"
    return format_number(value)


def figure_phrase(figure: Figure) -> str:
    """'at least 60,000 people displaced': the figure as a reader would say it.

    The qualifier is kept because 'up to 5,000' and 'more than 5,000' are
    different claims, and a digest must not turn an estimate into a count.
    """
    if figure.qualifier == "range" and figure.high is not None:
        count = f"{_human_number(figure.value)}\u2013{_human_number(figure.high)}"
        plural = True
    else:
        count = _human_number(figure.value)
        qualifier = _QUALIFIER_WORDS.get(figure.qualifier, "")
        count = f"{qualifier} {count}" if qualifier else count
        plural = figure.value != 1 or figure.qualifier != "exact"
    if figure.kind == "casualties":
        return f"{count} {'casualties' if plural else 'casualty'}"
    if figure.unit == "households":
        unit = "households" if plural else "household"
    else:
        unit = "people" if plural else "person"
    return f"{count} {unit} {_kind_words(figure.kind)}"


def figure_where(figure: Figure) -> str:
    """'Idlib, Syria': where a figure was counted, as precisely as the text said.

    When the place is the country itself ("Turkey"), the country is not
    repeated under its official name ("Turkey, Türkiye").
    """
    parts = [figure.place] if figure.place else []
    if figure.country:
        name = country_name(figure.country)
        if name not in parts and not _names_country(figure.place, figure.country):
            parts.append(name)
    return ", ".join(parts)


def _names_country(place: str | None, code: str) -> bool:
    from notifier.extract.places import find_places  # noqa: PLC0415 - the gazetteer loads lazily

    return bool(place) and any(
        m.level == "country" and m.country == code and m.name == place
        for m in find_places(place or "")
    )


def entry_quotes(entry: DigestEntry) -> list[str]:
    """The sentence behind each headline figure, each once.

    A reader checks a figure against the words it came from; an entry whose
    figures come from different sentences shows them all, not only the first.
    """
    return list(dict.fromkeys(oneline(f.quote) for f in entry.figures if f.quote.strip()))


def figure_short(figure: Figure) -> str:
    """'60,000 displaced': the subject-line form, short enough for an inbox column."""
    count = _human_number(figure.value)
    if figure.qualifier == "range" and figure.high is not None:
        count = f"{count}\u2013{_human_number(figure.high)}"
    noun = " households" if figure.unit == "households" else ""
    return f"{count}{noun} {_kind_words(figure.kind)}"


def _kind_words(kind: Kind) -> str:
    """What follows a count in a sentence: 'displaced', 'at risk'."""
    return kind.replace("_", " ")


def kind_label(kind: Kind) -> str:
    """A heading for a kind of figure ('At risk' rather than 'at_risk')."""
    return _kind_words(kind).capitalize()


def country_name(code: str) -> str:
    """ISO3 -> the short name people use ('SYR' -> 'Syria'); unknown codes pass through."""
    import pycountry  # noqa: PLC0415 - its database loads lazily; only rendering needs it

    code = code.upper()
    if code in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def local_time(value: datetime | None, tz: str, fmt: str = "%d %b %Y %H:%M %Z") -> str:
    """A date in the subscriber's zone; naive datetimes are UTC, as the store keeps them."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def web_url(link: str) -> str:
    """The link if it is http(s), else ''.

    Autoescaping stops markup, not a `javascript:` or `data:` link from a hostile
    feed; only web links become clickable.
    """
    link = link.strip()
    return link if re.match(r"(?i)https?://[^\s]+$", link) else ""


def oneline(text: str) -> str:
    """Whitespace and line breaks collapsed: a feed's link cannot add lines to the text part."""
    return _SPACE.sub(" ", text).strip()


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Fill a paragraph for the plain-text part; URLs and long words are never split."""
    return textwrap.fill(
        oneline(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_health(
    notice: HealthNotice, env: jinja2.Environment, subject_prefix: str = "[alerts]"
) -> RenderedMessage:
    """The operator's message about one feed: failing for `failures` polls, or recovered."""
    context = {"notice": notice, "prefix": subject_prefix}
    subject = env.get_template(HEALTH_SUBJECT_TEMPLATE).render(context)
    text = env.get_template(HEALTH_TEXT_TEMPLATE).render(context)
    html = env.get_template(HEALTH_HTML_TEMPLATE).render(context)
    return RenderedMessage(oneline(subject), text, _inline_css(html, _read_css(env)))
