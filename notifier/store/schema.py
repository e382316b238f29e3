"""The schema, as ordered migrations: a database at version N runs migrations N+1 onwards.

`PRAGMA user_version` holds the version in SQLite, a one-row `schema_version`
table in PostgreSQL, whose databases start at version 7 (PG_BASE). Each migration
is one transaction, so a crash mid-migration leaves the previous version whole; a
database made by a newer notifier is refused rather than guessed at.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE feeds (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        first_polled_at TEXT,
        last_fetch_at TEXT,
        last_success_at TEXT,
        last_error TEXT,
        last_status INTEGER
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        link TEXT NOT NULL,
        title TEXT NOT NULL,
        published TEXT,
        fetched_at TEXT NOT NULL,
        text TEXT NOT NULL,
        summary TEXT NOT NULL,
        alertable INTEGER NOT NULL,
        agencies TEXT NOT NULL,
        organisations TEXT NOT NULL,
        countries TEXT NOT NULL,
        UNIQUE (feed, guid)
    );
    CREATE INDEX items_feed_hash ON items (feed, content_hash);
    CREATE INDEX items_alertable ON items (alertable, id);
    CREATE TABLE figures (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value INTEGER NOT NULL,
        high INTEGER,
        unit TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        agency TEXT,
        place TEXT,
        country TEXT,
        term TEXT NOT NULL,
        evidence TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL
    );
    CREATE INDEX figures_item ON figures (item_id);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        subscriber TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        message_id TEXT NOT NULL DEFAULT '',
        message BLOB,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at TEXT
    );
    CREATE INDEX deliveries_status ON deliveries (status, id);
    CREATE TABLE delivery_items (
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        subscriber TEXT NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        PRIMARY KEY (subscriber, item_id)
    );
    """,
    # 2: a row is now claimed with its message in one transaction. Rows an older
    # version claimed but died before writing their message give their items back,
    # so the next digest carries them.
    """
    DELETE FROM delivery_items WHERE delivery_id IN
        (SELECT id FROM deliveries WHERE status = 'pending' AND message IS NULL);
    DELETE FROM deliveries WHERE status = 'pending' AND message IS NULL;
    """,
    # 3: what the digest needs beyond figures: a source's structured fields and its
    # alert level, the level of a figure's place and the key its trend is found by,
    # a feed's failure streak, and items dated by publication for `max_age`.
    """
    ALTER TABLE items ADD COLUMN structured TEXT;
    ALTER TABLE items ADD COLUMN alert_level TEXT;
    ALTER TABLE figures ADD COLUMN place_level TEXT;
    ALTER TABLE figures ADD COLUMN trend_key TEXT;
    UPDATE figures SET trend_key = COALESCE(country, '') || '|' || lower(COALESCE(place, ''));
    CREATE INDEX figures_trend ON figures (trend_key, kind);
    ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN failing_reported INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX delivery_items_item ON delivery_items (item_id);
    """,
    # 4: a story is known again by its fingerprint across feeds, not only within one.
    """
    CREATE INDEX items_hash ON items (content_hash);
    """,
    # 5: the language of an item's text, so that `feeds` and `explain` can say why
    # a feed in French yields no figures. Items stored before have none.
    """
    ALTER TABLE items ADD COLUMN language TEXT;
    """,
    # 6: a subscriber's own outbox rows by index. `sent_at_once` and `pending_deliveries`
    # ask per subscriber; without these each read every delivery (and every claimed item),
    # so a run with thousands of subscribers and nothing new was quadratic in the outbox.
    # A row's items by its id also serve `release` and the pruning of old rows, and
    # items by first fetch let `storage.keep_days` find the old ones without a scan.
    """
    CREATE INDEX deliveries_subscriber ON deliveries (subscriber, status, kind, created_at);
    CREATE INDEX delivery_items_delivery ON delivery_items (delivery_id);
    CREATE INDEX items_fetched ON items (fetched_at);
    """,
    # 7: work shared between instances (PostgreSQL): a feed's poll is a lease with an
    # expiry, so two instances do not fetch it at once and a crashed one's lease runs
    # out; a daily digest's window is a lease too, taken once per subscriber and day.
    # `polled_by` says which instance polled a feed last (`notifier feeds`).
    """
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    ALTER TABLE feeds ADD COLUMN polled_by TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

_TIME = 'TEXT COLLATE "C"'
"""Times are ISO 8601 text in UTC, compared as text: byte order, whatever the database's locale."""

PG_BASE = f"""
    CREATE TABLE feeds (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        first_polled_at {_TIME},
        last_fetch_at {_TIME},
        last_success_at {_TIME},
        last_error TEXT,
        last_status INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        failing_reported INTEGER NOT NULL DEFAULT 0,
        polled_by TEXT
    );
    CREATE TABLE items (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        link TEXT NOT NULL,
        title TEXT NOT NULL,
        published {_TIME},
        fetched_at {_TIME} NOT NULL,
        text TEXT NOT NULL,
        summary TEXT NOT NULL,
        alertable INTEGER NOT NULL,
        agencies TEXT NOT NULL,
        organisations TEXT NOT NULL,
        countries TEXT NOT NULL,
        structured TEXT,
        alert_level TEXT,
        language TEXT,
        UNIQUE (feed, guid)
    );
    CREATE INDEX items_feed_hash ON items (feed, content_hash);
    CREATE INDEX items_alertable ON items (alertable, id);
    CREATE INDEX items_hash ON items (content_hash);
    CREATE INDEX items_fetched ON items (fetched_at);
    CREATE TABLE figures (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value BIGINT NOT NULL,
        high BIGINT,
        unit TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        agency TEXT,
        place TEXT,
        country TEXT,
        term TEXT NOT NULL,
        evidence TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        place_level TEXT,
        trend_key TEXT
    );
    CREATE INDEX figures_item ON figures (item_id);
    CREATE INDEX figures_trend ON figures (trend_key, kind);
    CREATE TABLE deliveries (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        subscriber TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at {_TIME} NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        message_id TEXT NOT NULL DEFAULT '',
        message BYTEA,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at {_TIME}
    );
    CREATE INDEX deliveries_status ON deliveries (status, id);
    CREATE INDEX deliveries_subscriber ON deliveries (subscriber, status, kind, created_at);
    CREATE TABLE delivery_items (
        delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        subscriber TEXT NOT NULL,
        item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        PRIMARY KEY (subscriber, item_id)
    );
    CREATE INDEX delivery_items_item ON delivery_items (item_id);
    CREATE INDEX delivery_items_delivery ON delivery_items (delivery_id);
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at {_TIME} NOT NULL
    )
"""
"""A new PostgreSQL database is made at version 7 in one step: the same tables as SQLite's
after its seven migrations (a test compares the columns), in PostgreSQL's types."""
PG_BASE_VERSION = 7
PG_MIGRATIONS: tuple[str, ...] = ()
"""PostgreSQL's migrations from version 8 onwards: each SQLite migration from then on has
its twin here (a test checks both lists reach SCHEMA_VERSION)."""
