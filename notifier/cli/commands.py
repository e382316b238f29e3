"""The commands that work on a config: run, serve, preview, explain, check-config, feeds, demo.

Each prints its result to stdout (`say`: nothing under -q) and leaves errors
to the log or to a NotifierError, so each error reaches the operator once, on
stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from notifier import __version__
from notifier.cli.base import (
    EXIT_OK,
    EXIT_PARTIAL,
    command,
    option,
    output,
    say,
    settings,
)
from notifier.config import check_config
from notifier.errors import ConfigError, UsageError
from notifier.models import RunReport
from notifier.service import Notifier, explain_item, language_note


@command(
    option("--once", action="store_true", help="poll and deliver once, then exit"),
    option("--dry-run", action="store_true", help="render, but do not send or mark anything"),
)
def cmd_run(args: argparse.Namespace) -> int:
    """Poll every feed once, then send each subscriber's undelivered alerts as a digest now.

    Example:
      notifier run --once --config /etc/notifier/config.toml

    """
    if not args.once:
        raise UsageError("`notifier run` needs --once (for the daemon use `notifier serve`)")
    notifier = Notifier(settings(args))
    report = asyncio.run(notifier.run_once(dry_run=args.dry_run))
    with output():
        for line in run_summary(report, dry_run=args.dry_run):
            say(args, line)
    return EXIT_OK if report.ok else EXIT_PARTIAL


def run_summary(report: RunReport, *, dry_run: bool = False) -> list[str]:
    """What a run did, for stdout; why a feed or a delivery failed is in the log, said once."""
    p, d = report.poll, report.delivery
    total = len(p.fetched) + len(p.not_modified) + len(p.failed)
    lines = [
        f"polled {total} feed(s): {len(p.fetched)} fetched, {len(p.not_modified)} not modified, "
        f"{len(p.failed)} failed; {p.new_items} new item(s)"
    ]
    lines += [
        f"  first poll of {name!r}: its items were recorded without alerting "
        "(see alert_on_first_poll)"
        for name in p.silent_first_poll
    ]
    lines += [f"  feed {name!r} failed (the error is in the log)" for name in p.failed]
    if dry_run:
        lines += [f"would send to {email}: {rendered.subject}" for email, rendered in d.rendered]
        return lines if d.rendered else [*lines, "nothing to send"]
    lines += [f"sent to {email}: {subject} [{where}]" for email, subject, where in d.sent]
    lines += [f"delivery to {email} failed (the error is in the log)" for email in d.failed]
    return lines if d.sent or d.failed else [*lines, "nothing to send"]


@command(log_level=logging.INFO)
def cmd_serve(args: argparse.Namespace) -> int:
    """Run the daemon: poll every schedule.poll_every, digests daily at schedule.digest_at.

    Example:
      notifier serve --config /etc/notifier/config.toml

    """
    from notifier.scheduler import Daemon  # noqa: PLC0415 - APScheduler only for the daemon

    config = settings(args)
    with output():
        say(
            args,
            f"notifier {__version__} serving {len(config.feeds)} feed(s) for "
            f"{len(config.subscribers)} subscriber(s); Ctrl-C or SIGTERM stops",
        )
        sys.stdout.flush()
    asyncio.run(Daemon(Notifier(config)).run())
    with output():
        say(args, "stopped")
    return EXIT_OK


@command(
    option("--subscriber", metavar="EMAIL", help="whose digest (default: every subscriber)"),
    option(
        "--format",
        choices=("text", "html", "json"),
        help="text (default), html, or json: one object per subscriber per line",
    ),
    option("--out", metavar="FILE", help="write to FILE (.html: the HTML part, else text)"),
)
def cmd_preview(args: argparse.Namespace) -> int:
    """Render the digest a subscriber would get now, without sending or marking anything.

    With --format json, each subscriber's digest is one JSON object on a line
    of its own (entries in the order the email shows them), for scripts that
    feed a chat channel or a dashboard.

    Example:
      notifier preview --subscriber desk@example.org --out digest.html

    """
    notifier = Notifier(settings(args))
    fmt = args.format or ("html" if args.out and Path(args.out).suffix.lower() in _HTML else "text")
    if args.subscriber:
        subscribers = [notifier.subscriber(args.subscriber)]
    elif args.out and len(notifier.settings.subscribers) > 1:
        raise UsageError("--out writes one digest: name its subscriber with --subscriber EMAIL")
    else:
        subscribers = notifier.settings.subscribers
    for s in subscribers:
        if pending := notifier.pending_count(s):
            note = f"{s.email}: {pending} digest(s) from an earlier run will be sent first"
            say(args, note, file=sys.stderr if fmt == "json" else sys.stdout)
        if fmt == "json":
            _emit(args.out, json.dumps(notifier.preview_json(s), ensure_ascii=False) + "\n")
            continue
        rendered = notifier.preview(s)
        if rendered is None:
            say(args, f"{s.email}: nothing new to send")
            continue
        body = rendered.html if fmt == "html" else f"Subject: {rendered.subject}\n\n{rendered.text}"
        if args.out:
            _emit(args.out, body)
            say(args, f"{s.email}: {rendered.subject} -> {args.out}")
        else:
            print(body if fmt == "html" else f"To: {s.email}\n{body}\n")
    return EXIT_OK


_HTML = (".html", ".htm")


def _emit(out: str | None, body: str) -> None:
    """Print `body`, or write it to the --out file."""
    if out is None:
        sys.stdout.write(body)
        return
    try:
        Path(out).write_text(body, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"--out {out}: cannot write the preview: {e}") from e


@command(
    option("--subscriber", metavar="EMAIL", help="only this subscriber"),
    option("item", metavar="LINK_OR_GUID", help="the item's link or guid, as the feed gives it"),
)
def cmd_explain(args: argparse.Namespace) -> int:
    """Say what was found in a stored item and why it did or did not alert each subscriber.

    For each figure: its evidence; for each subscriber: threshold, filters,
    age, level and whether it was already sent.

    Example:
      notifier explain https://news.example.org/floods-sindh --subscriber desk@example.org

    """
    notifier = Notifier(settings(args))
    subscriber = notifier.subscriber(args.subscriber) if args.subscriber else None
    found = notifier.explain(args.item, subscriber)
    if not found:
        raise UsageError(
            f"no stored item has the link or guid {args.item!r}; it may not be fetched yet "
            "(notifier run --once), or its feed gives another link (notifier feeds)"
        )
    for item, verdicts in found:
        print(explain_item(item))
        for verdict in verdicts:
            head = (
                f"ALERTS at level {verdict.alert.level.name}"
                + (" (sent at once by serve)" if verdict.alert.immediate else "")
                if verdict.alert
                else "does not alert"
            )
            print(f"\n{verdict.subscriber}: {head}")
            for reason in verdict.reasons:
                print(f"  - {reason}")
        print()
    return EXIT_OK


@command()
def cmd_check_config(args: argparse.Namespace) -> int:
    """Validate the config and say exactly what is wrong, with the key and the line.

    Example:
      notifier check-config --config config.toml

    """
    config, problems = check_config(args.config)
    if not any(p.startswith("digest.templates_dir:") for p in problems):
        try:
            Notifier(config).check_templates()  # a missing folder is said once, above
        except ConfigError as e:
            problems.append(str(e))
    if problems:
        raise ConfigError("\n".join(problems))
    d = config.delivery
    where = (
        f"smtp {config.smtp.host}:{config.smtp.port} ({config.smtp.security})"
        if d.method == "smtp"
        else f"outbox folder {d.outbox_dir}"
    )
    state = Notifier(config).check_store()
    say(
        args,
        f"config OK: {len(config.feeds)} feed(s), {len(config.subscribers)} subscriber(s), "
        f"delivery by {where}, {state}",
    )
    return EXIT_OK


@command()
def cmd_feeds(args: argparse.Namespace) -> int:
    """Status of each feed: last fetch, items, errors, and the language of items not in English.

    Example:
      notifier feeds --config config.toml

    """
    config = settings(args)
    shared = bool(config.storage.url.get_secret_value())  # then say which instance polled
    rows = Notifier(config).feed_status()
    failing = 0
    for name, url, state in rows:
        if state is None:
            print(f"{name}: never fetched ({url})")
            continue
        last = state.last_fetch_at.isoformat() if state.last_fetch_at else "never"
        ok = state.last_success_at.isoformat() if state.last_success_at else "never"
        status = f"ERROR {state.last_error}" if state.last_error else "ok"
        if state.failures:
            status += f" (failed {state.failures} poll(s) in a row)"
        failing += bool(state.last_error)
        by = f" by {state.polled_by}" if shared and state.polled_by else ""
        print(f"{name}: {status}; {state.items} item(s); last fetch {last}{by}; last success {ok}")
        print(f"  {url}")
        if note := language_note(state.languages):
            print(f"  {note}")
    return EXIT_PARTIAL if failing else EXIT_OK


@command(
    option("--dir", default="notifier-demo", help="demo folder (./notifier-demo)"),
    config=False,
)
def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole pipeline on bundled sample feeds; digests go to ./notifier-demo/outbox.

    Example:
      notifier demo

    """
    from notifier.demo import run_demo  # noqa: PLC0415

    folder = Path(args.dir)
    report = asyncio.run(run_demo(folder))
    outbox = folder / "outbox"
    files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
    with output():
        for line in run_summary(report):
            say(args, line)
        say(args, f"\n{len(files)} digest(s) written to {outbox.resolve()}/")
        for f in files:
            say(args, f"  {f.name}")
        if files:
            say(args, f"open one with a mail client, or read it: less {files[0]}")
    return EXIT_OK if report.ok and files else EXIT_PARTIAL
