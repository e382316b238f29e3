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

from notifier.extract.models import Agency, Figure, Kind, Organisation

DigestKind = Literal["daily", "immediate"]
DeliveryStatus = Literal["pending", "sent", "failed"]


# feeds -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Structured:
    """What a known source states in fields of its own, beside its text (GDACS, ReliefWeb).

    These win over what the extractor reads in the text: a GDACS alert level
    caps or raises an alert's level, its event id keys the event, and its
    population is people exposed, not people in need.
    """

    source: str
    """"gdacs" or "reliefweb": which adapter read the entry."""
    event_id: str | None = None
    """The source's own id of the event; episodes and reposts of one event share it."""
    event_type: str | None = None
    """In words: "Earthquake", "Tropical cyclone", "Flood"."""
    alert_level: str | None = None
    """GDACS: "Green" (no humanitarian impact expected), "Orange" or "Red"."""
    countries: tuple[str, ...] = ()
    """ISO 3166-1 alpha-3 codes of the countries the source tags."""
    exposed: int | None = None
    """GDACS: people exposed to the hazard (within 100 km, or to strong winds)."""
    exposure: str | None = None
    """How the source counts `exposed`, in words: "within 100 km"."""
    severity: str | None = None
    """The hazard's own measure, in words: "magnitude 5.2", "130 km/h winds"."""
    episode: str | None = None
    """GDACS: the episode of the event this entry reports."""
    tags: tuple[str, ...] = ()
    """ReliefWeb: the disaster and theme tags."""


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
    structured: Structured | None = None
    teaser: str | None = None
    """The feed's own text when `text` is the linked page's (fetch_full_text): the story as
    the feed tells it, by which it is known again at the next poll."""


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
    failures: int = 0
    """Polls failed in a row: the streak the operator is told about at `feed_failures`."""
    failing_reported: bool = False
    """The operator was told the feed is failing and has not yet been told it recovered."""
    languages: tuple[tuple[str, int], ...] = ()
    """Its stored items by the language of their text, most first (none: not told)."""
    polled_by: str | None = None
    """The instance (host:pid) that polled it last: with PostgreSQL, any of several."""


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
    structured: Structured | None = None
    language: str | None = None
    """The language of its text (ISO 639-1), None if not told or stored before it was."""

    @property
    def dated(self) -> datetime:
        """When the item was published, else first seen: what its age counts from.

        A date in the future (a feed's clock, a typo) counts as first seen.
        """
        if self.published is None or self.published > self.fetched_at:
            return self.fetched_at
        return self.published


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
class Level:
    """A severity level: reached when a figure is at least `factor` x its threshold.

    Levels are ordered by `rank` (0 is the lowest); the highest is what
    `serve` sends at once. Names, factors and colours come from the config.
    """

    name: str
    factor: float
    colour: str
    rank: int


@dataclass(frozen=True, slots=True)
class Alert:
    """An item that crossed a subscriber's thresholds, or that its source rates Orange or Red.

    `triggering` are the figures that reached their threshold, most severe
    first; `severity` is the largest figure / threshold ratio; `level` comes
    from it, capped or raised by the source's own alert level; `immediate`
    marks the top level, which `serve` sends at once.
    """

    item: StoredItem
    triggering: tuple[Figure, ...]
    severity: float
    level: Level
    immediate: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an item alerts a subscriber, and why (or why not), in an operator's words."""

    subscriber: str
    alert: Alert | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Source:
    """One feed's report of an event: an entry in a digest may merge several."""

    feed: str
    link: str
    title: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class Previous:
    """The figure for the same place (or event) and kind that this subscriber was sent before."""

    value: int
    high: int | None
    qualifier: str
    date: datetime
    source: str
    agency: str | None


@dataclass(frozen=True, slots=True)
class ShownFigure:
    """A figure as a digest shows it: with its short quote, its trend and what it counts."""

    figure: Figure
    quote: str
    """The evidence sentence, trimmed around the figure."""
    previous: Previous | None = None
    exposure: str | None = None
    """Set when the figure counts people exposed to a hazard ("within 100 km"), not in need."""


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One event in a digest, merged across the feeds that reported it.

    `figures` are the ones that crossed the subscriber's thresholds, most
    severe first; `other_figures` the item's other figures, for context.
    `notes` say where a source's structured fields and the text disagree.
    """

    title: str
    level: Level
    immediate: bool
    severity: float
    countries: tuple[str, ...]
    figures: tuple[ShownFigure, ...]
    other_figures: tuple[ShownFigure, ...]
    agencies: tuple[Agency, ...]
    organisations: tuple[Organisation, ...]
    sources: tuple[Source, ...]
    structured: Structured | None
    notes: tuple[str, ...]
    item_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CountryGroup:
    """The entries of one country (None: no country, or several), as the email groups them."""

    country: str | None
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One line of the table atop a digest: a country, its top level, its largest figures."""

    country: str | None
    level: Level
    largest: dict[Kind, int]
    """The largest figure of each kind reported for the country, in people."""
    sources: int
    """Distinct feeds reporting on the country."""


@dataclass(frozen=True, slots=True)
class SentEarlier:
    """An event sent as an immediate alert since the last digest: listed in one line, not again."""

    title: str
    link: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Digest:
    """What one subscriber is sent in one message, in the order the email shows it."""

    subscriber_email: str
    subscriber_name: str
    kind: DigestKind
    groups: tuple[CountryGroup, ...]
    summary: tuple[SummaryRow, ...]
    levels: tuple[Level, ...]
    created: datetime
    timezone: str
    sent_earlier: tuple[SentEarlier, ...] = ()

    @property
    def entries(self) -> tuple[DigestEntry, ...]:
        """Every entry, in the order shown."""
        return tuple(e for g in self.groups for e in g.entries)

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


@dataclass(frozen=True, slots=True)
class HealthNotice:
    """What the operator is told about a feed: failing `failures` polls in a row, or recovered."""

    feed: str
    url: str
    failing: bool
    failures: int
    error: str | None
    since: datetime | None
    """The last successful fetch before the streak (None: never fetched)."""


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
