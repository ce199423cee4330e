"""A kernel started ahead, in a confined worker of its own: the first lab to execute takes it.

``make html`` starts one as soon as it knows there is work, before it imports Sphinx or reads a
lab; ``make serve`` keeps one started at all times. The worker runs the lab with the same runner
as every executor (``book.execution.runner``).
"""

from __future__ import annotations

import shutil
from concurrent.futures import Future, ProcessPoolExecutor

from book.execution import forked
from book.execution.kernel import private_limits, start_ahead
from book.execution.limits import KernelLimits
from book.execution.runner import execute_one


class KernelAhead:
    """One confined worker of its own, holding a kernel started ahead for the next lab.

    ``limits``: the build's (``private_limits``: the folder the labs' folders are made in is this
    object's until ``close``). ``keep``: start the next kernel as soon as one is taken
    (``make serve``). ``context``: ``fork`` while the process runs no other thread, else ``spawn``
    (not ``forkserver``: the worker must be this process's own child, to die with it)."""

    def __init__(self, limits: KernelLimits, keep: bool = False, context: str = "fork") -> None:
        import multiprocessing

        self.base = limits  # as configured: a changed configuration needs a new one
        self.limits = private_limits(limits)
        self.keep = keep
        mp = multiprocessing.get_context(context)
        # ``make serve``'s worker runs lab after lab: it forks them (book.execution.forked);
        # ``make html``'s runs one: a fresh kernel starts sooner than a fork server
        self.pool = ProcessPoolExecutor(
            1, mp_context=mp, initializer=forked.worker, initargs=(limits.memory_mb, keep)
        )
        self.pool.submit(start_ahead, self.limits)
        self.alive = True

    def run(self, nb_json: str) -> Future:
        """Execute a lab in the worker, with the kernel started ahead (``execute_one``)."""
        future = self.pool.submit(execute_one, nb_json, self.limits)
        if self.keep:
            self.pool.submit(start_ahead, self.limits)
        return future

    def kill(self) -> None:
        """Stop the worker at once (its kernels die with it); Ctrl-C, a failed build."""
        self.alive = False
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            process.kill()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.limits.cwd_root, ignore_errors=True)
