"""The execution cache and a lab's limits: a lab cached under one memory or timeout runs again
under another (jupyter-cache's hash covers its code only), with the real cache on disk and a
runner standing in for the kernels."""

from __future__ import annotations

import nbformat

from book.config.execute import ExecuteConfig
from book.execution.limits import KernelLimits
from book.execution.pool import LabJob, execute_labs, ran_as

COURSE = KernelLimits(timeout=300, memory_mb=4096, max_output_bytes=1000, replacements={})
PATH = "labs/week01/session01-x.md"


def lab(limits: dict | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    if limits:
        nb.metadata["limits"] = limits
        if "timeout" in limits:
            nb.metadata["execution"] = {"timeout": limits["timeout"]}
    nb.cells.append(nbformat.v4.new_code_cell("print(1)"))
    return nb


def test_the_labs_effective_limits_are_part_of_what_it_ran_as():
    settings = ExecuteConfig()
    plain = ran_as(lab(), settings, COURSE)
    assert plain["memory_mb"] == 4096 and plain["timeout"] == 300
    assert ran_as(lab({"memory_mb": 4096}), settings, COURSE) == plain, "same effective limits"
    assert ran_as(lab({"memory_mb": 8192}), settings, COURSE)["memory_mb"] == 8192
    assert ran_as(lab({"timeout": 900}), settings, COURSE)["timeout"] == 900
    bigger = KernelLimits(timeout=300, memory_mb=8192, max_output_bytes=1000, replacements={})
    assert ran_as(lab(), settings, bigger) != plain, "the course's own limit changed"


def test_a_cached_lab_runs_again_when_its_limits_change(tmp_path):
    ran: list[dict] = []

    def runner(todo, limits):
        for job in todo:
            ran.append(dict(job.notebook.metadata.get("limits") or {}))
            done = nbformat.from_dict(job.notebook)
            done.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\n")]
            yield job, nbformat.writes(done), 0.1, None, "", None

    def build(limits: dict | None) -> str:
        (result,) = execute_labs(
            [LabJob(PATH, lab(limits))],
            tmp_path,
            tmp_path / "cache",
            workers=1,
            limits=COURSE,
            progress=lambda line: None,
            runner=runner,
        )
        return result.status

    assert build({"memory_mb": 2048}) == "executed"
    assert build({"memory_mb": 2048}) == "cached", "unchanged: not run again"
    assert build({"memory_mb": 8192}) == "executed", "a bigger limit: run again"
    assert build({"memory_mb": 8192, "timeout": 900}) == "executed", "a new timeout too"
    assert build({"memory_mb": 8192, "timeout": 900}) == "cached"
    assert ran == [{"memory_mb": 2048}, {"memory_mb": 8192}, {"memory_mb": 8192, "timeout": 900}]
