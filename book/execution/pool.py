"""Execute the labs that are out of date, in parallel, into myst-nb's jupyter-cache.

Sphinx then finds every lab in the cache and only renders. Each lab runs in its own fresh kernel,
confined by ``book.execution.sandbox`` (small environment, throw-away folders, read-only course
where bwrap
can, memory limit), one cell at a time so that a failure names its cell and the line in the
``.md`` file. Workers die with the build, and Ctrl-C stops them at once. The cache key is
jupyter-cache's hash of the notebook that the lab reader produces for this build's flags, the
same hash myst-nb computes, so the two always agree. Where labs run is a "runner": this
machine's process pool (``run_locally``) or a Dask cluster (``book.execution.cluster``).
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

from book.config.execute import ExecuteConfig
from book.errors import BookError
from book.execution import forked, sandbox
from book.execution.ahead import KernelAhead
from book.execution.kernel import private_limits
from book.execution.limits import KernelLimits, lab_limits, largest_memory
from book.execution.runner import FOLDER_KEY, SANDBOX_KEY, execute_one


@dataclass
class LabJob:
    path: str  # relative to the course root
    notebook: nbformat.NotebookNode


@dataclass
class LabResult:
    path: str
    status: str  # executed | cached | failed | no code | not executed
    seconds: float
    error: BookError | None = None
    window: tuple[float, float] | None = None  # wall-clock start and end of its execution
    worker: str = ""  # where it ran, when not on this machine's pool


def _cell_line(nb, index: int) -> int | str | None:
    from book.reading.reader import location_of  # a line of a .md/.qmd, or "cell N" of a notebook

    return location_of(nb, index)


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
    settings: ExecuteConfig | None = None,
) -> list[LabResult]:
    """Execute the jobs not yet in the cache; cache the successes; report one line per lab.

    ``settings``: Jupyter Book's ``execute:`` (``execute_notebooks``: ``off`` runs nothing,
    ``force`` runs every lab again; ``exclude_patterns``: labs not run; ``run_in_temp: false``:
    a lab sees the files beside it).

    ``runner(todo, limits)`` yields ``(job, notebook json, seconds, error, worker, (start, end))``
    as labs
    finish: by default a local process pool (``run_locally``); ``book.execution.cluster`` runs them
    on a
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

    settings = settings or ExecuteConfig()
    for job in jobs:
        if not any(c.cell_type == "code" for c in job.notebook.cells):
            report(LabResult(job.path, "no code", 0.0))
            continue
        if settings.execute_notebooks == "off" or excluded(root / job.path, settings):
            report(LabResult(job.path, "not executed", 0.0))
            continue
        if not settings.run_in_temp:
            job = LabJob(job.path, _beside(job.notebook, root / job.path))
        try:
            if settings.execute_notebooks == "force":
                raise KeyError(job.path)  # run again, whatever the cache holds
            record = cache.match_cache_notebook(job.notebook)
            if record.data.get("ran_as") != ran_as(job.notebook, settings, limits):
                raise KeyError(job.path)  # ran under other execute: settings: outputs differ
        except KeyError:
            todo.append(job)
            continue
        if limits.sandbox_required and record.data.get("sandbox", "none") == "none":
            todo.append(job)  # ran unconfined (or before this was recorded): run it again
        else:
            report(LabResult(job.path, "cached", record.data.get("execution_seconds", 0.0)))
    if not todo:
        running()
        return results
    opened = [
        (j.path, why)
        for j in todo
        if (why := sandbox.network_reason(j.notebook, limits.network_flags))
    ]
    if opened:  # every other lab runs without a network
        progress("network: on for " + "; ".join(f"{path} ({why})" for path, why in opened))
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
        ran_in = executed.metadata.pop(SANDBOX_KEY, "none")
        cache.cache_notebook_bundle(
            CacheBundleIn(
                executed,
                str(root / job.path),
                data={
                    "execution_seconds": seconds,
                    "ran_as": ran_as(job.notebook, settings, limits),
                    "sandbox": ran_in,
                },
            ),
            check_validity=False,
            overwrite=True,
        )
        report(LabResult(job.path, "executed", seconds, window=window, worker=worker))
    return results


def ran_as(nb: nbformat.NotebookNode, settings: ExecuteConfig, limits: KernelLimits) -> dict:
    """What a cached lab's outputs depend on besides its code (jupyter-cache's hash, which myst-nb
    matches, covers the code only): the ``execute:`` settings that change outputs and the lab's
    effective memory and timeout (its own ``limits:``, else the course's). Kept with each cached
    lab; a lab cached under other values runs again, so a lab whose limit changed is never
    shown with outputs made under the old one."""
    own = lab_limits(nb.metadata, limits)
    return {
        "allow_errors": settings.allow_errors,
        "run_in_temp": settings.run_in_temp,
        "memory_mb": own.memory_mb,
        "timeout": own.timeout,
    }


def excluded(path: Path, settings: ExecuteConfig) -> bool:
    """``execute.exclude_patterns``, matched as myst-nb matches them."""
    posix = PurePosixPath(path.as_posix())
    return any(posix.match(pattern) for pattern in settings.exclude_patterns)


def _beside(nb: nbformat.NotebookNode, path: Path) -> nbformat.NotebookNode:
    """The lab's notebook, marked with its folder (``execute.run_in_temp: false``); the runner
    takes the mark off before the lab runs. A copy: the parsed lab is shared, read-only."""
    meta = nbformat.NotebookNode({**nb.metadata, FOLDER_KEY: str(path.parent)})
    return nbformat.NotebookNode({**nb, "metadata": meta})


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
    it started ahead (``book.execution.kernel``) when the limits are the same."""
    import nbclient  # noqa: F401  imported once here, inherited by the forked workers

    if ahead is not None and not (ahead.alive and ahead.base == limits):
        ahead = None
    if ahead is not None and todo and largest_memory([todo[0].notebook], limits) > limits.memory_mb:
        ahead = None  # its worker is capped at the course's memory; this lab asks for more
    limits = ahead.limits if ahead is not None else private_limits(limits)
    # once, before the workers fork; an error where the sandbox asked for cannot run here
    confinement = sandbox.choose(limits.sandbox, limits.sandbox_required, limits.sandbox_where)
    rest = list(todo)
    first = rest.pop(0) if ahead is not None else None
    size = max(1, min(workers, len(rest)))
    # a worker with one lab starts it fresh (forked.worker), unless BOOK_KERNELS=forked
    fork = len(rest) >= 2 * size or forked.forced()
    said = confinement.describe(limits.memory_mb, list(limits.env_names))
    if fork and forked.forks(confinement.kind, "python3", False):
        said += "; kernels forked from one started once per worker (kernel: fresh: not)"
    progress(said)
    futures = {}
    if ahead is not None and first is not None:
        futures[ahead.run(nbformat.writes(first.notebook))] = first
    pool = ProcessPoolExecutor(
        max_workers=size,
        mp_context=_context(context),
        initializer=forked.worker,
        initargs=(largest_memory([job.notebook for job in rest], limits), fork),
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
