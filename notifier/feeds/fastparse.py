"""A direct read of the plain RSS 2.0 and Atom 1.0 documents most sources publish.

feedparser reads every flavour of feed, broken ones included, but it does so
with a Python callback for every element and every run of text: about 1 ms an
item, the largest cost of a first poll. Most feeds are well-formed UTF-8 RSS 2.0
or Atom 1.0 whose entries hold a handful of common elements. For those, expat
(through ElementTree, in C) builds the tree and this module reads the same
fields feedparser would, as the same entry mapping that `parse._items` reads:
title, link, id, summary, content, published_parsed and updated_parsed.

Anything this module is not sure to read exactly as feedparser does gives
None, and feedparser reads the document as before: another encoding, broken
XML, an undeclared entity, a DTD, xml:base below the root (or a relative link under
one on the root), an element of an entry it does not
know (GDACS's `gdacs:*` fields, `dc:date`, `media:*`), an Atom text construct
in XHTML, a date its parser cannot read. `tests/test_fastparse.py` checks that
both paths give the same Items on every feed it can read.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_tz
from typing import Any

__all__ = ["fast_parse"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

# What an entry may hold for this module to read it; what it reads of them is below.
_RSS_CHILDREN = frozenset(
    {"title", "link", "description", "guid", "pubDate", "category", "author", "comments"}
    | {"enclosure", "source", _CONTENT, _DC_CREATOR}
)
_ATOM_CHILDREN = frozenset(
    _ATOM + name
    for name in """title link id updated published summary content author category
    contributor rights""".split()
)
_AUTHORS = frozenset({_ATOM + "author", _ATOM + "contributor"})
_PERSON = frozenset({_ATOM + "name", _ATOM + "email", _ATOM + "uri"})
# Read by nothing here (or every one of them, links), so they may come more than once.
_REPEATABLE = frozenset({"category", "author", _ATOM + "category", _ATOM + "link"} | _AUTHORS)
_C1 = re.compile("[\x80-\x9f]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# feedparser resolves a link or a permalink id against the document's address, which
# lower-cases its scheme, joins a relative one and drops the extra slashes of "https:///":
# only those it leaves alone are read here.
_AS_IS = re.compile(r"[a-z][a-z0-9+.-]*:(?!///)")
_SPACE = re.compile(r"\s")
# The XML declaration's encoding, when it names one.
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_UTF8 = frozenset({"utf-8", "utf8"})
# The RFC 822 dates email.utils reads as feedparser does (no zone names, four-digit years).
_RFC822 = re.compile(
    r"(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} (?:[+-]\d{4}|GMT|UTC|Z)"
)
# feedparser's W3CDTF reading, for the dates an ISO parser reads the same way.
_W3CDTF = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


class _Unsure(Exception):  # noqa: N818 - a signal, not an error: feedparser takes over
    """Raised inside the reading when feedparser must read the document instead."""


def fast_parse(data: bytes, content_type: str | None) -> dict[str, Any] | None:
    """What feedparser returns (`version` and `entries` only) for a plain feed; else None."""
    if not _utf8(data, content_type) or b"<!DOCTYPE" in data[:4096]:
        return None
    try:
        root = ET.fromstring(data)  # noqa: S314 - `scan.prepare` removed any DTD: no entity can expand
        version, entries = _entries(root, data)
    except (ET.ParseError, ValueError, _Unsure):
        return None
    if not entries:
        return None  # feedparser says why a document without entries is not a feed
    return {"version": version, "entries": entries}


def _entries(root: ET.Element, data: bytes) -> tuple[str, list[dict[str, Any]]]:
    """The feed's version and its entries, or _Unsure."""
    # An xml:base on the root alone changes only relative links, which are left to feedparser.
    absolute = root.get(_XML_BASE) is not None
    if data.count(b"xml:base") != absolute:
        raise _Unsure
    if root.tag == _ATOM + "feed":
        return "atom10", [
            _absolute(_atom_entry(entry), absolute) for entry in root.iter(_ATOM + "entry")
        ]
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        raise _Unsure
    items = list(root.iter("item"))
    if len(items) != sum(1 for _ in channel.iter("item")):
        raise _Unsure  # items outside the channel: feedparser reads them too
    return "rss20", [_absolute(_rss_entry(item), absolute) for item in items]


def _absolute(entry: dict[str, Any], required: bool) -> dict[str, Any]:
    """The entry, if its link need not be resolved against an xml:base."""
    if required and entry.get("link") and not _SCHEME.match(entry["link"]):
        raise _Unsure
    return entry


def _resolved_as_is(link: str) -> str:
    """The link, if feedparser's resolving would leave it as `parse._link` reads it.

    feedparser lower-cases a scheme, takes spaces and line breaks out and drops
    the extra slashes of "https:///x"; `_link` would keep them.
    """
    if (_SCHEME.match(link) and not _AS_IS.match(link)) or _SPACE.search(link):
        raise _Unsure
    return link


def _utf8(data: bytes, content_type: str | None) -> bool:
    """True when both the HTTP charset and the XML declaration (if any) say UTF-8."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] == b"\x00\x00\xfe\xff":
        return False
    declared = _DECLARED.match(data)
    if declared is not None and declared.group(1).decode().lower() not in _UTF8:
        return False
    charset = _CHARSET.search(content_type or "")
    return charset is None or charset.group(1).lower() in _UTF8


def _text(element: ET.Element | None) -> str | None:
    """The text of an element with no child elements; None when absent."""
    if element is None:
        return None
    if len(element):
        raise _Unsure  # markup inside: feedparser keeps it as HTML, this module would not
    text = (element.text or "").strip()
    if _C1.search(text):
        raise _Unsure  # Windows-1252 or doubly encoded text, which feedparser repairs
    return text


def _children(entry: ET.Element, allowed: frozenset[str]) -> None:
    """Check that the entry holds only `allowed` elements, once each, with nothing inside.

    feedparser reads an element wherever it is nested (a <title> inside a
    <category>'s <image> is the entry's title) and keeps the last of two: both
    are left to it. Authors may hold their name, email and uri.
    """
    seen: set[str] = set()
    for child in entry:
        tag = child.tag
        if not isinstance(tag, str) or tag not in allowed or child.get(_XML_BASE) is not None:
            raise _Unsure
        if tag in _AUTHORS:
            if any(part.tag not in _PERSON or len(part) for part in child):
                raise _Unsure
        elif len(child):
            raise _Unsure
        if tag not in _REPEATABLE:
            if tag in seen:
                raise _Unsure
            seen.add(tag)


def _rss_entry(item: ET.Element) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    _children(item, _RSS_CHILDREN)
    title = _text(item.find("title"))
    if title is not None:
        entry["title"] = title
    link = _text(item.find("link"))
    if link is not None:
        entry["link"] = _resolved_as_is(link)
    guid_element = item.find("guid")
    guid = _text(guid_element)
    if guid_element is not None and guid is not None:
        entry["id"] = guid
        attributes = {name.lower(): value for name, value in guid_element.attrib.items()}
        if attributes.get("ispermalink", "true") == "true" and (not link or not _kept_as_is(guid)):
            raise _Unsure  # feedparser makes such a guid the link, or resolves it as one
    _add_bodies(entry, _text(item.find(_CONTENT)), _text(item.find("description")))
    date = _text(item.find("pubDate"))
    if date is not None:
        parsed = _rfc822(date)
        entry["published_parsed"] = entry["updated_parsed"] = parsed
    return entry


def _atom_entry(element: ET.Element) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    _children(element, _ATOM_CHILDREN)
    title = _construct(element.find(_ATOM + "title"))
    if title is not None:
        entry["title"] = title
    every = list(element.iterfind(_ATOM + "link"))
    links = [link for link in every if link.get("rel", "alternate") == "alternate"]
    if not links or any(link.get("href") is None for link in every):
        raise _Unsure  # feedparser then takes the id, another rel or the link's text
    entry["link"] = _resolved_as_is(links[0].get("href", "").strip())
    identity = _text(element.find(_ATOM + "id"))
    if identity is not None:
        if not _kept_as_is(identity):
            raise _Unsure  # feedparser resolves an Atom id as a link
        entry["id"] = identity
    content_element = element.find(_ATOM + "content")
    if content_element is not None and content_element.get("src") is not None:
        raise _Unsure
    _add_bodies(entry, _construct(content_element), _construct(element.find(_ATOM + "summary")))
    for key in ("published", "updated"):
        date = _text(element.find(_ATOM + key))
        if date is not None:
            entry[f"{key}_parsed"] = _w3cdtf(date)
    if "published_parsed" in entry and "updated_parsed" not in entry:
        entry["updated_parsed"] = entry["published_parsed"]
    return entry


def _add_bodies(entry: dict[str, Any], content: str | None, summary: str | None) -> None:
    """The entry's content and summary; feedparser gives the content as summary when none."""
    if content is not None:
        entry["content"] = [{"value": content}]
    if summary is not None or content is not None:
        entry["summary"] = content if summary is None else summary


def _kept_as_is(identifier: str) -> bool:
    """True when feedparser keeps an identifier it resolves as a link (a permalink, an Atom id)."""
    return _AS_IS.match(identifier) is not None and _SPACE.search(identifier) is None


def _construct(element: ET.Element | None) -> str | None:
    """An Atom text construct of type text or html, as feedparser gives it."""
    if element is None:
        return None
    if element.get("type", "text") not in ("text", "html"):
        raise _Unsure  # xhtml or a media type: feedparser's handling is not mirrored
    return _text(element)


def _rfc822(value: str) -> time.struct_time:
    """An RSS date as a UTC time tuple, as feedparser reads RFC 822 dates."""
    parts = parsedate_tz(value)
    if parts is None or parts[9] is None or not _RFC822.fullmatch(value):
        raise _Unsure  # a zone name, a two-digit year, no seconds: left to feedparser
    try:
        moment = datetime(*parts[:6], tzinfo=UTC)
    except ValueError as e:
        raise _Unsure from e
    return time.gmtime(moment.timestamp() - parts[9])


def _w3cdtf(value: str) -> time.struct_time:
    """An Atom date as a UTC time tuple, as feedparser reads W3C dates."""
    if not _W3CDTF.fullmatch(value):
        raise _Unsure
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as e:
        raise _Unsure from e
    return time.gmtime(int(moment.timestamp()))
