"""The digest rules through the real pipeline: loopback feeds and SMTP, a real SQLite file.

Immediate alerts are not repeated, trends come from what was sent before, the
operator hears about a failing feed once each way, GDACS fields set levels and
key events, and `explain` says why.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from helpers import QUIET, HttpServer, Mailbox, parts, rss, run_cli, write_config

from notifier.config import load_settings
from notifier.service import Notifier

pytestmark = pytest.mark.usefixtures("on_backend")  # each test on SQLite and PostgreSQL


DESK = "desk@example.org"
OPS = "ops@example.org"


def story(guid: str, title: str, html: str) -> dict[str, str]:
    return {"guid": guid, "title": title, "link": f"http://news.example.org/{guid}", "html": html}


def notifier_for(
    tmp_path: Path, server: HttpServer, port: int, extra: str = "", feeds: int = 1
) -> Notifier:
    names = [("Wire", server.url("/wire.xml")), ("Second", server.url("/second.xml"))]
    cfg = write_config(
        tmp_path / "config.toml",
        feeds=names[:feeds],
        subscribers=[DESK],
        smtp_port=port,
        extra=extra,
    )
    server.serve("/wire.xml", rss([QUIET]))
    server.serve("/second.xml", rss([{**QUIET, "guid": "q-2"}]))
    notifier = Notifier(load_settings(cfg))
    asyncio.run(notifier.run_once())  # the first poll records QUIET silently
    return notifier


IDLIB_60 = story(
    "idlib-1",
    "Fighting in Idlib uproots thousands",
    "<p>Air strikes have forced more than 60,000 people to leave their homes in Idlib "
    "province, Syria, since November, the UN Office for the Coordination of Humanitarian "
    "Affairs (OCHA) said.</p>",
)
IDLIB_90 = story(
    "idlib-2",
    "Idlib displacement passes 90,000",
    "<p>The number of people displaced by the offensive in Idlib province, Syria, has risen "
    "to more than 90,000, the UN Office for the Coordination of Humanitarian Affairs (OCHA) "
    "said on Friday.</p>",
)
IDLIB_40 = story(
    "idlib-3",
    "Idlib figures revised",
    "<p>Aid agencies now count 40,000 people displaced in Idlib province, Syria, after "
    "families returned to some villages, the UN Office for the Coordination of Humanitarian "
    "Affairs (OCHA) said.</p>",
)


def test_trend_up_then_down_from_what_was_sent(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    notifier = notifier_for(tmp_path, http_server, port)
    for n, new in enumerate((IDLIB_60, IDLIB_90, IDLIB_40), start=1):
        http_server.serve("/wire.xml", rss([new, QUIET]))
        with notifier.store() as store:
            asyncio.run(notifier.poll(store))
        if n > 1:
            desk = notifier.subscriber(DESK)
            digest = notifier.preview_digest(desk)
            assert digest is not None
            [shown] = [s for s in digest.entries[0].figures if s.figure.kind == "displaced"]
            assert shown.previous is not None
            assert shown.previous.value == (60000 if n == 2 else 90000)
            assert shown.previous.source == "Wire"
        asyncio.run(notifier.run_once())
    assert len(box.to(DESK)) == 3


def test_immediate_alert_is_not_repeated_in_the_daily_digest(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    notifier = notifier_for(tmp_path, http_server, port)
    huge = story(
        "quake",
        "Earthquake: 150,000 displaced in Sofala",
        "<p>An earthquake has displaced 150,000 people in Sofala province, Mozambique, "
        "officials said.</p>",
    )
    http_server.serve("/wire.xml", rss([huge, IDLIB_60, QUIET]))
    with notifier.store() as store:
        asyncio.run(notifier.poll(store))
        sent = asyncio.run(notifier.deliver(store, kind="immediate"))
    assert [email for email, _, _ in sent.sent] == [DESK]
    [alert] = box.to(DESK)
    assert "Sofala" in str(alert["Subject"])
    digest = notifier.preview_digest(notifier.subscriber(DESK))
    assert digest is not None
    assert [e.title for e in digest.entries] == [IDLIB_60["title"]]
    assert [s.title for s in digest.sent_earlier] == [huge["title"]]


def test_operator_hears_of_a_failing_feed_once_each_way(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    box, port = smtp_server
    extra = (
        f'[operator]\nemail = "{OPS}"\nfeed_failures = 2\n'
        '[digest]\nlist_unsubscribe = "mailto:leave@example.org"\n'
    )
    notifier = notifier_for(tmp_path, http_server, port, extra=extra, feeds=2)
    http_server.serve("/second.xml", "<html><body>Down for maintenance</body></html>", "text/html")
    for _ in range(4):
        asyncio.run(notifier.run_once())
    [failing] = box.to(OPS)
    text = " ".join(parts(failing)["text/plain"].split())
    assert "Second" in str(failing["Subject"])
    assert "failed 2 polls in a row" in text
    assert "not an RSS/Atom feed" in text
    assert failing["List-Unsubscribe"] is None  # the operator is not on a list
    http_server.serve("/second.xml", rss([{**QUIET, "guid": "q-2"}]))
    for _ in range(2):
        asyncio.run(notifier.run_once())
    assert len(box.to(OPS)) == 2
    assert "recovered" in str(box.to(OPS)[1]["Subject"])
    [(_, _, state)] = [row for row in notifier.feed_status() if row[0] == "Second"]
    assert state is not None
    assert (state.failures, state.failing_reported) == (0, False)


GDACS_NS = 'xmlns:gdacs="http://www.gdacs.org"'


def gdacs_feed(*alerts: tuple[str, str, str, int, str]) -> str:
    items = "".join(
        f"<item><title>{title}</title><description>{text}</description>"
        f"<link>http://gdacs.example.org/report?eventid={event}&amp;episode={episode}</link>"
        f'<guid isPermaLink="false">EQ{event}</guid>'
        f"<gdacs:eventtype>EQ</gdacs:eventtype><gdacs:alertlevel>{level}</gdacs:alertlevel>"
        f"<gdacs:eventid>{event}</gdacs:eventid><gdacs:episodeid>{episode}</gdacs:episodeid>"
        f"<gdacs:iso3>CHN</gdacs:iso3>"
        f'<gdacs:population unit="Pop100km" value="{pop}">{pop} people</gdacs:population>'
        "</item>"
        for level, event, title, pop, episode in alerts
        for text in [f"An earthquake potentially affecting {pop} people within 100km."]
    )
    return f'<rss version="2.0" {GDACS_NS}><channel><title>GDACS</title>{items}</channel></rss>'


def test_gdacs_levels_and_episodes_of_one_event(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    _, port = smtp_server
    notifier = notifier_for(tmp_path, http_server, port)
    http_server.serve(
        "/wire.xml",
        gdacs_feed(
            ("Green", "100", "Green earthquake alert in China", 18830000, "1"),
            ("Orange", "200", "Orange earthquake alert in China", 900000, "1"),
            ("Orange", "200", "Orange earthquake alert in China", 950000, "2"),
        ),
    )
    digest = notifier.preview_digest(notifier.subscriber(DESK))
    assert digest is None  # not polled yet
    with notifier.store() as store:
        asyncio.run(notifier.poll(store))
    digest = notifier.preview_digest(notifier.subscriber(DESK))
    assert digest is not None
    levels = [
        (e.structured.event_id if e.structured else None, e.level.name, e.immediate)
        for e in digest.entries
    ]
    assert levels == [("EQ200", "serious", False), ("EQ100", "watch", False)]
    assert len(digest.entries[0].item_ids) == 2  # two episodes, one entry
    green = digest.entries[1]
    assert green.figures[0].exposure == "within 100 km"


def test_explain_says_why(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    _, port = smtp_server
    notifier = notifier_for(tmp_path, http_server, port)
    http_server.serve("/wire.xml", rss([IDLIB_60, QUIET]))
    asyncio.run(notifier.run_once())
    cfg = str(tmp_path / "config.toml")
    out = run_cli("explain", IDLIB_60["link"], "--config", cfg)
    assert out.returncode == 0, out.stderr
    assert "displaced 60,000" in out.stdout
    assert "6.0x the threshold of 10,000" in out.stdout
    assert "already in digest #" in out.stdout
    quiet = run_cli("explain", QUIET["link"], "--config", cfg)
    assert "recorded at the first poll" in quiet.stdout
    missing = run_cli("explain", "http://nowhere.example.org/x", "--config", cfg)
    assert missing.returncode == 2
    assert "no stored item" in missing.stderr


def test_a_figure_already_sent_for_its_place_is_not_news_again(
    tmp_path: Path, http_server: HttpServer, smtp_server: tuple[Mailbox, int]
) -> None:
    """A story re-published with new wording but the same figure for the same place."""
    box, port = smtp_server
    notifier = notifier_for(tmp_path, http_server, port)
    http_server.serve("/wire.xml", rss([IDLIB_60, QUIET]))
    asyncio.run(notifier.run_once())
    reworded = story(
        "idlib-1b",
        "Idlib: more than 60,000 forced out",
        "<p>More than 60,000 people have been forced to leave their homes in Idlib province, "
        "Syria, according to the UN Office for the Coordination of Humanitarian Affairs.</p>",
    )
    http_server.serve("/wire.xml", rss([reworded, IDLIB_60, QUIET]))
    asyncio.run(notifier.run_once())
    assert len(box.to(DESK)) == 1
    http_server.serve("/wire.xml", rss([IDLIB_90, reworded, IDLIB_60, QUIET]))
    asyncio.run(notifier.run_once())
    assert len(box.to(DESK)) == 2  # a new figure for the place is news
