"""The command line: parse options, call the library, print, map errors to exit codes.

Each command is one function below, declared with its options by `@command`
and documented by its docstring, whose `Example:` becomes the end of its
`--help`. Nothing here does pipeline work (see `notifier.service`); the only
input this module reads itself is the files and JSON Lines given to
`notifier extract`, because the extractor does no I/O.

Exit codes: 0 ok, 1 partial failure (some feed or delivery failed, the rest went
through), 2 bad usage or bad config.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from notifier import __version__
from notifier.config import Settings, check_config, load_settings, unknown_env_vars
from notifier.errors import ConfigError, NotifierError, UsageError
from notifier.extract import Report, extract
from notifier.htmltext import html_to_text, looks_like_html
from notifier.models import RunReport
from notifier.service import Notifier, explain_item

log = logging.getLogger("notifier")

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True, slots=True)
class Option:
    """One argparse argument of a command: the flags and keywords of `add_argument`."""

    flags: tuple[str, ...]
    kwargs: dict[str, Any]


def option(*flags: str, **kwargs: Any) -> Option:  # noqa: ANN401 - argparse's own keywords
    """An option of a command, as `ArgumentParser.add_argument` takes it."""
    return Option(flags, kwargs)


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: its handler (whose docstring is its help) and its options."""

    name: str
    handler: Handler
    options: tuple[Option, ...]
    config: bool


COMMANDS: list[Command] = []


def command(*options: Option, config: bool = True) -> Callable[[Handler], Handler]:
    """Declare a subcommand named after the function (`check_config` -> `check-config`).

    `config` adds `--config PATH`; every command gets `-v` and `-q`.
    """

    def register(handler: Handler) -> Handler:
        name = handler.__name__.removeprefix("cmd_").replace("_", "-")
        COMMANDS.append(Command(name, handler, options, config))
        return handler

    return register


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    for name in unknown_env_vars():
        log.warning("%s matches no setting and is ignored (nesting is NOTIFIER_SMTP__HOST)", name)
    return settings


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


@command()
def cmd_serve(args: argparse.Namespace) -> int:
    """Run the daemon: poll every schedule.poll_every, digests daily at schedule.digest_at.

    Example:
      notifier serve --config /etc/notifier/config.toml

    """
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
    notifier = Notifier(_settings(args))
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
            print(note, file=sys.stderr if fmt == "json" else sys.stdout)
        if fmt == "json":
            _emit(args.out, json.dumps(notifier.preview_json(s), ensure_ascii=False) + "\n")
            continue
        rendered = notifier.preview(s)
        if rendered is None:
            print(f"{s.email}: nothing new to send")
            continue
        body = rendered.html if fmt == "html" else f"Subject: {rendered.subject}\n\n{rendered.text}"
        if args.out:
            _emit(args.out, body)
            print(f"{s.email}: {rendered.subject} -> {args.out}")
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
    notifier = Notifier(_settings(args))
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
    settings, problems = check_config(args.config)
    try:
        if not any(p.startswith("digest.templates_dir:") for p in problems):
            Notifier(settings).check_templates()  # a missing folder is said once, above
    except ConfigError as e:
        problems.append(str(e))
    if problems:
        raise ConfigError("\n".join(problems))
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


@command()
def cmd_feeds(args: argparse.Namespace) -> int:
    """Status of each feed: last fetch, items, errors.

    Example:
      notifier feeds --config config.toml

    """
    rows = Notifier(_settings(args)).feed_status()
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
        print(f"{name}: {status}; {state.items} item(s); last fetch {last}; last success {ok}")
        print(f"  {url}")
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
    _print_run(report)
    outbox = folder / "outbox"
    files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
    print(f"\n{len(files)} digest(s) written to {outbox.resolve()}/")
    for f in files:
        print(f"  {f.name}")
    if files:
        print(f"open one with a mail client, or read it: less {files[0]}")
    return EXIT_OK if report.ok and files else EXIT_PARTIAL


@command(
    option("files", nargs="*", metavar="FILE", help="text or HTML files; one JSON object each"),
    option(
        "--jsonl",
        metavar="IN",
        help='JSON Lines of {"id", "text"} ("-" for standard input); one JSON line out per line in',
    ),
    option("--html", action="store_true", default=None, help="input is HTML"),
    option("--text", dest="html", action="store_false", help="input is plain text"),
    config=False,
)
def cmd_extract(args: argparse.Namespace) -> int:
    """Print the extraction report(s) as JSON: figures, agencies, organisations, countries.

    One bad document does not stop a batch: it is named on stderr and the
    others go on (exit code 1).

    Example:
      notifier extract report.txt   |   notifier extract --jsonl docs.jsonl

    """
    if bool(args.files) == bool(args.jsonl):
        raise UsageError(
            "extract: give either FILE arguments or --jsonl IN, not both or neither "
            "(usage: notifier extract FILE... | notifier extract --jsonl IN)"
        )
    docs = _read_files(args.files) if args.files else _read_jsonl(args.jsonl)
    status = EXIT_OK
    for doc_id, text in docs:
        if text is None:
            status = EXIT_PARTIAL
            continue
        report = _extract_doc(text, args.html).to_json(doc_id)
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status


def _extract_doc(text: str, html: bool | None) -> Report:
    """HTML (detected unless --html/--text says) becomes text first: the extractor reads text."""
    if looks_like_html(text) if html is None else html:
        text = html_to_text(text)
    return extract(text)


def _warn(message: str) -> None:
    sys.stderr.write(f"notifier extract: {message}\n")


def _read_files(names: Sequence[str]) -> Iterator[tuple[str, str | None]]:
    """(id, text) per file, the file name as id; None (and a warning) for an unreadable one."""
    for name in names:
        try:
            yield Path(name).name, Path(name).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            _warn(f"cannot read {name}: {e.strerror or e}")
            yield name, None


def _read_jsonl(source: str) -> Iterator[tuple[str, str | None]]:
    """(id, text) per JSON line of `source` ("-": stdin); None for a line that is not a document."""
    if source == "-":
        yield from _jsonl_docs(sys.stdin, "stdin")
        return
    try:
        with Path(source).open(encoding="utf-8", errors="replace") as stream:
            yield from _jsonl_docs(stream, source)
    except OSError as e:
        _warn(f"cannot read {source}: {e.strerror or e}")
        yield source, None


def _jsonl_docs(stream: TextIO, label: str) -> Iterator[tuple[str, str | None]]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
                raise TypeError('expected an object with a string "text"')  # noqa: TRY301
        except (ValueError, TypeError) as e:
            _warn(f"{label} line {lineno}: bad JSON line ({e})")
            yield str(lineno), None
            continue
        yield str(doc.get("id", lineno)), doc["text"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per `@command`, its help ending with its example."""
    parser = argparse.ArgumentParser(
        prog="notifier",
        description="Humanitarian alert summarizer: feeds in, figures out, digests mailed.",
        epilog="Config: --config, else $NOTIFIER_CONFIG, else ./config.toml. "
        "Exit codes: 0 ok, 1 partial failure, 2 bad usage or config.",
    )
    parser.add_argument("--version", action="version", version=f"notifier {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS:
        description, _, example = inspect.cleandoc(cmd.handler.__doc__ or "").partition(
            "\n\nExample:\n"
        )
        p = sub.add_parser(
            cmd.name,
            help=description.splitlines()[0],
            description=description,
            epilog=f"Example:\n{example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=cmd.handler)
        p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
        p.add_argument("-q", "--quiet", action="store_true", help="log only errors")
        if cmd.config:
            p.add_argument("--config", metavar="PATH", help="the TOML config file")
        for o in cmd.options:
            p.add_argument(*o.flags, **o.kwargs)
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
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        _setup_logging(args)
        code: int = args.func(args)
    except NotifierError as e:
        for line in str(e).splitlines() or [""]:
            print(f"error: {line}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
