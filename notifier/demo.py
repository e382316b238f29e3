"""`notifier demo`: the real pipeline on the bundled sample feeds, no server needed.

The demo uses embedded defaults (SQLite and the outbox folder) under
`./notifier-demo/`, starts from a fresh state each time so that it always shows
the whole path, and alerts on the sample items at their first poll (a real
config records a new feed's items silently).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from notifier.config import Settings, settings_from_dict
from notifier.errors import UsageError
from notifier.models import RunReport
from notifier.service import Notifier

SAMPLES = ("relief-wire.xml", "agency-updates.atom")
MARKER = ".notifier-demo"
"""Marks a folder made by the demo: only such a folder is reset."""


class DemoSettings(Settings):
    """The demo's embedded defaults, deaf to NOTIFIER_* variables meant for a real config."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values given in code."""
        return (init_settings,)


def sample_paths() -> list[Path]:
    """The bundled sample feeds as files (they ship inside the package)."""
    root = resources.files("notifier") / "samples"
    return [Path(str(root / name)) for name in SAMPLES]


def demo_settings(folder: Path) -> Settings:
    """A config for the demo: outbox delivery, two subscribers, the sample feeds."""
    data: dict[str, Any] = {
        "storage": {"path": "notifier.db"},
        "delivery": {"method": "outbox", "outbox_dir": "outbox"},
        # The samples carry fixed dates: the demo shows them whatever today's date.
        "alerts": {"max_age": "3650d"},
        "smtp": {"sender": "Humanitarian alerts (demo) <alerts@demo.notifier.example>"},
        "feeds": [
            {
                "name": path.stem.replace("-", " ").title(),
                "url": str(path),
                "alert_on_first_poll": True,
            }
            for path in sample_paths()
        ],
        "subscribers": [
            {"email": "desk@demo.notifier.example", "name": "Operations desk"},
            {
                "email": "sahel@demo.notifier.example",
                "name": "Sahel and Sudan team",
                "countries": ["SDN", "BFA", "TCD", "MLI", "NER"],
                "timezone": "Africa/Dakar",
                "thresholds": {"displaced": 5000},
            },
        ],
    }
    return settings_from_dict(data, base_dir=folder, settings_class=DemoSettings)


async def run_demo(folder: Path) -> RunReport:
    """Reset the demo folder's state and run the pipeline once.

    A folder that holds anything but the demo's own files is refused: the
    reset must never delete an operator's state or mail.
    """
    if folder.exists() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise UsageError(f"{folder} exists and was not made by the demo; choose another --dir")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("made by `notifier demo`; reset at each run\n")
    except OSError as e:
        raise UsageError(f"cannot use {folder} for the demo: {e}") from e
    for name in ("notifier.db", "notifier.db-wal", "notifier.db-shm"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "outbox", ignore_errors=True)
    return await Notifier(demo_settings(folder)).run_once()
