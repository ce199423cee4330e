"""The build folder's layout, named in one place: what lives under ``_build/`` and why.

Every module that reads or writes under ``_build`` takes its paths from a ``BuildLayout``; none
spells a name of its own. Free of heavy imports (the no-op build path uses it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from book.config.filestat import BUILD_DIR


@dataclass(frozen=True)
class BuildLayout:
    root: Path  # the course folder
    build: Path  # _build
    html: Path  # the published site
    staging: Path  # the next site, built here and swapped in whole
    doctrees: Path  # Sphinx's pickled environment and doctrees
    jupyter_cache: Path  # executed notebooks (jupyter-cache), shared with myst-nb
    read_cache: Path  # labs parsed by the lab reader, by content and flags
    lock: Path  # one build at a time
    fingerprint: Path  # what the published site was built from (instant no-op builds)
    published: Path  # the pages, flags and config of the published site (staging seed)
    timings: Path  # how long each step of the last build took (book.build.timings)
    scanned: Path  # what the published site was scanned for (book.checks.site.scan_key)
    scan_memory: Path  # lines the secret scanner found clean (book.checks.secrets)
    # the table of contents Sphinx reads: the sessions this build shows (book.release.state)
    toc: Path

    @classmethod
    def for_course(cls, root: Path, cache: str = "", audience: str = "public") -> BuildLayout:
        """The public build in ``_build``; the instructor build (everything, unreleased parts
        marked) in ``_build/instructor``, whose site is never the published one. Both share the
        execution cache."""
        root = Path(root).resolve()
        build = root / BUILD_DIR if audience == "public" else root / BUILD_DIR / audience
        return cls(
            root=root,
            build=build,
            html=build / "html",
            # a sibling of html: myst-nb keeps figures in <outdir>/../jupyter_execute, which must
            # outlive a build for Sphinx's dependency checks to see pages as unchanged
            staging=build / ".html-staging",
            doctrees=build / ".doctrees",
            jupyter_cache=(root / cache) if cache else root / BUILD_DIR / ".jupyter_cache",
            read_cache=build / ".read-cache",
            lock=build / ".lock",
            fingerprint=build / ".fingerprint",
            published=build / ".published.json",
            timings=build / ".timings.json",
            scanned=build / ".scanned",
            scan_memory=build / ".scan-memory",
            toc=build / ".toc-released.yml",
        )

    def shown(self, path: Path) -> str:
        """A path as messages show it: relative to the course."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
