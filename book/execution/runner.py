"""Run one lab's notebook in this process's worker, its kernel confined: the leaf that every
executor (``book.execution.pool``, ``book.execution.cluster``, the kernel started ahead in
``book.execution.kernel``) calls, as jupyter-cache's executors call one notebook runner.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import nbformat

from book.execution import reaper, sandbox
from book.execution.disk import MB, FolderWatch, full_message, stop_kernel
from book.execution.kernel import discard_kernel, kernel_for
from book.execution.limits import KernelLimits, lab_limits, tidy_outputs
from book.reading.quarto import asis_outputs

COURSE_REQUIREMENTS = "requirements/course.txt"  # the course's own packages (see the README)

SANDBOX_KEY = "book_sandbox"  # the sandbox the lab ran in, carried home in its metadata
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FOLDER_KEY = "book_beside"  # the lab's folder, when it may read the files beside it
DISK_WORDS = ("File too large", "No space left", "kernel died")
ERROR_FALSE = re.compile(r"^#\|\s*error\s*:\s*(false|no)\s*$", re.I)


def _errors_refused(cell) -> bool:
    """The cell's own ``#| error: false`` (its option lines, as the reader kept them)."""
    lines = (cell.get("metadata", {}).get("book") or {}).get("options") or [
        line for line in cell.get("source", "").splitlines() if line.startswith("#|")
    ]  # echo: fenced keeps them in the source
    return any(ERROR_FALSE.match(line.strip()) for line in lines)


def show_beside(folder: Path, work: Path) -> None:
    """``execute.run_in_temp: false``: the files beside the lab are copied into its working
    folder, so ``open("data.csv")`` reads as in Jupyter, while what the lab writes stays in its
    throw-away folder and the course's own files stay out of the sandbox's reach (a link would
    point through its walls; a hard link would let the lab write to the original). Nothing
    where the folder is not on this machine (a Dask worker elsewhere)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        target = work / entry.name
        if entry.name.startswith(".") or target.exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, target, symlinks=False, ignore=shutil.ignore_patterns(".*"))
        elif entry.is_file():
            shutil.copyfile(entry, target)


def _frames(traceback_lines: list[str], keep: int = 6) -> str:
    text = ANSI.sub("", "\n".join(traceback_lines))
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[-keep:])


def execute_one(nb_json: str, limits: KernelLimits) -> tuple[str, float, tuple | None, float]:
    """Run one notebook in this worker process, its kernel confined (``book.execution.sandbox``).

    Returns (executed notebook json, seconds, None, start time) or, on failure,
    (notebook json, seconds, (cell index, message, hint), start time).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.reads(nb_json, as_version=4)
    beside = nb.metadata.pop(FOLDER_KEY, None)  # execute.run_in_temp: false
    limits = lab_limits(nb.metadata, limits)  # the lab's own limits: (memory, timeout)
    timeout = limits.timeout
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    index, number = -1, 0
    started = time.perf_counter()
    wall = time.time()
    error = None
    network = bool(sandbox.network_reason(nb, limits.network_flags))
    fresh = nb.metadata.get("kernel") == "fresh"  # its front matter: not a forked kernel
    # started ahead (book.execution.kernel), or started here
    lab = kernel_for(limits, kernel, network, fresh)
    with lab.folder as lab_dir:
        if beside:
            show_beside(Path(beside), Path(lab_dir) / "work")
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
        # limits.disk_mb for the folder as a whole (book.execution.disk): after each cell, and
        # a watchdog that stops the kernel while a cell writes past it
        watch = FolderWatch(lab_dir, limits.disk_mb * MB, lambda: stop_kernel(client.km))
        try:
            with client.setup_kernel(), watch:
                for index, cell in enumerate(nb.cells):
                    number += cell.cell_type == "code"
                    # execute.allow_errors, unless the cell says '#| error: false' itself
                    client.allow_errors = limits.allow_errors and not _errors_refused(cell)
                    client.execute_cell(cell, index)
                    if watch.check():
                        break
                # the widgets' state, saved as Jupyter saves it: the notebook download keeps it
                # (the page shows widgets statically: book.sphinx.widgets)
                client.set_widgets_metadata()
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
                f"{limits.memory_mb} MB: 'limits: memory_mb' in _config.yml, or in the lab's "
                "front matter for this lab) or called "
                "os._exit(); run it in Jupyter to see",
            )
        except CellExecutionError as exc:
            hint = (
                "fix the cell, or mark it '#| error: true' if the error is the point "
                "('execute: allow_errors: true' in _config.yml: for every cell)"
            )
            if limits.allow_errors:
                hint = "the cell says '#| error: false', which wins over execute.allow_errors"
            if exc.ename == "ModuleNotFoundError":
                hint = (
                    f"add the package, pinned (name==version), to {COURSE_REQUIREMENTS}; "
                    "`make html` installs it"
                )
            full = "No space left on device" in str(exc.evalue)
            in_shm = "/dev/shm" in nb.cells[index].source + str(exc.traceback)
            if (
                exc.ename == "MemoryError"
                or "Cannot allocate memory" in str(exc.evalue)
                or (full and in_shm)  # /dev/shm is memory, held to the same limit
            ):
                hint = (
                    f"the lab hit the memory limit of {limits.memory_mb} MB per kernel; "
                    "raise 'limits: memory_mb' in _config.yml (or in the lab's front matter, for "
                    "this lab only) or use less memory"
                )
            elif full or "File too large" in str(exc.evalue):
                hint = (
                    "the lab filled the disk or file size it may write to (its working "
                    f"folder; files up to {limits.disk_mb} MB), not its memory: write less or "
                    "smaller files, or raise 'limits: disk_mb' in _config.yml"
                )
            error = (
                f"code cell {number} raised {exc.ename}: {exc.evalue}\n"
                f"{_frames(str(exc.traceback).splitlines())}",
                hint,
            )
        except Exception as exc:  # kernel start-up failure and the like
            error = (f"could not run the lab: {type(exc).__name__}: {exc}", "")
        finally:
            if "km" in lab.client_options:  # started ahead: NotebookClient leaves it running
                discard_kernel(lab.client_options["km"])
            reaper.end_strays()  # whatever the lab left running ends with its kernel
        if error is not None and any(word in error[0] for word in DISK_WORDS):
            watch.check()  # a file at its cap, a full disk, a kernel killed: is it the folder?
        if watch.full:  # then the folder is what the lab filled, not its memory
            error = full_message(number, watch.full, limits.disk_mb)
    seconds = time.perf_counter() - started
    nb.metadata[SANDBOX_KEY] = lab.sandbox  # for the cache's record (book.execution.pool)
    asis_outputs(nb)
    too_big = tidy_outputs(nb, limits.replacements, limits)
    if error is None and too_big is not None:
        index, error = too_big[0], too_big[1:]
    return nbformat.writes(nb), seconds, None if error is None else (index, *error), wall
