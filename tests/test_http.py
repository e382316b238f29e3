"""http.py under attack: stacked encodings, decompression bombs, and the internal-address guard.

Every test fetches from a real server on 127.0.0.1 (the shared HttpServer, or a raw
asyncio server where http.server cannot produce the bytes), through the real
Fetcher and httpx, and measures what it spends where memory or time is the point.
"""

from __future__ import annotations

import gzip
import http.server
import time
import tracemalloc
import zlib
from collections.abc import Callable

import pytest
from helpers import HttpServer, encoded

from notifier.config import FeedSettings, FetchSettings
from notifier.feeds import fetch_all

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>http://news.example.org/</link>
<item><guid isPermaLink="false">a</guid><title>Floods displace 12,000 people</title>
<description>Heavy rains have displaced about 12,000 people.</description></item>
<item><guid isPermaLink="false">b</guid><title>Cholera cases rise</title><description>480 cases.</description></item>
</channel></rss>
"""


def settings(**kw: object) -> FetchSettings:
    return FetchSettings.model_validate({"timeout": 5, **kw})


def feed(name: str, url: str) -> FeedSettings:
    return FeedSettings(name=name, url=url)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6)


def spaces_gzipped(size: int) -> bytes:
    """An RSS start tag and `size` spaces, gzipped without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b"<rss version='2.0'><channel>")]
    block = b" " * (1 << 20)
    parts += [packer.compress(block) for _ in range(size >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)


# stacked encodings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "pack"),
    [
        ("gzip, gzip", lambda d: gz(gz(d))),
        ("x-gzip", gz),
        ("GZIP , Identity", gz),
        ("identity", lambda d: d),
        ("deflate, gzip", lambda d: gz(zlib.compress(d))),
        ("gzip, identity, deflate", lambda d: zlib.compress(gz(d), wbits=-zlib.MAX_WBITS)),
        ("deflate, deflate, deflate", lambda d: zlib.compress(zlib.compress(zlib.compress(d)))),
    ],
)
async def test_any_stack_of_encodings_is_decoded(
    http_server: HttpServer, header: str, pack: Callable[[bytes], bytes]
) -> None:
    http_server.routes["/rss"] = encoded(pack(RSS), header)
    [result] = await fetch_all([feed("Stacked", http_server.url("/rss"))], {}, settings())
    assert result.error is None
    assert [i.guid for i in result.items] == ["a", "b"]


async def test_encodings_in_separate_header_lines_and_multi_member_gzip(
    http_server: HttpServer,
) -> None:
    body = gz(gz(RSS[:100]) + gz(RSS[100:]))  # inner: two gzip members, one after the other

    def two_lines(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    http_server.routes["/rss"] = two_lines
    [result] = await fetch_all([feed("Lines", http_server.url("/rss"))], {}, settings())
    assert result.error is None
    assert len(result.items) == 2


async def test_gzip_gzip_bomb_is_inflated_under_the_cap(http_server: HttpServer) -> None:
    """5 KB on the wire became 6.3 GB: a stacked encoding skipped the capped inflater."""
    bomb = gz(spaces_gzipped(200 << 20))  # 200 MB of spaces, gzipped twice
    assert len(bomb) < 5_000
    http_server.routes["/bomb"] = encoded(bomb, "gzip, gzip")
    tracemalloc.start()
    start = time.monotonic()
    try:
        [result] = await fetch_all(
            [feed("Bomb", http_server.url("/bomb"))], {}, settings(max_bytes=1_000_000)
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    took = time.monotonic() - start
    assert result.error is not None
    assert "'Bomb'" in result.error
    assert "larger than 1000000 bytes (fetch.max_bytes)" in result.error
    assert peak < 12_000_000, f"peak {peak / 1e6:.0f} MB"  # was > 200 MB: the whole bomb
    assert took < 3


async def test_a_tall_stack_of_encodings_is_refused(http_server: HttpServer) -> None:
    body = RSS
    for _ in range(20):
        body = gz(body)
    http_server.routes["/tall"] = encoded(body, ", ".join(["gzip"] * 20))
    [result] = await fetch_all([feed("Tall", http_server.url("/tall"))], {}, settings())
    assert result.error is not None
    assert "20 content encodings" in result.error


@pytest.mark.parametrize("header", ["compress", "gzip, zstd-nonsense", "br"])
async def test_unknown_encoding_is_refused_with_a_clear_error(
    http_server: HttpServer, header: str
) -> None:
    http_server.routes["/rss"] = encoded(gz(RSS), header)
    [result] = await fetch_all([feed("Odd", http_server.url("/rss"))], {}, settings())
    assert result.error is not None
    assert result.error.count("\n") == 0
    assert "'Odd'" in result.error
    assert "Content-Encoding" in result.error
    assert "cannot decode" in result.error


async def test_corrupt_inner_layer(http_server: HttpServer) -> None:
    http_server.routes["/rss"] = encoded(gz(b"\x1f\x8b\x08\x00not gzip at all"), "gzip, gzip")
    [result] = await fetch_all([feed("Corrupt", http_server.url("/rss"))], {}, settings())
    assert result.error is not None
    assert "compressed answer is corrupt" in result.error
