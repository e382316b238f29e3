"""What a config's values cannot say alone: the files they name, the environment around them.

`check-config` asks `problems` and `env_problems`: a feed file that is not
there, a state file that cannot be created where it is named, a NOTIFIER_*
variable that sets nothing. Loading always asks `check_env_depth` and
`env_json_problem`, so a variable that is not JSON, or nests thousands deep,
is one line naming the variable.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pydantic import BaseModel
from pydantic_settings import SettingsError

from notifier.config.lines import MAX_DEPTH, json_too_deep
from notifier.config.report import Source, key_of, unknown_env_vars, where
from notifier.config.values import CONFIG_ENV, is_local_url, short
from notifier.errors import ConfigError

if TYPE_CHECKING:
    from notifier.config import Settings


def resolve(path: Path, base: Path) -> Path:
    """A path of the config: `~` expanded, relative to the config file's folder."""
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def feed_path(url: str, base: Path) -> Path:
    """The file a local feed URL names (a path, or file:...)."""
    if url.lower().startswith("file:"):
        return Path(url2pathname(urlsplit(url).path))
    return resolve(Path(url), base)


def problems(settings: Settings, base: Path, source: Source) -> list[str]:
    """One line per path of the config that cannot work on this machine."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for n, feed in enumerate(settings.feeds):
        if is_local_url(feed.url) and (reason := _feed_file(feed.url, base)):
            found.append((("feeds", n, "url"), reason))
    state = resolve(settings.storage.path, base)
    if settings.storage.url.get_secret_value():
        pass  # PostgreSQL: check-config connects to it; the path is not used
    elif state.is_dir():
        found.append(
            (("storage", "path"), f"{state} is a folder; name a file in it, like notifier.db")
        )
    elif reason := _cannot_create(state):
        found.append((("storage", "path"), reason))
    if settings.delivery.method == "outbox":
        outbox = resolve(settings.delivery.outbox_dir, base)
        if outbox.exists() and not outbox.is_dir():
            found.append((("delivery", "outbox_dir"), f"{outbox} is a file, not a folder"))
        elif reason := _cannot_create(outbox):
            found.append((("delivery", "outbox_dir"), reason))
    templates = settings.digest.templates_dir
    if templates is not None and not resolve(templates, base).is_dir():
        found.append(
            (
                ("digest", "templates_dir"),
                f"{resolve(templates, base)} is not a folder; create it with your own "
                "templates, or remove the key to use the bundled ones",
            )
        )
    return [f"{key_of(loc)}: {reason}{where(loc, source)}" for loc, reason in found]


_HOST_LIKE = re.compile(r"(?i)^(?:www\.[^/]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?/)")
"""`reliefweb.int/rss.xml` or `www.example.org`: a URL without its scheme, not a file name."""


def _feed_file(url: str, base: Path) -> str | None:
    """Why a local feed URL cannot be read, or None."""
    path = feed_path(url, base)
    if path.is_dir():
        return f"{short(url)} is a folder, not a feed file"
    if path.is_file():
        return None
    reason = f"{short(url)} is neither an http(s) URL nor an existing file ({path} not found)"
    if _HOST_LIKE.match(url):
        reason += f"; did you mean {short('https://' + url)}?"
    return reason


def _cannot_create(path: Path) -> str | None:
    """Why `path` could not be made (a file stands where a folder must be), or None."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else f"cannot be made: {parent} is a file, not a folder"
    return None


def env_problems(model: type[BaseModel]) -> list[str]:
    """NOTIFIER_* variables that set nothing: check-config refuses them, a run warns."""
    out = []
    for name in unknown_env_vars(model):
        out.append(f"{name}: matches no setting and would be ignored ({env_hint(model, name)})")
    return out


def env_hint(model: type[BaseModel], name: str) -> str:
    """`did you mean NOTIFIER_SMTP__PORT?` for NOTIFIER_SMTP_PORT, else how names nest."""
    rest = name[len("NOTIFIER_") :]
    for section in model.model_fields:
        prefix = section.upper() + "_"
        if rest.upper().startswith(prefix) and not rest.upper().startswith(prefix + "_"):
            guess = f"NOTIFIER_{section.upper()}__{rest[len(prefix) :]}"
            if not unknown_env_vars(model, {guess: ""}):
                return f"did you mean {guess}?"
    return "sections and keys are joined by two underscores, as in NOTIFIER_SMTP__PORT"


def _env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k.upper().startswith("NOTIFIER_") and k.upper() != CONFIG_ENV
    }


def check_env_depth() -> None:
    """Refuse a NOTIFIER_* variable whose JSON nests deeper than any config (json recurses)."""
    for name, value in _env().items():
        if json_too_deep(value):
            raise ConfigError(
                f"{name}: nested too deeply (more than {MAX_DEPTH} levels of [ ] or {{ }}); "
                "no key of the config nests more than a few"
            )


def env_json_problem(error: SettingsError) -> str:
    """The variable pydantic-settings could not read, why, and how to write it."""
    m = re.search(r'field "([^"]+)"', str(error))
    field = (m.group(1) if m else "").upper()
    env = _env()
    candidates = [n for n in env if n.upper() == f"NOTIFIER_{field}"] or [
        n for n in env if n.upper().startswith(f"NOTIFIER_{field}__") and _not_json(env[n])
    ]
    name = candidates[0] if candidates else f"NOTIFIER_{field or '...'}"
    detail = _not_json(env.get(name, "")) or "cannot be read"
    return (
        f"{name}: not valid JSON ({detail}); lists and tables must be JSON there, "
        """e.g. NOTIFIER_SUBSCRIBERS='[{"email": "desk@example.org"}]'"""
    )


def _not_json(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as e:
        return str(e)
    except RecursionError:
        return "nested too deeply"
    return None
