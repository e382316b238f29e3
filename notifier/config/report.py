"""Where a config problem is and how to say it: the key, the reason, the line or the variable.

Every problem is one line, `key: reason (config.toml, line N)`, or `(from the
environment variable NOTIFIER_X)` when an environment variable set it: a value
from the environment is never blamed on a line of the file. tomllib does not
report positions, so lines are found by reading the TOML text again (`lines`);
NOTIFIER_* variables that match no setting are found by walking the models.
"""

from __future__ import annotations

import difflib
import json
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from notifier.config.lines import find_line
from notifier.config.values import CONFIG_ENV, KeyedError, short
from notifier.extract.models import KINDS

Loc = tuple[str | int, ...]
Source = tuple[Path, str]
"""The config file and its text, to find lines in."""


def describe(error: ValidationError, source: Source | None, model: type[BaseModel]) -> list[str]:
    """One line per problem, as the operator needs it to fix the config.

    Keys missing from one table are one line (`feeds[1]: name and url are
    required`), and a misspelt table that leaves a required one missing
    (`[[feed]]`) is said once, as the misspelling.
    """
    errors = [_normalise(err) for err in error.errors()]
    missing = [loc for loc, err in errors if err["type"] == "missing"]
    covered: set[Loc] = set()
    for loc, err in errors:
        if err["type"] == "extra_forbidden" and (guess := _suggest(model, loc)):
            covered.update(
                m for m in missing if m[:-1] == loc[:-1] and guess == _table_name(model, m)
            )
    lines = []
    grouped: set[Loc] = set()
    for loc, err in errors:
        if loc in covered:
            continue
        if err["type"] == "missing":
            parent = loc[:-1]
            siblings = [m[-1] for m in missing if m[:-1] == parent and m not in covered]
            if len(siblings) > 1:
                if parent not in grouped:
                    grouped.add(parent)
                    lines.append(_all_missing(model, parent, siblings, source))
                continue
        lines.append(f"{key_of(loc)}: {reason_of(err, model, loc)}{where(loc, source)}")
    return lines


def _all_missing(
    model: type[BaseModel], parent: Loc, keys: list[str | int], source: Source | None
) -> str:
    """One line for the keys missing from one table (or the [[feeds]] and [[subscribers]])."""
    names = [_table_name(model, (k,)) if not parent else str(k) for k in keys]
    said = ", ".join(names[:-1]) + " and " + names[-1]
    if parent:
        return f"{key_of(parent)}: {said} are required{where(parent, source)}"
    return f"{said} are required: see config.example.toml{where(parent, source)}"


def _normalise(err: ErrorDetails) -> tuple[Loc, ErrorDetails]:
    """The key a problem is about, and the error as the operator sees it."""
    loc = tuple(err["loc"])
    if loc[-1:] == ("[key]",):
        # A table of kinds ([thresholds]) refused one of its keys: an unknown key.
        loc = loc[:-1]
        err = err.copy()
        err["type"] = "extra_forbidden"
    problem = err.get("ctx", {}).get("error")
    if isinstance(problem, KeyedError):
        loc = (*loc, *problem.loc)
    return loc, err


def key_of(loc: Loc) -> str:
    """`feeds[1].name`, as the operator finds it in the file."""
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")


_REASONS = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "finite_number": "must be a finite number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text in quotes",
    "string_too_long": "must be at most {max_length} characters long",
    "list_type": 'must be a list, like ["a", "b"]',
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "path_type": "must be a path in quotes",
    "recursion_loop": "nested too deeply",
}


def reason_of(err: ErrorDetails, model: type[BaseModel], loc: Loc) -> str:
    """Why the value is refused, in the words of the config file."""
    kind = err["type"]
    table = len(loc) == 1 and loc[0] in ("feeds", "subscribers")
    if kind == "extra_forbidden":
        guess = _suggest(model, loc)
        hint = f"; did you mean {guess}?" if guess else " (misspelt? see config.example.toml)"
        reason = "unknown key" + hint
    elif kind == "missing":
        reason = "required, but missing" + (
            f": add at least one [[{loc[0]}]] table" if table else ""
        )
    elif kind == "value_error":
        reason = str(err["msg"]).removeprefix("Value error, ")
    elif kind in ("too_short", "string_too_short"):
        reason = f"add at least one [[{loc[0]}]] table" if table else "must not be empty"
    else:
        ctx = {k: _plain(v) for k, v in err.get("ctx", {}).items()}
        said = str(err["msg"]).replace("Input should be", "must be", 1)
        reason = _REASONS[kind].format(**ctx) if kind in _REASONS else said[:1].lower() + said[1:]
        reason += f", got {short(err.get('input'))}"
    return reason


def _plain(value: object) -> object:
    """3600.0 as 3600 in a message."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def where(loc: Loc, source: Source | None) -> str:
    """` (from the environment variable X)`, or ` (config.toml, line N)`, or ` (config.toml)`."""
    env = env_source(loc)
    if env:
        return f" (from the environment variable {env})"
    if source is None:
        return ""
    line = find_line(source[1], loc)
    return f" ({source[0]}, line {line})" if line else f" ({source[0]})"


def env_source(loc: Loc, environ: Mapping[str, str] | None = None) -> str | None:
    """The NOTIFIER_* variable that set the value at `loc`, if one did.

    NOTIFIER_SMTP__PORT sets smtp.port; NOTIFIER_SMTP='{"port": 25}' sets it too,
    but not smtp.host, which then still comes from the file. Names are matched
    without case, as pydantic-settings reads them.
    """
    env = {k.upper(): (k, v) for k, v in (os.environ if environ is None else environ).items()}
    names = [p for p in loc if isinstance(p, str)]
    for n in range(len(names), 0, -1):
        name = "NOTIFIER_" + "__".join(p.upper() for p in names[:n])
        if name not in env:
            continue
        actual, value = env[name]
        if n == len(names) or _holds(value, loc, names[n - 1]):
            return actual
    return None


def _holds(text: str, loc: Loc, last: str) -> bool:
    """Whether the JSON of a variable for `last` holds the rest of `loc` (or is not JSON)."""
    try:
        value: Any = json.loads(text)
    except (ValueError, RecursionError):
        return True
    rest = loc[loc.index(last) + 1 :]
    for part in rest:
        in_table = isinstance(value, dict) and isinstance(part, str) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and part < len(value)
        if not (in_table or in_list):
            return False
        value = value[part]
    return True


# --- suggestions for unknown keys ------------------------------------------------------


def _suggest(model: type[BaseModel], loc: Loc) -> str | None:
    """The key the operator probably meant: a close name here, or this key in another section."""
    parent = _model_at(model, loc[:-1])
    key = str(loc[-1])
    if loc[-2:-1] == ("thresholds",):
        close = difflib.get_close_matches(key, KINDS, n=1, cutoff=0.7)
        return close[0] if close else None
    if parent is None:
        return None
    if close := difflib.get_close_matches(key, list(parent.model_fields), n=1, cutoff=0.7):
        return _table_name(parent, (close[0],)) if len(loc) == 1 else close[0]
    if len(loc) == 1:
        homes = [
            f"{name}.{key}"
            for name, f in model.model_fields.items()
            if (sub := _model_of(f.annotation)) is not None and key in sub.model_fields
        ]
        return " or ".join(homes) or None
    return None


def _table_name(model: type[BaseModel], loc: Loc) -> str:
    """`[[feeds]]` for an array of tables, `[smtp]` for a table, else the key."""
    if len(loc) != 1 or loc[0] not in model.model_fields:
        return str(loc[-1])
    annotation = model.model_fields[str(loc[0])].annotation
    if typing.get_origin(annotation) is list and _model_of(annotation) is not None:
        return f"[[{loc[0]}]]"
    return f"[{loc[0]}]" if _model_of(annotation) is not None else str(loc[0])


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        current = None if field is None else _model_of(field.annotation)
    return current


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The model inside an annotation: S, list[S], S | None, Annotated[S, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Annotated, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (found := _model_of(arg)) is not None:
                return found
    return None


# --- environment variables that set nothing ---------------------------------------------


def unknown_env_vars(
    settings_model: type[BaseModel], environ: Mapping[str, str] | None = None
) -> list[str]:
    """NOTIFIER_* variables that set nothing: a misspelt override is otherwise silently ignored."""
    env = os.environ if environ is None else environ
    unknown = []
    for name in env:
        if not name.upper().startswith("NOTIFIER_") or name.upper() == CONFIG_ENV:
            continue
        model: Any = settings_model
        for part in name[len("NOTIFIER_") :].lower().split("__"):
            fields: dict[str, Any] = {} if model is None else getattr(model, "model_fields", {})
            if model is _KIND_TABLE and part in KINDS:
                model = None  # a kind's threshold: nothing nests below it
            elif part in fields:
                model = _KIND_TABLE if part == "thresholds" else _model_of(fields[part].annotation)
            else:
                unknown.append(name)
                break
    return sorted(unknown)


_KIND_TABLE = object()
"""Stands for a `thresholds` table while walking an env name: its keys are the figure kinds."""
