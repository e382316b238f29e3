"""Figures (displaced, killed, injured, missing, casualties, at risk) from report text.

`extract(text)` returns a `Report`; see EXTRACTION.md for what counts.
"""

from notifier.extract.models import (
    KINDS,
    Agency,
    Figure,
    Kind,
    Organisation,
    Qualifier,
    Report,
    Unit,
)
from notifier.extract.pipeline import extract

__all__ = [
    "KINDS",
    "Agency",
    "Figure",
    "Kind",
    "Organisation",
    "Qualifier",
    "Report",
    "Unit",
    "extract",
]
