"""What a build depends on, hashed, so ``make html`` with nothing changed returns at once.

The fingerprint covers the course's sources (``book.course.files``: config, toc, the pages it lists,
labs, templates, requirements, static files, recorded outputs, the schedule's events), this
generator's own code, the flags in force, the settings given on the command line, what is released
at this moment (``book.release.state``) and the Python version. A build that
published successfully records it (``BuildLayout.fingerprint``), with what the tree it published
is (``book.build.provenance``); the next build with the same fingerprint and the site still that
very tree (no other tool wrote into it) stops before starting Sphinx or a kernel. Kept free of
heavy imports.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from book import generator_hash
from book.config.layout import BuildLayout


def course_fingerprint(config, state: dict[str, bool]) -> str:
    """Every file of the course, the flag states and the settings given on the command line."""
    from book.config.flags import state_text

    flags_text = state_text(state)
    root = config.root
    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\nflags {flags_text}\n".encode())
    digest.update(f"stale recordings: {config.freeze.stale}\n".encode())
    digest.update(f"preview: {config.schedule.preview}\n".encode())  # its banner names the moment
    digest.update(f"pdf: {config.pdf.enable}\n".encode())  # make html PDF=1
    from book.release.state import (
        release_state,  # what is released now: a release time passing rebuilds
    )

    digest.update(f"released: {release_state(config).text()}\n".encode())
    from book.course.files import (
        course_sources,  # the files that make the site (not a log beside them)
    )

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
        return layout.fingerprint.read_text().split("\n")[0].strip()
    except OSError:
        return None


def is_up_to_date(layout: BuildLayout, fingerprint: str) -> bool:
    from book.build.provenance import tree_record

    try:
        lines = layout.fingerprint.read_text().split("\n")
    except OSError:
        return False
    return (
        (layout.html / "index.html").is_file()
        and len(lines) > 1
        and lines[0] == fingerprint
        and lines[1] == tree_record(layout.html)  # no other tool wrote into the site since
    )


def record(layout: BuildLayout, fingerprint: str) -> None:
    from book.build.provenance import tree_record

    layout.fingerprint.write_text(f"{fingerprint}\n{tree_record(layout.html)}\n")


def forget(layout: BuildLayout) -> None:
    layout.fingerprint.unlink(missing_ok=True)
