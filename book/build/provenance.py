"""Whether the published site is still the tree this generator published.

A plain ``jupyter-book build .``, an editor or any other tool can write into ``_build/html``; a page
it leaves there (a session not yet released, a solution) must never reach the next site. Each
build that publishes records what the tree it published is (every file's path, size, inode and
modification time: a swap keeps them, any other writer changes them); the next build starts its
staging folder from the published site, and returns at once as a no-op, only while the tree is
still that one. Otherwise it starts from an empty folder and writes every page anew, and the
swap replaces the tree whole.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_record(site: Path) -> str:
    """What the tree at ``site`` is, in one line ("" when there is none)."""
    if not Path(site).is_dir():
        return ""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(site):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            rel = os.path.relpath(path, site)
            digest.update(f"{rel}\0{st.st_size}\0{st.st_ino}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()
