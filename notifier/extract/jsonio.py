"""`extract FILE... | --jsonl IN`: the extractor as a filter over files or JSON Lines.

One bad document must not stop a batch: it is reported on stderr (naming the
file or the line) and the run goes on; the exit code tells the caller that
something failed (1) or that the command line was wrong (2).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from notifier.extract.pipeline import extract

_USAGE_ERROR = 2
_DOC_ERROR = 1


class _Parser(argparse.ArgumentParser):
    """An argparse parser that reports bad usage by exception, not by exiting."""

    def error(self, message: str) -> Any:  # noqa: ANN401
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> _Parser:
    parser = _Parser(
        prog="notifier extract",
        description=(
            "Extract displacement and casualty figures from texts. "
            "Example: notifier extract report.txt  |  notifier extract --jsonl docs.jsonl"
        ),
    )
    parser.add_argument("files", nargs="*", help="text or HTML files; one JSON object each")
    parser.add_argument(
        "--jsonl",
        metavar="IN",
        help='JSON Lines of {"id", "text"} ("-" for standard input); one JSON line out per line in',
    )
    parser.add_argument("--html", action="store_true", default=None, help="input is HTML")
    parser.add_argument("--text", dest="html", action="store_false", help="input is plain text")
    return parser


def _write(stdout: TextIO, obj: dict[str, Any]) -> None:
    stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    stdout.flush()


def _run_files(files: list[str], html: bool | None, stdout: TextIO, stderr: TextIO) -> int:
    status = 0
    for name in files:
        try:
            content = Path(name).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            stderr.write(f"notifier extract: cannot read {name}: {e.strerror or e}\n")
            status = _DOC_ERROR
            continue
        _write(stdout, extract(content, html=html).to_json(Path(name).name))
    return status


def _run_jsonl(stream: TextIO, label: str, html: bool | None, out: TextIO, err: TextIO) -> int:
    status = 0
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
                raise TypeError('expected an object with a string "text"')  # noqa: TRY301
        except (ValueError, TypeError) as e:
            err.write(f"notifier extract: {label} line {lineno}: bad JSON line ({e})\n")
            status = _DOC_ERROR
            continue
        doc_id = doc.get("id", lineno)
        _write(out, extract(doc["text"], html=html).to_json(str(doc_id)))
    return status


def main(
    argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run the extractor CLI; returns 0, 1 (some documents failed) or 2 (bad usage)."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = sys.stderr
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        if bool(args.files) == bool(args.jsonl):
            raise _UsageError("give either FILE arguments or --jsonl IN, not both or neither")  # noqa: TRY301
    except _UsageError as e:
        stderr.write(f"notifier extract: {e}\nusage: notifier extract FILE... | --jsonl IN\n")
        return _USAGE_ERROR
    if args.files:
        return _run_files(args.files, args.html, stdout, stderr)
    if args.jsonl == "-":
        return _run_jsonl(stdin, "stdin", args.html, stdout, stderr)
    try:
        with Path(args.jsonl).open(encoding="utf-8", errors="replace") as stream:
            return _run_jsonl(stream, args.jsonl, args.html, stdout, stderr)
    except OSError as e:
        stderr.write(f"notifier extract: cannot read {args.jsonl}: {e.strerror or e}\n")
        return _DOC_ERROR
