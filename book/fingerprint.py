"""What a build depends on, hashed, so ``make html`` with nothing changed returns at once.

The fingerprint covers the course's sources (``book.sources``: config, toc, the pages it lists,
labs, templates, requirements, static files), this generator's own code, the flags in force and
the Python version. A build that published successfully records it in ``_build/.fingerprint``;
the next build with the same fingerprint and the site still in place stops before starting
Sphinx or a kernel. Kept free of heavy imports.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

RECORD = Path("_build") / ".fingerprint"


@functools.lru_cache(maxsize=1)
def generator_hash() -> str:
    """A hash of this package's own files: what a page or a parsed lab was made with."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".css", ".js", ".html", ".yml"):
            digest.update(path.relative_to(Path(__file__).parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def course_fingerprint(root: Path, flags_text: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\nflags {flags_text}\n".encode())
    from .sources import course_sources  # the files that make the site (not a log beside them)

    for rel in course_sources(root):
        path = Path(root, rel)
        digest.update(rel.encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    digest.update(generator_hash().encode())  # the generator, also where it is not in the course
    return digest.hexdigest()


def is_up_to_date(root: Path, fingerprint: str) -> bool:
    record = root / RECORD
    site = root / "_build" / "html" / "index.html"
    try:
        return site.is_file() and record.read_text().strip() == fingerprint
    except OSError:
        return False


def record(root: Path, fingerprint: str) -> None:
    (root / RECORD).write_text(fingerprint + "\n")


def forget(root: Path) -> None:
    (root / RECORD).unlink(missing_ok=True)
