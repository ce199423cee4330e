"""Execute the labs that are out of date, in parallel, into myst-nb's jupyter-cache.

Sphinx then finds every lab in the cache and only renders. Each lab runs in its own fresh kernel,
confined by ``book.sandbox`` (small environment, throw-away folders, read-only course where bwrap
can, memory limit), one cell at a time so that a failure names its cell and the line in the
``.md`` file. Workers die with the build, and Ctrl-C stops them at once. The cache key is
jupyter-cache's hash of the notebook that the lab reader produces for this build's flags, the
same hash myst-nb computes, so the two always agree. Where labs run is a "runner": this
machine's process pool (``run_locally``) or a Dask cluster (``book.cluster``).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import sandbox
from .errors import BookError
from .lab_kernel import KernelAhead, kernel_for, private_limits
from .limits import KernelLimits, tidy_outputs
from .quarto import asis_outputs

COURSE_REQUIREMENTS = "requirements/course.txt"  # the course's own packages (see the README)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class LabJob:
    path: str  # relative to the course root
    notebook: nbformat.NotebookNode


@dataclass
class LabResult:
    path: str
    status: str  # executed | cached | failed | no code
    seconds: float
    error: BookError | None = None
    window: tuple[float, float] | None = None  # wall-clock start and end of its execution
    worker: str = ""  # where it ran, when not on this machine's pool


def _cell_line(nb, index: int) -> int | str | None:
    from .reader import location_of  # a line of a .md/.qmd, or "cell N" of a notebook

    return location_of(nb, index)


def _frames(traceback_lines: list[str], keep: int = 6) -> str:
    text = ANSI.sub("", "\n".join(traceback_lines))
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[-keep:])


def execute_one(nb_json: str, limits: KernelLimits) -> tuple[str, float, tuple | None, float]:
    """Run one notebook in this worker process, its kernel confined (``book.sandbox``).

    Returns (executed notebook json, seconds, None, start time) or, on failure,
    (notebook json, seconds, (cell index, message, hint), start time).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.reads(nb_json, as_version=4)
    timeout = nb.metadata.get("execution", {}).get("timeout", limits.timeout)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    index, number = -1, 0
    started = time.perf_counter()
    wall = time.time()
    error = None
    lab = kernel_for(limits, kernel)  # started ahead (book.lab_kernel), or started here
    with lab.folder as lab_dir:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel,
            allow_errors=False,
            resources={"metadata": {"path": os.path.join(lab_dir, "work")}},
            record_timing=False,
            shutdown_kernel="immediate",  # outputs are collected; a graceful stop costs ~0.4 s
            **lab.client_options,
        )
        try:
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    number += cell.cell_type == "code"
                    client.execute_cell(cell, index)
        except CellTimeoutError:
            error = (
                f"code cell {number} ran past the timeout of {timeout} s",
                "raise it for this lab with 'execution: {timeout: N}' in its front matter, "
                "or for all labs with 'execute: timeout' in _config.yml",
            )
        except DeadKernelError:
            error = (
                f"the kernel died while running code cell {number}",
                "the cell may have run out of memory (limit: "
                f"{limits.memory_mb} MB, 'limits: memory_mb' in _config.yml) or called "
                "os._exit(); run it in Jupyter to see",
            )
        except CellExecutionError as exc:
            hint = "fix the cell, or mark it '#| error: true' if the error is the point"
            if exc.ename == "ModuleNotFoundError":
                hint = (
                    f"add the package, pinned (name==version), to {COURSE_REQUIREMENTS}; "
                    "`make html` installs it"
                )
            if (
                exc.ename == "MemoryError"
                or "Cannot allocate memory" in str(exc.evalue)
                or "No space left on device" in str(exc.evalue)
            ):
                hint = (
                    f"the lab hit the memory limit of {limits.memory_mb} MB per kernel; "
                    "raise 'limits: memory_mb' in _config.yml or use less memory"
                )
            error = (
                f"code cell {number} raised {exc.ename}: {exc.evalue}\n"
                f"{_frames(str(exc.traceback).splitlines())}",
                hint,
            )
        except Exception as exc:  # kernel start-up failure and the like
            error = (f"could not run the lab: {type(exc).__name__}: {exc}", "")
        finally:
            sandbox.end_strays()  # whatever the lab left running ends with its kernel
    seconds = time.perf_counter() - started
    asis_outputs(nb)
    tidy_outputs(nb, limits.replacements, limits.max_output_bytes)
    return nbformat.writes(nb), seconds, None if error is None else (index, *error), wall


def _failure(job: LabJob, error: tuple) -> BookError:
    index, message, hint = error
    line = _cell_line(job.notebook, index) if index >= 0 else None
    return BookError(job.path, line, message, hint)


def execute_labs(
    jobs: list[LabJob],
    root: Path,
    cache_path: Path,
    *,
    workers: int,
    limits: KernelLimits,
    progress=print,
    runner=None,
    running=lambda: None,
    context: str = "fork",
    ahead: KernelAhead | None = None,
) -> list[LabResult]:
    """Execute the jobs not yet in the cache; cache the successes; report one line per lab.

    ``runner(todo, limits)`` yields ``(job, notebook json, seconds, error, worker, (start, end))``
    as labs
    finish: by default a local process pool (``run_locally``); ``book.cluster`` runs them on a
    Dask cluster. Caching and reporting are the same for both.

    ``running()`` is called once the labs are under way (or when none needs to run): after the
    local pool's workers are forked, so that a thread the caller starts then (Sphinx starting
    up) cannot hold a lock that a forked worker inherits. ``context``: how local workers start
    (``fork``; ``spawn`` in a process that already runs other threads, as ``make serve``: its
    workers are still its own children, and die with it)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    results: list[LabResult] = []
    todo: list[LabJob] = []
    total = len(jobs)
    done = 0

    def report(result: LabResult) -> None:
        nonlocal done
        done += 1
        results.append(result)
        where = f" on {result.worker}" if result.worker else ""
        progress(f"[{done}/{total}] {result.path}: {result.status}{where} ({result.seconds:.1f} s)")

    for job in jobs:
        if not any(c.cell_type == "code" for c in job.notebook.cells):
            report(LabResult(job.path, "no code", 0.0))
            continue
        try:
            record = cache.match_cache_notebook(job.notebook)
        except KeyError:
            todo.append(job)
        else:
            report(LabResult(job.path, "cached", record.data.get("execution_seconds", 0.0)))
    if not todo:
        running()
        return results
    if runner is None:

        def run(todo, limits):
            return run_locally(todo, limits, workers, progress, running, context, ahead)
    else:
        running()
        run = runner
    for job, nb_json, seconds, error, worker, window in run(todo, limits):
        if error is not None:
            report(LabResult(job.path, "failed", seconds, _failure(job, error), window, worker))
            continue
        executed = nbformat.reads(nb_json, as_version=4)
        cache.cache_notebook_bundle(
            CacheBundleIn(executed, str(root / job.path), data={"execution_seconds": seconds}),
            check_validity=False,
            overwrite=True,
        )
        report(LabResult(job.path, "executed", seconds, window=window, worker=worker))
    return results


def run_locally(
    todo: list[LabJob],
    limits: KernelLimits,
    workers: int,
    progress=print,
    running=lambda: None,
    context: str = "fork",
    ahead: KernelAhead | None = None,
):
    """Each lab in a process of a local pool, each in a fresh, confined kernel; ``running()``
    once every worker is started. ``ahead``: the first lab runs in that worker, with the kernel
    it started ahead (``book.lab_kernel``) when the limits are the same."""
    import nbclient  # noqa: F401  imported once here, inherited by the forked workers

    if ahead is not None and not (ahead.alive and ahead.base == limits):
        ahead = None
    limits = ahead.limits if ahead is not None else private_limits(limits)
    confinement = sandbox.detect()  # once, before the workers fork
    progress(confinement.describe(limits.memory_mb, list(limits.env_names)))
    futures = {}
    rest = list(todo)
    if ahead is not None:
        first = rest.pop(0)
        futures[ahead.run(nbformat.writes(first.notebook))] = first
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(rest))),
        mp_context=_context(context),
        initializer=sandbox.confine_worker,
        initargs=(limits.memory_mb,),
    )
    try:
        for job in rest:
            futures[pool.submit(execute_one, nbformat.writes(job.notebook), limits)] = job
        running()  # with fork, the first submit started every worker
        for future in as_completed(futures):
            nb_json, seconds, error, wall = future.result()
            yield futures[future], nb_json, seconds, error, "", (wall, time.time())
        pool.shutdown()
    except BaseException:  # Ctrl-C (the workers ignore it), a broken pool: stop the workers at
        # once (their kernels die with them) instead of waiting for their labs to finish
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        if ahead is not None:
            ahead.kill()
        raise
    finally:
        if ahead is None:  # the folder of the kernel started ahead is that object's
            shutil.rmtree(limits.cwd_root, ignore_errors=True)


def _context(name: str):
    import multiprocessing

    return multiprocessing.get_context(name)


def default_workers() -> int:
    """One lab per core, plus one: a kernel starting up waits on I/O while others compute
    (measured on 2 cores, 20 labs: about 10% faster than one per core)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1
