"""Digest -> subject, text/plain and text/html through Jinja templates, or JSON.

The wording lives in templates (bundled in `templates/`, installed as the data
package `notifier.templates`) so an operator can change it without touching
code: a `digest.templates_dir` folder overrides the bundled files one by one.
The package's modules:

- `words`: how a figure, a place, a date or a trend is written (the filters);
- `plain`: the text part's layout (78 columns, URLs on their own lines);
- `view`: what templates get beside the records (top event, summary, preheader);
- `environment`: the Jinja environment, the template files, CSS inlining;
- `jsonout`: the digest as JSON (`preview --format json`).
"""

from __future__ import annotations

import jinja2

from notifier.models import Digest, HealthNotice, RenderedMessage
from notifier.render.environment import (
    CSS_FILE,
    HEALTH_HTML_TEMPLATE,
    HEALTH_SUBJECT_TEMPLATE,
    HEALTH_TEXT_TEMPLATE,
    HTML_TEMPLATE,
    SUBJECT_TEMPLATE,
    TEMPLATES_PACKAGE,
    TEXT_TEMPLATE,
    bundled_templates,
    check_templates,
    inline_css,
    make_environment,
    read_css,
)
from notifier.render.jsonout import digest_json
from notifier.render.plain import TEXT_WIDTH, wrap
from notifier.render.view import digest_context, entry_quotes
from notifier.render.words import (
    country_name,
    figure_phrase,
    figure_short,
    figure_where,
    format_number,
    kind_label,
    local_time,
    oneline,
    trend_phrase,
    web_url,
)

__all__ = [
    "CSS_FILE",
    "HEALTH_HTML_TEMPLATE",
    "HEALTH_SUBJECT_TEMPLATE",
    "HEALTH_TEXT_TEMPLATE",
    "HTML_TEMPLATE",
    "SUBJECT_TEMPLATE",
    "TEMPLATES_PACKAGE",
    "TEXT_TEMPLATE",
    "TEXT_WIDTH",
    "bundled_templates",
    "check_templates",
    "country_name",
    "digest_json",
    "entry_quotes",
    "figure_phrase",
    "figure_short",
    "figure_where",
    "format_number",
    "kind_label",
    "local_time",
    "make_environment",
    "oneline",
    "render_digest",
    "render_health",
    "trend_phrase",
    "web_url",
    "wrap",
]


def render_digest(
    digest: Digest, env: jinja2.Environment, subject_prefix: str = "[alerts]"
) -> RenderedMessage:
    """Render one digest; the subject names its top event so the inbox shows it."""
    context = digest_context(digest, subject_prefix)
    subject = env.get_template(SUBJECT_TEMPLATE).render(context)
    text = env.get_template(TEXT_TEMPLATE).render(context)
    html = env.get_template(HTML_TEMPLATE).render(context)
    return RenderedMessage(
        # A header cannot carry line breaks, and a feed title may contain some.
        subject=oneline(subject),
        text=text,
        html=inline_css(html, read_css(env)),
    )


def render_health(
    notice: HealthNotice, env: jinja2.Environment, subject_prefix: str = "[alerts]"
) -> RenderedMessage:
    """The operator's message about one feed: failing `failures` polls in a row, or recovered."""
    context = {"notice": notice, "prefix": subject_prefix, "tz": "UTC"}
    subject = env.get_template(HEALTH_SUBJECT_TEMPLATE).render(context)
    text = env.get_template(HEALTH_TEXT_TEMPLATE).render(context)
    html = env.get_template(HEALTH_HTML_TEMPLATE).render(context)
    return RenderedMessage(oneline(subject), text, inline_css(html, read_css(env)))
