"""Positions in the config text: the line of a key, and where values nest too deeply.

tomllib reports no positions for what it parses, so the line of a key is found
by reading the text again, table header by table header, the way an operator
reads it; this is best effort (a key written inside an inline table is found
at the line of the key that holds the table).
"""

from __future__ import annotations

import re
from typing import Any

Loc = tuple[str | int, ...]

MAX_DEPTH = 32
"""Nothing in the config nests more than four levels; past this, the input is not a config."""

_BARE = r"[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'"
_DOTTED = rf"(?:{_BARE})(?:\s*\.\s*(?:{_BARE}))*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(rf"{_BARE}", dotted)]


def find_line(text: str, loc: Loc) -> int | None:
    """The line of the key at `loc`, else of the nearest table or key that holds it."""
    target = list(loc)
    best_length, best_line = 0, None
    table: list[str | int] = []
    counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _HEADER.match(line):
            names = _parts(m.group(2))
            if m.group(1) == "[[":
                counts[tuple(names)] = counts.get(tuple(names), -1) + 1
            table = []
            for n, name in enumerate(names, start=1):
                table.append(name)
                if tuple(names[:n]) in counts:
                    table.append(counts[tuple(names[:n])])
            # [[feeds]] is the line of feeds[n] and, the first time, of feeds itself
            paths = [table, table[:-1]] if m.group(1) == "[[" else [table]
        elif m := _KEY.match(line):
            paths = [[*table, *_parts(m.group(1))]]
        else:
            continue
        for path in paths:
            if path == target[: len(path)] and len(path) > best_length:
                best_length, best_line = len(path), number
                if len(path) == len(target):
                    return number
    if best_line is not None and len(target) > best_length:
        index = target[best_length]
        if isinstance(index, int):  # an inline table in an array written over several lines
            return _inline_table_line(text, best_line, index) or best_line
    return best_line


def _inline_table_line(text: str, key_line: int, index: int) -> int | None:
    """The line of the index-th `{ ... }` of an array that starts at `key_line`, one per line."""
    lines = text.splitlines()
    found = -1
    for number in range(key_line + 1, len(lines) + 1):
        line = lines[number - 1].strip()
        if line.startswith("{"):
            found += 1
            if found == index:
                return number
        elif line.startswith("]") or _HEADER.match(line) or _KEY.match(line):
            return None
    return None


def deep_line(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The first line where `[` and `{` nest deeper than `limit`, strings and comments aside."""
    depth, line, i, n = 0, 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            end = _string_end(text, i + len(quote), quote)
            line += text.count("\n", i, end)
            i = end
            continue
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _string_end(text: str, start: int, quote: str) -> int:
    """Index just past the string that opened before `start` with `quote`."""
    i = start
    while i < len(text):
        if text[i] == "\\" and quote[0] == '"':
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        if text[i] == "\n" and len(quote) == 1:
            return i
        i += 1
    return len(text)


_JSON_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests deeper than `limit` (checked before json.loads can recurse)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def deep_loc(data: Any, limit: int = MAX_DEPTH) -> Loc | None:  # noqa: ANN401 - parsed TOML
    """Where parsed data nests deeper than `limit`: the key that holds the deep value."""
    stack: list[tuple[Loc, Any, int]] = [((), data, 0)]
    while stack:
        loc, value, depth = stack.pop()
        if depth > limit:
            while loc and isinstance(loc[-1], int):
                loc = loc[:-1]
            return loc
        if isinstance(value, dict):
            stack.extend(((*loc, str(k)), v, depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*loc, k), v, depth + 1) for k, v in enumerate(value))
    return None
