"""Execute the labs that are out of date, in parallel, into myst-nb's jupyter-cache.

Sphinx then finds every lab in the cache and only renders. Each lab runs in its own fresh kernel,
in a temporary working directory, one cell at a time so that a failure names its cell and the line
in the ``.md`` file. The cache key is jupyter-cache's hash of the notebook that the lab reader
produces for this build's flags, the same hash myst-nb computes, so the two always agree.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from .errors import BookError
from .quarto import asis_outputs

COURSE_REQUIREMENTS = "requirements/course.txt"  # the course's own packages (see the README)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


# What kernels get on top of the build's environment: no tool chatter in the log or on pages.
KERNEL_QUIET = {
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's frozen-modules warning
    "JUPYTER_PLATFORM_DIRS": "1",  # jupyter_core's path-migration notice
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


@dataclass(frozen=True)
class KernelLimits:
    """What one lab's kernel may do: from ``_config.yml`` (``execute.timeout``, ``limits``)."""

    timeout: int  # seconds per cell (a lab's ``execution: {timeout: N}`` wins)
    memory_mb: int
    max_output_bytes: int
    replacements: dict[str, str]  # text in outputs -> what the page shows (longest first)
    cwd_root: str = ""  # the folder the labs' private working folders are made in

    @classmethod
    def from_config(cls, config, replacements: dict[str, str]) -> KernelLimits:
        return cls(timeout=config.execute.timeout, memory_mb=config.limits.memory_mb,
                   max_output_bytes=config.limits.max_output_kb * 1000,
                   replacements=dict(sorted(replacements.items(), key=lambda kv: -len(kv[0]))))


def ensure_font_cache() -> None:
    """A kernel that builds matplotlib's font cache prints a notice to stderr, which would fail
    the build: build it here first, once (importing font_manager is what builds it)."""
    cache = Path(os.environ.get("MPLCONFIGDIR")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib")
    if not any(cache.glob("fontlist-*.json")):
        import matplotlib.font_manager  # noqa: F401


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


def _cell_line(nb, index: int) -> int | str | None:
    from .reader import location_of  # a line of a .md/.qmd, or "cell N" of a notebook

    return location_of(nb, index)


def _frames(traceback_lines: list[str], keep: int = 6) -> str:
    text = ANSI.sub("", "\n".join(traceback_lines))
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[-keep:])


def _limit_memory(megabytes: int) -> None:
    """Cap this worker's data segment; the kernel it starts inherits the limit."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def tidy_outputs(nb: nbformat.NotebookNode, replacements: dict[str, str], max_bytes: int) -> None:
    """Make outputs publishable: no machine paths (e.g. in tracebacks); huge streams truncated."""

    def clean(text: str) -> str:
        for secret, shown in replacements.items():
            text = text.replace(secret, shown)
        return text

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text = clean(out.text)
                size = len(text.encode())
                if size > max_bytes:
                    kept = text.encode()[:max_bytes].decode(errors="ignore")
                    text = (kept + f"\n… output truncated: {size / 1e6:.1f} MB printed, "
                            f"the first {max_bytes // 1000} kB shown\n")
                out.text = text
            elif out.output_type == "error":
                out.traceback = [clean(line) for line in out.traceback]
                out.evalue = clean(out.evalue)
            elif "data" in out and "text/plain" in out.data:
                out.data["text/plain"] = clean(out.data["text/plain"])


def execute_one(nb_json: str, limits: KernelLimits) -> tuple[str, float, tuple | None]:
    """Run one notebook in this worker process.

    Returns (executed notebook json, seconds, None) or, on failure,
    (notebook json, seconds, (cell index, message, hint)).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    _limit_memory(limits.memory_mb)
    nb = nbformat.reads(nb_json, as_version=4)
    timeout = nb.metadata.get("execution", {}).get("timeout", limits.timeout)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    index, number = -1, 0
    started = time.perf_counter()
    error = None
    with tempfile.TemporaryDirectory(dir=limits.cwd_root) as cwd:
        # IPC transport: the kernel talks over a socket file in the private working directory
        # (over TCP, ipykernel warns that traffic is unencrypted)
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(cwd, "kernel")}})
        client = NotebookClient(
            nb, config=ipc, timeout=timeout, kernel_name=kernel, allow_errors=False,
            resources={"metadata": {"path": cwd}}, record_timing=False,
            shutdown_kernel="immediate",  # outputs are collected; a graceful stop costs ~0.4 s
        )
        try:
            with client.setup_kernel(env={**os.environ, **KERNEL_QUIET}):
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
                hint = (f"add the package, pinned (name==version), to {COURSE_REQUIREMENTS}; "
                        "`make html` installs it")
            if exc.ename == "MemoryError":
                hint = (f"the lab hit the memory limit of {limits.memory_mb} MB per kernel; "
                        "raise 'limits: memory_mb' in _config.yml or use less memory")
            error = (
                f"code cell {number} raised {exc.ename}: {exc.evalue}\n"
                f"{_frames(str(exc.traceback).splitlines())}",
                hint,
            )
        except Exception as exc:  # kernel start-up failure and the like
            error = (f"could not run the lab: {type(exc).__name__}: {exc}", "")
    seconds = time.perf_counter() - started
    asis_outputs(nb)
    tidy_outputs(nb, limits.replacements, limits.max_output_bytes)
    return nbformat.writes(nb), seconds, None if error is None else (index, *error)


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

    import nbclient  # noqa: F401  imported once here, inherited by the forked workers

    cwd_root = tempfile.mkdtemp(prefix="book-exec-")
    limits = replace(limits, cwd_root=cwd_root,
                     replacements={cwd_root: ".", **limits.replacements})
    try:
        with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
            futures = {
                pool.submit(execute_one, nbformat.writes(job.notebook), limits): job
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
                    CacheBundleIn(executed, str(root / job.path),
                                  data={"execution_seconds": seconds}),
                    check_validity=False,
                    overwrite=True,
                )
                report(LabResult(job.path, "executed", seconds))
    finally:
        shutil.rmtree(cwd_root, ignore_errors=True)
    return results


def default_workers() -> int:
    """One lab per core, plus one: a kernel starting up waits on I/O while others compute
    (measured on 2 cores, 20 labs: about 10% faster than one per core)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1
