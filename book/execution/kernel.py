"""A lab's kernel: its private folder, environment and confinement, and one started ahead.

Every lab runs in a fresh kernel in a fresh private folder (``book.execution.sandbox``). Starting
that
kernel (Python, ipykernel, matplotlib's inline backend: about 1.4 s here) is most of a small lab's
time, and nothing about it depends on the lab. So a kernel can be started before it is needed:

- ``make html`` starts one as soon as it knows there is work, before it imports Sphinx or reads a
  lab (``KernelAhead``: one worker of its own, forked while the build has no other thread); the
  first lab to execute takes it, so the kernel starts while the build does everything else;
- ``make serve`` keeps one ready at all times: after a lab takes it, the next one starts.

A kernel started ahead is exactly the kernel ``execute_one`` would start (same folder layout,
environment, confinement and limits), used once, for one lab, and thrown away with its folder.

A worker that runs several labs forks each lab's kernel from a process that has already
imported what kernels and labs import (``book.execution.forked``): the same kernel, confined in
the child (under bubblewrap: behind the walls of a ``bwrap`` started for the lab, entered by the
child: ``book.execution.namespaces``), started in a fraction of the time.
"""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from book.execution import figures, forked, namespaces, reaper, sandbox
from book.execution.limits import KERNEL_QUIET, KernelLimits


def _manager_class(
    confinement,
    lab_dir: Path,
    env: dict,
    memory_mb: int,
    walls: sandbox.Walls,
    fork: str = "",
    disk_mb: int = 0,
):
    """A kernel manager that starts the kernel confined (``book.execution.sandbox``), with ``env``
    only; ``fork``: forked from this worker's fork server (its folders there), confined in the
    child with the same walls (``book.execution.forked``)."""
    from jupyter_client.manager import AsyncKernelManager

    class LabKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["env"], kw["cwd"] = confinement.environment(env), str(lab_dir / "work")
            # this lab's own memory cap (the worker's is the largest of the labs'), and its files'
            kw["preexec_fn"] = functools.partial(reaper.cap_kernel, memory_mb, disk_mb)
            if fork and (server := forked.server(fork)) is not None:
                walls_of = {"ro": [*walls.read], "rw": [str(lab_dir)], "network": walls.network}
                landlocked = walls_of if confinement.kind == "landlock" else None
                request = {"memory_mb": memory_mb, "disk_mb": disk_mb, "landlock": landlocked}
                stub = None  # bubblewrap: its walls made for a stub, entered by the child
                if confinement.kind == "bubblewrap":
                    stub = confinement.command(namespaces.STUB, lab_dir, memory_mb, walls)
                try:
                    return forked.launch(self, server, list(kernel_cmd), kw, request, stub)
                except forked.CannotEnter as exc:  # said once; this worker's kernels: fresh
                    forked.cannot_enter(exc)
            await super()._async_launch_kernel(
                confinement.command(list(kernel_cmd), lab_dir, memory_mb, walls), **kw
            )

    return LabKernelManager


@dataclass
class LabKernel:
    """A lab's private folder and what NotebookClient needs to start (or use) its kernel."""

    folder: tempfile.TemporaryDirectory
    client_options: dict  # config and kernel_manager_class, or km: a kernel already started
    kernel: str
    sandbox: str = "none"  # the sandbox it runs in (book.execution.sandbox)
    forked: bool = False  # forked from the worker's fork server (book.execution.forked)

    @property
    def path(self) -> str:
        return self.folder.name


def new_kernel(
    limits: KernelLimits, kernel: str, network: bool = False, fresh: bool = False
) -> LabKernel:
    """A private folder and the options for a kernel NotebookClient starts in it: the one place
    every lab's kernel is made, confined as the build's limits say."""
    from traitlets.config import Config

    folder = tempfile.TemporaryDirectory(dir=limits.cwd_root)
    lab_dir = folder.name
    env = {
        **sandbox.prepare_lab_dir(Path(lab_dir), list(limits.env_names)),
        **KERNEL_QUIET,
        **figures.kernel_env(lab_dir),  # sharp, described figures (book/execution/figures.py)
    }
    # IPC transport: the kernel talks over a socket file in the lab's private folder
    # (over TCP, ipykernel warns that traffic is unencrypted); its connection file (with the
    # HMAC key) is there too, the one folder a confined kernel can read, and goes with it
    ipc = Config(
        {
            "KernelManager": {
                "transport": "ipc",
                "ip": os.path.join(lab_dir, "kernel"),
                "connection_file": os.path.join(lab_dir, "kernel.json"),
            }
        }
    )
    confinement = sandbox.choose(limits.sandbox, limits.sandbox_required, limits.sandbox_where)
    walls = sandbox.Walls(read=limits.read, network=network)
    fork = forked.forks(confinement.kind, kernel, fresh)
    root = limits.cwd_root if fork else ""
    manager = _manager_class(
        confinement, Path(lab_dir), env, limits.memory_mb, walls, root, limits.disk_mb
    )
    options = {"config": ipc, "kernel_manager_class": manager}
    return LabKernel(folder, options, kernel, confinement.kind, fork)


_AHEAD: tuple[KernelLimits, LabKernel] | None = None  # in a worker: the kernel started ahead


def start_ahead(limits: KernelLimits, kernel: str = "python3") -> None:
    """In a worker: start a kernel for the next lab this worker runs (a task of its own)."""
    from jupyter_core.utils import run_sync

    global _AHEAD
    lab = new_kernel(limits, kernel)
    options = lab.client_options
    km = options["kernel_manager_class"](kernel_name=kernel, config=options["config"])
    try:
        run_sync(km.start_kernel)()
    except Exception:
        lab.folder.cleanup()
        return
    _AHEAD = (limits, LabKernel(lab.folder, {"km": km}, kernel, lab.sandbox, lab.forked))


def kernel_for(
    limits: KernelLimits, kernel: str, network: bool = False, fresh: bool = False
) -> LabKernel:
    """In a worker: the kernel started ahead (no network), if it fits this lab; else a new
    one's options. ``fresh``: the lab's ``kernel: fresh`` (not forked)."""
    global _AHEAD
    ahead, _AHEAD = _AHEAD, None
    if ahead is not None:
        from jupyter_core.utils import run_sync

        started_for, lab = ahead
        fits = started_for == limits and lab.kernel == kernel and not network
        fits = fits and not (fresh and lab.forked)
        if fits and run_sync(lab.client_options["km"].is_alive)():
            return lab
        _discard(lab)
    return new_kernel(limits, kernel, network, fresh)


def _discard(lab: LabKernel) -> None:
    discard_kernel(lab.client_options["km"])
    lab.folder.cleanup()


def discard_kernel(km) -> None:
    """Stop a kernel at once (a forked one is not the worker's child: ``end_strays`` would not
    reach it)."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:
        pass


def course_limits(config) -> KernelLimits:
    """The configured limits, and how tracebacks of ``error: true`` cells show paths."""
    from book.execution.limits import traceback_paths

    return KernelLimits.from_config(config, traceback_paths(config.root))


def private_limits(limits: KernelLimits) -> KernelLimits:
    """The limits with a fresh folder for the labs' own folders (shown as "." in tracebacks)."""
    cwd_root = os.path.realpath(tempfile.mkdtemp(prefix=sandbox.EXEC_PREFIX))
    shown = {cwd_root: ".", **limits.replacements}
    return replace(
        limits,
        cwd_root=cwd_root,
        replacements=dict(sorted(shown.items(), key=lambda kv: -len(kv[0]))),
    )
