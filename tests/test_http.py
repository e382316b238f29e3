"""http.py under attack: stacked encodings, decompression bombs, and the internal-address guard.

Every test fetches from a real server on 127.0.0.1 (the shared HttpServer, or a raw
asyncio server where http.server cannot produce the bytes), through the real
Fetcher and httpx, and measures what it spends where memory or time is the point.
"""

from __future__ import annotations

import asyncio
import gzip
import http.server
import ipaddress
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpcore
import pytest
from helpers import HttpServer, encoded, redirect

from notifier import http as notifier_http
from notifier.config import FeedSettings, FetchSettings
from notifier.feeds import add_full_text, fetch_all
from notifier.http import Fetcher
from notifier.models import Validators

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>http://news.example.org/</link>
<item><guid isPermaLink="false">a</guid><title>Floods displace 12,000 people</title>
<description>Heavy rains have displaced about 12,000 people.</description></item>
<item><guid isPermaLink="false">b</guid><title>Cholera cases rise</title><description>480 cases.</description></item>
</channel></rss>
"""


ARTICLE = b"""<!DOCTYPE html><html lang="en"><head><title>Floods</title></head><body><article>
<h1>Floods displace 12,000 people in Northern Province</h1>
<p>Heavy rains since 20 November have displaced an estimated 12,000 people across three
districts, according to the provincial disaster office, which opened 45 collective
centres in schools and public buildings.</p>
<p>At least 14 people were killed and 37 injured. Access to the worst-affected villages
remains difficult because two bridges collapsed on the main road to the district capital.</p>
</article></body></html>"""


def teaser_feed(*links: str) -> bytes:
    items = "".join(
        f'<item><guid isPermaLink="false">t{n}</guid><title>Teaser {n}</title><link>{link}</link>'
        "<description>Teaser.</description></item>"
        for n, link in enumerate(links)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


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


# the internal-address guard ------------------------------------------------------


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here may open a connection beyond 127.0.0.1/::1, whatever a resolver says."""
    real = httpcore.AnyIOBackend.connect_tcp

    async def connect_tcp(self: httpcore.AnyIOBackend, host: str, port: int, *a: Any) -> Any:
        if not ipaddress.ip_address(host).is_loopback:
            pytest.fail(f"tried to connect to {host}:{port}")
        return await real(self, host, port, *a)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect_tcp)


@pytest.fixture
def inside() -> Iterator[HttpServer]:
    """A second server on 127.0.0.1: an internal service a hostile feed would like read."""
    with HttpServer() as server:
        server.serve("/secret", SECRET_FEED)
        server.serve("/admin", b"<html><body><p>internal admin page</p></body></html>", "text/html")
        yield server


SECRET_FEED = RSS.replace(b"Floods displace", b"Internal secret:")


async def test_feed_redirecting_to_an_internal_address_is_refused(
    http_server: HttpServer, inside: HttpServer
) -> None:
    http_server.routes["/same-host"] = redirect(inside.url("/secret"))
    http_server.routes["/by-name"] = redirect(f"http://localhost:{inside.port}/secret")
    same_host, by_name = await fetch_all(
        [feed("Hop", http_server.url("/same-host")), feed("Name", http_server.url("/by-name"))],
        {},
        settings(),
    )
    for result in (same_host, by_name):
        assert result.error is not None
        assert result.error.count("\n") == 0
        assert "redirected to" in result.error
        assert "internal address (127.0.0.1)" in result.error
        assert "fetch.allow_internal" in result.error
    assert inside.requests == []


@pytest.mark.parametrize(
    "allow", ["127.0.0.1:{port}", "127.0.0.0/8", "localhost", "LOCALHOST:{port}", "::1/128"]
)
async def test_allow_internal_lets_the_operator_poll_an_internal_aggregator(
    http_server: HttpServer, inside: HttpServer, allow: str
) -> None:
    host = "127.0.0.1" if allow[0].isdigit() else "localhost"
    http_server.routes["/moved"] = redirect(f"http://{host}:{inside.port}/secret")
    entry = allow.format(port=inside.port)
    [result] = await fetch_all(
        [feed("Aggregator", http_server.url("/moved"))], {}, settings(allow_internal=[entry])
    )
    if allow == "::1/128":  # allows ::1 only: 127.0.0.1 stays refused
        assert result.error is not None
        assert "internal address" in result.error
        return
    assert result.error is None, result.error
    assert result.items[0].title.startswith("Internal secret")


async def test_allow_internal_with_a_port_allows_that_port_only(
    http_server: HttpServer, inside: HttpServer
) -> None:
    http_server.routes["/moved"] = redirect(inside.url("/secret"))
    [result] = await fetch_all(
        [feed("Aggregator", http_server.url("/moved"))],
        {},
        settings(allow_internal=[f"127.0.0.1:{inside.port + 1}"]),
    )
    assert result.error is not None
    assert "internal address" in result.error


async def test_full_text_link_to_another_port_of_the_feed_host_is_refused(
    http_server: HttpServer, inside: HttpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Links were trusted by host name: the feed's host at any port was fetched and mailed."""
    pytest.importorskip("trafilatura")
    http_server.serve("/article", ARTICLE, "text/html")
    http_server.serve("/rss", teaser_feed(inside.url("/admin"), "/article"))
    full = FeedSettings(name="Full", url=http_server.url("/rss"), fetch_full_text=True)
    async with Fetcher(settings()) as fetcher:
        [result] = await fetch_all([full], {}, settings(), fetcher=fetcher)
        hostile, own = await add_full_text(fetcher, full, result.items)
    assert hostile.text == "Teaser."
    assert "internal address (127.0.0.1)" in caplog.text
    assert inside.requests == []
    assert "Heavy rains since 20 November" in own.text  # the feed's own host and port: trusted


async def test_an_address_that_changes_between_check_and_connect_is_refused(
    http_server: HttpServer, inside: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is public when checked, internal when connected to.

    The public answer is never connected to: `loopback_only` would fail the test.
    """
    real = notifier_http._resolve
    answers = iter(["93.184.215.14"])

    async def rebinding(host: str, port: int) -> list[IPAddress]:
        if host != "news.example.org":
            return await real(host, port)
        return [ipaddress.ip_address(next(answers, "127.0.0.1"))]

    monkeypatch.setattr(notifier_http, "_resolve", rebinding)
    http_server.routes["/moved"] = redirect(f"http://news.example.org:{inside.port}/secret")
    [result] = await fetch_all([feed("Rebound", http_server.url("/moved"))], {}, settings())
    assert result.error is not None
    assert "internal address (127.0.0.1)" in result.error
    assert inside.requests == []


async def test_the_address_actually_connected_to_is_checked_on_reused_connections(
    http_server: HttpServer, inside: HttpServer
) -> None:
    """A kept-alive connection to an allowed origin is not a pass for a feed that is not allowed."""
    inside.routes["/moved"] = redirect("/secret")
    aggregator = feed("Aggregator", inside.url("/secret"))
    hostile = FeedSettings(name="Hostile", url=http_server.url("/rss"), fetch_full_text=True)
    http_server.serve("/rss", teaser_feed(inside.url("/admin"), "/article"))
    async with Fetcher(settings()) as fetcher:
        first, wire = await fetch_all([aggregator, hostile], {}, settings(), fetcher=fetcher)
        assert first.error is None
        page, _ = await add_full_text(fetcher, hostile, wire.items)
    assert page.text == "Teaser."
    assert [path for path, _ in inside.requests] == ["/secret"]


def test_allow_internal_is_checked_by_check_config() -> None:
    good = settings(allow_internal=[" Intranet.Example ", "10.0.0.0/8", "[::1]:8080", "a:80"])
    assert good.allow_internal == ("intranet.example", "10.0.0.0/8", "[::1]:8080", "a:80")
    for bad in ["10.0.0.0/33", "host:99999", "http://x/", "", "a b"]:
        with pytest.raises(ValueError, match="is not a host, host:port or network"):
            settings(allow_internal=[bad])


# slots and connections ------------------------------------------------------------


def slow_rss(
    server: HttpServer, seconds: float
) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        server.closing.wait(seconds)
        body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return route


async def test_one_host_gets_at_most_per_host_requests_at_once(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publisher's name (here resolved to the test server) is held to fetch.per_host."""
    real = notifier_http._resolve

    async def publisher(host: str, port: int) -> list[IPAddress]:
        if host == "feeds.example.org":
            return [ipaddress.ip_address("127.0.0.1")]
        return await real(host, port)

    monkeypatch.setattr(notifier_http, "_resolve", publisher)
    for n in range(6):
        http_server.routes[f"/f{n}"] = slow_rss(http_server, 0.2)
    url = f"http://feeds.example.org:{http_server.port}"
    results = await fetch_all(
        [feed(f"F{n}", f"{url}/f{n}") for n in range(6)], {}, settings(concurrency=6, per_host=2)
    )
    assert all(r.error is None for r in results), [r.error for r in results]
    assert http_server.peak == 2


async def test_a_loopback_host_is_held_to_concurrency_only(http_server: HttpServer) -> None:
    """This machine's own server: per_host is politeness to others, so it does not apply."""
    for n in range(6):
        http_server.routes[f"/f{n}"] = slow_rss(http_server, 0.3)
    results = await fetch_all(
        [feed(f"F{n}", http_server.url(f"/f{n}")) for n in range(6)],
        {},
        settings(concurrency=4, per_host=1),
    )
    assert all(r.error is None for r in results)
    assert http_server.peak > 1
    assert http_server.peak <= 4


class KeepAliveServer:
    """HTTP/1.1 with keep-alive: 304 to If-None-Match, else 200; counts the connections."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
                self.requests += 1
                if "if-none-match" in head:
                    writer.write(
                        b'HTTP/1.1 304 Not Modified\r\nETag: "1"\r\nContent-Length: 0\r\n\r\n'
                    )
                else:
                    writer.write(
                        b'HTTP/1.1 200 OK\r\nETag: "1"\r\nContent-Type: application/rss+xml\r\n'
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_a_connection_is_kept_after_a_304() -> None:
    server = KeepAliveServer()
    port = await server.start()
    feeds = [feed(f"F{n}", f"http://127.0.0.1:{port}/f{n}") for n in range(10)]
    async with Fetcher(settings(concurrency=1)) as fetcher:
        results = await fetch_all(
            feeds,
            {f.name: Validators('"1"', None) for f in feeds},
            fetcher.settings,
            fetcher=fetcher,
        )
    assert all(r.not_modified for r in results)
    assert server.requests == 10
    assert server.connections == 1
    assert server.server is not None
    server.server.close()


def test_the_slots_are_split_over_small_pools() -> None:
    """httpcore's pool walks every connection per request: pools stay at SHARD or fewer."""
    for concurrency in (1, 16, 17, 100, 128, 1024):
        sizes = notifier_http._shards(concurrency)
        assert sum(sizes) == concurrency
        assert max(sizes) <= notifier_http.SHARD
        assert max(sizes) - min(sizes) <= 1
