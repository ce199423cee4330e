"""The build's side of kernels that start once (``book.execution.forkserver``): which labs get a
forked kernel, each worker's fork server, and the launch that jupyter_client's provisioner sees.

A lab's kernel is forked when its kernel is ``python3``, neither the lab (``kernel: fresh`` in
its front matter) nor the build (``BOOK_KERNELS=fresh``) asks for a fresh one, and its worker
runs more than one lab (``BOOK_KERNELS=forked``: even then). The child confines itself with the
same walls as a fresh kernel's (``forkserver._child_setup``): under Landlock the same rules,
under bubblewrap the namespaces and mounts of a ``bwrap`` started for the lab as for a fresh
kernel, running a stub that waits (``book.execution.namespaces``). Where the child cannot enter
them, it says why and the lab's kernel starts fresh (``CannotEnter``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from book.execution import forkserver, namespaces, reaper, sandbox
from book.execution.forkserver import ForkServer
from book.execution.limits import KERNEL_QUIET

KERNELS_ENV = "BOOK_KERNELS"  # "fresh": none forked (to compare, or to be sure); "forked": all
FRESH, FORKED = "fresh", "forked"
KINDS = ("bubblewrap", "landlock", "none")  # the sandboxes whose kernels fork

_SERVER: ForkServer | None = None  # this worker's, started with its first forked lab
_WANTED = True  # this worker forks its labs' kernels (``worker``: told otherwise)
_BROKEN = False  # its fork server could not start: its kernels start fresh


def worker(memory_mb: int, fork: bool) -> None:
    """A lab worker's initializer: ``reaper.confine_worker``, and whether it forks kernels. A
    worker that runs one lab does not: starting the server (Python, then every import a lab
    and a kernel need) costs more than one fresh kernel, and only the next labs gain."""
    global _WANTED
    reaper.confine_worker(memory_mb)
    _WANTED = fork


def _asked() -> str:
    return os.environ.get(KERNELS_ENV, "").strip().lower()


def forced() -> bool:
    """``BOOK_KERNELS=forked``: every kernel that can be forked is, even a worker's only one."""
    return _asked() == FORKED


def forks(kind: str, kernel: str, fresh: bool) -> bool:
    """Whether a lab's kernel is forked: sandbox ``kind``, kernel name, ``kernel: fresh``."""
    wanted = not _BROKEN and (forced() or (_WANTED and _asked() != FRESH))
    return wanted and not fresh and kernel == "python3" and kind in KINDS


class CannotEnter(RuntimeError):
    """A forked child could not enter a lab's bubblewrap walls (``namespaces.enter`` says why)."""


def cannot_enter(exc: CannotEnter) -> None:
    """This worker's kernels start fresh from now on; said once, on the worker's stderr."""
    global _BROKEN
    if not _BROKEN:
        print(f"warning: kernels start fresh: {exc}", file=sys.stderr, flush=True)
    _BROKEN = True


def server(root: str) -> ForkServer | None:
    """This worker's fork server (its folders under ``root``, the build's lab folder), started
    on first use, again if it ended; None if it cannot start (an import failing under the
    memory cap, say): this worker's kernels then start fresh, as they would without it."""
    global _SERVER, _BROKEN
    if _SERVER is not None and _SERVER.alive() and Path(_SERVER.folder).is_dir():
        return _SERVER
    if _SERVER is not None:
        reaper.SPARED.discard(_SERVER.pid)
        _SERVER.close()
        _SERVER = None
    folder = tempfile.mkdtemp(prefix="fork-server-", dir=root or None)
    # a kernel's environment at import time (thread counts: OpenBLAS reads them on load)
    env = {**sandbox.prepare_lab_dir(Path(folder), []), **KERNEL_QUIET}
    env.pop("PYTHONWARNINGS", None)  # each kernel's are set in it (forkserver._child_setup)
    started = ForkServer(env, forkserver.PRELOAD)
    started.folder = folder
    reaper.SPARED.add(started.pid)  # not a lab's leftover: end_strays leaves it
    try:
        started.request({"op": "ping"})  # its imports are done when it answers
    except (OSError, RuntimeError):
        reaper.SPARED.discard(started.pid)
        started.close()
        _BROKEN = True
        return None
    _SERVER = started
    return started


class _ForkedProcess:
    """Enough of ``subprocess.Popen`` for jupyter_client's LocalProvisioner: the fork server is
    the kernel's parent and reaps it; this asks it."""

    stdin = stdout = stderr = None

    def __init__(self, owner: ForkServer, pid: int, stub: namespaces.Stub | None) -> None:
        self.server, self.pid, self.stub = owner, pid, stub
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.poll(self.pid)
        if self.returncode is not None and self.stub is not None:
            self.stub.close()  # the lab's namespaces end with its kernel
            self.stub = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        while (code := self.poll()) is None:
            time.sleep(0.01)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:  # not yet reaped: its pid is still its own
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(15)

    def kill(self) -> None:
        self.send_signal(9)


def launch(
    km: Any, owner: ForkServer, cmd: list[str], kw: dict, request: dict, stub: list[str] | None
) -> None:
    """What ``LocalProvisioner.launch_kernel`` does, by a fork: the kernelspec's extra arguments,
    ``kw``'s env, folder and outputs, and ``request``'s memory cap and walls; ``stub``: under
    bubblewrap, the sandbox's command line for ``namespaces.STUB``, whose walls the child enters
    (``CannotEnter`` where it cannot)."""
    tail = cmd[cmd.index("ipykernel_launcher") + 1 :] if "ipykernel_launcher" in cmd else []
    args = [a for a, before in zip(tail, ["", *tail[:-1]], strict=True) if "-f" not in (a, before)]
    null = os.open(os.devnull, os.O_RDWR)  # stdin, and outputs nobody here would read

    def fd(given: Any, default: int) -> int:
        if given is None:
            return default
        if given in (subprocess.PIPE, subprocess.DEVNULL):
            return null
        return given if isinstance(given, int) else given.fileno()

    stdio = (null, fd(kw.get("stdout"), 1), fd(kw.get("stderr"), 2))
    cwd, env = str(kw["cwd"]), kw["env"]
    walls = namespaces.Stub(stub, kw.get("preexec_fn")) if stub else None
    if walls is not None:
        request = {**request, "enter": walls.pid}
        env = {**env, "JPY_PARENT_PID": "1", "PWD": cwd}  # what bwrap gives a fresh kernel
    try:
        pid = owner.spawn(
            {"connection_file": km.connection_file, "cwd": cwd, "env": env, "argv": args} | request,
            stdio,
        )
    except BaseException as exc:
        if walls is None:
            raise
        walls.close()  # no kernel behind them
        if isinstance(exc, RuntimeError):
            raise CannotEnter(str(exc).removeprefix("fork server: ")) from exc
        raise
    finally:
        os.close(null)
    provisioner = km.provisioner
    provisioner.process = _ForkedProcess(owner, pid, walls)
    provisioner.pid, provisioner.pgid, provisioner.cwd = pid, pid, cwd  # it called setsid()
    km._reconcile_connection_info(provisioner.connection_info)
