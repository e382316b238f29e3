"""The outbox folder: one .eml file per digest, for a mail client, a pickup folder or a test."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from notifier.errors import DeliveryError


def file_name(created: str, row_id: int, recipient: str) -> str:
    """`<created>-<row id>-<recipient>`: sorts by time, unique per row, safe on any file system."""
    return f"{created}-{row_id:06d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', recipient)[:80]}"


def write_outbox(message: bytes, outbox_dir: Path, name: str) -> Path:
    """Write `<name>.eml` so that a reader never sees half a message.

    The temp file lives in the same folder, so os.replace is an atomic rename
    on the same file system; a crash leaves a hidden .tmp file, never a torn .eml.
    """
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"outbox file name must be a plain name, got {name!r}")
    target = outbox_dir / f"{name}.eml"
    tmp: str | None = None
    try:
        outbox_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=outbox_dir, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(message)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(target)
        tmp = None
    except OSError as e:
        raise DeliveryError(
            f"cannot write {target} ({e}); check that delivery.outbox_dir ({outbox_dir}) "
            "is a writable folder; it will be retried"
        ) from e
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return target
