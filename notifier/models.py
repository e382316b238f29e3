"""Plain data passed between the pipeline's stages (feeds -> store -> rules -> digest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from notifier.extract.models import Agency, Figure, Organisation


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


@dataclass(frozen=True, slots=True)
class Source:
    """One feed's report of an event: an entry in a digest may merge several."""

    feed: str
    link: str
    title: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One event in a digest.

    `figures` are the ones that crossed the subscriber's thresholds, largest
    first; `other_figures` the rest of the item's figures, for context.
    `evidence` is the sentence of the top figure. `immediate` marks an event
    whose figure reached `immediate_factor` x threshold.
    """

    title: str
    sources: tuple[Source, ...]
    figures: tuple[Figure, ...]
    other_figures: tuple[Figure, ...]
    agencies: tuple[Agency, ...]
    organisations: tuple[Organisation, ...]
    countries: tuple[str, ...]
    evidence: str
    immediate: bool
    item_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What one subscriber is sent in one message."""

    subscriber_email: str
    subscriber_name: str
    kind: Literal["daily", "immediate"]
    entries: tuple[DigestEntry, ...]
    created: datetime
    timezone: str


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A digest rendered by the templates, before it becomes a MIME message."""

    subject: str
    text: str
    html: str
