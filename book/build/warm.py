"""The warm builder of ``make serve``: one process that keeps the build loaded between edits.

A ``make html`` starts Python, imports Sphinx, myst-nb and jupyter-cache, and makes a Sphinx
application before it can render one page. ``make serve`` does that once: ``WarmBuilder``
builds in its own process with the same ``book.build.pipeline.build`` as ``make html`` (the same
checks,
execution cache, staging and atomic publish, so the preview is what ``make html`` would
publish), and keeps the Sphinx application from one build to the next (``book.build.sphinx_app``).
An edit then costs what it changes: the lab reader's content cache answers for unchanged labs,
jupyter-cache's hash starts a kernel only when a lab's code changed, and Sphinx reads and writes
only the pages the edit affects.

``WatchedSources`` turns file-system events (``watchfiles``: inotify, no polling) into "a course
source changed", ignoring ``_build``, editor temporaries and anything else in the folder (a log
written beside the sources never starts a build).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from book import generator_hash
from book.build import fingerprint as fp
from book.build.lock import LockBusy
from book.config import flags as flag_state
from book.config.course import load_config
from book.config.layout import BuildLayout
from book.course.files import EDITOR_TEMP, SKIP_DIRS, SOURCE_DIRS, course_sources
from book.errors import BookError
from book.execution.ahead import KernelAhead
from book.release.preview import for_moment, next_moment
from book.release.state import release_state

BUSY = "busy"  # another build holds the lock: try again later


class WarmBuilder:
    def __init__(
        self, root: Path, request: str = "", now: str = "", audience: str = "public"
    ) -> None:
        from book.build.sphinx_app import SphinxApps

        self.root = Path(root).resolve()
        self.request = request  # the flags asked for (BOOK_FLAGS when make serve started)
        self.now, self.audience = now, audience  # a preview (make serve NOW= AUDIENCE=)
        self.apps = SphinxApps(keep=True)
        self.generator = generator_hash()
        self.ahead: KernelAhead | None = None  # a kernel kept started for the next lab

    def stale(self) -> bool:
        """Whether the published site differs from what the sources would build now."""
        try:
            config = self.config()
            current = fp.course_fingerprint(config, flag_state.resolve(config, self.request))
        except BookError:
            return True  # a broken configuration: the build says what is wrong
        return current != fp.recorded(config.layout)

    def config(self):
        """The configuration of the next build: as of now (a live preview: the present moment,
        taken anew for each build), for this server's audience."""
        return for_moment(load_config(self.root), self.now, self.audience)

    def site(self) -> Path:
        """The folder this server shows: the published site, or the preview's own."""
        try:
            return self.config().layout.html
        except BookError:
            return BuildLayout.for_course(self.root).html

    def next_moment(self):
        """When the next session or solution is released, for a live server (none for a
        preview of a fixed moment): it rebuilds then, with nobody editing."""
        if self.now:
            return None
        try:
            return next_moment(release_state(self.config()))
        except BookError:
            return None

    def generator_changed(self) -> bool:
        generator_hash.cache_clear()
        return generator_hash() != self.generator

    def build(self, log=print) -> int | str:
        """Build if a source changed since the published site: 0, 1 (failed) or ``BUSY``."""
        from book.build.pipeline import build

        try:
            config = self.config()
            state = flag_state.resolve(config, self.request)
            flag_state.check_requirements(config, state)
            fingerprint = fp.course_fingerprint(config, state)
            if fp.is_up_to_date(config.layout, fingerprint):
                return 0
            return build(
                config,
                state,
                log=log,
                fingerprint=fingerprint,
                apps=self.apps,
                context="spawn",  # this process runs other threads: no fork
                ahead=self.kernel_ahead(config),
            )
        except LockBusy:
            return BUSY
        except BookError as exc:
            log(f"error: {exc.format()}", file=sys.stderr)
            return 1

    def warm_up(self) -> None:
        """Load the build and make its Sphinx application now, so the first edit finds it warm;
        start the kernel the first code edit will use."""
        from book.build.pipeline import warm_up

        try:
            config = self.config()
            self.kernel_ahead(config)
            warm_up(config, flag_state.resolve(config, self.request), self.apps)
        except Exception:
            pass

    def kernel_ahead(self, config):
        """The kernel kept started for the next lab to run (``book.execution.kernel``): a new one
        when
        the configured limits changed or a build stopped it."""
        from book.execution.kernel import course_limits

        limits = course_limits(config)
        if self.ahead is None or not self.ahead.alive or self.ahead.base != limits:
            if self.ahead is not None:
                self.ahead.close()
            self.ahead = KernelAhead(limits, keep=True, context="spawn")
        return self.ahead

    def restart(self) -> None:
        """The generator's own code changed: start ``make serve`` again with the new code."""
        print("the generator (book/) changed: restarting make serve", flush=True)
        self.close()
        os.execv(sys.executable, [sys.executable, "-m", "book", *sys.argv[1:]])

    def close(self) -> None:
        self.apps.close()
        if self.ahead is not None:
            self.ahead.close()


class WatchedSources:
    """A ``watchfiles`` filter: True for a change to one of the course's sources."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.refresh()

    def refresh(self) -> None:
        self.known = set(course_sources(self.root))

    def __call__(self, change, path: str) -> bool:
        try:
            rel = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return False
        parts = rel.parts
        if not parts or any(p in SKIP_DIRS or p.startswith(".") for p in parts):
            return False
        if rel.name.endswith(EDITOR_TEMP) or rel.name == "4913":  # vim's write test
            return False
        return rel.as_posix() in self.known or parts[0] in SOURCE_DIRS
