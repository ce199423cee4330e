"""A build with nothing to do, answered from file stats: the fingerprint's own stat cache.

``book.build.fingerprint`` decides whether anything changed, from the content of every source,
the configuration, the flags and what is released now; computing it loads the configuration
system (its declared sections, validators, parity tables, words), most of a no-op's 0.15 s. A
build that found the site up to date, or published it, keeps here what that answer rested on:

- the stat (path, size, modification and change times, inode) of every file in the course
  folder (but ``_build`` and tools' folders such as ``.git`` and ``.venv``) and in this
  generator, with the Python version, the command's settings and every ``BOOK_*`` variable
  (``key``): a file edited, added, removed or replaced changes it; no file is read;
- the fingerprint that was up to date then, and the published tree (``book.build.provenance``);
- the next moment something is released (``until``).

While all of these hold, the next ``make html`` is that same no-op, and says so at once; when any
fails it takes the full road (``book.build.command``), which records anew. A file changed in the
last seconds could change again and keep its stat (``book.config.filestat``), so no key is made
then: such a build takes the full road too. Only the public build with no preview
moment (``make html``, ``make html TORCH=1``) is answered here.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from book.build.provenance import tree_record
from book.config.filestat import BUILD_DIR, stat_key

RECORD = ".quick-fingerprint"
# not the course's sources: tools' folders (a change there would only cost the full road)
SKIPPED = {
    BUILD_DIR,
    "__pycache__",
    "node_modules",
    ".git",
    ".venv",
    ".tox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
}
GENERATOR = Path(__file__).resolve().parents[1]


def settings_of(args) -> str | None:
    """The command's settings that shape a build; None when this build is not one answered
    here (forced, a preview moment, the instructor view)."""
    if getattr(args, "force", False) or getattr(args, "now", None):
        return None
    if getattr(args, "audience", "public") != "public":
        return None
    given = {
        "flags": list(getattr(args, "flag", []) or []),
        "pdf": bool(getattr(args, "pdf", False)),
        "stale": getattr(args, "stale_recordings", None),
        "environment": sorted((k, v) for k, v in os.environ.items() if k.startswith("BOOK_")),
    }
    return json.dumps(given, sort_keys=True)


def course_key(root: Path, settings: str) -> str | None:
    """Every file's stat in the course folder and the generator, with ``settings``; None when
    one changed in the last seconds or cannot be read."""
    digest = hashlib.sha256(f"{sys.version}\n{settings}\n".encode())
    for base in (Path(root).resolve(), GENERATOR):
        for folder, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
            if any(os.path.islink(os.path.join(folder, d)) for d in dirs):
                return None  # a linked folder's files are not walked here: the full road
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    key = stat_key(path)
                except OSError:
                    return None
                if key is None:  # changed in the last seconds
                    return None
                digest.update(f"{path}\0{key}\n".encode())
    return digest.hexdigest()


def _published(root: Path) -> tuple[str, str]:
    """The fingerprint recorded for the published site, and the published tree."""
    build = Path(root) / BUILD_DIR
    try:
        fingerprint = (build / ".fingerprint").read_text().split("\n")[0].strip()
    except OSError:
        fingerprint = ""
    return fingerprint, tree_record(build / "html")


def up_to_date(root: Path, key: str | None) -> bool:
    """Whether the last recorded no-op still holds for ``key`` (``course_key``)."""
    if key is None:
        return False
    try:
        record = json.loads((Path(root) / BUILD_DIR / RECORD).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("key") != key:
        return False
    until = record.get("until")
    if until is not None and time.time() >= until:
        return False
    if not (Path(root) / BUILD_DIR / "html" / "index.html").is_file():
        return False
    fingerprint, tree = _published(root)
    return bool(fingerprint) and [fingerprint, tree] == [
        record.get("fingerprint"),
        record.get("tree"),
    ]


def remember(root: Path, key: str | None, fingerprint: str, until: float | None) -> None:
    """After the full road found the site up to date with ``fingerprint`` (or published it):
    keep what the next no-op can be answered from. ``key`` was made before that road began."""
    record = Path(root) / BUILD_DIR / RECORD
    published, tree = _published(root)
    if key is None or published != fingerprint:
        record.unlink(missing_ok=True)
        return
    data = {"key": key, "fingerprint": fingerprint, "tree": tree, "until": until}
    partial = record.with_name(f"{RECORD}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(data))
        os.replace(partial, record)
    except OSError:
        partial.unlink(missing_ok=True)
