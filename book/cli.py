"""Command line: ``python -m book COMMAND`` (``make html|check|serve|...``); see ``--help``.

The one place that reads the user's environment (``BOOK_FLAGS``): the configuration and the flags
are resolved here, once, and passed down.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from book.build.command import build_command, configured
from book.errors import BookError, BookErrors


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

    sub.add_parser("docs", help="regenerate the reference tables in docs/ from the code")

    c = sub.add_parser("new-course", help="write an empty course that uses this generator into DIR")
    c.add_argument("dest", metavar="DIR", help="a new (or empty) folder")
    c.add_argument("--title", default="A new course", help="the course's title")
    c.add_argument("--author", default="The instructors", help="the course's author(s)")
    c.add_argument("--timezone", default="UTC", help="the course's time zone, e.g. Europe/Berlin")

    i = sub.add_parser(
        "import",
        help="make labs of a MyST lecture, a notebook, a Quarto document, a folder, a Jupyter "
        "Book or a Quarto project, listed in _toc.yml; the plan first (make import SRC=...)",
    )
    i.add_argument("src", help="a .md/.ipynb/.qmd file, a folder, a _toc.yml or a _quarto.yml")
    i.add_argument(
        "--week",
        default=None,
        help="week number (default: a file: the last week; a book: a new one)",
    )
    i.add_argument(
        "--session", default=None, help="first session number (default: the next free one)"
    )
    i.add_argument("--plan", action="store_true", help="print the plan only (make import PLAN=1)")
    i.add_argument("--template", default="freeform", help="lab template (default: freeform)")

    v = sub.add_parser(
        "serve",
        help="preview on http://127.0.0.1:PORT, rebuilding and reloading "
        "pages when a source changes",
    )
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--no-rebuild", action="store_true", help="only serve the built site")
    v.add_argument("--now", default=None, help="preview as of this moment (make serve NOW=...)")
    v.add_argument(
        "--audience",
        choices=("public", "instructor"),
        default="public",
        help="instructor: everything, marked (make serve AUDIENCE=instructor)",
    )

    args = parser.parse_args(argv)
    root = Path(args.root)
    previous = _stop_on_sigterm()
    try:
        if args.command == "build":
            return build_command(root, args)
        if args.command == "freeze":
            from book.build.freeze import freeze

            config, state = configured(root, args)
            return freeze(config, state, workers=args.workers, scheduler=args.scheduler or "")
        if args.command == "serve":
            from book.build.serve import serve
            from book.config.flags import request_from_environment

            return serve(
                root,
                args.port,
                rebuild=not args.no_rebuild,
                request=request_from_environment(),
                now=args.now or "",
                audience=args.audience,
            )
        if args.command == "check":
            from book.checks.course import run_checks
            from book.config import flags
            from book.config.course import load_config
            from book.course.labs import lab_paths
            from book.reading.reader import LabReader

            config = load_config(root)
            state = flags.resolve(config, flags.request_from_environment())
            reader = LabReader(
                config.root, config.flags, state, config.layout.read_cache, words=config.words
            )
            run_checks(root, config, reader)  # unchanged labs: parsed once, on disk by content
            print(f"checks passed: {len(lab_paths(root))} lab(s) and _toc.yml")
            return 0
        if args.command == "import":
            from book.importing.project import run_import

            run_import(root, args.src, args.week, args.session, args.template, args.plan)
            return 0
        if args.command == "docs":
            from book.reference.tables import write_docs

            for path in write_docs(root):
                print(f"wrote {path}")
            return 0
        if args.command == "new-course":
            from book.course.new_course import new_course

            new_course(args.dest, args.title, args.author, args.timezone)
            return 0
        if args.command == "new-session":
            from book.course.scaffold import new_session

            new_session(
                root, args.week, args.session, args.title, args.template, authors=args.author
            )
            return 0
    except KeyboardInterrupt as exc:  # one line, not the traceback of every frame Ctrl-C stopped
        why = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(
            f"{why}: the published site and the execution cache are as they were",
            file=sys.stderr,
        )
        return 143 if isinstance(exc, Terminated) else 130
    except BookErrors as exc:
        for err in exc.errors:
            print(f"error: {err.format()}", file=sys.stderr)
        print(f"{len(exc.errors)} problem(s) found", file=sys.stderr)
        return 1
    except BookError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        from book.build.lock import LOCK_BUSY_EXIT, LockBusy

        return LOCK_BUSY_EXIT if isinstance(exc, LockBusy) else 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 2


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a CI runner cancelling a job, ``timeout``): handled as Ctrl-C is, so the
    build stops its labs, releases its lock, leaves the published site as it was and says so."""


def _terminated(signum, frame) -> None:
    raise Terminated()


def _stop_on_sigterm():
    """SIGTERM raises ``Terminated`` in the main thread; the handler it replaced (to restore)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminated)


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """``python -m book`` and the ``course-site`` command: ``main``, then an exit that skips the
    interpreter's teardown once every exit handler has run.

    A build leaves Sphinx's environment, the parsed labs and the imports of a whole documentation
    tool in memory; freeing them object by object at exit took about half a second of every
    ``make html`` (measured: the last exit handler ran 0.5–0.6 s before the process ended). The
    skip is armed only when ``main`` returned a status, so an exception or ``sys.exit`` inside
    takes the ordinary way out, traceback and all. Registered first, it runs after every other
    exit handler (they run last-registered first): worker pools are joined, temporary folders
    removed, then the streams are flushed and the process ends with ``main``'s status."""
    import atexit
    import os

    status: list[int] = []

    def leave() -> None:
        if not status:
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (``| head``): nothing left to say
                pass
        os._exit(status[0])

    atexit.register(leave)
    code = main()
    status.append(code if isinstance(code, int) else 1)
    raise SystemExit(code)
