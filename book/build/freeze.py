"""``make freeze TORCH=1``: record the outputs of flag-gated cells where the flag can run.

Executes the course with the requested flags on (through the same reader, checks and executor
as a build, local or on a Dask cluster; results land in the execution cache, so a later
``make html TORCH=1`` reuses
them), then writes, for each lab with cells gated on those flags, ``_freeze/<lab>.json`` with those
cells' outputs and their provenance: the flag, the date, the versions of the packages the lab
imports, the device the code ran on, and a hash of the lab's code up to each cell
(``book.reading.recordings``). A lab without gated cells writes no recording; cells recorded for
other
flags are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

from book.build.lock import build_lock
from book.build.pipeline import execute, toc_documents
from book.checks.course import run_checks
from book.config import flags as flag_state
from book.config.course import CONFIG_FILE, CourseConfig
from book.errors import BookError
from book.execution.limits import ensure_font_cache
from book.execution.pool import LabJob
from book.reading.reader import LabReader
from book.reading.recordings import FORMAT, checksum, code_hashes, encode_outputs, recording_path
from book.reading.session_info import imported_modules

DEVICE_PROBE = """\
try:
    import torch
    print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU")
except Exception:
    print("CPU")
"""


def device() -> str:
    """What the labs' code ran on: the GPU's name where torch sees one, else CPU."""
    run = subprocess.run(
        [sys.executable, "-c", DEVICE_PROBE], capture_output=True, text=True, timeout=120
    )
    return (run.stdout.strip().splitlines() or ["CPU"])[-1]


def package_versions(nb) -> dict[str, str]:
    """Versions of the packages the lab imports (as ``{session-info}`` lists them)."""
    modules = imported_modules([c.source for c in nb.cells if c.cell_type == "code"])
    dists = packages_distributions()
    found = {}
    for module in modules:
        name = (dists.get(module) or [module])[0]
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def write_recording(root: Path, lab: str, executed, on: set[str], where: str) -> str:
    """Record the gated cells of ``executed`` (flags in ``on``); returns what was done."""
    path = recording_path(root, lab)
    old: dict = {}
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
    kept = [c for c in old.get("cells", []) if c.get("flag") not in on]
    figures = path.with_suffix("")
    for stale in figures.glob("*") if figures.is_dir() else ():
        if not any(stale.name.startswith(f"cell{c['code_cell']:02d}-") for c in kept):
            stale.unlink()
    cells, number = [], 0
    hashes = code_hashes(executed)
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        flag = (cell.metadata.get("book") or {}).get("eval")
        if flag in on:
            cells.append(
                {
                    "code_cell": number,
                    "flag": flag,
                    "code_sha256": hashes[number - 1],
                    "outputs": encode_outputs(
                        cell.get("outputs", []), figures, f"cell{number:02d}"
                    ),
                }
            )
    cells = sorted(kept + cells, key=lambda c: c["code_cell"])
    if not cells:
        existed = path.exists()
        path.unlink(missing_ok=True)
        if figures.is_dir():
            figures.rmdir()
        return "no gated cells left: recording removed" if existed else ""
    record = {
        "format": FORMAT,
        "lab": lab,
        "recorded": dt.date.today().isoformat(),
        "python": sys.version.split()[0],
        "device": where,
        "packages": package_versions(executed),
        "cells": cells,
    }
    record["checksum"] = checksum(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return f"recorded {len(cells)} cell(s) in {path.relative_to(root).as_posix()}"


def freeze(
    config: CourseConfig,
    flags: dict[str, bool],
    workers: int | None = None,
    log=print,
    scheduler: str = "",
) -> int:
    """Execute with ``flags`` and record the cells gated on the flags that are on."""
    on = {name for name, value in flags.items() if value}
    if not on:
        raise BookError(
            CONFIG_FILE,
            None,
            "no flag to record: freeze records the cells gated on the flags it turns on",
            "e.g. make freeze TORCH=1 (or FLAGS=name)",
        )
    from jupyter_cache import get_cache

    layout = config.layout
    with build_lock(layout, log):
        reader = LabReader(
            config.root, config.flags, flags, cache_dir=layout.read_cache, words=config.words
        )
        run_checks(config.root, config, reader, log)
        flag_state.check_requirements(config, flags)
        log(flag_state.summary(flags))
        ensure_font_cache()
        jobs = [
            LabJob(doc, reader.read(doc))
            for doc in toc_documents(config.root)
            if doc.endswith(".md")
        ]
        results = execute(config, flags, jobs, workers, scheduler, log)
        failed = [r.error for r in results if r.error is not None]
        for err in failed:
            log(f"error: {err.format()}", file=sys.stderr)
        if failed:
            log("error: nothing recorded: a lab did not run", file=sys.stderr)
            return 1
        cache, where = get_cache(str(layout.jupyter_cache)), device()
        skipped = {r.path for r in results if r.status == "not executed"}
        for job in jobs:
            if job.path in skipped:  # execute: execute_notebooks: off, or exclude_patterns
                log(f"{job.path}: not executed (execute: in {CONFIG_FILE}), nothing recorded")
                continue
            executed = job.notebook
            if any(c.cell_type == "code" for c in executed.cells):
                _, executed = cache.merge_match_into_notebook(job.notebook)
            done = write_recording(config.root, job.path, executed, on, where)
            if done:
                log(f"{job.path}: {done}")
    log(
        f"recorded on {where}; commit _freeze/ so that builds without "
        f"{', '.join(sorted(on))} show these outputs"
    )
    return 0
