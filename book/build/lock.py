"""One build of a course at a time, and a killed build never blocks the next one.

The lock is a POSIX record lock (``fcntl.lockf``) on ``_build/.lock``. Unlike ``flock``, a record
lock belongs to the process that took it: the forked lab workers do not hold it, and the operating
system releases it the moment the build process ends, however it ends (``kill -9``, out of memory).
The file records the owner's pid and start time, so a second build can say who is running, and a
build that finds the record of an owner that is gone says that it is taking over.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager

from book.config.layout import BuildLayout
from book.errors import BookError

LOCK_BUSY_EXIT = 75  # EX_TEMPFAIL: `make serve` retries a build that found the lock taken


class LockBusy(BookError):
    """Another build of this course holds the lock."""


def _owner(text: str) -> dict:
    try:
        owner = json.loads(text)
        return owner if isinstance(owner, dict) else {}
    except ValueError:
        return {}


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def build_lock(layout: BuildLayout, log=print):
    """Hold the course's build lock; a second build raises ``LockBusy`` with the owner's pid."""
    layout.build.mkdir(parents=True, exist_ok=True)
    lock_path = layout.lock
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            owner = _owner(os.pread(fd, 4096, 0).decode(errors="replace"))
            who = (
                f" (pid {owner['pid']}, started {owner.get('started', '?')})"
                if owner.get("pid")
                else ""
            )
            raise LockBusy(
                layout.shown(lock_path),
                None,
                f"another build of this course is running{who}",
                "wait for it to finish, then run the build again",
            ) from None
        previous = _owner(os.pread(fd, 4096, 0).decode(errors="replace"))
        if previous.get("pid") and previous.get("pid") != os.getpid() and not previous.get("done"):
            state = "is gone" if not _alive(previous["pid"]) else "no longer holds the lock"
            log(
                f"note: the previous build (pid {previous['pid']}, started "
                f"{previous.get('started', '?')}) did not finish and {state}; taking over"
            )
        record = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({**record, "done": True}).encode(), 0)
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
