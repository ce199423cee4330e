"""Command line: ``python -m book build|...`` (``make html`` calls ``build``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import BookError, BookErrors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__)
    parser.add_argument("--root", default=".", help="the course's top folder (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="execute the labs and publish the site into _build/html")
    b.add_argument("--flag", action="append", default=[], metavar="NAME",
                   help="turn an execution flag on (repeatable; '-NAME' turns one off). "
                        "Also read from the BOOK_FLAGS environment variable.")
    b.add_argument("--workers", type=int, default=None,
                   help="labs executed at once (default: the number of cores)")

    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        if args.command == "build":
            from .build import build

            import os
            request = ",".join([os.environ.get("BOOK_FLAGS", ""), *args.flag])
            return build(root, request, workers=args.workers)
    except BookErrors as exc:
        for err in exc.errors:
            print(f"error: {err.format()}", file=sys.stderr)
        return 1
    except BookError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
