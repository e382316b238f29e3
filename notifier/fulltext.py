"""The main text of a web page, for feeds that carry only a teaser (`fetch_full_text = true`).

Only the page-to-text step lives here: trafilatura, an optional extra that is
slow to import, finds the article among menus, footers and share buttons.
Fetching the page (limits, redirects, refusing internal addresses) is `http`'s
and deciding which items get their page fetched is `feeds`'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifier.errors import FeedError

INSTALL_HINT = "pip install 'notifier[fulltext]'"
HTML_TYPES = ("text/html", "application/xhtml+xml")

Extractor = Callable[..., str | None]


def load_extractor() -> Extractor:
    """Return trafilatura's `extract`, imported on first use: an optional extra, slow to load."""
    try:
        import trafilatura  # noqa: PLC0415 - optional dependency
    except ImportError as e:
        raise FeedError(f"fetch_full_text = true needs trafilatura: {INSTALL_HINT}") from e
    extract: Extractor = trafilatura.extract
    return extract


def page_text(body: bytes, url: str) -> str | None:
    """The article text of an HTML page, or None when it has none.

    CPU-bound and synchronous: callers run it in a thread so fetches go on.
    """
    extract = load_extractor()
    options: dict[str, Any] = {"url": url, "include_comments": False, "include_tables": True}
    text = extract(body, **options)
    if not text or not text.strip():
        return None
    return text.strip()
