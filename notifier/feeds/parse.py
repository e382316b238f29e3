"""Feed bytes -> Items: feedparser, HTML to text, guids, dates, and each known source's fields.

feedparser reads every flavour of RSS and Atom, broken ones included (plain
well-formed feeds are read the same way, ten times faster, by `fastparse`); what it
returns is normalised here into `Item`s, and entries of a known source (GDACS,
ReliefWeb) get their structured fields read by that source's adapter
(`notifier.feeds.sources`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser

from notifier.errors import FeedError
from notifier.feeds.clean import MAX_LINK, MAX_TITLE, clean, one_line, shorten
from notifier.feeds.fastparse import fast_parse
from notifier.feeds.scan import entry_spans, prepare
from notifier.feeds.sources import episode_guid, read_structured
from notifier.htmltext import to_text
from notifier.models import Item

logger = logging.getLogger(__name__)

MAX_ITEMS = 500
"""Entries read per feed: the document is cut after this many, before feedparser sees it."""
MAX_TEXT = 200_000
"""Characters of an item's text kept: a long report's figures are in its first pages."""
MAX_MARKUP = 4 * MAX_TEXT
"""Characters of an entry's HTML turned into text: enough markup for MAX_TEXT of text."""
SUMMARY_CHARS = 300
MAX_GUID = 1000

_CRASHES = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError)
"""What feedparser raises on hostile input (found by fuzzing feedparser 6.0): chr() of an
out-of-range reference, int(None) for an empty <width>, KeyError('textinput'), georss
coordinates, UnicodeDecodeError on a bogus encoding declaration. Bugs of feedparser's,
never of ours: the entry, or the feed, is bad."""


def parse_feed(
    feed_name: str,
    data: bytes,
    *,
    content_type: str | None = None,
    url: str = "",
    deadline: float | None = None,
) -> list[Item]:
    """Items of an RSS/Atom document; FeedError when it is not a feed at all.

    feedparser gets a stream, never bytes or a URL: given bytes it would try them
    as a file name, given a URL it would fetch it, both outside our limits. It
    gets at most MAX_ITEMS entries (see `scan.prepare`), and `deadline` seconds
    for all of it (see `_deadline`). Broken feeds that still yield entries are
    accepted, as a feed reader would; a broken entry is dropped and logged.
    """
    headers = {"content-type": content_type} if content_type else {}
    web = url.startswith(("http://", "https://"))
    if web:
        headers["content-location"] = url
    where = f" ({url})" if url else ""
    started = time.monotonic()
    try:
        with _deadline(deadline, len(data)):
            data = prepare(data, MAX_ITEMS, content_type)
            try:
                parsed = fast_parse(data, content_type) or _feedparser(data, headers)
            except _CRASHES as e:
                fallback = _entry_by_entry(feed_name, data, headers)
                if fallback is None:
                    raise FeedError(
                        f"feed {feed_name!r}{where} is too malformed to parse "
                        f"({type(e).__name__}: {e}); tell the publisher"
                    ) from e
                parsed = fallback
            return _items(feed_name, parsed, data, content_type, url if web else "")
    except _ParseTimeout as e:
        raise FeedError(
            f"feed {feed_name!r}{where} took more than {time.monotonic() - started:.0f} s to "
            f"parse and was given up (fetch.timeout is {deadline:g} s); it is too complex or "
            "hostile: tell the publisher"
        ) from e


def _feedparser(data: bytes, headers: dict[str, str]) -> dict[str, Any]:
    # No sanitizing and no relative-URI pass over HTML content: each is a second,
    # slow (quadratic on hostile input) HTML parse, and only text is kept of it.
    parsed: dict[str, Any] = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    return parsed


def _entry_by_entry(feed_name: str, data: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
    """When feedparser crashes on a document, each entry alone: the good ones are kept.

    None when no entry can be read this way either (the fault is outside the entries).
    """
    spans = entry_spans(data, MAX_ITEMS)
    if not spans:
        return None
    head, tail = data[: spans[0][0]], data[spans[-1][1] :]
    parsed: dict[str, Any] | None = None
    entries: list[Any] = []
    broken: list[tuple[bytes, Exception]] = []
    for start, end in spans:
        try:
            one = _feedparser(head + data[start:end] + tail, headers)
        except _CRASHES as e:
            broken.append((data[start:end], e))
            continue
        parsed = parsed or one
        entries += one.get("entries") or []
    if parsed is None:
        return None
    for raw, error in broken:
        _broken(feed_name, _entry_name(raw), error)
    return {**parsed, "entries": entries}


def _items(
    feed_name: str, parsed: Mapping[str, Any], data: bytes, content_type: str | None, base: str
) -> list[Item]:
    entries = parsed.get("entries") or []
    if not entries:
        broken = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if not isinstance(broken, SAXParseException):
            broken = None
        if not parsed.get("version") or broken:
            raise FeedError(_not_a_feed(feed_name, base, content_type, data, broken))
        return []
    items: dict[str, Item] = {}
    for entry in entries[:MAX_ITEMS]:
        try:
            item = _item(feed_name, entry, base)
        except _CRASHES as e:
            _broken(feed_name, _text(entry.get("id")) or _text(entry.get("title")), e)
            continue
        items.setdefault(item.guid, item)
    return list(items.values())


_NAME = re.compile(rb"<(?:[\w.-]+:)?(?:guid|id|title)\b[^>]*>\s*([^<]{1,200})")


def _entry_name(raw: bytes) -> str:
    """The id or title of an entry feedparser could not read, from its bytes."""
    found = _NAME.search(raw)
    return found.group(1).decode("utf-8", "replace") if found else ""


_logged: set[tuple[str, str]] = set()


def _broken(feed_name: str, entry: str, error: Exception) -> None:
    """Log a dropped entry once per process, naming the feed and the entry."""
    name = shorten(entry, 80) or "(no id or title)"
    if (feed_name, name) in _logged:
        return
    if len(_logged) < 10_000:
        _logged.add((feed_name, name))
    logger.warning(
        "feed %r: entry %r dropped, it cannot be read (%s: %s); the others are kept, "
        "tell the publisher",
        feed_name,
        name,
        type(error).__name__,
        shorten(str(error), 200),
    )


class _ParseTimeout(BaseException):
    """Raised into a parse past its deadline.

    A BaseException, so that no `except Exception` in feedparser can swallow it.
    """


_UNTRACED = 64 * 1024
"""Documents up to this size are parsed without a deadline: the worst of 17 hostile
shapes tried (64 KB of unknown elements in one entry, in broken XML) takes 1.0 s at
this size, and most feeds are this small."""
_INTERRUPTIBLE = ("feedparser", "sgmllib", "xml.sax", "html.parser", "_markupbase", "notifier.")
"""Modules a parse may be stopped in: they hold no lock. importlib, threading, codecs or
logging, also reached from a parse, might be stopped holding one."""


@contextmanager
def _deadline(seconds: float | None, size: int) -> Iterator[None]:
    """Stop the parse run inside once `seconds` have passed, wherever it is.

    feedparser is quadratic on many shapes of input (a 1 MB entry of unknown
    elements took 100 s), and a thread cannot be killed. So this thread is traced
    while it parses: every 256th Python call checks the clock, and past the
    deadline the next call into a parsing module raises _ParseTimeout. feedparser
    and the HTML parsers are Python on top of expat, so they stop within
    milliseconds. Tracing doubles the parse time, so documents too small to be
    slow (`_UNTRACED`) are not traced. (An exception raised into the thread from
    a timer costs nothing, but lands anywhere: in importlib it left a module lock
    held, and the process hung.)
    """
    if seconds is None or size <= _UNTRACED:
        yield
        return
    end = time.monotonic() + seconds
    calls = 0
    late = False

    def check(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls, late
        calls += 1
        if not late and calls & 0xFF == 0:
            late = time.monotonic() > end
        if late and str(frame.f_globals.get("__name__", "")).startswith(_INTERRUPTIBLE):
            raise _ParseTimeout

    previous = sys.gettrace()
    sys.settrace(check)
    try:
        yield
    finally:
        sys.settrace(previous)


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
    """One entry as an Item, every field cleaned (see `clean`) and capped."""
    title = shorten(to_text(_text(entry.get("title"))[:MAX_MARKUP]), MAX_TITLE)
    link = _link(_text(entry.get("link")), base)
    bodies = [_text(c.get("value")) for c in entry.get("content") or [] if isinstance(c, Mapping)]
    summary = clean(to_text(_text(entry.get("summary"))[:MAX_MARKUP]))
    text = max([clean(to_text(b[:MAX_MARKUP])) for b in bodies if b] + [summary], key=len)
    text = _without_title(text, title)[:MAX_TEXT]
    structured = read_structured(entry, link)
    guid = _guid(one_line(_text(entry.get("id"))) or link, title, text)
    return Item(
        feed=feed_name,
        guid=episode_guid(guid, structured),
        link=link,
        title=title,
        published=_published(entry),
        text=text,
        summary=shorten(summary or text, SUMMARY_CHARS),
        structured=structured,
    )


def _link(link: str, base: str) -> str:
    """Absolute http(s) link, or "" (a javascript: or data: link must not reach a digest).

    A link longer than MAX_LINK is dropped too: cut, it would lead elsewhere.
    """
    link = "%20".join(clean(link).split())  # a space is not part of a URL, nor a line break
    if base and link:
        link = urljoin(base, link)
    scheme = urlsplit(link).scheme.lower()
    safe = scheme in ("http", "https") or (not scheme and not base)
    return link if safe and len(link) <= MAX_LINK else ""


def _guid(identity: str, title: str, text: str) -> str:
    """The entry's id or link; else a content hash, so an entry without either is stored once."""
    if identity and len(identity) <= MAX_GUID:
        return identity
    source = identity or f"{title}\n{text}"
    return "sha256:" + hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _without_title(text: str, title: str) -> str:
    """Drop a first line that repeats the title, so its figures are not counted twice."""
    first, _, rest = text[: len(title) + 1000].partition("\n")
    if title and " ".join(first.split()).casefold() == title.casefold():
        rest = text[len(first) + 1 :]
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
