"""Lab workers: they die with the build, adopt what kernels leave, and cap memory.

Every executor's worker (the local pool, the kernel started ahead, a Dask worker's child process)
calls ``confine_worker`` first; ``book.execution.runner`` calls ``end_strays`` after each lab, so
whatever a lab left running, even detached, ends with its kernel (in any sandbox, or none).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
SPARED: set[int] = set()  # this worker's own helpers (its fork server), not a lab's leftovers


def confine_worker(memory_mb: int) -> None:
    """In each lab worker: die with the build, adopt what kernels leave, cap memory.

    Ctrl-C is the build's to handle: it stops the workers itself, with one line of output."""
    libc = ctypes.CDLL(None, use_errno=True)
    signal.signal(signal.SIGTERM, _end_with_strays)  # also what a broken pool sends
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the build died (kill -9, out of memory)
    if os.getppid() == 1:  # the build died before the line above
        os._exit(1)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb > 0:  # inherited by the kernel (and bwrap); counts shared mappings too
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def cap_kernel(memory_mb: int, disk_mb: int) -> None:
    """In a kernel's process before it starts (inherited by whatever it starts): its own
    address-space cap (a lab's ``limits:`` may differ from the course's; the worker's cap is the
    largest of them) and the largest file it may write (``limits: disk_mb``; Python ignores
    SIGXFSZ, so a bigger write fails with "File too large", which the runner names)."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if disk_mb > 0:
        size = disk_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def _end_with_strays(signum, frame) -> None:
    """A worker told to stop ends its kernel and everything the lab started, then itself: its
    fork server too (its kernels, then what they started, come to this worker and end)."""
    SPARED.clear()
    end_strays()
    os._exit(1)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid and int(entry.name) not in SPARED:
                found.append(int(entry.name))
    return found


def end_strays(rounds: int = 500) -> int:
    """Kill every process this worker adopted or started (a kernel's leftovers); count them.

    Reaped in whatever order they end: a pid namespace's init (bubblewrap's) ends only once the
    zombies of its namespace are reaped, and a forked kernel whose parent was killed first is
    this worker's to reap (``book.execution.namespaces``)."""
    ended: set[int] = set()
    for _ in range(rounds):
        children = _children(os.getpid())
        if not children:
            break
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            ended.add(pid)
        for pid in children:  # their children are re-parented to this worker next round
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.01)
    return len(ended)
