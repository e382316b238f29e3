"""A feed or an item with no figures says when its text is not in English."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import rss, write_config

from notifier.cli import main
from notifier.extract import extract
from notifier.models import Item
from notifier.service import explain_item, language_note
from notifier.store import Store
from notifier.store.schema import MIGRATIONS

FRENCH = (
    "Les pluies torrentielles ont causé de graves dégâts dans le nord du pays, selon la "
    "protection civile, et de nombreuses familles sont sans abri."
)
ENGLISH = "Torrential rain killed at least 45 people in the north, civil protection said."


def _store(tmp_path: Path, texts: list[str]) -> Store:
    store = Store(tmp_path / "state.db")
    entries = [
        (Item("Wire", f"g{i}", f"http://x.org/{i}", f"Title {i}", None, text), extract(text))
        for i, text in enumerate(texts)
    ]
    store.add_items("Wire", "http://x.org/feed", entries, alert_on_first_poll=True)
    return store


def test_items_keep_their_language_and_feeds_count_them(tmp_path: Path) -> None:
    store = _store(tmp_path, [FRENCH, FRENCH + " Encore.", ENGLISH])
    items = store.find_items("http://x.org/0")
    assert items[0].language == "fr"
    state = store.feed_states()["Wire"]
    assert state.languages == (("fr", 2), ("en", 1))
    note = language_note(state.languages)
    assert note == ("items are in French (2 of 3); figures are extracted from English text only")


def test_an_english_feed_has_no_note() -> None:
    assert language_note((("en", 5), ("fr", 1))) is None
    assert language_note(()) is None
    assert language_note((("fr", 1), ("en", 1))) is None  # not most of them


def test_explain_says_why_a_french_item_has_no_figures(tmp_path: Path) -> None:
    store = _store(tmp_path, [FRENCH])
    said = explain_item(store.find_items("http://x.org/0")[0])
    assert "no figure found: its text is in French" in said
    assert "figures are extracted from English text only" in said


def test_items_stored_before_languages_are_told_on_the_fly(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old = sqlite3.connect(path)
    for migration in MIGRATIONS[:4]:
        old.executescript(migration)
    old.executescript(
        "INSERT INTO items (id, feed, guid, content_hash, link, title, fetched_at, text, summary,"
        " alertable, agencies, organisations, countries) VALUES (1, 'Wire', 'a', 'h', 'http://x',"
        f" 't', '2026-12-01T00:00:00+00:00', '{FRENCH}', '', 1, '[]', '[]', '[]');"
        "PRAGMA user_version = 4;"
    )
    old.close()
    with Store(path) as store:
        item = store.find_items("http://x")[0]
        assert item.language is None
        assert "its text is in French" in explain_item(item)


def test_feeds_and_explain_commands_say_the_items_are_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {
            "guid": f"fr-{i}",
            "title": f"Inondations {i}",
            "link": f"http://x.org/fr-{i}",
            "html": f"<p>{FRENCH}</p><p>Article {i}.</p>",
        }
        for i in range(2)
    ]
    (tmp_path / "wire.xml").write_text(rss(items), encoding="utf-8")
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=[("Wire", str(tmp_path / "wire.xml"))],
        subscribers=["desk@example.org"],
        method="outbox",
    )
    assert main(["run", "--once", "-q", "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["feeds", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "items are in French (2 of 2); figures are extracted from English text only" in out
    assert main(["explain", "http://x.org/fr-0", "--config", str(cfg)]) == 0
    assert "no figure found: its text is in French" in capsys.readouterr().out
