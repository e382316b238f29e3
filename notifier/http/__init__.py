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
import contextlib
import contextvars
import functools
import ipaddress
import socket
import ssl
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType

import httpcore
import httpx

from notifier.config import FetchSettings
from notifier.errors import FeedError
from notifier.http.decode import ACCEPT_ENCODING, decoders, finish, too_big, undo

_REDIRECTS = frozenset({301, 302, 303, 307, 308})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


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
    that asks for its full texts cannot take every slot from the others; and
    `fetch.per_host` bounds those to one host and port, so a publisher with many
    feeds is not hit by all of them at once, and one slow host cannot hold every
    slot while the others wait. A loopback host is this machine (a local
    aggregator, a test server): no one else's server to be polite to, so only
    `fetch.concurrency` holds it.
    """

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.clients = [make_client(settings, size) for size in _shards(settings.concurrency)]
        self._busy = [0] * len(self.clients)
        self.allowed = AllowList.parse(settings.allow_internal)
        self._gate = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[tuple[str, int], asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for client in self.clients:
            await client.aclose()

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        trusted: str | None = None,
    ) -> Download:
        """GET `url` under the fetch limits, waiting for a free slot first.

        `trusted` is the feed URL the operator configured: its host and port may be
        internal. Every other address, on every hop, must be public or allowed by
        `fetch.allow_internal`.
        """
        guard = Guard(self.allowed, _origin(trusted) if trusted else None)
        async with self._host_gate(url), self._gate:
            shard = min(range(len(self.clients)), key=self._busy.__getitem__)
            self._busy[shard] += 1
            try:
                return await download(
                    self.clients[shard], url, self.settings, headers=headers, guard=guard
                )
            finally:
                self._busy[shard] -= 1

    def _host_gate(self, url: str) -> asyncio.Semaphore | contextlib.nullcontext[None]:
        """The slots of `url`'s host and port (of the first hop: redirects go where they go)."""
        origin = _origin(url)
        if origin is None or _loopback(origin[0]):
            return contextlib.nullcontext()
        gate = self._hosts.get(origin)
        if gate is None:
            gate = self._hosts[origin] = asyncio.Semaphore(self.settings.per_host)
        return gate


SHARD = 16
"""Connections in one client's pool. httpcore's pool walks all its connections and all its
waiting requests whenever a request starts or ends: at 128 connections that walk took
43 % of an all-304 poll's CPU. So the slots of `fetch.concurrency` are split over clients
of at most SHARD connections each."""


def _shards(concurrency: int) -> list[int]:
    """The pool size of each client: `concurrency` split into pools of at most SHARD.

    Every pool may hold connections to any host, so keep-alive works in each; a
    request goes to the pool with the fewest requests in flight (see Fetcher.get).
    """
    count = -(-concurrency // SHARD)
    return [concurrency // count + (1 if n < concurrency % count else 0) for n in range(count)]


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One context for every client of the process: loading the CA bundle takes 20 ms.

    A poll makes a client per pool shard (eight at the default concurrency),
    and each used to load the bundle twice, for its transport and its pool.
    """
    return httpx.create_ssl_context()


def make_client(settings: FetchSettings, size: int | None = None) -> httpx.AsyncClient:
    """An httpx client whose pool holds `size` connections (`fetch.concurrency` by default).

    Its connections are opened by `_GuardedBackend`, which resolves each host itself
    and connects only to an address the request's Guard allows (see download).
    """
    size = size or settings.concurrency
    context = _ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=context)
    # httpx takes no network backend; its transport's pool is replaced by one that has ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=size,
        max_keepalive_connections=size,
        keepalive_expiry=5.0,
        network_backend=_GuardedBackend(),
    )
    return httpx.AsyncClient(
        # only what _read_capped undoes under the size cap
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(settings.timeout),
        transport=transport,
        follow_redirects=False,  # download() follows them itself, checking each hop
    )


async def download(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    *,
    headers: Mapping[str, str] | None = None,
    guard: Guard | None = None,
) -> Download:
    """GET `url` under the fetch limits; raise FeedError saying what to check.

    Redirects are followed here rather than by httpx so that every hop is held to
    http/https and to the `guard` (no trust at all without one). An HTTP error
    status is returned, not raised: the caller words it for its own context.
    """
    token = _GUARD.set(guard or Guard(AllowList(), None))  # read by _GuardedBackend
    hops = 0
    target = httpx.URL()
    try:
        target = httpx.URL(url)
        async with asyncio.timeout(settings.timeout):
            for hops in range(settings.max_redirects + 1):  # noqa: B007 - read by the except
                if target.scheme not in ("http", "https"):
                    raise FeedError(f"{target}: only http and https URLs can be fetched")
                if not target.host:
                    raise FeedError(f"{target}: no host name; check the address in the config")
                port = target.port or (443 if target.scheme == "https" else 80)
                await _GUARD.get().check_name(target.host, port)
                async with client.stream("GET", target, headers=headers) as response:
                    _GUARD.get().check_peer(target.host, port, response)
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        await _drain(response)
                        target = response.url.join(location)
                        continue
                    if not response.is_success:
                        await _drain(response)
                        return Download(
                            str(response.url), response.status_code, response.headers, b""
                        )
                    body = await _read_capped(response, settings)
                    return Download(str(response.url), response.status_code, response.headers, body)
            raise FeedError(
                f"more than {settings.max_redirects} redirects (fetch.max_redirects); "
                "open the URL in a browser and put the final address in the config"
            )
    except Refused as e:
        raise FeedError(e.explain(target, redirected=hops > 0)) from e
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
    finally:
        _GUARD.reset(token)


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
        raise FeedError(too_big(limit))
    layers = decoders(response.headers.get_list("content-encoding", split_commas=True))
    body = bytearray()
    try:
        async for chunk in response.aiter_raw():
            body += b"".join(undo(layers, chunk, limit))  # each layer stops at the limit
            if len(body) > limit:
                raise FeedError(too_big(limit))
        body += b"".join(finish(layers, limit))
    except zlib.error as e:
        raise FeedError(f"the compressed answer is corrupt ({e})") from e
    return bytes(body)


_DRAIN = 64 * 1024
"""Bytes of an error page (or of a 304's empty body) read to keep the connection open."""


async def _drain(response: httpx.Response) -> None:
    """Read and drop a body we do not want, so the connection can serve the next request.

    A response closed before its body was read takes its connection down with it:
    every 304 of a poll would cost a new connection. A body longer than _DRAIN
    is not worth reading: its connection is closed instead.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _DRAIN:
        return
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > _DRAIN:
            return


# the internal-address guard ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllowList:
    """`fetch.allow_internal`, parsed: host names, (host, port) pairs and networks."""

    hosts: frozenset[str] = frozenset()
    host_ports: frozenset[tuple[str, int]] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: tuple[str, ...]) -> AllowList:
        """Entries as config.check_allow_internal normalised them."""
        hosts, host_ports, networks = set(), set(), []
        for entry in entries:
            host, port = entry, ""
            if "/" in entry:
                networks.append(ipaddress.ip_network(entry))
                continue
            if entry.startswith("["):
                host, _, port = entry[1:].partition("]:")
            elif entry.count(":") == 1:
                host, port = entry.split(":")
            if port:
                host_ports.add((host, int(port)))
            elif _ip(host) is not None:
                networks.append(ipaddress.ip_network(host))
            else:
                hosts.add(host)
        return cls(frozenset(hosts), frozenset(host_ports), tuple(networks))

    def allows(self, host: str, port: int, address: IPAddress | None = None) -> bool:
        """True when the host, the host and port, or the address is listed."""
        host = host.lower()
        if host in self.hosts or (host, port) in self.host_ports:
            return True
        if address is None:
            return False
        return (str(address), port) in self.host_ports or any(
            address in network for network in self.networks
        )


class Refused(Exception):  # noqa: N818 - a refusal, not an error of ours
    """A hop to an internal address that neither the feed's URL nor the allow-list covers."""

    def __init__(self, host: str, port: int, address: IPAddress) -> None:
        super().__init__(f"{host}:{port} is internal ({address})")
        self.host, self.port, self.address = host, port, address

    def explain(self, url: httpx.URL, *, redirected: bool) -> str:
        """One line for the operator: what was refused, and the allow-list entry to pass it."""
        where = f"redirected to {url}, " if redirected else f"{url} is "
        entry = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        return (
            f"{where}an internal address ({self.address}): refused; if you trust it, "
            f'add "{entry}" to fetch.allow_internal'
        )


@dataclass(frozen=True, slots=True)
class Guard:
    """What one request may reach: the trusted origin (host, port), the allow-list, public IPs.

    Checked three times, so that neither a redirect, a changing DNS answer nor a
    kept-alive connection gets past it: by name and resolved addresses before the
    request (`check_name`), on the address a new connection is actually opened to
    (`_GuardedBackend`, which connects to the address it checked: no second lookup
    to rebind), and on the peer of the connection the answer came on (`check_peer`).
    """

    allowed: AllowList
    trusted: tuple[str, int] | None

    def allows(self, host: str, port: int, address: IPAddress | None = None) -> bool:
        """By name alone when `address` is None, else by name or address."""
        if self.trusted == (host.lower(), port) or self.allowed.allows(host, port, address):
            return True
        return address is not None and _public(address)

    async def check_name(self, host: str, port: int) -> None:
        """Refused unless the name is trusted or every address it resolves to is allowed."""
        if self.allows(host, port):
            return
        for address in await _resolve(host, port):
            if not self.allows(host, port, address):
                raise Refused(host, port, address)

    def check_peer(self, host: str, port: int, response: httpx.Response) -> None:
        """Refused unless the connection `response` came on is to an allowed address."""
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        address = _ip(str(peer[0])) if isinstance(peer, tuple) and peer else None
        if address is not None and not self.allows(host, port, address):
            raise Refused(host, port, address)


_GUARD: contextvars.ContextVar[Guard] = contextvars.ContextVar("notifier_http_guard")


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens each connection to an address the current request's Guard allows, and to no other.

    The host is resolved here and the connection made to the address checked,
    so a DNS answer that changes between check and connect (rebinding) changes nothing.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        guard = _GUARD.get(None) or Guard(AllowList(), None)
        addresses = await _resolve(host, port)
        allowed = [a for a in addresses if guard.allows(host, port, a)]
        if not allowed:
            raise Refused(host, port, addresses[0])
        failure: Exception | None = None
        for address in allowed:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                failure = e
        assert failure is not None  # noqa: S101 - allowed is not empty
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - notifier never asks for one
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` stands for, in the resolver's order; ConnectError when it has none."""
    literal = _ip(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise httpcore.ConnectError(f"cannot resolve {host} ({e})") from e
    found = (_ip(str(info[4][0])) for info in infos)
    addresses = list(dict.fromkeys(a for a in found if a is not None))
    if not addresses:
        raise httpcore.ConnectError(f"no address for {host}")
    return addresses


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", maxsplit=1)[0].strip("[]"))
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    """True for a name or address of this machine: "localhost", 127.0.0.0/8, ::1."""
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global


def _origin(url: httpx.URL | str) -> tuple[str, int] | None:
    """(host, port) with the scheme's default port filled in; None for a URL that is not one."""
    try:
        url = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    return url.host.lower(), url.port or (443 if url.scheme == "https" else 80)
