"""Feed bytes -> Items: feedparser, HTML to text, guids, dates, and each known source's fields.

feedparser reads every flavour of RSS and Atom, broken ones included; what it
returns is normalised here into `Item`s, and entries of a known source (GDACS,
ReliefWeb) get their structured fields read by that source's adapter
(`notifier.feeds.sources`).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser

from notifier.errors import FeedError
from notifier.feeds.sources import episode_guid, read_structured
from notifier.htmltext import to_text
from notifier.models import Item

MAX_ITEMS = 500
MAX_TEXT = 200_000
"""Characters of an item's text kept: a long report's figures are in its first pages."""
SUMMARY_CHARS = 300
MAX_GUID = 1000


def parse_feed(
    feed_name: str, data: bytes, *, content_type: str | None = None, url: str = ""
) -> list[Item]:
    """Items of an RSS/Atom document; FeedError when it is not a feed at all.

    feedparser gets a stream, never bytes or a URL: given bytes it would try them
    as a file name, given a URL it would fetch it, both outside our limits.
    Broken feeds that still yield entries are accepted, as a feed reader would.
    """
    headers = {"content-type": content_type} if content_type else {}
    data = _INTERNAL_DTD.sub(b"", data, count=1)
    web = url.startswith(("http://", "https://"))
    if web:
        headers["content-location"] = url
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        # Seen when fuzzing feedparser 6.0 with broken feeds: chr() of an out-of-range
        # character reference, int(None) for an empty <width>, KeyError('textinput'),
        # georss coordinates, UnicodeDecodeError on a bogus encoding declaration.
        # They are bugs of feedparser on hostile input, never of ours: the feed is bad.
        where = f" ({url})" if url else ""
        raise FeedError(
            f"feed {feed_name!r}{where} is too malformed to parse "
            f"({type(e).__name__}: {e}); tell the publisher"
        ) from e
    entries = parsed.get("entries") or []
    if not entries:
        broken = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if not isinstance(broken, SAXParseException):
            broken = None
        if not parsed.get("version") or broken:
            raise FeedError(_not_a_feed(feed_name, url, content_type, data, broken))
        return []
    items: dict[str, Item] = {}
    for entry in entries[:MAX_ITEMS]:
        item = _item(feed_name, entry, url if web else "")
        items.setdefault(item.guid, item)
    return list(items.values())


_INTERNAL_DTD = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL | re.IGNORECASE)
"""A DOCTYPE with an internal subset. Real feeds never declare entities; hostile ones do
("billion laughs", or one 50 KB entity referenced 20,000 times: 1 GB once expanded).
Dropping the subset leaves the references undefined, so they stay short literal text."""


def _not_a_feed(
    name: str, url: str, content_type: str | None, data: bytes, broken: SAXParseException | None
) -> str:
    where = f" ({url})" if url else ""
    if "html" in (content_type or "").lower() or b"<html" in data[:2048].lower():
        reason = f"it is a web page ({content_type or 'HTML'}); check that the URL is the feed's"
    elif broken:
        reason = f"broken XML ({broken}) and no readable entry; check the URL or tell the publisher"
    else:
        reason = "no RSS or Atom elements found; check that the URL is the feed's"
    return f"feed {name!r}{where} is not an RSS/Atom feed: {reason}"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _item(feed_name: str, entry: Mapping[str, Any], base: str) -> Item:
    title = " ".join(to_text(_text(entry.get("title"))).split())
    link = _link(_text(entry.get("link")).strip(), base)
    bodies = [_text(c.get("value")) for c in entry.get("content") or [] if isinstance(c, Mapping)]
    summary = to_text(_text(entry.get("summary")))
    text = max([to_text(b) for b in bodies if b] + [summary], key=len)
    text = _without_title(text, title)[:MAX_TEXT]
    structured = read_structured(entry, link)
    guid = _guid(_text(entry.get("id")).strip() or link, title, text)
    return Item(
        feed=feed_name,
        guid=episode_guid(guid, structured),
        link=link,
        title=title,
        published=_published(entry),
        text=text,
        summary=_shorten(summary or text, SUMMARY_CHARS),
        structured=structured,
    )


def _link(link: str, base: str) -> str:
    """Absolute http(s) link, or "" (a javascript: or data: link must not reach a digest)."""
    if base and link:
        link = urljoin(base, link)
    scheme = urlsplit(link).scheme.lower()
    return link if scheme in ("http", "https") or (not scheme and not base) else ""


def _guid(identity: str, title: str, text: str) -> str:
    """The entry's id or link; else a content hash, so an entry without either is stored once."""
    if identity and len(identity) <= MAX_GUID:
        return identity
    source = identity or f"{title}\n{text}"
    return "sha256:" + hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _without_title(text: str, title: str) -> str:
    """Drop a first line that repeats the title, so its figures are not counted twice."""
    first, _, rest = text.partition("\n")
    if title and " ".join(first.split()).casefold() == title.casefold():
        return rest.strip()
    return text


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,;:.") + "…"
