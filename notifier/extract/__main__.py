"""`python -m notifier.extract` runs the extractor CLI (see `jsonio.main`)."""

from notifier.extract.jsonio import main

raise SystemExit(main())
