"""The command line: parse options, call the library, print, map errors to exit codes.

Exit codes: 0 ok, 1 partial failure (some feed or delivery failed, the rest went
through), 2 bad usage or bad config. Nothing here does pipeline work: see
`notifier.service`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from notifier import __version__
from notifier.config import Settings, load_settings, unknown_env_vars
from notifier.errors import NotifierError, UsageError
from notifier.models import RunReport
from notifier.service import Notifier

log = logging.getLogger("notifier")

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    for name in unknown_env_vars():
        log.warning("%s matches no setting and is ignored (nesting is NOTIFIER_SMTP__HOST)", name)
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    """Poll every feed once, then send each subscriber's undelivered alerts as a digest now."""
    if not args.once:
        raise UsageError("`notifier run` needs --once (for the daemon use `notifier serve`)")
    notifier = Notifier(_settings(args))
    report = asyncio.run(notifier.run_once(dry_run=args.dry_run))
    _print_run(report, dry_run=args.dry_run)
    return EXIT_OK if report.ok else EXIT_PARTIAL


def _print_run(report: RunReport, *, dry_run: bool = False) -> None:
    p, d = report.poll, report.delivery
    total = len(p.fetched) + len(p.not_modified) + len(p.failed)
    print(
        f"polled {total} feed(s): {len(p.fetched)} fetched, {len(p.not_modified)} not modified, "
        f"{len(p.failed)} failed; {p.new_items} new item(s)"
    )
    for name in p.silent_first_poll:
        print(
            f"  first poll of {name!r}: its items were recorded without alerting "
            "(see alert_on_first_poll)"
        )
    for name, error in p.failed.items():
        print(f"  feed {name!r} failed: {error}")
    if dry_run:
        for email, rendered in d.rendered:
            print(f"would send to {email}: {rendered.subject}")
        if not d.rendered:
            print("nothing to send")
        return
    for email, subject, where in d.sent:
        print(f"sent to {email}: {subject} [{where}]")
    for email, error in d.failed.items():
        print(f"delivery to {email} failed: {error}")
    if not d.sent and not d.failed:
        print("nothing to send")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the daemon: poll every schedule.poll_every, digests daily at schedule.digest_at."""
    from notifier.scheduler import Daemon  # noqa: PLC0415 - APScheduler only for the daemon

    settings = _settings(args)
    print(
        f"notifier {__version__} serving {len(settings.feeds)} feed(s) for "
        f"{len(settings.subscribers)} subscriber(s); Ctrl-C or SIGTERM stops",
        flush=True,
    )
    asyncio.run(Daemon(Notifier(settings)).run())
    print("stopped")
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    """Render the digest a subscriber would get now, without sending or marking anything."""
    notifier = Notifier(_settings(args))
    if args.subscriber:
        subscribers = [notifier.subscriber(args.subscriber)]
    elif args.out and len(notifier.settings.subscribers) > 1:
        raise UsageError("--out writes one digest: name its subscriber with --subscriber EMAIL")
    else:
        subscribers = notifier.settings.subscribers
    for s in subscribers:
        if pending := notifier.pending_count(s):
            print(f"{s.email}: {pending} digest(s) from an earlier run will be sent first")
        rendered = notifier.preview(s)
        if rendered is None:
            print(f"{s.email}: nothing new to send")
            continue
        if args.out:
            out = Path(args.out)
            html = out.suffix.lower() in (".html", ".htm")
            body = rendered.html if html else f"Subject: {rendered.subject}\n\n{rendered.text}"
            try:
                out.write_text(body, encoding="utf-8")
            except OSError as e:
                raise UsageError(f"--out {out}: cannot write the preview: {e}") from e
            print(f"{s.email}: {rendered.subject} -> {out}")
        else:
            print(f"To: {s.email}\nSubject: {rendered.subject}\n\n{rendered.text}\n")
    return EXIT_OK


def cmd_check_config(args: argparse.Namespace) -> int:
    """Validate the config and say exactly what is wrong, with the key and the line."""
    settings = _settings(args)
    Notifier(settings).check_templates()
    d = settings.delivery
    where = (
        f"smtp {settings.smtp.host}:{settings.smtp.port} ({settings.smtp.security})"
        if d.method == "smtp"
        else f"outbox folder {d.outbox_dir}"
    )
    print(
        f"config OK: {len(settings.feeds)} feed(s), {len(settings.subscribers)} subscriber(s), "
        f"delivery by {where}, state in {settings.storage.path}"
    )
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    """Status of each feed: last fetch, items, errors."""
    rows = Notifier(_settings(args)).feed_status()
    failing = 0
    for name, url, state in rows:
        if state is None:
            print(f"{name}: never fetched ({url})")
            continue
        last = state.last_fetch_at.isoformat() if state.last_fetch_at else "never"
        ok = state.last_success_at.isoformat() if state.last_success_at else "never"
        status = f"ERROR {state.last_error}" if state.last_error else "ok"
        failing += bool(state.last_error)
        print(f"{name}: {status}; {state.items} item(s); last fetch {last}; last success {ok}")
        print(f"  {url}")
    return EXIT_PARTIAL if failing else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole pipeline on bundled sample feeds; digests go to ./notifier-demo/outbox."""
    from notifier.demo import run_demo  # noqa: PLC0415

    folder = Path(args.dir)
    report = asyncio.run(run_demo(folder))
    _print_run(report)
    outbox = folder / "outbox"
    files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
    print(f"\n{len(files)} digest(s) written to {outbox.resolve()}/")
    for f in files:
        print(f"  {f.name}")
    if files:
        print(f"open one with a mail client, or read it: less {files[0]}")
    return EXIT_OK if report.ok and files else EXIT_PARTIAL


def cmd_extract(argv: Sequence[str]) -> int:
    """Print the extraction report(s) as JSON."""
    from notifier.extract import jsonio  # noqa: PLC0415

    return jsonio.main(list(argv))


_COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "run": (cmd_run, "notifier run --once --config /etc/notifier/config.toml"),
    "serve": (cmd_serve, "notifier serve --config /etc/notifier/config.toml"),
    "preview": (cmd_preview, "notifier preview --subscriber desk@example.org --out digest.html"),
    "check-config": (cmd_check_config, "notifier check-config --config config.toml"),
    "feeds": (cmd_feeds, "notifier feeds --config config.toml"),
    "demo": (cmd_demo, "notifier demo"),
}
EXTRACT_EXAMPLE = "notifier extract report.txt   |   notifier extract --jsonl docs.jsonl"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every command's help ends with an example."""
    parser = argparse.ArgumentParser(
        prog="notifier",
        description="Humanitarian alert summarizer: feeds in, figures out, digests mailed.",
        epilog="Config: --config, else $NOTIFIER_CONFIG, else ./config.toml. "
        "Exit codes: 0 ok, 1 partial failure, 2 bad usage or config.",
    )
    parser.add_argument("--version", action="version", version=f"notifier {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (func, example) in _COMMANDS.items():
        doc = (func.__doc__ or "").strip()
        p = sub.add_parser(name, help=doc, description=doc, epilog=f"Example:\n  {example}")
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.set_defaults(func=func)
        p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
        p.add_argument("-q", "--quiet", action="store_true", help="log only errors")
        if name != "demo":
            p.add_argument("--config", metavar="PATH", help="the TOML config file")
        if name == "run":
            p.add_argument("--once", action="store_true", help="poll and deliver once, then exit")
            p.add_argument(
                "--dry-run", action="store_true", help="render, but do not send or mark anything"
            )
        if name == "preview":
            p.add_argument(
                "--subscriber", metavar="EMAIL", help="whose digest (default: every subscriber)"
            )
            p.add_argument(
                "--out", metavar="FILE", help="write to FILE (.html: the HTML part, else text)"
            )
        if name == "demo":
            p.add_argument("--dir", default="notifier-demo", help="demo folder (./notifier-demo)")
    sub.add_parser(
        "extract",
        help=cmd_extract.__doc__,
        description=cmd_extract.__doc__,
        epilog=f"Example:\n  {EXTRACT_EXAMPLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    return parser


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.INFO
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosmtplib", "trafilatura"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `notifier` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["extract"]:
            return cmd_extract(argv[1:])
        parser = build_parser()
        args = parser.parse_args(argv)
        _setup_logging(args)
        code: int = args.func(args)
    except NotifierError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
