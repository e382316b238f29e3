"""`notifier extract`: files or JSON Lines in, one extraction report per document out.

The only command that reads its input itself, because the extractor does no
I/O. One bad document does not stop a batch: it is named on stderr and the
others go on. A file that is not there, or a feed given where a document
belongs, is bad usage (exit 2); a document that cannot be read is a partial
failure (exit 1).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from notifier import extract as extraction
from notifier.cli.base import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, command, option
from notifier.errors import UsageError
from notifier.extract import Report
from notifier.htmltext import html_to_text, looks_like_html

Doc = tuple[str, str | None, int]
"""(id, text, exit code): text None means skipped, with the exit code that says why."""


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
    others go on (exit code 1; 2 when a file is missing or is a feed, whose
    items `notifier run` extracts once the feed is in the config).

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
    for doc_id, text, skipped in docs:
        if text is None:
            status = max(status, skipped)
            continue
        if kind := feed_kind(text):
            _warn(
                f"{doc_id} is {kind}, not a document: add it to [[feeds]] in the config "
                "(notifier run --once extracts each of its items), or give the items' text"
            )
            status = EXIT_USAGE
            continue
        report = _extract_doc(text, args.html).to_json(doc_id)
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status


_FEED = re.compile(
    r"\A\ufeff?\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<(rss|feed|(?:\w+:)?RDF)\b",
    re.DOTALL | re.IGNORECASE,
)
_FEED_KINDS = {"rss": "an RSS feed", "feed": "an Atom feed"}


def feed_kind(text: str) -> str | None:
    """`an RSS feed` (or Atom, or RDF) when the text is a feed document, else None."""
    m = _FEED.match(text[:8192])
    if m is None:
        return None
    return _FEED_KINDS.get(m.group(1).lower(), "an RSS 1.0 (RDF) feed")


def _extract_doc(text: str, html: bool | None) -> Report:
    """HTML (detected unless --html/--text says) becomes text first: the extractor reads text."""
    if looks_like_html(text) if html is None else html:
        text = html_to_text(text)
    return extraction.extract(text)


def _warn(message: str) -> None:
    sys.stderr.write(f"notifier extract: {message}\n")


def _read_files(names: Sequence[str]) -> Iterator[Doc]:
    """(id, text, 0) per file, the file name as id; a missing one is bad usage (2)."""
    for name in names:
        try:
            yield Path(name).name, Path(name).read_text(encoding="utf-8", errors="replace"), 0
        except (FileNotFoundError, IsADirectoryError) as e:
            what = "is a folder" if isinstance(e, IsADirectoryError) else "no such file"
            _warn(f"{name}: {what}; give the files to extract from")
            yield name, None, EXIT_USAGE
        except OSError as e:
            _warn(f"cannot read {name}: {e.strerror or e}")
            yield name, None, EXIT_PARTIAL


def _read_jsonl(source: str) -> Iterator[Doc]:
    """(id, text, 0) per JSON line of `source` ("-": stdin); text None for a bad line."""
    if source == "-":
        yield from _jsonl_docs(sys.stdin, "stdin")
        return
    try:
        with Path(source).open(encoding="utf-8", errors="replace") as stream:
            yield from _jsonl_docs(stream, source)
    except (FileNotFoundError, IsADirectoryError) as e:
        what = "is a folder" if isinstance(e, IsADirectoryError) else "no such file"
        _warn(f"--jsonl {source}: {what}")
        yield source, None, EXIT_USAGE
    except OSError as e:
        _warn(f"cannot read {source}: {e.strerror or e}")
        yield source, None, EXIT_PARTIAL


def _jsonl_docs(stream: TextIO, label: str) -> Iterator[Doc]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
                raise TypeError('expected an object with a string "text"')  # noqa: TRY301
        except (ValueError, TypeError, RecursionError) as e:
            _warn(f"{label} line {lineno}: bad JSON line ({e})")
            yield str(lineno), None, EXIT_PARTIAL
            continue
        yield str(doc.get("id", lineno)), doc["text"], EXIT_OK
