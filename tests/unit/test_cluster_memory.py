"""Which Dask workers may run a lab that asks for more memory than the course's
(``book.execution.cluster.memory_workers``): those with enough, and the resources it needs; none
is an error naming the lab's ``limits:`` line."""

from __future__ import annotations

import nbformat
import pytest

from book.errors import BookError
from book.execution.cluster import memory_workers
from book.execution.limits import KernelLimits
from book.execution.pool import LabJob

COURSE = KernelLimits(timeout=300, memory_mb=4096, max_output_bytes=1000, replacements={})
MB = 1024 * 1024
WORKERS = {
    "tcp://a:1": {"memory_limit": 6000 * MB, "resources": {}},
    "tcp://b:1": {"memory_limit": 16000 * MB, "resources": {"GPU": 1}},
    "tcp://c:1": {"memory_limit": 2000 * MB, "resources": {}},
}


def job(path: str, memory_mb: int | None) -> LabJob:
    nb = nbformat.v4.new_notebook()
    if memory_mb:
        nb.metadata["limits"] = {"memory_mb": memory_mb}
    return LabJob(path, nb)


def test_a_lab_asking_more_goes_to_the_workers_that_have_it(tmp_path):
    jobs = [job("a.md", None), job("b.md", 5000), job("c.md", 8000), job("d.md", 5000)]
    placed = memory_workers(WORKERS, jobs, {"d.md": {"GPU": 1}}, COURSE, tmp_path)
    assert placed == {
        "b.md": ["tcp://a:1", "tcp://b:1"],
        "c.md": ["tcp://b:1"],
        "d.md": ["tcp://b:1"],
    }
    unlimited = {"tcp://u:1": {"memory_limit": 0, "resources": {}}}
    assert memory_workers(unlimited, jobs[2:3], {}, COURSE, tmp_path) == {"c.md": ["tcp://u:1"]}


def test_a_lab_asking_more_than_any_worker_has_is_refused_at_its_line(tmp_path):
    lab = tmp_path / "labs/week01/session01-x.md"
    lab.parent.mkdir(parents=True)
    lab.write_text("---\nkernelspec: {}\nlimits:\n  memory_mb: 20000\n---\n")
    with pytest.raises(BookError) as err:
        memory_workers(WORKERS, [job("labs/week01/session01-x.md", 20000)], {}, COURSE, tmp_path)
    assert err.value.format().startswith(
        "labs/week01/session01-x.md:3: limits: memory_mb 20000 is more than any worker of the "
        "cluster has (the largest: 16000 MB)"
    )
    assert "--memory-limit 20000MiB" in err.value.format()
