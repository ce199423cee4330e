"""``python -m book``: the command line (``book.cli``)."""

from book.cli import run

run()
