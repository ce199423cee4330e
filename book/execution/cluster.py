"""Execute labs on a Dask cluster (``make html SCHEDULER=tcp://host:8786``).

For courses that outgrow one machine: each lab that is out of date becomes a Dask task; a worker
runs it in a child process (``python -m book.execution.cluster``), under the same limits,
environment and
confinement as the local pool (``book.execution.runner.execute_one``), and returns the executed
notebook.
The build then caches and renders it exactly as a local result, so everything after execution is
unchanged and a second build is a no-op.

- Flags route work: a lab with cells gated on a flag that is on needs that flag's worker
  ``resources`` (``flags.torch.resources: {GPU: 1}``); Dask sends it only to workers started with
  them (``dask worker --resources GPU=1``). A resource no worker offers is an error before
  anything is submitted.
- A lab's own ``limits: {memory_mb: N}`` above the course's is honoured: its process on the worker
  is capped at N, as the local pool's worker is, and it is sent only to workers whose Dask
  ``--memory-limit`` is at least N MB (or unlimited); when no worker has that much, the build
  stops before anything is submitted, naming the lab's ``limits:`` line.
- A worker that dies mid-lab gets the lab retried once elsewhere (the scheduler's
  ``allowed-failures``, set to 1 for the clusters this module starts); a second death is a clear
  failure. A scheduler that cannot be reached fails at once, with its address.

Workers need the course's Python environment with this package installed (``pip install`` of the
generator, as ``make venv`` does): they import it like any other package, from any folder.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from book.errors import BookError
from book.execution import forked
from book.execution.kernel import course_limits, private_limits
from book.execution.limits import KernelLimits, lab_limits
from book.execution.pool import LabJob, execute_one
from book.reading.lab_limits import limits_line

CONNECT_TIMEOUT_S = 5
ALLOWED_FAILURES = 1  # a lab whose worker dies is retried once


def lab_resources(job: LabJob, config, flags: dict[str, bool]) -> dict[str, float]:
    """The worker resources a lab needs: those of the flags it uses that are on."""
    needed: dict[str, float] = {}
    for cell in job.notebook.cells:
        flag = (cell.metadata.get("book") or {}).get("eval")
        if isinstance(flag, str) and flags.get(flag):
            for name, amount in config.flags[flag].resources.items():
                needed[name] = max(needed.get(name, 0), amount)
    return needed


def connect(address: str, where: str):
    """A client of the scheduler at ``address``; unreachable is an error naming it."""
    try:
        from distributed import Client
    except ImportError:
        raise BookError(
            where,
            None,
            "executing on a Dask cluster needs the 'distributed' package",
            "install it: .venv/bin/pip install -r "
            "requirements/cluster.txt (make html SCHEDULER=... does this)",
        ) from None
    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BookError(
            where,
            None,
            f"cannot reach the Dask scheduler at {address}: {exc}",
            "start it (dask scheduler) and its workers, or check the address; nothing was executed",
        ) from None


def check_resources(client, needs: dict[str, dict[str, float]], config, where: str) -> None:
    """Every resource a lab needs is offered by some worker, else name what is missing."""
    offered: dict[str, float] = {}
    for worker in client.scheduler_info()["workers"].values():
        for name, amount in (worker.get("resources") or {}).items():
            offered[name] = max(offered.get(name, 0), amount)
    for lab, need in sorted(needs.items()):
        for name, amount in need.items():
            if offered.get(name, 0) < amount:
                flags = [f for f, spec in config.flags.items() if name in spec.resources]
                raise BookError(
                    where,
                    None,
                    f"{lab} needs a worker with {name}={amount:g} "
                    f"(flag {', '.join(flags)}), but no worker of the cluster has it",
                    f"start one: dask worker <scheduler> --resources {name}="
                    f"{amount:g}  (or build without the flag)",
                )


def memory_workers(
    workers: dict[str, dict], jobs: list[LabJob], needs: dict, limits: KernelLimits, root: Path
) -> dict[str, list[str]]:
    """The workers (addresses) each lab that asks for more memory than the course's may run on:
    those with the resources it needs whose Dask memory limit is at least what it asks (0: no
    limit). ``workers``: the scheduler's ``scheduler_info()["workers"]``. A lab no worker can
    take is an error naming its ``limits:``."""
    out: dict[str, list[str]] = {}
    for job in jobs:
        asked = lab_limits(job.notebook.metadata, limits).memory_mb
        if asked <= limits.memory_mb or limits.memory_mb <= 0:
            continue  # the course's limit, which every worker is assumed to have
        need = needs.get(job.path) or {}
        fit = [
            address
            for address, info in sorted(workers.items())
            if all((info.get("resources") or {}).get(n, 0) >= a for n, a in need.items())
            and (not info.get("memory_limit") or info["memory_limit"] >= asked * 1024 * 1024)
        ]
        if not fit:
            largest = max((w.get("memory_limit") or 0 for w in workers.values()), default=0)
            text = (root / job.path).read_text(encoding="utf-8") if root.is_dir() else ""
            raise BookError(
                job.path,
                limits_line(text, job.path),
                f"limits: memory_mb {asked} is more than any worker of the cluster has "
                f"(the largest: {largest // (1024 * 1024)} MB)",
                f"start a worker with more: dask worker <scheduler> --memory-limit {asked}MiB; "
                "or lower the lab's memory_mb",
            )
        out[job.path] = fit
    return out


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the lab ends with its worker


def run_lab(nb_json: str, limits: KernelLimits, root: str) -> tuple:
    """On a worker: run one lab in a child process; returns execute_one's result and the worker."""
    from distributed import get_worker

    payload = json.dumps({"notebook": nb_json, "limits": dataclasses.asdict(limits)})
    child = subprocess.run(
        [sys.executable, "-m", "book.execution.cluster"],
        input=payload,
        text=True,
        capture_output=True,
        preexec_fn=_die_with_parent,
        cwd=root if Path(root).is_dir() else None,
    )
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["(no message)"])[-1]
        return (
            nb_json,
            0.0,
            (-1, f"the lab's process on the worker failed: {last}", ""),
            str(get_worker().name),
        )
    nb, seconds, error, _ = json.loads(child.stdout)
    return nb, seconds, tuple(error) if error else None, str(get_worker().name)


def run_on_cluster(
    client,
    resources: dict[str, dict[str, float]],
    root: Path,
    placed: dict[str, list[str]] | None = None,
):
    """A runner for ``execute_labs``: each lab a task, retried once if its worker dies;
    ``placed``: the only workers a lab may run on (``memory_workers``)."""
    placed = placed or {}
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    def run(todo: list[LabJob], limits: KernelLimits):
        import nbformat

        futures = {
            client.submit(
                run_lab,
                nbformat.writes(job.notebook),
                limits,
                str(root),
                resources=resources.get(job.path) or None,
                workers=placed.get(job.path),
                allow_other_workers=False,
                pure=False,
                key=f"lab-{job.path}-{os.urandom(4).hex()}",
            ): job
            for job in todo
        }
        for future in as_completed(list(futures), loop=client.loop):
            job = futures[future]
            try:
                nb_json, seconds, error, worker = future.result()
            except KilledWorker:
                error = (
                    -1,
                    f"the workers running this lab died {ALLOWED_FAILURES + 1} times",
                    "it may need more memory than a worker has, or crash its process",
                )
                yield job, "", 0.0, error, "", None
                continue
            yield job, nb_json, seconds, error, worker, None

    return run


@contextmanager
def cluster_runner(address: str, where: str, jobs: list[LabJob], config, flags: dict[str, bool]):
    """The runner for ``execute_labs`` on the cluster at ``address`` (connected and checked
    before anything runs), or None for the local pool when there is no address."""
    if not address:
        yield None
        return
    client = connect(address, where)
    try:
        needs = {job.path: need for job in jobs if (need := lab_resources(job, config, flags))}
        check_resources(client, needs, config, where)
        workers = client.scheduler_info()["workers"]
        placed = memory_workers(workers, jobs, needs, course_limits(config), config.root)
        yield run_on_cluster(client, needs, config.root, placed)
    finally:
        client.close()


def _child() -> None:
    """``python -m book.execution.cluster``: run the lab given on stdin, print the result as
    JSON."""
    payload = json.loads(sys.stdin.read())
    fields = {**payload["limits"], "env_names": tuple(payload["limits"]["env_names"])}
    limits = private_limits(KernelLimits(**fields))
    # as a worker of the local pool is, capped at this lab's memory (its own limits: may ask for
    # more than the course's; its kernel could not raise a lower cap); one lab per process: its
    # kernel starts fresh (a fork server would be started for one lab: book.execution.forked)
    metadata = json.loads(payload["notebook"]).get("metadata") or {}
    forked.worker(lab_limits(metadata, limits).memory_mb, False)
    try:
        nb, seconds, error, wall = execute_one(payload["notebook"], limits)
    finally:
        import shutil

        shutil.rmtree(limits.cwd_root, ignore_errors=True)
    sys.stdout.write(json.dumps([nb, seconds, list(error) if error else None, wall]))


if __name__ == "__main__":
    _child()
