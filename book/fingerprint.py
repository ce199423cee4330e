"""What a build depends on, hashed, so ``make html`` with nothing changed returns at once.

The fingerprint covers the course's sources (``book.sources``: config, toc, the pages it lists,
labs, templates, requirements, static files, recorded outputs, the schedule's events), this
generator's own code, the flags in force, the settings given on the command line, what is released
at this moment (``book.release``) and the Python version. A build that
published successfully records it (``BuildLayout.fingerprint``); the next build with the same
fingerprint and the site still in place stops before starting Sphinx or a kernel. Kept free of
heavy imports.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

from .layout import BuildLayout


@functools.lru_cache(maxsize=1)
def generator_hash() -> str:
    """A hash of this package's own files: what a page or a parsed lab was made with."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".css", ".js", ".html", ".yml"):
            digest.update(path.relative_to(Path(__file__).parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def course_fingerprint(config, state: dict[str, bool]) -> str:
    """Every file of the course, the flag states and the settings given on the command line."""
    from .flags import state_text

    flags_text = state_text(state)
    root = config.root
    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\nflags {flags_text}\n".encode())
    digest.update(f"stale recordings: {config.freeze.stale}\n".encode())
    from .release import release_state  # what is released now: a release time passing rebuilds

    digest.update(f"released: {release_state(config).text()}\n".encode())
    from .sources import course_sources  # the files that make the site (not a log beside them)

    for rel in course_sources(root):
        digest.update(rel.encode() + b"\0")
        try:
            digest.update(hashlib.sha256(Path(root, rel).read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    digest.update(generator_hash().encode())  # the generator, also where it is not in the course
    return digest.hexdigest()


def recorded(layout: BuildLayout) -> str | None:
    """The fingerprint of the published site, if any."""
    try:
        return layout.fingerprint.read_text().strip()
    except OSError:
        return None


def is_up_to_date(layout: BuildLayout, fingerprint: str) -> bool:
    return (layout.html / "index.html").is_file() and recorded(layout) == fingerprint


def record(layout: BuildLayout, fingerprint: str) -> None:
    layout.fingerprint.write_text(fingerprint + "\n")


def forget(layout: BuildLayout) -> None:
    layout.fingerprint.unlink(missing_ok=True)
