"""Content-Encoding undone under the size cap, layer by layer: what `_read_capped` reads through.

httpx would inflate a whole network chunk in one call, and through every layer
of a stacked encoding ("gzip, gzip"), before any size check could run; so the
raw bytes are decoded here, in pieces of bounded size, each counted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from notifier.errors import FeedError


def too_big(limit: int) -> str:
    """The operator's line for an answer over `fetch.max_bytes`."""
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
            raise FeedError(too_big(limit))
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


def decoders(encodings: list[str]) -> list[_Inflater]:
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


def undo(layers: list[_Inflater], data: bytes, limit: int) -> Iterator[bytes]:
    """`data` through every layer, lazily: one piece per layer is alive at a time."""
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data, limit):
        yield from undo(layers[1:], piece, limit)


def finish(layers: list[_Inflater], limit: int) -> Iterator[bytes]:
    """What the layers still hold once the raw body has ended, flushed outermost first."""
    for n, layer in enumerate(layers):
        for piece in layer.finish(limit):
            yield from undo(layers[n + 1 :], piece, limit)
