"""`python -m intentls` is the same as the `intentls` console script."""

from intentls.cli import main

raise SystemExit(main())
