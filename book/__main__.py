"""Command line: ``python -m book build|...`` (``make html`` calls ``build``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import BookError, BookErrors


def _build(root: Path, args) -> int:
    from .config import active_flags, load_config
    from .fingerprint import course_fingerprint, is_up_to_date

    request = ",".join([os.environ.get("BOOK_FLAGS", ""), *args.flag])
    state = active_flags(load_config(root), request)
    flags_text = ",".join(f"{n}={int(v)}" for n, v in sorted(state.items()))
    fingerprint = course_fingerprint(root.resolve(), flags_text)
    if not args.force and is_up_to_date(root, fingerprint):
        print("nothing changed since the last build: _build/html is up to date")
        return 0
    from .build import build  # the heavy imports (Sphinx, myst-nb) only when there is work

    return build(root, request, workers=args.workers, fingerprint=fingerprint)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__)
    parser.add_argument("--root", default=".", help="the course's top folder (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="execute the labs and publish the site into _build/html")
    b.add_argument("--flag", action="append", default=[], metavar="NAME",
                   help="turn an execution flag on (repeatable; '-NAME' turns one off). "
                        "Also read from the BOOK_FLAGS environment variable.")
    b.add_argument("--force", action="store_true",
                   help="build even if nothing changed since the last build")
    b.add_argument("--workers", type=int, default=None,
                   help="labs executed at once (default: the number of cores)")

    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        if args.command == "build":
            return _build(root, args)
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
