"""The error hierarchy: each error tells the operator what to fix.

The CLI maps `ConfigError` and `UsageError` to exit code 2; the others are
caught per feed or per delivery and reported, so one failure never stops the
rest of the run (exit code 1 for a partial failure).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
"""Some feed or delivery failed and the rest went through; or an internal error."""
EXIT_USAGE = 2
"""Bad usage or bad config: nothing was done."""
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a command stopped by Ctrl-C."""


class NotifierError(Exception):
    """Base of every error the operator may see; the message says what to fix.

    The CLI prints each line of the message as one `error:` line, so a message
    is one line per problem (a config's problems, one each).
    """

    exit_code = EXIT_PARTIAL


class ConfigError(NotifierError):
    """The configuration file or an environment override is wrong."""

    exit_code = EXIT_USAGE


class UsageError(NotifierError):
    """The command line asks for something that cannot be done."""

    exit_code = EXIT_USAGE


class FeedError(NotifierError):
    """A feed could not be fetched or parsed; recorded on the feed, others go on."""


class StoreError(NotifierError):
    """The SQLite state cannot be opened, migrated or locked."""

    exit_code = EXIT_USAGE


class StoreFailedError(NotifierError):
    """The state database failed while running (disk full, damaged, read-only).

    The step in progress was rolled back, so nothing it had done is half-stored;
    the run stops (exit 1) and the next run, once the cause is fixed, goes on
    from the last committed step.
    """


class BusyError(NotifierError):
    """Another run holds the database; this one did nothing, the next one will."""


class DeliveryError(NotifierError):
    """A digest could not be delivered.

    `permanent` is True for a 5xx answer to this message or a refused recipient:
    retrying the same message will not help, so it is recorded and the others go
    on. Everything else stays pending and is retried on the next run: transient
    errors (4xx, timeouts, refused connections) and server or config problems
    the operator must fix (a refused login, no STARTTLS), so fixing the config
    delivers what was waiting instead of dropping it.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_now: bool = True,
        unknown: bool = False,
        too_big: int | None = None,
        relay_down: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_now = retry_now
        """False when retrying within this run cannot help (a refused login: and
        repeated logins can lock the account); the row still waits for the next run."""
        self.unknown = unknown
        """The connection was lost after the message was sent: the relay may have it.
        Not retried this run; the next run resends the same message once."""
        self.too_big = too_big
        """The relay's size limit in bytes when the message is over it: split the digest."""
        self.relay_down = relay_down
        """The relay could not be reached or dropped us before the message: counts toward
        taking it as down for the rest of the run."""
