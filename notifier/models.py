"""The records that cross module boundaries: the one leaf module every stage shares.

Data flows feeds -> store -> rules -> digest -> render -> mailer, and each
stage hands the next one of these frozen records, never an object of its own
making. Keeping them here, apart from the modules that fill them, is what lets
`rules` read a `StoredItem` without importing the store, and `cli` print a
`RunReport` without knowing how a run is done. What the extractor returns
(`Report`, `Figure`) stays in `extract/`, which knows nothing of the rest;
records here refer to it, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from notifier.extract.models import Agency, Figure, Organisation

DigestKind = Literal["daily", "immediate"]
DeliveryStatus = Literal["pending", "sent", "failed"]


# feeds -----------------------------------------------------------------------


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
class Validators:
    """The validators of the last successful fetch of a feed, sent back in a conditional GET."""

    etag: str | None
    last_modified: str | None


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


# store -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store knows about one feed."""

    name: str
    url: str
    etag: str | None
    last_modified: str | None
    first_polled_at: datetime | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_status: int | None
    items: int


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as stored, with its extraction results."""

    id: int
    feed: str
    guid: str
    link: str
    title: str
    published: datetime | None
    fetched_at: datetime
    text: str
    summary: str
    alertable: bool
    figures: tuple[Figure, ...]
    agencies: tuple[Agency, ...]
    organisations: tuple[Organisation, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the outbox: a rendered message, written before it is sent."""

    id: int
    subscriber: str
    kind: str
    created_at: datetime
    subject: str
    message_id: str
    message: bytes | None
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None


# rules and digests -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """An item that crossed a subscriber's thresholds.

    `triggering` are the figures that reached their threshold, most severe
    first; `severity` is the largest figure / threshold ratio.
    """

    item: StoredItem
    triggering: tuple[Figure, ...]
    severity: float
    immediate: bool


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
    kind: DigestKind
    entries: tuple[DigestEntry, ...]
    created: datetime
    timezone: str

    @property
    def item_ids(self) -> tuple[int, ...]:
        """Every item the digest carries: what a delivery claims for its subscriber."""
        return tuple(i for e in self.entries for i in e.item_ids)


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A digest rendered by the templates, before it becomes a MIME message."""

    subject: str
    text: str
    html: str


# runs ------------------------------------------------------------------------


@dataclass
class PollReport:
    """What one poll of every feed did."""

    fetched: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    new_items: int = 0
    silent_first_poll: list[str] = field(default_factory=list)


@dataclass
class DeliveryReport:
    """What one delivery pass did, per subscriber."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)  # email, subject, where
    failed: dict[str, str] = field(default_factory=dict)
    rendered: list[tuple[str, RenderedMessage]] = field(default_factory=list)  # dry run


@dataclass
class RunReport:
    """A whole `run --once`."""

    poll: PollReport
    delivery: DeliveryReport

    @property
    def ok(self) -> bool:
        """False when some feed or delivery failed (exit code 1)."""
        return not self.poll.failed and not self.delivery.failed
