"""Execute the labs that are out of date, in parallel, into myst-nb's jupyter-cache.

Sphinx then finds every lab in the cache and only renders. Each lab runs in its own fresh kernel,
in a temporary working directory, one cell at a time so that a failure names its cell and the line
in the ``.md`` file. The cache key is jupyter-cache's hash of the notebook that the lab reader
produces for this build's flags, the same hash myst-nb computes, so the two always agree.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import BookError

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


def _cell_line(nb, index: int) -> int | None:
    source_map = nb.metadata.get("source_map")
    if source_map and index < len(source_map):
        return source_map[index] + 1
    return None


def _frames(traceback_lines: list[str], keep: int = 6) -> str:
    text = ANSI.sub("", "\n".join(traceback_lines))
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[-keep:])


def execute_one(path: str, nb_json: str, timeout: int, cwd_root: str) -> tuple[str, float, str | None]:
    """Run one notebook (in a worker process). Returns (executed notebook json, seconds, error)."""
    from nbclient import NotebookClient
    from traitlets.config import Config
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.reads(nb_json, as_version=4)
    execution = nb.metadata.get("execution", {})
    timeout = execution.get("timeout", timeout)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    index = -1
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cwd_root) as cwd:
        # IPC transport: the kernel talks over a socket file in the private working directory
        # (over TCP, ipykernel warns that traffic is unencrypted)
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(cwd, "kernel")}})
        client = NotebookClient(
            nb, config=ipc, timeout=timeout, kernel_name=kernel, allow_errors=False,
            resources={"metadata": {"path": cwd}}, record_timing=False,
        )
        error = None
        try:
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
        except CellTimeoutError:
            error = (
                f"cell {index + 1} ran past the timeout of {timeout} s|"
                "raise it for this lab with 'execution: {timeout: N}' in its front matter, "
                "or for all labs with 'execute: timeout' in _config.yml"
            )
        except DeadKernelError as exc:
            error = (
                f"the kernel died while running cell {index + 1} ({exc})|"
                "the cell may exhaust memory or call os._exit(); run it in Jupyter to see"
            )
        except CellExecutionError as exc:
            error = (
                f"cell {index + 1} raised {exc.ename}: {exc.evalue}\n"
                f"{_frames(str(exc.traceback).splitlines())}|"
                "fix the cell, or mark it '#| error: true' if the error is the point"
            )
        except Exception as exc:  # kernel start-up failure and the like
            error = f"could not run the lab: {type(exc).__name__}: {exc}|"
    seconds = time.perf_counter() - started
    if error is not None:
        error = f"{index}|{error}"
    return nbformat.writes(nb), seconds, error


def _failure(job: LabJob, error: str) -> BookError:
    index, message, hint = error.split("|", 2)
    line = _cell_line(job.notebook, int(index)) if int(index) >= 0 else None
    return BookError(job.path, line, message, hint)


def execute_labs(
    jobs: list[LabJob],
    cache_path: Path,
    *,
    workers: int,
    timeout: int,
    progress=print,
) -> list[LabResult]:
    """Execute the jobs not yet in the cache; cache the successes; report one line per lab."""
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
        progress(f"[{done}/{total}] {result.path}: {result.status} ({result.seconds:.1f} s)")

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
        return results

    cwd_root = tempfile.mkdtemp(prefix="book-exec-")
    try:
        with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
            futures = {
                pool.submit(
                    execute_one, job.path, nbformat.writes(job.notebook), timeout, cwd_root
                ): job
                for job in todo
            }
            for future in as_completed(futures):
                job = futures[future]
                nb_json, seconds, error = future.result()
                if error is not None:
                    report(LabResult(job.path, "failed", seconds, _failure(job, error)))
                    continue
                executed = nbformat.reads(nb_json, as_version=4)
                cache.cache_notebook_bundle(
                    CacheBundleIn(executed, str(Path(job.path).resolve()),
                                  data={"execution_seconds": seconds}),
                    check_validity=False,
                    overwrite=True,
                )
                report(LabResult(job.path, "executed", seconds))
    finally:
        shutil.rmtree(cwd_root, ignore_errors=True)
    return results


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
