"""The course-site generator: a Jupyter Book 1 / myst-nb extension, build driver and
instructor command line. Its rooms, by job, are the sub-packages (docs/maintainers.md maps them).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


def __getattr__(name: str) -> str:
    """``book.__version__``: the one version, declared in pyproject.toml, read from the installed
    package's metadata when first asked for (importing ``importlib.metadata`` costs every
    ``make html`` 20-50 ms, a third of a build with nothing to do)."""
    if name != "__version__":
        raise AttributeError(f"module 'book' has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("course-site")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version


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
