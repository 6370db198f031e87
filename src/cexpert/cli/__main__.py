"""`python -m cexpert.cli`: the same as the `cexpert` script."""

from cexpert.cli.main import main

raise SystemExit(main())
