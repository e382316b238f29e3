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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
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
        # gzip/deflate only: those are inflated under the size cap (see _inflate).
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
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
    """The decoded body, refused as soon as it passes `max_bytes`."""
    limit = settings.max_bytes
    too_big = (
        f"the answer is larger than {limit} bytes (fetch.max_bytes); "
        "check the URL, or raise fetch.max_bytes if this is really the feed"
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FeedError(too_big)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        chunks = _inflate(response.aiter_raw(), limit, raw_deflate=encoding == "deflate")
    elif encoding in ("", "identity"):
        chunks = response.aiter_raw()
    else:
        chunks = response.aiter_bytes()  # not asked for (see make_client); httpx decodes it
    body = bytearray()
    try:
        async for chunk in chunks:
            body += chunk
            if len(body) > limit:
                raise FeedError(too_big)
    except zlib.error as e:
        raise FeedError(f"the compressed answer is corrupt ({e})") from e
    return bytes(body)


async def _inflate(
    raw: AsyncIterator[bytes], limit: int, *, raw_deflate: bool
) -> AsyncIterator[bytes]:
    """Inflate gzip/zlib at most `limit + 1` bytes per step.

    httpx inflates each network chunk in one call, so a 64 KB chunk of a
    compression bomb becomes ~64 MB before any size check can run.
    """
    inflater = None
    async for chunk in raw:
        if inflater is None:
            # "deflate" should be zlib-wrapped (0x78...), but some servers send it bare.
            bare = raw_deflate and not chunk.startswith(b"\x78")
            inflater = zlib.decompressobj(-zlib.MAX_WBITS if bare else 32 + zlib.MAX_WBITS)
        data = chunk
        while data and not inflater.eof:
            yield inflater.decompress(data, limit + 1)
            data = inflater.unconsumed_tail


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
