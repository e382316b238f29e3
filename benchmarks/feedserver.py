"""A loopback feed server for the benchmarks: N generated feeds, each answer delayed by L ms.

An asyncio server in a thread of the benchmark process (so it holds thousands
of connections at once), HTTP/1.1 with keep-alive, ETag and Last-Modified with
304 answers to conditional GETs, gzip when asked for (`gzip=True`). It counts
what it serves (connections, requests, 200s, 304s, bytes, the most connections
and requests open at once), so a benchmark can show how much concurrency the
client really used. Paths: /feed/<n>.xml for n in 0..N-1.
"""

from __future__ import annotations

import asyncio
import gzip as gzip_module
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from multiprocessing import get_context

import feedgen

ITEMS_PER_FEED = 30


@dataclass
class Stats:
    """What the server did since the last `reset`."""

    connections: int = 0
    open_connections: int = 0
    max_open_connections: int = 0
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    ok: int = 0
    not_modified: int = 0
    other: int = 0
    bytes_sent: int = 0
    first_request: float | None = None
    last_answer: float | None = None


@dataclass
class _Doc:
    body: bytes
    gz: bytes | None
    etag: str
    last_modified: str


def _feed_items(seed: int, feed: int, generation: int, now: datetime) -> list[feedgen.GenItem]:
    return [feedgen.make_item(seed, feed, generation, i, now) for i in range(ITEMS_PER_FEED)]


def _documents(args: tuple[int, list[int], int, datetime]) -> list[tuple[int, bytes, int, int]]:
    """Feed documents for a chunk of feeds (run in worker processes): (feed, body, items, chars)."""
    seed, feeds, generation, now = args
    out = []
    for n in feeds:
        items = _feed_items(seed, n, generation, now)
        chars = sum(len(it.text) for it in items)
        out.append((n, feedgen.feed_document(n, items), len(items), chars))
    return out


class FeedServer:
    """N generated feeds on 127.0.0.1; `advance()` gives every feed 30 new items."""

    def __init__(self, n: int, latency_ms: float, *, seed: int = 12, gzip: bool = False) -> None:
        self.n = n
        self.latency = latency_ms / 1000
        self.seed = seed
        self.gzip = gzip
        self.generation = 0
        self.stats = Stats()
        self.docs: dict[int, _Doc] = {}
        self.extra_items: dict[int, list[feedgen.GenItem]] = {}
        self.text_chars = 0
        self.items_served_per_feed = ITEMS_PER_FEED
        self._build()
        self._port: list[int] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, name="feed-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._port and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._port:
            raise RuntimeError("the feed server did not start")
        self.port = self._port[0]

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{n}.xml"

    # content -------------------------------------------------------------

    def _build(self) -> None:
        """Generate every feed's document for the current generation (in worker processes)."""
        now = datetime.now(UTC).replace(microsecond=0)
        feeds = list(range(self.n))
        workers = min(os.cpu_count() or 1, 8) if self.n >= 64 else 1
        chunks = [feeds[i :: workers * 4] for i in range(workers * 4)] if workers > 1 else [feeds]
        jobs = [(self.seed, c, self.generation, now) for c in chunks if c]
        if workers > 1:
            with ProcessPoolExecutor(workers, mp_context=get_context("forkserver")) as pool:
                results = list(pool.map(_documents, jobs))
        else:
            results = [_documents(j) for j in jobs]
        self.text_chars = 0
        stamp = format_datetime(now, usegmt=True)
        for chunk in results:
            for n, body, _, chars in chunk:
                self.text_chars += chars
                self._set(n, body, stamp)

    def _set(self, n: int, body: bytes, stamp: str) -> None:
        gz = gzip_module.compress(body, 6) if self.gzip else None
        self.docs[n] = _Doc(body, gz, f'"b{self.seed}-{n}-{self.generation}-{len(body)}"', stamp)

    def advance(self) -> None:
        """A busy day: every feed now carries 30 new items (new guids, links, titles, texts)."""
        self.generation += 1
        self._build()

    def publish(self, n: int, item: feedgen.GenItem) -> None:
        """Put one more item at the top of feed `n` (its other items stay)."""
        self.extra_items.setdefault(n, []).insert(0, item)
        now = datetime.now(UTC).replace(microsecond=0)
        items = self.extra_items[n] + _feed_items(self.seed, n, self.generation, now)
        doc = feedgen.feed_document(n, items)
        self.docs[n] = _Doc(
            doc,
            gzip_module.compress(doc, 6) if self.gzip else None,
            f'"p{self.seed}-{n}-{self.generation}-{len(self.extra_items[n])}"',
            format_datetime(now, usegmt=True),
        )

    def reset_stats(self) -> Stats:
        old, self.stats = self.stats, Stats()
        return old

    # HTTP ----------------------------------------------------------------

    def _serve(self) -> None:
        async def main() -> None:
            server = await asyncio.start_server(
                self._connection, "127.0.0.1", 0, backlog=8192, limit=1 << 16
            )
            self._loop = asyncio.get_running_loop()
            self._port.append(server.sockets[0].getsockname()[1])
            async with server:
                await server.serve_forever()

        asyncio.run(main())

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        s = self.stats
        s.connections += 1
        s.open_connections += 1
        s.max_open_connections = max(s.max_open_connections, s.open_connections)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    break
                close = await self._answer(head, writer)
                if close:
                    break
        except ConnectionError:
            pass
        finally:
            self.stats.open_connections -= 1
            writer.close()

    async def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        s = self.stats
        now = time.monotonic()
        s.requests += 1
        s.first_request = s.first_request or now
        s.in_flight += 1
        s.max_in_flight = max(s.max_in_flight, s.in_flight)
        lines = head.decode("latin-1").split("\r\n")
        method, _, rest = lines[0].partition(" ")
        path = rest.partition(" ")[0]
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        doc = None
        if path.startswith("/feed/") and path.endswith(".xml"):
            try:
                doc = self.docs.get(int(path[6:-4]))
            except ValueError:
                doc = None
        try:
            await asyncio.sleep(self.latency)
        finally:
            s.in_flight -= 1
        close = headers.get("connection", "").lower() == "close"
        if doc is None or method not in ("GET", "HEAD"):
            out = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            s.other += 1
        elif self._not_modified(doc, headers):
            out = (
                f"HTTP/1.1 304 Not Modified\r\nETag: {doc.etag}\r\n"
                f"Last-Modified: {doc.last_modified}\r\n\r\n"
            ).encode()
            s.not_modified += 1
        else:
            gz = doc.gz is not None and "gzip" in headers.get("accept-encoding", "")
            body = doc.gz if gz and doc.gz is not None else doc.body
            encoding = "Content-Encoding: gzip\r\n" if gz else ""
            out = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                f"ETag: {doc.etag}\r\nLast-Modified: {doc.last_modified}\r\n{encoding}"
                f"Date: {format_datetime(datetime.now(UTC), usegmt=True)}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + (body if method == "GET" else b"")
            s.ok += 1
        writer.write(out)
        await writer.drain()
        s.bytes_sent += len(out)
        s.last_answer = time.monotonic()
        return close

    @staticmethod
    def _not_modified(doc: _Doc, headers: dict[str, str]) -> bool:
        if "if-none-match" in headers:  # RFC 9110: If-None-Match wins over If-Modified-Since
            return doc.etag in [t.strip() for t in headers["if-none-match"].split(",")]
        return headers.get("if-modified-since") == doc.last_modified


async def _self_test(port: int, n: int, connections: int) -> tuple[float, int, int]:
    """`connections` clients at once, each GETting a feed and then its 304: (wall, 200s, 304s)."""

    async def client(i: int) -> tuple[int, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        path = f"/feed/{i % n}.xml"
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        fields = dict(
            line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line
        )
        await reader.readexactly(int(fields["Content-Length"]))
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nIf-None-Match: {fields['ETag']}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        second = await reader.read()
        writer.close()
        return int(head.split()[1]), int(second.split()[1])

    t0 = time.monotonic()
    codes = await asyncio.gather(*(client(i) for i in range(connections)))
    wall = time.monotonic() - t0
    return wall, sum(a == 200 for a, _ in codes), sum(b == 304 for _, b in codes)


if __name__ == "__main__":
    import sys

    feeds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    server = FeedServer(feeds, 200)
    wall, ok, not_modified = asyncio.run(_self_test(server.port, feeds, clients))
    s = server.stats
    print(
        f"{clients} clients at once, two requests each at 200 ms: {wall:.2f} s wall "
        f"(2 x 0.2 s at full concurrency); {ok} x 200, {not_modified} x 304; most connections "
        f"open at once {s.max_open_connections}, most requests in flight {s.max_in_flight}"
    )
