"""A file's stat as the build's caches compare it, and the build folder's name: no heavy imports
(the no-op path, ``book.build.quick``, uses them before anything else is loaded).

A stat is (size, modification and change times in nanoseconds, inode): a write, a replacement
or a ``touch`` changes it. A file changed twice within its file system's time resolution could
keep its stat ("racily clean", as git calls it), so a file modified less than ``RACY`` seconds
ago has no stat key: whatever it feeds is computed again, not kept.
"""

from __future__ import annotations

import os
import time

BUILD_DIR = "_build"
RACY = 2.0  # seconds

StatKey = tuple[int, int, int, int]


def stat_key(path: str | os.PathLike[str]) -> StatKey | None:
    """The file's stat, followed through links; None when it is too fresh to trust. Raises
    ``OSError`` when the file cannot be read."""
    st = os.stat(path)
    now = time.time()
    if now - st.st_mtime < RACY or now - st.st_ctime < RACY:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
