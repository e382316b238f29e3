"""The command line: parse options, call the library, print, map errors to exit codes.

Each command is one function (`commands`, `extracting`), declared with its
options by `@command` and documented by its docstring, whose `Example:` becomes
the end of its `--help`. Nothing here does pipeline work (see
`notifier.service`); the only input the CLI reads itself is the files and JSON
Lines given to `notifier extract`, because the extractor does no I/O.

What reaches the operator is one line per problem: a NotifierError's message
(a config's problems one line each), or for anything unexpected `error:
internal error (...)` with the traceback in the log at debug level (-v). Ctrl-C
exits 130 without a word, and a reader that goes away (`notifier preview |
head`) ends the output quietly.

Exit codes: 0 ok, 1 partial failure (some feed or delivery failed, the rest went
through) or an internal error, 2 bad usage or bad config, 130 interrupted.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import sys
from collections.abc import Sequence

from notifier import __version__
from notifier.cli.logs import LOG_FORMATS, logging_to_stderr, printable
from notifier.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, NotifierError

__all__ = ["build_parser", "main"]

log = logging.getLogger("notifier")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per `@command`, its help ending with its example.

    The commands, and with them the library, are imported here rather than when
    `notifier.cli` is: that takes a second or two, and a Ctrl-C in it must be
    the quiet exit 130 of `main`, not a traceback from an import.
    """
    from notifier.cli import commands, extracting  # noqa: F401, PLC0415 - they register
    from notifier.cli.base import COMMANDS  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="notifier",
        description="Humanitarian alert summarizer: feeds in, figures out, digests mailed.",
        epilog="Config: --config, else $NOTIFIER_CONFIG, else ./config.toml. "
        "Exit codes: 0 ok, 1 partial failure, 2 bad usage or config, 130 interrupted.",
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
        p.set_defaults(func=cmd.handler, log_level=cmd.log_level)
        talk = p.add_mutually_exclusive_group()
        talk.add_argument(
            "-v", "--verbose", action="store_true", help="say per feed and per item what happened"
        )
        talk.add_argument(
            "-q", "--quiet", action="store_true", help="print nothing on success; errors only"
        )
        p.add_argument(
            "--log-format",
            choices=LOG_FORMATS,
            default="text",
            help="log lines as text (default) or one JSON object per line, for log collectors",
        )
        if cmd.config:
            p.add_argument("--config", metavar="PATH", help="the TOML config file")
        for o in cmd.options:
            p.add_argument(*o.flags, **o.kwargs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `notifier` console script."""
    try:
        parser = build_parser()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with logging_to_stderr(
        verbose=args.verbose, quiet=args.quiet, log_format=args.log_format, default=args.log_level
    ):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """The command, with every way it can end turned into an exit code and at most one line."""
    try:
        code: int = args.func(args)
    except NotifierError as e:
        for line in str(e).splitlines() or [type(e).__name__]:
            _error(line)
        return e.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        from notifier.cli.base import silence_stdout, stdout_gone  # noqa: PLC0415

        if not stdout_gone():
            return _internal_error()
        silence_stdout()  # the reader went away: nothing more to say, and no one to say it to
        return EXIT_OK
    except Exception:  # noqa: BLE001 - the crash handler: one line, the traceback at debug level
        return _internal_error()
    return code


def _internal_error() -> int:
    """Report the exception being handled as a bug: one line, the traceback in the log (-v)."""
    error = sys.exc_info()[1]
    log.debug("internal error", exc_info=True)
    _error(
        f"internal error ({type(error).__name__}: {error}); "
        "run with -v for the traceback, and please report it"
    )
    return EXIT_PARTIAL


def _error(message: str) -> None:
    """`error: message` on stderr, on one line whatever the message holds."""
    print(f"error: {printable(message)}", file=sys.stderr)
