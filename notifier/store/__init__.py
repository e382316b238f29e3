"""The state, in SQLite or PostgreSQL: the only package that knows SQL.

Tables: `feeds` (validators, last error), `items` (stored once per feed + guid,
and once per feed + content hash, for feeds that change guids), `figures`,
`deliveries` (the outbox: a rendered message written before it is sent) and
`delivery_items` (which items each subscriber has been given, so an item is
never put in two digests for the same person). The schema is versioned with
`PRAGMA user_version` (a `schema_version` table in PostgreSQL) and ordered
migrations. `leases` and the outbox rows' claims (claims.py) let several
instances share one PostgreSQL database without doing one piece of work twice.
"""

from __future__ import annotations

from notifier.store.claims import ClaimQueries
from notifier.store.db import this_instance, utcnow
from notifier.store.history import HistoryQueries
from notifier.store.items import ItemQueries, content_hash, trend_key
from notifier.store.outbox import BuildMessage, OutboxQueries
from notifier.store.pg import probe
from notifier.store.retention import Pruned, RetentionQueries
from notifier.store.schema import SCHEMA_VERSION


class Store(ItemQueries, OutboxQueries, HistoryQueries, RetentionQueries, ClaimQueries):
    """The state database: each concern's queries live in their own module of this package."""


__all__ = [
    "SCHEMA_VERSION",
    "BuildMessage",
    "Pruned",
    "Store",
    "content_hash",
    "probe",
    "this_instance",
    "trend_key",
    "utcnow",
]
