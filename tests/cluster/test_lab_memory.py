"""A lab's own memory on a Dask cluster: a lab whose ``limits:`` asks for more than the course's
gets it on a worker that has that much; one asking for more than any worker has is refused
before anything runs, naming its ``limits:`` line."""

from __future__ import annotations

import pytest

from conftest import copy_course, run_build, write_lab

distributed = pytest.importorskip("distributed")

LAB = "labs/week09/session01-scratch.md"
# 5 GB of address space (calloc'd: not touched, no real memory used); the course allows 4096 MB
CODE = "block = bytearray(5 * 1024**3)\nprint('allocated', len(block) // 1024**3, 'GB')"


def test_a_lab_asking_more_memory_than_the_course_gets_it_on_the_cluster(tmp_path):
    root = copy_course(tmp_path / "course")
    for lab in (root / "labs").rglob("*.md"):
        lab.unlink()
    toc = (root / "_toc.yml").read_text()
    (root / "_toc.yml").write_text(toc.split("  - caption: Week 1")[0])
    path = write_lab(root, LAB, f"## Big\n\n```{{code-cell}} ipython3\n{CODE}\n```\n")
    path.write_text(path.read_text().replace("lab:\n", "limits:\n  memory_mb: 8192\nlab:\n", 1))
    line = path.read_text().splitlines().index("limits:") + 1
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        memory_limit="9GiB",  # Dask's own limit of the worker: more than the lab asks for
    )
    try:
        result = run_build(root, "--scheduler", cluster.scheduler_address)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{LAB}: executed on " in result.stdout
        page = (root / "_build/html" / LAB.replace(".md", ".html")).read_text()
        assert "allocated 5 GB" in page

        path.write_text(path.read_text().replace("memory_mb: 8192", "memory_mb: 12000"))
        result = run_build(root, "--scheduler", cluster.scheduler_address)
        assert result.returncode != 0
        assert (
            f"{LAB}:{line}: limits: memory_mb 12000 is more than any worker of the cluster has "
            "(the largest: 9216 MB)"
        ) in result.stderr, result.stderr
        assert "--memory-limit 12000MiB" in result.stderr
        assert f"{LAB}: executed" not in result.stdout, "refused before anything ran"
    finally:
        cluster.close()
