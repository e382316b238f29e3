"""Rebuild notifier/extract/data/demonyms.tsv from the countryinfo package (MIT).

The extractor reads demonyms ("Syrian refugees", "135,000 Somalis") to tell
where displaced people fled from (`notifier.extract.country`). countryinfo is
the maintained source of them; it is needed only here, not at run time:

    pip install countryinfo && python scripts/build_demonyms.py

A name several countries share ("Congolese") goes to the most populous one;
`_EXTRA` adds the few names news uses that countryinfo lacks.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notifier" / "extract" / "data" / "demonyms.tsv"
# Names reports use that countryinfo lacks or spells otherwise.
_EXTRA = {
    "Rohingya": "MMR",
    "Nepali": "NPL",
    "Argentine": "ARG",
    "Burkinabè": "BFA",
    "Kosovar": "XKX",
    "Tajik": "TJK",
    "Kyrgyz": "KGZ",
    "Uzbek": "UZB",
    "Kazakh": "KAZ",
    "Emirati": "ARE",
    "Saudi": "SAU",
    "Cape Verdean": "CPV",
    "Ecuadorian": "ECU",
    "Salvadorean": "SLV",
    "Slovenian": "SVN",
}


def demonyms() -> dict[str, str]:
    """Demonym -> ISO 3166-1 alpha-3 code."""
    import countryinfo  # noqa: PLC0415 - only this script needs it

    best: dict[str, tuple[int, str]] = {}
    for country in countryinfo.all_countries():
        code = (country.iso() or {}).get("alpha3")
        population = int(country.population() or 0)
        for written in str(country.demonym() or "").split(","):
            name = written.strip()
            if code and name and "/" not in name and best.get(name, (-1, ""))[0] < population:
                best[name] = (population, code)
    out = {name: code for name, (_, code) in best.items()}
    out.update(_EXTRA)
    return dict(sorted(out.items()))


def main() -> int:
    """Write the table into this checkout."""
    lines = ["# demonym\tISO alpha-3; from countryinfo (MIT) by scripts/build_demonyms.py"]
    lines += [f"{name}\t{code}" for name, code in demonyms().items()]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"build_demonyms: wrote {len(lines) - 1} demonyms to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
