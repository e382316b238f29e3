"""The Jinja environment: where templates are found, which filters they get, and CSS inlining.

An operator's `digest.templates_dir` overrides the bundled templates one file
at a time. The HTML templates are autoescaped (titles, sentences and links
come from feeds), undefined names are errors (a typo in a template fails at
`check-config`, not as a blank in a subscriber's mail), and the stylesheet is
inlined into `style=""` attributes after rendering, because mail clients drop
`<style>`; its at-rules (`@media` for dark mode and narrow screens) are kept
in a `<style>` block for the clients that honour them.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING

import css_inline
import jinja2

from notifier.errors import ConfigError
from notifier.render import plain, view, words

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

TEMPLATES_PACKAGE = "notifier.templates"
SUBJECT_TEMPLATE = "subject.j2"
TEXT_TEMPLATE = "digest.txt.j2"
HTML_TEMPLATE = "digest.html.j2"
CSS_FILE = "digest.css"
HEALTH_SUBJECT_TEMPLATE = "health_subject.j2"
HEALTH_TEXT_TEMPLATE = "health.txt.j2"
HEALTH_HTML_TEMPLATE = "health.html.j2"
TEMPLATES = (
    SUBJECT_TEMPLATE,
    TEXT_TEMPLATE,
    HTML_TEMPLATE,
    HEALTH_SUBJECT_TEMPLATE,
    HEALTH_TEXT_TEMPLATE,
    HEALTH_HTML_TEMPLATE,
)


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
        return Path(__file__).resolve().parents[2] / "templates"


FILTERS = {
    "number": words.format_number,
    "count": words.count_phrase,
    "figure": words.figure_phrase,
    "figure_short": words.figure_short,
    "shown": words.shown_phrase,
    "shown_short": words.shown_short,
    "shown_line": words.shown_line,
    "where": words.figure_where,
    "trend": words.trend_phrase,
    "trend_direction": words.trend_direction,
    "kind_label": words.kind_label,
    "agency_name": words.agency_name,
    "country": words.country_name,
    "group_name": view.group_name,
    "headline": view.entry_headline,
    "quotes": view.entry_quotes,
    "quoted": view.quoted_figures,
    "structured_parts": words.structured_parts,
    "source_name": words.source_name,
    "gdacs_colour": lambda level: words.GDACS_COLOURS.get(level or "", "#5a5a5a"),
    "on_colour": words.on_colour,
    "localtime": words.local_time,
    "plural": words.plural,
    "summary_text": view.summary_text,
    "wrap": plain.wrap,
    "wrap_quote": plain.wrap_quote,
    "oneline": words.oneline,
    "web_url": words.web_url,
}
"""The filters every template gets (documented in the README's "Templates")."""


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
    env.filters.update(FILTERS)
    return env


def _read_bundled(root: Traversable, name: str) -> str | None:
    resource = root.joinpath(*name.split("/"))
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def check_templates(env: jinja2.Environment) -> None:
    """Compile every template; a syntax error or a missing file becomes a ConfigError."""
    for name in TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as e:
            raise ConfigError(
                f"template {e.filename or name}, line {e.lineno}: {e.message}; fix it or remove "
                "it from digest.templates_dir to use the bundled one"
            ) from e
        except jinja2.TemplateNotFound as e:
            raise ConfigError(f"template {name} not found in digest.templates_dir") from e


def read_css(env: jinja2.Environment) -> str:
    """The stylesheet through the same loader, so an operator's digest.css wins too."""
    if env.loader is None:
        return ""
    try:
        source, _, _ = env.loader.get_source(env, CSS_FILE)
    except jinja2.TemplateNotFound:
        return ""
    return source


def inline_css(html: str, css: str) -> str:
    """The HTML with `css` in style attributes; at-rules (@media) kept in a <style> block.

    Remote stylesheets are never fetched: rendering must not touch the
    network, and a <link> left in a template is dropped rather than sent.
    """
    inliner = css_inline.CSSInliner(
        load_remote_stylesheets=False, extra_css=css or None, keep_at_rules=True
    )
    return str(inliner.inline(html))
