"""Explain: why a stored item did or did not alert each subscriber, in an operator's words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from notifier.config import SubscriberSettings
from notifier.extract import language
from notifier.models import StoredItem, Verdict
from notifier.rules import Policy, judge
from notifier.service.base import Base, store_key
from notifier.store import utcnow


class Explaining(Base):
    """`notifier explain`."""

    def explain(
        self, link_or_guid: str, subscriber: SubscriberSettings | None = None
    ) -> list[tuple[StoredItem, list[Verdict]]]:
        """Each stored item with this link or guid, and why it alerted each subscriber or not."""
        now = utcnow()
        out: list[tuple[StoredItem, list[Verdict]]] = []
        with self.store() as store:
            for item in store.find_items(link_or_guid):
                given = store.deliveries_of(item.id)
                verdicts = []
                for s in [subscriber] if subscriber else self.settings.subscribers:
                    verdict = judge(item, Policy.of(self.settings, s, now))
                    if store_key(s) in given:
                        row, status, sent_at = given[store_key(s)]
                        when = f" on {sent_at:%d %b %Y %H:%M} UTC" if sent_at else ""
                        said = f"already in digest #{row} ({status}{when}): never sent twice"
                        verdict = replace(verdict, reasons=(*verdict.reasons, said))
                    verdicts.append(verdict)
                out.append((item, verdicts))
        return out


def explain_item(item: StoredItem) -> str:
    """What `explain` says of an item before the verdicts: its source, dates and figures."""
    lines = [
        f"{item.title}",
        f"  feed {item.feed!r}, {item.link or item.guid}",
        f"  published {item.published:%d %b %Y %H:%M} UTC" if item.published else "  no date",
        f"  first seen {item.fetched_at:%d %b %Y %H:%M} UTC",
    ]
    s = item.structured
    if s is not None:
        said = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("alert level", s.alert_level),
                ("event", s.event_id),
                ("type", s.event_type),
                ("countries", "/".join(s.countries)),
                ("exposed", f"{s.exposed:,}" if s.exposed else None),
            )
            if value
        )
        lines.append(f"  {s.source}: {said}")
    if not item.figures:
        lang = item.language or language.detect(item.text)  # stored before languages were
        if lang not in {None, language.ENGLISH}:
            lines.append(
                f"  no figure found: its text is in {language.language_name(str(lang))}; "
                f"{_ENGLISH_ONLY}"
            )
        else:
            lines.append("  no figure found in its text")
    for f in item.figures:
        where = ", ".join(x for x in (f.place, f.country) if x)
        who = f", according to {f.agency}" if f.agency else ""
        lines.append(
            f"  {f.kind} {f.value:,} ({f.qualifier}){' in ' + where if where else ''}{who}"
        )
        lines.append(f'    "{" ".join(f.evidence.split())[:300]}"')
    return "\n".join(lines)


_ENGLISH_ONLY = "figures are extracted from English text only"


def language_note(languages: Sequence[tuple[str, int]]) -> str | None:
    """Why a feed may yield no figures: most of its items are not in English.

    `languages` counts its stored items by language, most first (`FeedState.languages`).
    """
    total = sum(n for _, n in languages)
    if not total:
        return None
    code, count = languages[0]
    if code == language.ENGLISH or 2 * count <= total:
        return None
    return f"items are in {language.language_name(code)} ({count} of {total}); {_ENGLISH_ONLY}"
