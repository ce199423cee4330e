"""Publishing the built site in one step, and one build at a time.

A build writes into a staging folder; only a build that succeeded end to end replaces
``_build/html``, by swapping the two folders in a single ``renameat2(RENAME_EXCHANGE)`` call, so a
reader (or ``make serve``) sees either the old site or the new one, never a mixture. A failed or
interrupted build leaves the published site as it was.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .errors import BookError
from .layout import BuildLayout

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), f"cannot swap {a} and {b}")


def publish(staged: Path, target: Path) -> None:
    """Make ``staged`` the site at ``target``; the old site is removed afterwards."""
    if not target.exists():
        staged.rename(target)
        return
    if _exchange(staged, target):
        shutil.rmtree(staged)  # now holds the previous site
        return
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staged.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def build_lock(layout: BuildLayout):
    """One build at a time per checkout; a second one exits with a clear message."""
    layout.build.mkdir(parents=True, exist_ok=True)
    with open(layout.lock, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BookError(
                layout.shown(layout.lock), None,
                "another build of this course is running",
                "wait for it to finish, then run the build again",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
