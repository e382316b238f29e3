"""One run at a time per database.

SQLite transactions already keep each step atomic; the lock keeps two runs (a
cron `run --once` beside the `serve` daemon) from polling and mailing the same
things at once.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from notifier.errors import BusyError, StoreError


class RunLock:
    """One run at a time per database: an advisory lock file beside it.

    The OS releases the lock when the process dies, so a killed run never
    leaves a stale lock behind; the next run takes over its pending rows.
    """

    def __init__(self, db_path: Path, *, wait: float = 0) -> None:
        # The resolved path: two configs naming one database through a symlink or a
        # relative path take one lock, not two.
        resolved = db_path.resolve()
        self.path = resolved.with_name(resolved.name + ".lock")
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(
                f"{self.path}: cannot create the lock file beside the database ({e}); "
                "check storage.path"
            ) from e
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as e:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise BusyError(
                        f"{self.path}: another notifier run is using this database; "
                        "wait for it to finish (or stop the `notifier serve` daemon)"
                    ) from e
                time.sleep(0.2)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
