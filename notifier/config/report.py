"""Where a config problem is: the key, the line of the file or the environment variable.

tomllib does not report positions, so lines are found by reading the TOML
text again; NOTIFIER_* variables that match no setting are found by walking
the models.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from notifier.config.values import CONFIG_ENV
from notifier.extract.models import KINDS


def describe(error: ValidationError, source: tuple[Path, str] | None) -> str:
    """One line per problem: `key: reason (line N)`, as the operator needs to fix it."""
    lines = []
    for err in error.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if loc[-1:] == ("[key]",):
            # A table of kinds ([thresholds]) refused one of its keys: not a known kind.
            loc, kind = loc[:-1], "extra_forbidden"
        key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        if kind == "extra_forbidden":
            reason = "unknown key (misspelt? see config.example.toml for the keys)"
        elif kind == "missing":
            reason = "required, but missing"
            if loc in (("feeds",), ("subscribers",)):
                reason += f": add at least one [[{loc[0]}]] table"
        elif kind == "value_error":
            reason = str(err["msg"]).removeprefix("Value error, ")
        else:
            reason = f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {err.get('input')!r}"
        where = ""
        env = _env_name(loc)
        if env in os.environ:
            where = f" (from the environment variable {env})"
        elif source is not None:
            line = _find_line(source[1], loc)
            where = f" ({source[0]}, line {line})" if line else f" ({source[0]})"
        lines.append(f"{key}: {reason}{where}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _env_name(loc: tuple[Any, ...]) -> str:
    return "NOTIFIER_" + "__".join(str(p).upper() for p in loc if isinstance(p, str))


def unknown_env_vars(
    settings_model: type[BaseModel], environ: Mapping[str, str] | None = None
) -> list[str]:
    """NOTIFIER_* variables that set nothing: a misspelt override is otherwise silently ignored."""
    env = os.environ if environ is None else environ
    unknown = []
    for name in env:
        if not name.startswith("NOTIFIER_") or name == CONFIG_ENV:
            continue
        model: Any = settings_model
        for part in name.removeprefix("NOTIFIER_").lower().split("__"):
            fields: dict[str, Any] = {} if model is None else getattr(model, "model_fields", {})
            if model is _KIND_TABLE and part in KINDS:
                model = None  # a kind's threshold: nothing nests below it
            elif part in fields:
                model = _KIND_TABLE if part == "thresholds" else fields[part].annotation
            else:
                unknown.append(name)
                break
    return sorted(unknown)


_KIND_TABLE = object()
"""Stands for a `thresholds` table while walking an env name: its keys are the figure kinds."""


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of a key in TOML text; tomllib does not report positions."""
    path = [str(p) for p in loc if isinstance(p, str)]
    indexes = [p for p in loc if isinstance(p, int)]
    table: list[str] = []
    counts: dict[str, int] = {}
    table_line: int | None = None
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _HEADER.match(line):
            table = [p.strip() for p in m.group(2).split(".")]
            name = ".".join(table)
            if m.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
            idx = counts.get(table[0], 0) if table and table[0] in counts else None
            matches_index = not indexes or idx == indexes[0]
            if table == path[: len(table)] and matches_index:
                table_line = number
                best = best or (number if table == path else None)
            continue
        if (m := _KEY.match(line)) and [*table, m.group(1)] == path:
            idx = counts.get(table[0]) if table and table[0] in counts else None
            if not indexes or idx == indexes[0]:
                return number
    return best or table_line
