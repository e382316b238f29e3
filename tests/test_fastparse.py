"""The direct reader of plain feeds gives the Items feedparser gives, or leaves the feed to it.

Each feed here is parsed twice by `parse_feed`: as shipped, and with the fast
path turned off. The Items must be equal; the feeds the fast path must not read
(it cannot be sure to read them as feedparser does) must be left to feedparser.
"""

from __future__ import annotations

import random

import pytest

from notifier.feeds import parse
from notifier.feeds.fastparse import fast_parse
from notifier.feeds.scan import prepare
from notifier.models import Item

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:g="http://example.org/g" {root}>
<channel><title>Lakeside relief wire</title><link>http://relief.example.org/</link>
{items}
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency updates</title>
<id>urn:agency</id><updated>2026-03-02T08:00:00Z</updated>
{items}
</feed>"""

PLAIN_RSS = """<item><title>Floods displace 4,200 in Lower Marsh</title>
<link>http://relief.example.org/a/1</link><guid isPermaLink="false">wire-1</guid>
<pubDate>Mon, 02 Mar 2026 07:15:00 +0100</pubDate><category>Floods</category>
<author>desk@relief.example.org (Desk)</author><dc:creator>Desk</dc:creator>
<description>Short: 4,200 displaced.</description>
<content:encoded><![CDATA[<p>Floods displace 4,200 in Lower Marsh</p>
<p>Some 4,200 people have fled their homes, the district office said.</p>]]></content:encoded>
</item>
<item><title>Aid &amp; shelter: 300 families &lt;b&gt;sheltered&lt;/b&gt;</title>
<link>/a/2</link>
<description>&lt;p&gt;About 300 families are sheltering in two schools.&lt;/p&gt;</description>
<pubDate>Sun, 01 Mar 2026 23:59:59 GMT</pubDate></item>
<item><title>Only content</title><link>http://relief.example.org/a/3</link>
<content:encoded><![CDATA[Only content here: 12 people were injured.]]></content:encoded></item>"""

PLAIN_ATOM = """<entry><title type="html">Cyclone: &lt;i&gt;9,000&lt;/i&gt; evacuated</title>
<link rel="alternate" href="http://agency.example.org/u/1"/>
<link rel="enclosure" href="http://agency.example.org/u/1.pdf"/>
<id>urn:agency:1</id><updated>2026-03-01T10:00:00+02:00</updated>
<author><name>Press office</name><email>press@agency.example.org</email></author>
<summary>About 9,000 people were evacuated.</summary>
<content type="html">&lt;p&gt;About 9,000 people were evacuated ahead of the cyclone.&lt;/p&gt;</content>
</entry>
<entry><title>Plain title</title><link href="http://agency.example.org/u/2"/><id>urn:agency:2</id>
<published>2026-02-28T21:30:05.250Z</published><updated>2026-03-01T06:00:00Z</updated>
<content type="text">Fighting killed 14 people &lt; and 20 were hurt.</content></entry>"""

FAST = [
    pytest.param(RSS.format(root="", items=PLAIN_RSS), id="rss"),
    pytest.param(ATOM.format(items=PLAIN_ATOM), id="atom"),
    pytest.param(
        RSS.format(root='xml:base="http://relief.example.org/en/"', items=PLAIN_RSS).replace(
            "<link>/a/2</link>", "<link>http://relief.example.org/a/2</link>"
        ),
        id="rss-with-a-root-xml-base-and-absolute-links",
    ),
]


def rss(old: str = "", new: str = "", root: str = "") -> str:
    """The plain RSS feed, with `old` replaced by `new` in its items."""
    return RSS.format(root=root, items=PLAIN_RSS.replace(old, new) if old else PLAIN_RSS)


def atom(old: str, new: str) -> str:
    """The plain Atom feed, with `old` replaced by `new` in its entries."""
    return ATOM.format(items=PLAIN_ATOM.replace(old, new))


GUID = 'isPermaLink="false">wire-1'
SLOW = [
    pytest.param(rss(GUID, ">wire-1"), id="a-relative-permalink-guid"),
    pytest.param(rss(GUID, ">HTTP://Relief.example.org/1"), id="a-permalink-guid-capital-scheme"),
    pytest.param(atom("<id>urn:agency:2</id>", "<id>updates/2</id>"), id="a-relative-atom-id"),
    pytest.param(
        rss("<category>Floods</category>", "<g:level>Red</g:level>"),
        id="an-element-of-another-namespace",
    ),
    pytest.param(
        rss("<dc:creator>Desk</dc:creator>", "<dc:date>2026-03-02</dc:date>"), id="dc-date"
    ),
    pytest.param(
        rss(root='xml:base="http://relief.example.org/en/"'), id="relative-link-under-xml-base"
    ),
    pytest.param(rss("+0100", "EST"), id="a-date-with-a-zone-name"),
    pytest.param(rss("Short: 4,200 displaced.", "Don&#146;t"), id="windows-1252-reference"),
    pytest.param(
        rss("<category>Floods</category>", "<category>F<image><title>X</title></image></category>"),
        id="a-title-nested-in-a-category",
    ),
    pytest.param(rss().replace('encoding="utf-8"', 'encoding="iso-8859-1"'), id="latin-1"),
    pytest.param(
        atom(
            "<updated>2026-03-01T06:00:00Z</updated>",
            "<updated>2026-03-01T06:00:00Z</updated><updated>2026-03-02T06:00:00Z</updated>",
        ),
        id="two-updated-dates",
    ),
    pytest.param(
        atom(
            "<title>Plain title</title>",
            '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X</div></title>',
        ),
        id="xhtml-title",
    ),
    pytest.param(
        atom('<link href="http://agency.example.org/u/2"/>', ""), id="atom-entry-without-a-link"
    ),
    pytest.param(rss().replace("</channel>", "<item><title>broken</channel>"), id="broken-xml"),
]


def _both(
    document: str, monkeypatch: pytest.MonkeyPatch, content_type: str | None
) -> tuple[list[Item], list[Item]]:
    data = document.encode("utf-8")
    fast = parse.parse_feed(
        "wire", data, content_type=content_type, url="http://relief.example.org/feed.xml"
    )
    monkeypatch.setattr(parse, "fast_parse", lambda data, content_type: None)
    slow = parse.parse_feed(
        "wire", data, content_type=content_type, url="http://relief.example.org/feed.xml"
    )
    return fast, slow


@pytest.mark.parametrize("document", FAST)
def test_plain_feed_is_read_directly_and_as_feedparser_reads_it(
    document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fast_parse(prepare(document.encode(), parse.MAX_ITEMS), None) is not None
    fast, slow = _both(document, monkeypatch, "application/rss+xml; charset=utf-8")
    assert fast == slow
    assert len(fast) >= 2
    assert all(item.published is not None for item in fast[:2])


@pytest.mark.parametrize("document", SLOW)
def test_other_feeds_are_left_to_feedparser(document: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast_parse(prepare(document.encode(), parse.MAX_ITEMS), None) is None
    try:
        fast, slow = _both(document, monkeypatch, None)
    except parse.FeedError:
        return  # neither path reads it
    assert fast == slow


def test_a_latin_1_charset_in_the_header_leaves_the_feed_to_feedparser() -> None:
    data = RSS.format(root="", items=PLAIN_RSS).encode()
    assert (
        fast_parse(prepare(data, parse.MAX_ITEMS), "application/rss+xml; charset=ISO-8859-1")
        is None
    )


PIECES = [
    b"&amp;", b"&#150;", b"\xc3\xa9", b"<b>x</b>", b"<![CDATA[<p>y</p>]]>", b"\n", b"&lt;i&gt;",
    b"<category>c</category>", b"<dc:date>2026-01-01</dc:date>", b'xml:base="/x/"',
    b"<link>/rel/a</link>", b"<guid>g</guid>", b"<pubDate>Mon, 02 Mar 2026 10:00:00 EST</pubDate>",
    b"<updated>2026-01-01T00:00:00Z</updated>", b"<id>urn:x</id>", b'<link href="/x"/>',
    b'<content type="xhtml"><div>x</div></content>', b"HTTP://", b" isPermaLink=\"true\"",
]  # fmt: skip


def test_mutated_feeds_read_directly_give_what_feedparser_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Feeds broken or bent at random: where the direct reader takes one, both paths agree."""
    rnd = random.Random(2026)
    bases = [RSS.format(root="", items=PLAIN_RSS).encode(), ATOM.format(items=PLAIN_ATOM).encode()]
    taken = 0
    for _ in range(1500):
        data = bytearray(rnd.choice(bases))
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(len(data))
            if rnd.random() < 0.6:
                data[at:at] = rnd.choice(PIECES)
            else:
                del data[at : at + rnd.randint(1, 20)]
        document = bytes(data)
        if fast_parse(prepare(document, parse.MAX_ITEMS), None) is None:
            continue
        taken += 1
        fast = parse.parse_feed("wire", document, url="http://relief.example.org/feed.xml")
        with monkeypatch.context() as m:
            m.setattr(parse, "fast_parse", lambda data, content_type: None)
            slow = parse.parse_feed("wire", document, url="http://relief.example.org/feed.xml")
        assert fast == slow, document
    assert taken > 100
