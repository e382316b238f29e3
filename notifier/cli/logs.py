"""Log lines for operators and for log collectors: one record, one line, time in UTC.

`--log-format text` (the default) writes `2026-12-04T07:00:00.123Z ERROR
notifier.service: message`; `--log-format json` writes one JSON object per
line with `time`, `level`, `logger`, `message` and the record's extra fields
(`feed`, `subscriber`, ...), for journald, Loki, Elasticsearch and the like.
Tracebacks are written only with -v: without it a record that carries one says
what was raised in a few words, so no traceback reaches the operator.
Control characters in messages (from feed titles, say) are shown escaped, never
sent to the terminal.
"""

from __future__ import annotations

import json
import logging
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
_NOISY = ("httpx", "httpcore", "apscheduler", "aiosmtplib", "trafilatura", "asyncio")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
"""Attributes every LogRecord has: anything else was given as `extra=`."""


def utc_time(created: float) -> str:
    """ISO 8601 in UTC with milliseconds: 2026-12-04T07:00:00.123Z."""
    stamp = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def printable(text: str) -> str:
    """`text` on one line with control and direction-override characters escaped."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u00ad":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _raised(record: logging.LogRecord) -> str | None:
    """`TypeError: message` of the exception a record carries, on one line."""
    if not record.exc_info or record.exc_info[1] is None:
        return None
    error = record.exc_info[1]
    return printable(f"{type(error).__name__}: {error}")


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message`, the traceback after it only with -v."""

    def __init__(self, *, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        """One line (more only for a traceback under -v)."""
        line = (
            f"{utc_time(record.created)} {record.levelname} {record.name}: "
            f"{printable(record.getMessage())}"
        )
        if record.exc_info and self.tracebacks:
            return line + "\n" + self.formatException(record.exc_info)
        if raised := _raised(record):
            line += f" ({raised}; -v shows the traceback)"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the extra fields."""

    def __init__(self, *, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        data: dict[str, Any] = {
            "time": utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": printable(record.getMessage()),
        }
        data.update((key, value) for key, value in vars(record).items() if key not in _STANDARD)
        if raised := _raised(record):
            data["error"] = raised
            if self.tracebacks and record.exc_info:
                data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (tests and daemons replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record to the current sys.stderr."""
        self.stream = sys.stderr
        super().emit(record)


@contextmanager
def logging_to_stderr(
    *, verbose: bool, quiet: bool, log_format: str, default: int
) -> Iterator[None]:
    """Log to stderr while a command runs: -v everything, -q errors only, else `default` up.

    The logging setup before it is restored after, so calling `main` twice (as
    tests do) does not stack handlers.
    """
    level = logging.DEBUG if verbose else logging.ERROR if quiet else default
    formatter: logging.Formatter = (
        JsonFormatter(tracebacks=verbose)
        if log_format == "json"
        else TextFormatter(tracebacks=verbose)
    )
    root = logging.getLogger()
    handler = StderrHandler()
    handler.setFormatter(formatter)
    saved = [(logger, logger.level) for logger in map(logging.getLogger, ("", *_NOISY))]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        root.removeHandler(handler)
        for logger, old in saved:
            logger.setLevel(old)
