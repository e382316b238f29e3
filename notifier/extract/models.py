"""Typed results of extraction; see EXTRACTION.md in the design docs for the contract.

Dataclasses rather than pydantic models: the extractor builds many of them on
the hot path and only `to_json` needs a dict.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, get_args

#: The figure kinds (EXTRACTION.md, "Figures"), declared here once: what lists
#: or keys them derives from this Literal, through `KINDS`.
Kind = Literal["displaced", "killed", "injured", "missing", "casualties", "at_risk"]
Qualifier = Literal["exact", "about", "at_least", "at_most", "range"]
Unit = Literal["people", "households"]
#: What a place name names (see `places.PlaceMention`).
PlaceLevel = Literal["country", "subdivision", "city"]

#: The figure kinds as values, in the order the Literal declares them.
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True, slots=True)
class Figure:
    """An explicit count of people (or households) of one kind, with its evidence.

    `start`/`end` are offsets of the evidence in `Report.text`: its sentence,
    or, in a sentence over `pipeline.MAX_EVIDENCE` characters, a window of
    whole words around the number, so that a run-on text cannot make every
    figure carry all of it. `evidence` is that span with its whitespace
    collapsed (and invisible characters dropped).
    `place_level` says what `place` names (None when `place` is None), so that
    later stages need not look the name up again ("Turkey" is the country
    itself, not a place in it). It is not printed (`Report.to_json`), and it is
    last and defaults to None so that records built before it still load.
    """

    kind: Kind
    value: int
    high: int | None
    unit: Unit
    qualifier: Qualifier
    agency: str | None
    place: str | None
    country: str | None
    term: str
    evidence: str
    start: int
    end: int
    place_level: PlaceLevel | None = None


#: What `notifier extract` prints of a figure: a contract (EXTRACTION.md), in this order.
_FIGURE_JSON = tuple(f.name for f in fields(Figure) if f.name != "place_level")


@dataclass(frozen=True, slots=True)
class Agency:
    """A UN system entity named in the text, by its canonical acronym."""

    acronym: str
    name: str


@dataclass(frozen=True, slots=True)
class Organisation:
    """A non-UN body cited as a source (ICRC, MSF, a national disaster agency...)."""

    name: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything extracted from one text; `text` is the text the offsets refer to."""

    text: str
    figures: tuple[Figure, ...]
    agencies: tuple[Agency, ...]
    organisations: tuple[Organisation, ...]
    countries: tuple[str, ...]
    #: The text's language (ISO 639-1, "fr"), None when it cannot be told.
    #: Figures are extracted from English text only (`extract.language`).
    language: str | None = None

    def to_json(self, doc_id: str | None = None) -> dict[str, Any]:
        """The JSON object `notifier extract` prints for one document."""
        out: dict[str, Any] = {} if doc_id is None else {"id": doc_id}
        out["figures"] = [{name: getattr(f, name) for name in _FIGURE_JSON} for f in self.figures]
        out["agencies"] = [asdict(a) for a in self.agencies]
        out["organisations"] = [asdict(o) for o in self.organisations]
        out["countries"] = list(self.countries)
        out["language"] = self.language
        return out
