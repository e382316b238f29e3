"""Plain data passed between the pipeline's stages (feeds -> store -> rules -> digest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Item:
    """One feed entry, normalised: what the extractor and the digest need.

    `text` is plain text (HTML already converted, block boundaries kept as
    newlines); `guid` is the entry's id, else its link, else a content hash, so
    an entry without either is still stored once.
    """

    feed: str
    guid: str
    link: str
    title: str
    published: datetime | None
    text: str
    summary: str = ""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one poll of one feed produced.

    `not_modified` is True for an HTTP 304 (nothing to parse). `error` is the
    operator-facing message when the fetch or the parse failed; `items` is then
    empty. `etag`/`last_modified` are the validators to send next time.
    """

    feed: str
    url: str
    items: list[Item] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    status: int | None = None
