"""The course-site generator: a Jupyter Book 1 / myst-nb extension, build driver and
instructor command line. Its rooms, by job, are the sub-packages (docs/maintainers.md maps them).
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

try:  # the one version, declared in pyproject.toml
    __version__ = metadata.version("course-site")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"


@functools.lru_cache(maxsize=1)
def generator_hash() -> str:
    """A hash of this package's own files: what a page or a parsed lab was made with."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".css", ".js", ".html", ".yml", ".po", ".pot"):
            digest.update(path.relative_to(here).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
