"""The Dask road (issue 22): a lab run on a cluster's worker is confined as it is locally. The
probe lab (``tests/lab_probe.py``) reports what it could reach from the worker's kernel."""

from __future__ import annotations

import os

import pytest

from book.execution.sandbox import detect, mode_from
from conftest import copy_course, run_book
from lab_probe import CONFINED, PAGE, TOKEN, TOKEN_NAME, HomeFile, Service, results, write_probe

distributed = pytest.importorskip("distributed")


def test_a_lab_on_a_dask_worker_sees_the_same_walls(tmp_path):
    root = copy_course(tmp_path / "course")
    for lab in (root / "labs").rglob("*.md"):
        lab.unlink()
    toc = (root / "_toc.yml").read_text()
    (root / "_toc.yml").write_text(toc.split("  - caption: Week 1")[0])
    service, home = Service(), HomeFile()
    (tmp_path / "outside").mkdir()
    write_probe(root, service, home, tmp_path / "outside" / "escape.txt")
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        result = run_book(
            root,
            "build",
            "--scheduler",
            cluster.scheduler_address,
            env={**env, TOKEN_NAME: TOKEN},
        )
    finally:
        cluster.close()
        service.close()
        home.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "executing on the Dask cluster" in result.stdout
    kind = detect(mode_from("auto", False, None)[0]).kind  # the workers run on this machine
    assert results((root / PAGE).read_text()) == CONFINED[kind]
    assert (tmp_path / "outside" / "escape.txt").exists() == (kind == "none")
