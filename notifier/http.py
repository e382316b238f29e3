"""HTTP for every fetch: one client, the operator's limits, redirects and the address guard.

Feeds and the pages items link to are fetched through `Fetcher.get`, the one
place that enforces `[fetch]`: a deadline per request, a size cap that holds
for compressed answers too, redirects followed hop by hop (http/https only,
each hop checked), and a bound on requests in flight. A hostile or broken
server costs at most `fetch.timeout` seconds and `fetch.max_bytes` bytes.
What the bytes mean (a feed, a page) is for `feeds` and `fulltext` to say.
"""

from __future__ import annotations

import asyncio
import ipaddress
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType

import httpx

from notifier.config import FetchSettings
from notifier.errors import FeedError

_REDIRECTS = frozenset({301, 302, 303, 307, 308})

UrlCheck = Callable[[httpx.URL], Awaitable[None]]
"""Called on every URL before it is requested, redirects included; raises FeedError to refuse."""


@dataclass(frozen=True, slots=True)
class Download:
    """A final (non-redirect) answer; `body` is empty unless the status is 2xx."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """One HTTP client for a whole poll, shared by feeds and their linked pages.

    `fetch.concurrency` bounds the requests in flight across both, so a feed
    that asks for its full texts cannot take every slot from the others.
    """

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.client = make_client(settings)
        self._gate = asyncio.Semaphore(settings.concurrency)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.client.aclose()

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        check_url: UrlCheck | None = None,
    ) -> Download:
        """GET `url` under the fetch limits, waiting for a free slot first."""
        async with self._gate:
            return await download(
                self.client, url, self.settings, headers=headers, check_url=check_url
            )


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """An httpx client whose pool matches `fetch.concurrency`, so no request queues in the pool."""
    return httpx.AsyncClient(
        # only what _read_capped undoes under the size cap
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        ),
        follow_redirects=False,  # download() follows them itself, checking each hop
    )


async def download(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    *,
    headers: Mapping[str, str] | None = None,
    check_url: UrlCheck | None = None,
) -> Download:
    """GET `url` under the fetch limits; raise FeedError saying what to check.

    Redirects are followed here rather than by httpx so that every hop is held to
    http/https and, for links taken from feeds, to `check_url`. An HTTP error
    status is returned, not raised: the caller words it for its own context.
    """
    try:
        target = httpx.URL(url)
        async with asyncio.timeout(settings.timeout):
            for _ in range(settings.max_redirects + 1):
                if target.scheme not in ("http", "https"):
                    raise FeedError(f"{target}: only http and https URLs can be fetched")
                if not target.host:
                    raise FeedError(f"{target}: no host name; check the address in the config")
                if check_url is not None:
                    await check_url(target)
                async with client.stream(
                    "GET", target, headers=headers, follow_redirects=False
                ) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        target = response.url.join(location)
                        continue
                    body = await _read_capped(response, settings) if response.is_success else b""
                    return Download(str(response.url), response.status_code, response.headers, body)
            raise FeedError(
                f"more than {settings.max_redirects} redirects (fetch.max_redirects); "
                "open the URL in a browser and put the final address in the config"
            )
    except (TimeoutError, httpx.TimeoutException) as e:
        raise FeedError(
            f"no complete answer within {settings.timeout:g} s (fetch.timeout); "
            "the server is down or too slow, it will be tried again on the next poll"
        ) from e
    except httpx.ConnectError as e:
        raise FeedError(_connect_problem(e)) from e
    except httpx.InvalidURL as e:
        raise FeedError(f"not a valid URL ({e}); check the address in the config") from e
    except (httpx.HTTPError, OSError) as e:
        raise FeedError(f"the connection failed: {e or type(e).__name__}") from e


def _connect_problem(error: httpx.ConnectError) -> str:
    text = str(error) or type(error).__name__
    if any(word in text for word in ("SSL", "TLS", "CERTIFICATE", "certificate")):
        return (
            f"TLS/certificate error ({text}); check the https address and the server's certificate"
        )
    return f"cannot connect ({text}); check the host name and that the server is up"


async def _read_capped(response: httpx.Response, settings: FetchSettings) -> bytes:
    """The decoded body, refused as soon as it, or any layer of its encodings, passes `max_bytes`.

    Every Content-Encoding is undone here, layer by layer, from the raw bytes: httpx
    would inflate a whole network chunk in one call, and through every layer of a
    stacked encoding ("gzip, gzip"), before any size check could run.
    """
    limit = settings.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FeedError(_too_big(limit))
    layers = _decoders(response.headers.get_list("content-encoding", split_commas=True))
    body = bytearray()
    try:
        async for chunk in response.aiter_raw():
            for piece in _undo(layers, chunk, limit):
                body += piece
                if len(body) > limit:
                    raise FeedError(_too_big(limit))
        for piece in _finish(layers, limit):
            body += piece
            if len(body) > limit:
                raise FeedError(_too_big(limit))
    except zlib.error as e:
        raise FeedError(f"the compressed answer is corrupt ({e})") from e
    return bytes(body)


def _too_big(limit: int) -> str:
    return (
        f"the answer is larger than {limit} bytes (fetch.max_bytes); "
        "check the URL, or raise fetch.max_bytes if this is really the feed"
    )


_CHUNK = 64 * 1024
"""Most bytes one layer of decoding hands on at a time."""
MAX_ENCODINGS = 8
"""Compressing layers accepted on one answer; real servers use one."""
ACCEPT_ENCODING = "gzip, deflate"
"""What make_client asks for: the encodings _Inflater undoes under the size cap."""


class _Inflater:
    """One gzip or deflate layer, undone in pieces of at most _CHUNK bytes.

    Whatever a layer puts out is counted against the limit too, so a stack of
    layers whose inner ones only inflate into more compressed (or empty) data
    costs at most `max_bytes` of work per layer, not unbounded CPU.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.gzip = name != "deflate"
        self.head = b""  # the first bytes, until "deflate" can tell zlib from raw
        self.inflater: zlib._Decompress | None = None
        self.done = False
        self.out = 0

    def feed(self, data: bytes, limit: int, *, last: bool = False) -> Iterator[bytes]:
        if self.inflater is None:
            self.head += data
            if len(self.head) < 2 and not last:
                return  # "deflate" needs two bytes to tell zlib from raw
            data, self.head = self.head, b""
            self.inflater = zlib.decompressobj(self._wbits(data))
        while data and not self.done:
            if self.inflater.eof:
                # gzip may be several members back to back; anything else after the end is padding
                if not (self.gzip and data.startswith(b"\x1f\x8b")):
                    self.done = True
                    return
                self.inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)
            piece = self.inflater.decompress(data, _CHUNK)
            data = self.inflater.unused_data if self.inflater.eof else self.inflater.unconsumed_tail
            yield from self._counted(piece, limit)

    def finish(self, limit: int) -> Iterator[bytes]:
        yield from self.feed(b"", limit, last=True)
        if self.inflater is not None and not self.done:
            yield from self._counted(self.inflater.flush(_CHUNK), limit)

    def _counted(self, piece: bytes, limit: int) -> Iterator[bytes]:
        self.out += len(piece)
        if self.out > limit:
            raise FeedError(_too_big(limit))
        if piece:
            yield piece

    def _wbits(self, start: bytes) -> int:
        if self.gzip:
            return 32 + zlib.MAX_WBITS  # gzip, or zlib from a server that mislabels it
        # "deflate" should be zlib-wrapped (RFC 9110), but some servers send it bare.
        zlib_header = (
            len(start) >= 2 and start[0] & 0x0F == 8 and (start[0] << 8 | start[1]) % 31 == 0
        )
        return zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS


def _decoders(encodings: list[str]) -> list[_Inflater]:
    """The layers to undo, outermost (last applied) first; FeedError for one we cannot undo."""
    names = [e.strip().lower() for e in encodings]
    names = [n for n in names if n and n != "identity"]
    unknown = sorted({n for n in names if n not in ("gzip", "x-gzip", "deflate")})
    if unknown:
        raise FeedError(
            f"the server sent Content-Encoding {', '.join(unknown)}, which notifier cannot "
            f"decode (it asks for {ACCEPT_ENCODING}); the server is misconfigured, tell its owner"
        )
    if len(names) > MAX_ENCODINGS:
        raise FeedError(
            f"the answer is wrapped in {len(names)} content encodings (at most {MAX_ENCODINGS} "
            "are undone); the server is broken or hostile, tell the publisher"
        )
    return [_Inflater(n) for n in reversed(names)]


def _undo(layers: list[_Inflater], data: bytes, limit: int) -> Iterator[bytes]:
    """`data` through every layer, lazily: one piece per layer is alive at a time."""
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data, limit):
        yield from _undo(layers[1:], piece, limit)


def _finish(layers: list[_Inflater], limit: int) -> Iterator[bytes]:
    """What the layers still hold once the raw body has ended, flushed outermost first."""
    for n, layer in enumerate(layers):
        for piece in layer.finish(limit):
            yield from _undo(layers[n + 1 :], piece, limit)


async def refuse_internal(url: httpx.URL, *, trusted_host: str | None = None) -> None:
    """Refuse links to loopback, private or link-local addresses.

    Item links come from whoever writes the feed; without this a feed could make
    notifier read an intranet page or a cloud metadata endpoint and mail it out.
    The feed's own host is trusted because the operator configured it.
    """
    host = url.host
    if not host or host == trusted_host:
        return
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        infos = await asyncio.get_running_loop().getaddrinfo(host, url.port or 80)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        plain = address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            plain = address.ipv4_mapped
        if not plain.is_global:
            raise FeedError(f"{url}: refused, {host} is an internal address ({address})")
