"""Figures (displaced, killed, injured, missing, casualties, at risk) from report text.

`extract(text)` returns a `Report`; see EXTRACTION.md for what counts.
"""

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from notifier.extract.pipeline import extract


def __getattr__(name: str) -> object:
    # `extract` is imported when first asked for, so that running a module of
    # the package (`python -m notifier.extract.gazetteer --rebuild`) does not
    # import it, through the pipeline, before it runs.
    if name == "extract":
        from notifier.extract.pipeline import extract  # noqa: PLC0415

        return extract
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
