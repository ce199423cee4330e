"""Labs executed on a Dask cluster: a scheduler and two worker processes on 127.0.0.1, one of
them started with a ``GPU`` resource that merely stands in for a GPU.

The course builds as it does locally; the torch lab (its flag declaring ``resources: {GPU: 1}``)
runs on the resourced worker; a worker killed mid-lab gets the lab retried; an unreachable
scheduler or a resource no worker has fails before anything runs; a cell error reads as locally.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_course, run_build, site_digest, write_lab

pytest.importorskip("distributed")  # installed by `make test` (requirements/cluster.txt)


pytest.importorskip("torch")


DASK = str(Path(sys.executable).with_name("dask"))


TORCH_LAB = "labs/week02/session03-tabular-nn-torch.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes started as the README's recipe starts
    them: from the venv, in a folder of their own outside the course, with no ``PYTHONPATH``
    (they import the installed generator)."""

    def __init__(self, root: Path):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"
        self.cwd = root.parent / "workers"  # not the course: nothing there to import
        self.cwd.mkdir(exist_ok=True)
        common = ["--no-dashboard"]
        self.procs = [
            subprocess.Popen(
                [
                    DASK,
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    self.address.rsplit(":", 1)[1],
                    *common,
                ],
                env=env,
                cwd=self.cwd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        for name, extra in (("plain", []), ("gpu", ["--resources", "GPU=1"])):
            self.procs.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        self.address,
                        "--name",
                        name,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--memory-limit",
                        "0",
                        *common,
                        *extra,
                    ],
                    env=env,
                    cwd=self.cwd,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        self.wait_for_workers(2)

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=timeout)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The bundled course, its torch flag declaring a GPU resource, torch on."""
    root = copy_course(tmp_path_factory.mktemp("cluster") / "course")
    config = root / "_config.yml"
    config.write_text(
        config.read_text().replace(
            "    help: PyTorch sections\n", "    help: PyTorch sections\n    resources: {GPU: 1}\n"
        )
    )
    return root


@pytest.fixture(scope="module")
def cluster(course):
    running = Cluster(course)
    yield running
    running.stop()


def small_course(tmp_path: Path, body: str) -> Path:
    """The course without its labs, plus one lab with ``body``."""
    root = copy_course(tmp_path / "course")
    for lab in (root / "labs").rglob("*.md"):
        lab.unlink()
    toc = (root / "_toc.yml").read_text()
    (root / "_toc.yml").write_text(toc.split("  - caption: Week 1")[0])
    write_lab(root, "labs/week09/session01-scratch.md", body)
    return root


def test_the_course_builds_on_the_cluster_as_it_does_locally(course, cluster, tmp_path):
    local = copy_course(tmp_path / "local")
    (local / "_config.yml").write_text((course / "_config.yml").read_text())
    here = run_build(local, flags="torch")
    there = run_build(course, "--scheduler", cluster.address, flags="torch")
    assert here.returncode == 0, here.stderr
    assert there.returncode == 0, there.stdout + there.stderr
    assert f"executing on the Dask cluster at {cluster.address}" in there.stdout
    assert f"{TORCH_LAB}: executed on gpu" in there.stdout  # the resourced worker
    assert "labs/week01/session02-regularisation.md: executed on " in there.stdout
    info = [
        json.loads((root / "_build/html/build-info.json").read_text())["labs"]
        for root in (local, course)
    ]
    assert {d: lab["status"] for d, lab in info[0].items()} == {
        d: lab["status"] for d, lab in info[1].items()
    }
    pages = [
        {
            name: data
            for name, data in site_digest(root / "_build" / "html").items()
            if name.endswith((".html", ".ipynb", ".png"))
        }
        for root in (local, course)
    ]
    assert pages[0] == pages[1]  # the same pages, notebooks and figures, byte for byte
    again = run_build(course, "--scheduler", cluster.address, flags="torch")
    assert again.returncode == 0 and "up to date" in again.stdout


def lab_processes() -> dict[int, int]:
    """The labs' processes on the workers (``python -m book.execution.cluster``), with their
    parents."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if b"book.execution.cluster" in cmdline:
            found[int(entry.name)] = int(stat.split(") ")[1].split()[1])
    return found


def test_a_worker_killed_mid_lab_gets_the_lab_retried(cluster, tmp_path):
    root = small_course(
        tmp_path,
        ("## Slow\n\n```{code-cell} ipython3\nimport time\ntime.sleep(8)\nprint('done')\n```\n"),
    )
    build = subprocess.Popen(
        [sys.executable, "-m", "book", "build", "--scheduler", cluster.address],
        cwd=root,
        env={**os.environ, "BOOK_FLAGS": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[int, int] = {}
    deadline = time.time() + 180
    while not seen and time.time() < deadline:
        seen = lab_processes()
        time.sleep(0.2)
    assert seen, "the lab never started on a worker"
    first, worker = next(iter(seen.items()))
    time.sleep(2)  # the lab is running
    os.kill(worker, signal.SIGKILL)
    while build.poll() is None and time.time() < deadline:
        seen.update(lab_processes())
        time.sleep(0.2)
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, out + err
    assert len(seen) >= 2 and any(pid != first for pid in seen)  # it ran again
    assert "labs/week09/session01-scratch.md: executed on " in out
    cluster.wait_for_workers(2)  # the nanny restarts the killed worker


def test_a_cell_error_reads_as_it_does_locally(cluster, tmp_path):
    root = small_course(tmp_path, "## Broken\n\n```{code-cell} ipython3\nx = 1\n1 / 0\n```\n")
    local = run_build(root)
    remote = run_build(root, "--scheduler", cluster.address)
    assert local.returncode == remote.returncode == 1

    def errors(result):
        return [line for line in result.stderr.splitlines() if "ZeroDivisionError" in line]

    assert errors(local) and errors(local) == errors(remote)
    assert "labs/week09/session01-scratch.md:" in errors(remote)[0]


def test_an_unreachable_scheduler_fails_before_anything_runs(tmp_path):
    root = copy_course(tmp_path / "course")
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = run_build(root, "--scheduler", address)
    assert result.returncode == 1
    assert f"SCHEDULER: cannot reach the Dask scheduler at {address}" in result.stderr
    assert "nothing was executed" in result.stderr and time.monotonic() - started < 60
    assert not (root / "_build" / "html").exists()
    assert "executed" not in result.stdout


def test_a_resource_no_worker_has_is_named_before_waiting(course, cluster, tmp_path):
    root = copy_course(tmp_path / "course")
    (root / "_config.yml").write_text(
        (course / "_config.yml").read_text().replace("{GPU: 1}", "{TPU: 2}")
    )
    result = run_build(root, "--scheduler", cluster.address, flags="torch", timeout=120)
    assert result.returncode == 1
    assert (
        f"{TORCH_LAB} needs a worker with TPU=2 (flag torch), but no worker of the cluster has it"
    ) in result.stderr
    assert "--resources TPU=2" in result.stderr
