"""Bounded HTTP GETs, and the main text of the page an item links to.

Many feeds carry a teaser while the figures are in the article, so a feed can ask
for its linked pages (`fetch_full_text = true`). Feed fetches and page fetches go
through `download`, the one place that enforces the operator's limits (deadline,
size cap, redirects, http/https only): a hostile or broken server costs at most
`fetch.timeout` seconds and `fetch.max_bytes` bytes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx

from notifier.config import FetchSettings
from notifier.errors import FeedError
from notifier.models import Item

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'notifier[fulltext]'"
MAX_TEXT = 200_000
MAX_FULL_TEXT = 50  # linked pages fetched per feed per poll: politeness to the publisher
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = ("text/html", "application/xhtml+xml")

UrlCheck = Callable[[httpx.URL], Awaitable[None]]
Extractor = Callable[..., str | None]


@dataclass(frozen=True, slots=True)
class Download:
    """A final (non-redirect) answer; `body` is empty unless the status is 2xx."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes


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


def load_extractor() -> Extractor:
    """Return trafilatura's `extract`, imported on first use: an optional extra, slow to load."""
    try:
        import trafilatura  # noqa: PLC0415 - optional dependency
    except ImportError as e:
        raise FeedError(f"fetch_full_text = true needs trafilatura: {INSTALL_HINT}") from e
    extract: Extractor = trafilatura.extract
    return extract


async def fetch_full_text(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    *,
    trusted_host: str | None = None,
) -> str | None:
    """Main text of the page at `url` (None when it has none); FeedError when it cannot be had.

    Extraction is CPU-bound and synchronous, so it runs in a thread and the other
    fetches keep going.
    """
    extract = await asyncio.to_thread(load_extractor)
    got = await download(
        client,
        url,
        settings,
        headers={"Accept": PAGE_ACCEPT},
        check_url=partial(refuse_internal, trusted_host=trusted_host),
    )
    if not 200 <= got.status < 300:
        raise FeedError(f"{url}: HTTP {got.status} {httpx.codes.get_reason_phrase(got.status)}")
    content_type = got.headers.get("content-type", "").lower()
    if content_type and not any(kind in content_type for kind in _HTML_TYPES):
        raise FeedError(f"{url}: not an HTML page ({content_type})")
    options: dict[str, Any] = {"url": got.url, "include_comments": False, "include_tables": True}
    text = await asyncio.to_thread(extract, got.body, **options)
    if not text or not text.strip():
        return None
    return text.strip()[:MAX_TEXT]


async def add_full_text(
    client: httpx.AsyncClient,
    feed_name: str,
    items: list[Item],
    settings: FetchSettings,
    bound: asyncio.Semaphore,
    *,
    trusted_host: str | None = None,
) -> list[Item]:
    """Swap each teaser for its linked page's text when that is longer; a failure keeps the teaser.

    Page fetches share the feeds' semaphore, so `fetch.concurrency` bounds the
    whole run; only the first MAX_FULL_TEXT items are enriched, to stay polite.
    """
    try:
        await asyncio.to_thread(load_extractor)
    except FeedError as e:
        logger.warning("feed %r: full text not fetched: %s", feed_name, e)
        return items

    async def one(item: Item) -> Item:
        if not item.link:
            return item
        async with bound:
            try:
                text = await fetch_full_text(client, item.link, settings, trusted_host=trusted_host)
            except FeedError as e:
                logger.warning(
                    "feed %r: keeping the feed's text of %s: %s", feed_name, item.link, e
                )
                return item
        return dataclasses.replace(item, text=text) if text and len(text) > len(item.text) else item

    enriched = await asyncio.gather(*(one(item) for item in items[:MAX_FULL_TEXT]))
    return [*enriched, *items[MAX_FULL_TEXT:]]
