"""``python -m book``: the command line (``book.cli``)."""

from book.cli import main

raise SystemExit(main())
