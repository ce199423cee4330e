"""The documented Dask recipe (docs/cluster.md), copied as written: a scheduler and workers
started from the venv as separate processes, in a folder outside the course and with no
``PYTHONPATH``, build the bundled course."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_course, run_book

pytest.importorskip("distributed")  # installed by `make test` (requirements/cluster.txt)


def recipe() -> list[str]:
    """The command lines of the local-cluster recipe in docs/cluster.md."""
    text = (REPO / "docs/cluster.md").read_text()
    block = re.search(r"A local cluster, to try it:\s*```bash\n(.*?)```", text, re.S)
    assert block, "docs/cluster.md has the local-cluster recipe"
    return [line for line in block.group(1).splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_documented_recipe_builds_the_course(tmp_path):
    lines = recipe()
    assert not any("PYTHONPATH" in line for line in lines)
    servers = [line.removesuffix("&").strip() for line in lines if line.endswith("&")]
    assert "dask scheduler" in servers[0]
    assert "dask worker" in servers[1] and "--nworkers 2" in servers[1]
    build = lines[-1]
    assert build.startswith("make html SCHEDULER=tcp://127.0.0.1:8786")

    port = str(free_port())  # the recipe's port, moved to a free one
    venv_bin = str(Path(sys.executable).parent)
    outside = tmp_path / "workers"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    procs = []
    try:
        for line in servers:
            words = [w.replace("8786", port) for w in shlex.split(line)]
            assigns = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
            argv = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
            argv[0] = argv[0].replace(".venv/bin", venv_bin)
            procs.append(
                subprocess.Popen(
                    [*argv, "--no-dashboard"],
                    cwd=outside,
                    env={**env, **assigns},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        course = copy_course(tmp_path / "course")
        # what `make html SCHEDULER=...` runs, with this test's venv
        result = run_book(course, "build", "--scheduler", f"tcp://127.0.0.1:{port}")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "executed on" in result.stdout  # progress lines name the worker
        assert (course / "_build/html/labs/week01/session02-regularisation.html").is_file()
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
