"""What every command shares: how it is declared, its settings, and how it prints.

A command is a function declared with `@command` and its options; its docstring
is its help, and its `Example:` ends the help. Commands print results to stdout
through `say` (silent under `-q`, so cron mails only on trouble) and leave
errors to the log or to a raised NotifierError, which `main` prints once, on
stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import select
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from notifier.config import Settings, load_settings, unknown_env_vars
from notifier.config.checks import env_hint
from notifier.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE

__all__ = ["EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "command", "option", "output", "say"]

log = logging.getLogger("notifier")


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
    log_level: int
    """The log level without -v or -q: the daemon tells its story, the others their result."""


COMMANDS: list[Command] = []


def command(
    *options: Option, config: bool = True, log_level: int = logging.WARNING
) -> Callable[[Handler], Handler]:
    """Declare a subcommand named after the function (`check_config` -> `check-config`).

    `config` adds `--config PATH`; every command gets `-v`, `-q` and `--log-format`.
    """

    def register(handler: Handler) -> Handler:
        name = handler.__name__.removeprefix("cmd_").replace("_", "-")
        COMMANDS.append(Command(name, handler, options, config, log_level))
        return handler

    return register


def settings(args: argparse.Namespace) -> Settings:
    """The config of `--config`; a NOTIFIER_* variable that sets nothing is warned of."""
    loaded = load_settings(args.config)
    for name in unknown_env_vars():
        log.warning("%s matches no setting and is ignored (%s)", name, env_hint(Settings, name))
    return loaded


def say(args: argparse.Namespace, text: str = "", *, file: Any = None) -> None:  # noqa: ANN401
    """Print a result line, unless -q asked for silence on success."""
    if not args.quiet:
        print(text, file=file or sys.stdout)


# --- a reader that goes away: `notifier preview | head` ------------------------------------


def stdout_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (so a BrokenPipeError is ours)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return True  # a stream without a descriptor: nothing else could have broken
    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def silence_stdout() -> None:
    """Send what is left for stdout nowhere, so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # pragma: no cover - no /dev/null
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    finally:
        os.close(devnull)


@contextmanager
def output() -> Iterator[None]:
    """Print inside this; if the reader goes away, the output ends, not the command.

    For commands whose work matters more than their output (run, serve, demo):
    their exit code still says how the work went.
    """
    try:
        yield
    except BrokenPipeError:
        if not stdout_gone():
            raise
        silence_stdout()
