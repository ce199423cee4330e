"""What each lab says about itself, parsed once and kept by the file's stat, as git's index does.

``book.course.labs.read_lab_file`` parses a lab's front matter (a notebook: its metadata); the
release state, the checks, the schedule and the ``{prereq}`` role each read every lab, and a
one-lab edit should not parse the other labs again. So the parsed fields of each lab are kept
under its stat (size, modification and change times in nanoseconds, inode): in the process, and
in ``_build/.lab-index`` between builds. A file whose stat changed is parsed again.

A file changed within the last seconds is parsed and not kept (``book.config.filestat``: it could
be "racily clean"). Labs with problems are not kept either: their errors are made again, with
their lines.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from book.config.filestat import BUILD_DIR, StatKey

INDEX_FILE = ".lab-index"
VERSION = 1  # of what an entry holds; a new one starts the index again


class LabIndex:
    """The parsed fields of each lab of one course, by path relative to it."""

    def __init__(self, root: Path) -> None:
        self.file = Path(root) / BUILD_DIR / INDEX_FILE
        self.entries: dict[str, tuple[StatKey, dict[str, Any]]] = {}
        self.texts: dict[str, tuple[StatKey, str]] = {}  # in the process only
        self.changed = False
        try:
            saved = pickle.loads(self.file.read_bytes())
            if saved.get("version") == VERSION:
                self.entries = saved["entries"]
        except Exception:  # missing, partial or from another version: start again
            self.entries = {}

    def get(self, rel: str, key: StatKey | None) -> dict[str, Any] | None:
        entry = self.entries.get(rel)
        return entry[1] if key is not None and entry is not None and entry[0] == key else None

    def text(self, rel: str, key: StatKey | None) -> str | None:
        """The file's text as this process last read it, while its stat is the same."""
        entry = self.texts.get(rel)
        return entry[1] if key is not None and entry is not None and entry[0] == key else None

    def remember_text(self, rel: str, key: StatKey | None, text: str) -> None:
        if key is not None:
            self.texts[rel] = (key, text)

    def put(self, rel: str, key: StatKey | None, fields: dict[str, Any]) -> None:
        if key is None:
            self.entries.pop(rel, None)
            return
        self.entries[rel] = (key, fields)
        self.changed = True

    def save(self, present: list[str]) -> None:
        """Write the index for the next build, forgetting labs no longer in ``present``."""
        gone = set(self.entries) - set(present)
        for rel in gone:
            del self.entries[rel]
        if not (self.changed or gone) or not self.file.parent.is_dir():
            return
        partial = self.file.with_name(f"{INDEX_FILE}.{os.getpid()}")
        try:
            partial.write_bytes(pickle.dumps({"version": VERSION, "entries": self.entries}))
            os.replace(partial, self.file)
        except OSError:
            partial.unlink(missing_ok=True)
            return
        self.changed = False


_INDEXES: dict[Path, LabIndex] = {}


def index_for(root: Path) -> LabIndex:
    root = Path(root).resolve()
    if root not in _INDEXES:
        _INDEXES[root] = LabIndex(root)
    return _INDEXES[root]
