"""Command line: ``python -m book build|check|new-session|import|serve`` (``make html|check|...``).

The one place that reads the user's environment (``BOOK_FLAGS``): the configuration and the flags
are resolved here, once, and passed down.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from book.errors import BookError, BookErrors


def _configured(root: Path, args):
    """The course configuration (with command-line overrides) and the flags, resolved once."""
    import dataclasses

    from book.config import flags
    from book.config.course import FreezeConfig, PdfConfig, load_config
    from book.config.layout import BuildLayout
    from book.release.state import moment

    config = load_config(root)
    if getattr(args, "stale_recordings", None):
        config = dataclasses.replace(config, freeze=FreezeConfig(stale=args.stale_recordings))
    if getattr(args, "pdf", False):  # make html PDF=1
        config = dataclasses.replace(config, pdf=PdfConfig(enable=True))
    # one moment for the whole command (NOW= previews one), and who the site is for
    audience = getattr(args, "audience", "public")
    schedule = dataclasses.replace(config.schedule, now=getattr(args, "now", None) or "")
    schedule = dataclasses.replace(schedule, now=moment(schedule).isoformat(), audience=audience)
    config = dataclasses.replace(config, schedule=schedule)
    if audience != "public":  # its own folder: never the published site
        layout = BuildLayout.for_course(config.root, config.execute.cache, audience)
        config = dataclasses.replace(config, layout=layout)
    return config, flags.resolve(config, flags.request_from_environment(*args.flag))


def _build(root: Path, args) -> int:
    from book.build.fingerprint import course_fingerprint, is_up_to_date

    config, state = _configured(root, args)
    fingerprint = course_fingerprint(config, state)
    if not args.force and is_up_to_date(config.layout, fingerprint):
        site = config.layout.shown(config.layout.html)
        print(f"nothing changed since the last build: {site} is up to date")
        return 0
    ahead = None
    if not (args.scheduler or config.execute.scheduler):  # labs execute here: start a kernel
        from book.execution.ahead import KernelAhead
        from book.execution.kernel import course_limits

        # started now, in a worker forked before any thread starts
        ahead = KernelAhead(course_limits(config))
    from book.build.pipeline import (
        build,
    )  # the heavy imports (Sphinx, myst-nb) only when there is work

    try:
        return build(
            config,
            state,
            workers=args.workers,
            fingerprint=fingerprint,
            scheduler=args.scheduler or "",
            ahead=ahead,
        )
    finally:
        if ahead is not None:
            ahead.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__)
    parser.add_argument("--root", default=".", help="the course's top folder (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="execute the labs and publish the site into _build/html")
    b.add_argument(
        "--flag",
        action="append",
        default=[],
        metavar="NAME",
        help="turn an execution flag on (repeatable; '-NAME' turns one off). "
        "Also read from the BOOK_FLAGS environment variable.",
    )
    b.add_argument(
        "--force", action="store_true", help="build even if nothing changed since the last build"
    )
    b.add_argument(
        "--workers",
        type=int,
        default=None,
        help="labs executed at once (default: the number of cores + 1)",
    )
    b.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="execute labs on the Dask cluster of this scheduler (tcp://host:8786; "
        "default: 'execute: scheduler' in _config.yml)",
    )
    b.add_argument(
        "--now",
        default=None,
        metavar="WHEN",
        help="build as at this moment (2026-12-05T09:00, course time zone): what is released then",
    )
    b.add_argument(
        "--audience",
        choices=("public", "instructor"),
        default="public",
        help="instructor: everything, unreleased parts marked, into _build/instructor/html "
        "(never the published site)",
    )
    b.add_argument(
        "--pdf",
        action="store_true",
        help="also make a PDF of each lab, printed by Chromium (default: 'pdf: enable' in "
        "_config.yml)",
    )
    b.add_argument(
        "--stale-recordings",
        choices=("warn", "error"),
        default=None,
        help="a recorded output whose code changed: warn, or fail the build "
        "(default: 'freeze: stale' in _config.yml)",
    )

    f = sub.add_parser(
        "freeze",
        help="run the labs with flags on and record the outputs of "
        "their gated cells in _freeze/ (to commit)",
    )
    f.add_argument(
        "--flag",
        action="append",
        default=[],
        metavar="NAME",
        help="a flag to turn on and record (repeatable; also BOOK_FLAGS)",
    )
    f.add_argument("--workers", type=int, default=None, help="labs executed at once")
    f.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="execute on the Dask cluster of this scheduler (e.g. one with a GPU)",
    )

    sub.add_parser("check", help="check every lab against its template and _toc.yml (runs no code)")

    n = sub.add_parser(
        "new-session", help="write a new lab from a template and list it in _toc.yml under its week"
    )
    n.add_argument("--week", required=True, help="week number, e.g. 3")
    n.add_argument("--session", required=True, help="session number within the week, e.g. 1")
    n.add_argument("--title", required=True, help='the session title, e.g. "Regularisation"')
    n.add_argument(
        "--template",
        default="workflow",
        help="lab template (book/course/templates/ or the course's templates/; default: workflow)",
    )
    n.add_argument(
        "--author",
        action="append",
        default=[],
        metavar="NAME",
        help="an author (repeatable; default: the author in _config.yml)",
    )

    i = sub.add_parser(
        "import",
        help="make a lab of a MyST lecture, a notebook or a Quarto "
        "document, listed in _toc.yml (make import SRC=...)",
    )
    i.add_argument("src", help="the .md, .ipynb or .qmd file")
    i.add_argument("--week", default=None, help="week number (default: the last week)")
    i.add_argument("--session", default=None, help="session number (default: the next free one)")
    i.add_argument("--template", default="freeform", help="lab template (default: freeform)")

    v = sub.add_parser(
        "serve",
        help="preview on http://127.0.0.1:PORT, rebuilding and reloading "
        "pages when a source changes",
    )
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--no-rebuild", action="store_true", help="only serve the built site")

    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        if args.command == "build":
            return _build(root, args)
        if args.command == "freeze":
            from book.build.freeze import freeze

            config, state = _configured(root, args)
            return freeze(config, state, workers=args.workers, scheduler=args.scheduler or "")
        if args.command == "serve":
            from book.build.serve import serve
            from book.config.flags import request_from_environment

            return serve(
                root, args.port, rebuild=not args.no_rebuild, request=request_from_environment()
            )
        if args.command == "check":
            from book.checks.course import run_checks
            from book.config import flags
            from book.config.course import load_config
            from book.course.labs import lab_paths
            from book.reading.reader import LabReader

            config = load_config(root)
            state = flags.resolve(config, flags.request_from_environment())
            reader = LabReader(config.root, config.flags, state, config.layout.read_cache)
            run_checks(root, config, reader)  # unchanged labs: parsed once, on disk by content
            print(f"checks passed: {len(lab_paths(root))} lab(s) and _toc.yml")
            return 0
        if args.command == "import":
            from book.importing.importer import import_lab

            import_lab(root, args.src, args.week, args.session, args.template)
            return 0
        if args.command == "new-session":
            from book.course.scaffold import new_session

            new_session(
                root, args.week, args.session, args.title, args.template, authors=args.author
            )
            return 0
    except KeyboardInterrupt:  # one line, not the traceback of every frame Ctrl-C stopped
        print(
            "interrupted: the published site and the execution cache are as they were",
            file=sys.stderr,
        )
        return 130
    except BookErrors as exc:
        for err in exc.errors:
            print(f"error: {err.format()}", file=sys.stderr)
        print(f"{len(exc.errors)} problem(s) found", file=sys.stderr)
        return 1
    except BookError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        from book.build.lock import LOCK_BUSY_EXIT, LockBusy

        return LOCK_BUSY_EXIT if isinstance(exc, LockBusy) else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
