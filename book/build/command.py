"""``make html``'s command: the configuration and flags resolved once, then either "nothing
changed" (from the files' stats, ``book.build.quick``, else from the fingerprint) or the build
(``book.build.pipeline``), with a kernel started ahead. Imports stay inside the functions: a build
with nothing to do loads as little as it can.
"""

from __future__ import annotations

from pathlib import Path


def configured(root: Path, args):
    """The course configuration (with command-line overrides) and the flags, resolved once."""
    import dataclasses

    from book.config import flags
    from book.config.course import FreezeConfig, PdfConfig, load_config
    from book.release.preview import for_moment

    config = load_config(root)
    if getattr(args, "stale_recordings", None):
        config = dataclasses.replace(config, freeze=FreezeConfig(stale=args.stale_recordings))
    if getattr(args, "pdf", False):  # make html PDF=1
        config = dataclasses.replace(config, pdf=PdfConfig(enable=True))
    # one moment for the whole command, and who the site is for: NOW= and the instructor view
    # are previews, built into their own folder (book.release.preview)
    config = for_moment(
        config, getattr(args, "now", None) or "", getattr(args, "audience", "public")
    )
    return config, flags.resolve(config, flags.request_from_environment(*args.flag))


UP_TO_DATE = "nothing changed since the last build: {} is up to date"


def build_command(root: Path, args) -> int:
    """``python -m book build``: nothing to do (``book.build.quick``, else the fingerprint),
    or the build, with a kernel started ahead where the labs run here."""
    from book.build import quick

    settings = quick.settings_of(args)  # the files' stats first: a later edit misses the key
    key = quick.course_key(root, settings) if settings is not None else None
    if quick.up_to_date(root, key):  # the last no-op still holds: no configuration loaded
        print(UP_TO_DATE.format(f"{quick.BUILD_DIR}/html"))
        return 0
    from book.build.fingerprint import course_fingerprint, is_up_to_date

    config, state = configured(root, args)
    fingerprint = course_fingerprint(config, state)
    forced = args.force or config.execute.execute_notebooks == "force"  # labs run again
    if not forced and is_up_to_date(config.layout, fingerprint):
        print(UP_TO_DATE.format(config.layout.shown(config.layout.html)))
        _remember(root, key, fingerprint, config)
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
        code = build(
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
    if code == 0 and not forced:
        _remember(root, key, fingerprint, config)
    return code


def _remember(root: Path, key: str | None, fingerprint: str, config) -> None:
    """Keep what this build's answer rested on, for the next no-op (``book.build.quick``)."""
    from book.build import quick
    from book.release.preview import next_moment
    from book.release.state import release_state

    due = next_moment(release_state(config))
    quick.remember(root, key, fingerprint, due.timestamp() if due is not None else None)
