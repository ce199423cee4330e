"""``limits: disk_mb`` for the lab's folder as a whole: what all its files take up together.

Each file a kernel writes is held to ``disk_mb`` by an rlimit (``RLIMIT_FSIZE``,
``book.execution.reaper.cap_kernel``), but many files each under it could still fill the disk. The
lab's folder (its working folder, home and temporary folder: the only place any sandbox lets it
write) is therefore measured, in every sandbox alike (one door: ``book.execution.runner``, which
every executor calls):

- after each cell, so the cell that went past the cap is the one named;
- while a cell runs, by a watchdog thread in the worker, which stops the kernel (its process
  group: the kernel and what it started) as soon as the folder is past the cap, so a cell that
  writes in a loop cannot fill the disk before it ends.

Counted: what the lab's files take beyond what its folder held when it started (files copied
beside it by ``execute.run_in_temp: false`` are the course's, not the lab's), as the space they
take on disk (``st_blocks``: a sparse file counts what it holds), each inode once, links not
followed. The watchdog looks every 0.1 s, or less often when a scan takes longer (20 times the
scan's own time: at most ~5 % of one core on a folder of many files), so a cell can write past
the cap by what it writes in that moment (each file still held to ``disk_mb`` by the rlimit)
before it is stopped.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

INTERVAL = 0.1  # seconds between two looks, at least
MB = 1024 * 1024  # limits.disk_mb's unit, as the rlimit uses it


def folder_bytes(folder: str) -> int:
    """The bytes the files under ``folder`` take on disk (each inode once, links not followed)."""
    total, seen, stack = 0, set[tuple[int, int]](), [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue  # removed meanwhile, or not readable
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_blocks * 512
    return total


def stop_kernel(km) -> None:
    """Kill a kernel at once, with what it started in its process group (fresh kernels and forked
    ones each lead a session of their own); never this worker's own group."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    pgid = getattr(provisioner, "pgid", None)
    try:
        if pgid and pgid != os.getpgrp():
            os.killpg(pgid, signal.SIGKILL)
        elif process is not None:
            process.kill()
    except (OSError, ProcessLookupError):
        pass  # ended already


class FolderWatch:
    """While a lab runs: measures its folder and calls ``stop`` once if the lab's files (what it
    holds beyond what it started with) grow past ``cap`` bytes."""

    def __init__(self, folder: str, cap: int, stop: Callable[[], None]) -> None:
        self.folder, self.cap, self.stop = folder, cap, stop
        self.full = 0  # what the lab had written when it went past the cap
        self.base = 0  # what the folder held when the lab started (files copied beside it)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lab-folder-watch", daemon=True)

    def __enter__(self) -> FolderWatch:
        if self.cap > 0:
            self.base = folder_bytes(self.folder)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def check(self) -> bool:
        """Whether the folder is past the cap now (after a cell); remembers its size if so."""
        if self.cap > 0 and not self.full:
            size = folder_bytes(self.folder) - self.base
            if size > self.cap:
                self.full = size
        return bool(self.full)

    def _run(self) -> None:
        wait = INTERVAL
        while not self._done.wait(wait):
            started = time.perf_counter()
            size = folder_bytes(self.folder) - self.base
            if size > self.cap:
                self.full = size
                self.stop()
                return
            wait = max(INTERVAL, 20 * (time.perf_counter() - started))


def full_message(number: int, written: int, disk_mb: int) -> tuple[str, str]:
    """The error and hint for a lab whose folder went past ``limits: disk_mb``."""
    return (
        f"code cell {number} filled the lab's folder: the lab's files take "
        f"{written / MB:.0f} MB, over the {disk_mb} MB it may write; the lab was stopped",
        "the lab's folder is full (its disk space, not its memory): write less, or remove files "
        "the lab no longer needs, or raise 'limits: disk_mb' in _config.yml",
    )
