"""Feeds: fetched (http or local files), parsed into Items, and their linked pages when asked.

A run fetches every feed concurrently; a feed that is down, slow, huge or not a
feed becomes an error on its own FetchResult, worded for the operator, and the
other feeds go on. Conditional GETs (ETag / Last-Modified) keep polite polling
cheap for the publishers. The HTTP itself (limits, redirects, address guard)
is `http`'s; turning a linked page into text is `fulltext`'s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import stat
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from notifier.config import FeedSettings, FetchSettings, is_local_url
from notifier.errors import FeedError
from notifier.feeds.parse import MAX_ITEMS, MAX_TEXT, SUMMARY_CHARS, parse_feed
from notifier.feeds.work import Extracted, Workers
from notifier.fulltext import HTML_TYPES, load_extractor, page_text
from notifier.http import Download, Fetcher
from notifier.models import FetchResult, Item, Validators

__all__ = [
    "MAX_ITEMS",
    "MAX_TEXT",
    "SUMMARY_CHARS",
    "Extracted",
    "Workers",
    "add_full_text",
    "fetch_all",
    "fetch_feed",
    "fetch_page_text",
    "isolate",
    "parse_feed",
]

logger = logging.getLogger(__name__)

MAX_FULL_TEXT = 50
"""Linked pages fetched per feed per poll: politeness to the publisher."""
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


async def fetch_all(
    feeds: Sequence[FeedSettings],
    validators: Mapping[str, Validators],
    settings: FetchSettings,
    *,
    fetcher: Fetcher | None = None,
    workers: Workers | None = None,
) -> list[FetchResult]:
    """One FetchResult per feed, in the order given; one feed's failure never stops the others.

    Pass the poll's `fetcher` to share its client with the full-text fetches
    that follow; without one, a client is made for this call. With `workers`,
    the feeds are parsed in them (see `work`), else in threads.
    """
    if fetcher is None:
        async with Fetcher(settings) as own:
            return await fetch_all(feeds, validators, settings, fetcher=own, workers=workers)
    results = await asyncio.gather(
        *(fetch_feed(fetcher, f, validators.get(f.name), workers=workers) for f in feeds),
        return_exceptions=True,
    )
    return [isolate(feed, result) for feed, result in zip(feeds, results, strict=True)]


def isolate(feed: FeedSettings, result: FetchResult | BaseException) -> FetchResult:
    """Turn a bug hit by one feed into that feed's error instead of losing the whole run.

    Expected failures are FeedErrors handled in fetch_feed; whatever else arrives
    here is a bug, logged with its traceback so it gets reported and fixed.
    Cancellation and interrupts are re-raised: they must stop the run.
    """
    if isinstance(result, FetchResult):
        return result
    if not isinstance(result, Exception):
        raise result
    logger.error("bug while fetching feed %r", feed.name, exc_info=result)
    return FetchResult(
        feed.name,
        feed.url,
        error=f"feed {feed.name!r}: internal error ({type(result).__name__}: {result}); "
        "please report it with the log",
    )


async def fetch_feed(
    fetcher: Fetcher,
    feed: FeedSettings,
    validators: Validators | None,
    *,
    workers: Workers | None = None,
) -> FetchResult:
    """Fetch and parse one feed (http/https URL or local file); errors become FetchResult.error.

    The parse runs in `workers` when given, else in a thread.
    """
    settings = fetcher.settings
    old = validators or Validators(None, None)
    local = is_local_url(feed.url)
    try:
        if local:
            got = await _read_local(feed.url, old, settings)
        else:
            got = await fetcher.get(feed.url, headers=_request_headers(old), trusted=feed.url)
    except FeedError as e:
        return _failure(feed, old, f"feed {feed.name!r} ({feed.url}): {e}")
    status = None if local else got.status
    etag, last_modified = got.headers.get("etag"), _strong_last_modified(got.headers)
    if got.status == 304:
        return FetchResult(
            feed.name,
            feed.url,
            etag=etag or old.etag,
            last_modified=last_modified or old.last_modified,
            not_modified=True,
            status=status,
        )
    if not 200 <= got.status < 300:
        message = f"feed {feed.name!r} ({feed.url}): {_status_problem(got.status)}"
        return _failure(feed, old, message, status)
    content_type = got.headers.get("content-type")
    try:
        if workers is not None:
            items = await workers.parse(
                feed.name,
                got.body,
                content_type=content_type,
                url=got.url,
                deadline=settings.timeout,
            )
        else:
            items = await asyncio.to_thread(
                partial(
                    parse_feed, content_type=content_type, url=got.url, deadline=settings.timeout
                ),
                feed.name,
                got.body,
            )
    except FeedError as e:
        return _failure(feed, old, str(e), status)
    return FetchResult(feed.name, feed.url, items, etag, last_modified, status=status)


def _strong_last_modified(headers: Mapping[str, str]) -> str | None:
    """Last-Modified, unless the feed changed in the same second it was served.

    Such a date is only a weak validator (RFC 9110, 8.8.2.2): the feed may change
    again within that second, and If-Modified-Since would then hide the change
    behind a 304 until the feed changes once more. The next fetch is then a full one.
    """
    value = headers.get("last-modified")
    if not value:
        return None
    try:
        modified = parsedate_to_datetime(value)
        served = parsedate_to_datetime(headers["date"]) if "date" in headers else None
    except (TypeError, ValueError, IndexError):
        return value
    served = served or datetime.now(UTC)
    if modified.tzinfo is None or served.tzinfo is None:
        return value
    return value if (served - modified).total_seconds() >= 1 else None


def _request_headers(old: Validators) -> dict[str, str]:
    """Accept plus the conditional-GET validators, so an unchanged feed costs a 304."""
    headers = {"Accept": FEED_ACCEPT}
    if old.etag:
        headers["If-None-Match"] = old.etag
    if old.last_modified:
        headers["If-Modified-Since"] = old.last_modified
    return headers


def _failure(
    feed: FeedSettings, old: Validators, message: str, status: int | None = None
) -> FetchResult:
    """An error result that keeps the old validators, so the next poll fetches the feed again."""
    return FetchResult(
        feed.name,
        feed.url,
        etag=old.etag,
        last_modified=old.last_modified,
        error=message,
        status=status,
    )


def _status_problem(status: int) -> str:
    text = f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
    if status in (404, 410):
        return f"{text}; check the feed URL in the config (the feed may have moved)"
    if status in (401, 403):
        return (
            f"{text}; the server refuses access: check the URL, or whether it blocks our User-Agent"
        )
    if status == 429 or status >= 500:
        return (
            f"{text}; the server is failing or overloaded, it will be tried again on the next poll"
        )
    return f"{text}; check the feed URL in the config"


def _local_path(url: str) -> Path:
    if not url.lower().startswith("file:"):
        return Path(url)
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FeedError(f"file URL on another host ({parts.netloc}); use a local path")
    return Path(url2pathname(parts.path))


async def _read_local(url: str, old: Validators, settings: FetchSettings) -> Download:
    """Read a feed from disk (offline use, the demo), answering like a server would.

    The mtime and size play ETag and Last-Modified, so an unchanged file is "not modified".
    """
    path = _local_path(url)
    try:
        info = await asyncio.to_thread(path.stat)
        if not stat.S_ISREG(info.st_mode):
            raise FeedError(f"{path} is not a regular file")
        headers = httpx.Headers(
            {
                "etag": f'"{info.st_mtime_ns:x}-{info.st_size:x}"',
                "last-modified": formatdate(info.st_mtime, usegmt=True),
            }
        )
        if old.etag == headers["etag"]:
            return Download(url, 304, headers, b"")
        data = await asyncio.to_thread(_read_capped, path, settings.max_bytes)
    except FileNotFoundError as e:
        raise FeedError(
            f"file not found: {path}; check the url "
            "(relative paths are relative to the config file)"
        ) from e
    except OSError as e:
        raise FeedError(f"cannot read {path}: {e.strerror or e}") from e
    return Download(url, 200, headers, data)


def _read_capped(path: Path, limit: int) -> bytes:
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FeedError(f"{path} is larger than {limit} bytes (fetch.max_bytes)")
    return data


# full text -------------------------------------------------------------------


async def fetch_page_text(fetcher: Fetcher, url: str, *, trusted: str | None = None) -> str | None:
    """Main text of the page at `url` (None when it has none); FeedError when it cannot be had.

    Links come from whoever writes the feed, so every hop is held to public
    addresses (or fetch.allow_internal), except the host and port of `trusted`,
    the feed URL the operator configured.
    """
    await asyncio.to_thread(load_extractor)  # say "install trafilatura" before any fetch
    got = await fetcher.get(url, headers={"Accept": PAGE_ACCEPT}, trusted=trusted)
    if not 200 <= got.status < 300:
        raise FeedError(f"{url}: HTTP {got.status} {httpx.codes.get_reason_phrase(got.status)}")
    content_type = got.headers.get("content-type", "").lower()
    if content_type and not any(kind in content_type for kind in HTML_TYPES):
        raise FeedError(f"{url}: not an HTML page ({content_type})")
    text = await asyncio.to_thread(page_text, got.body, got.url)
    return text[:MAX_TEXT] if text else None


async def add_full_text(fetcher: Fetcher, feed: FeedSettings, items: list[Item]) -> list[Item]:
    """Swap each teaser for its linked page's text when that is longer; a failure keeps the teaser.

    Give it only the items not stored yet: a stored item's page was fetched when
    it was new. Only the first MAX_FULL_TEXT items are enriched, to stay polite.
    """
    try:
        await asyncio.to_thread(load_extractor)
    except FeedError as e:
        logger.warning("feed %r: full text not fetched: %s", feed.name, e)
        return items
    trusted = None if is_local_url(feed.url) else feed.url

    async def one(item: Item) -> Item:
        if not item.link:
            return item
        try:
            text = await fetch_page_text(fetcher, item.link, trusted=trusted)
        except FeedError as e:
            logger.warning("feed %r: keeping the feed's text of %s: %s", feed.name, item.link, e)
            return item
        if not text or len(text) <= len(item.text):
            return item
        return dataclasses.replace(item, text=text, teaser=item.text)

    enriched = await asyncio.gather(*(one(item) for item in items[:MAX_FULL_TEXT]))
    return [*enriched, *items[MAX_FULL_TEXT:]]
