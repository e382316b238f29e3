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

from notifier.config import Settings, settings_from_dict
from notifier.service import Notifier, RunReport

SAMPLES = ("relief-wire.xml", "agency-updates.atom")


def sample_paths() -> list[Path]:
    """The bundled sample feeds as files (they ship inside the package)."""
    root = resources.files("notifier") / "samples"
    return [Path(str(root / name)) for name in SAMPLES]


def demo_settings(folder: Path) -> Settings:
    """A config for the demo: outbox delivery, two subscribers, the sample feeds."""
    data: dict[str, Any] = {
        "storage": {"path": "notifier.db"},
        "delivery": {"method": "outbox", "outbox_dir": "outbox"},
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
    return settings_from_dict(data, base_dir=folder)


async def run_demo(folder: Path) -> RunReport:
    """Reset the demo folder's state and run the pipeline once."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("notifier.db", "notifier.db-wal", "notifier.db-shm"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "outbox", ignore_errors=True)
    return await Notifier(demo_settings(folder)).run_once()
