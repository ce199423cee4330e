"""A lab's own ``limits:`` (memory_mb, timeout): checked when read, naming the line; the
executor's limits for that lab; a worker capped at the largest of its labs'."""

from __future__ import annotations

import nbformat
import pytest

from book.errors import BookError
from book.execution.limits import KernelLimits, lab_limits, largest_memory
from book.reading.lab_limits import read_limits

COURSE = KernelLimits(timeout=300, memory_mb=4096, max_output_bytes=1000, replacements={})
FRONT = "---\nkernelspec: {}\nlimits:\n  memory_mb: 8192\n---\n"


def test_a_labs_limits_override_the_courses():
    meta = {"limits": {"memory_mb": 8192, "timeout": 900}}
    read_limits(meta, FRONT, "labs/week01/session01-x.md")
    assert meta["execution"] == {"timeout": 900}, "the timeout is Jupyter Book's setting too"
    own = lab_limits(meta, COURSE)
    assert (own.memory_mb, own.timeout) == (8192, 900)
    assert lab_limits({}, COURSE) == COURSE, "a lab without limits: the course's, same kernel"
    nbs = [nbformat.v4.new_notebook(metadata=m) for m in ({}, {"limits": {"memory_mb": 6000}})]
    assert largest_memory(nbs, COURSE) == 6000
    assert largest_memory(nbs[:1], COURSE) == 4096


@pytest.mark.parametrize(
    "limits, message",
    [
        ({"memory": 8192}, "limits: unknown field 'memory'"),
        ({"memory_mb": "8 GB"}, "limits: memory_mb must be a whole number > 0, got '8 GB'"),
        ({"timeout": 0}, "limits: timeout must be a whole number > 0"),
        ([8192], "'limits:' must be a mapping"),
    ],
)
def test_wrong_limits_name_the_line(limits, message):
    with pytest.raises(BookError) as err:
        read_limits({"limits": limits}, FRONT, "labs/week01/session01-x.md")
    assert err.value.format().startswith(f"labs/week01/session01-x.md:3: {message}")


def test_two_timeouts_that_disagree_are_an_error():
    meta = {"limits": {"timeout": 900}, "execution": {"timeout": 60}}
    with pytest.raises(BookError, match="disagree"):
        read_limits(meta, FRONT, "labs/x.ipynb")
