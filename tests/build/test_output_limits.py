"""A cell's last expression too big to publish (issue 22): the build refuses it, naming the lab,
the cell and the setting, and publishes nothing; printed text is truncated, not refused. A lab
that fills its folder (one file past ``limits: disk_mb``, or many under it) is stopped and told so
in each sandbox."""

from __future__ import annotations

import os
import time

import pytest

from book.execution.sandbox import detect
from conftest import run_book, run_build, site_digest, write_lab

LAB = "labs/week09/session01-big.md"


def test_a_huge_last_expression_is_refused_naming_lab_cell_and_setting(course):
    cfg = course / "_config.yml"
    cfg.write_text(
        cfg.read_text().replace("  max_output_kb: 100", "  max_output_kb: 100\n  max_display_mb: 1")
    )
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nprint('x' * 3_000_000)\n```\n\n"
        "```{code-cell} ipython3\n'y' * 2_000_000\n```\n",
    )
    before = site_digest(course / "_build/html")
    result = run_build(course)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"error: {LAB}:20: code cell 2 output text/plain of 2.0 MB, over the limit of 1.0 MB "
        "for one output\n  show less (a smaller figure, a summary of the data, a semicolon after "
        "the last expression), or raise 'limits: max_display_mb' in _config.yml"
    ) in result.stderr
    assert site_digest(course / "_build/html") == before
    assert "code cell 1" not in result.stderr  # printed text is truncated on the page instead


def test_a_full_disk_is_not_reported_as_the_memory_limit(course):
    """The build caps the files a lab writes (``limits: disk_mb``): past it, the cell fails with
    the disk's message and the setting, not the memory limit's."""
    config = course / "_config.yml"
    config.write_text(config.read_text().replace("limits:\n", "limits:\n  disk_mb: 1\n", 1))
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nwith open('big.bin', 'wb') as f:\n"
        "    f.write(bytes(2 << 20))\n```\n",
    )
    result = run_build(course)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"error: {LAB}:16: code cell 1 raised OSError: [Errno 27] File too large" in (
        result.stderr
    )
    assert "the lab filled the disk or file size it may write to" in result.stderr
    assert "files up to 1 MB" in result.stderr and "'limits: disk_mb'" in result.stderr
    assert "memory limit" not in result.stderr


FILLS_THE_FOLDER = (
    "```{code-cell} ipython3\nimport itertools, time\n"
    "for i in itertools.count():  # never ends by itself: only the folder's cap stops it\n"
    "    with open(f'part{i}.bin', 'wb') as f:\n"
    "        f.write(bytes(1 << 20))  # each file well under limits.disk_mb\n"
    "    time.sleep(0.01)\n```\n\n"
    "```{code-cell} ipython3\nprint('the second cell ran')\n```\n"
)


@pytest.mark.parametrize(
    ("mode", "kernels"),
    [("bubblewrap", "fresh"), ("landlock", "forked"), ("landlock", "fresh"), ("none", "forked")],
)
def test_many_files_under_the_cap_fill_the_folder_and_the_lab_is_stopped(course, mode, kernels):
    """``limits: disk_mb`` holds for the lab's folder as a whole (book.execution.disk): a cell
    that writes file after file is stopped, named, and told which setting to raise."""
    if detect(mode).kind != mode:
        pytest.skip(f"{mode} cannot run here: {detect(mode).why_not}")
    config = course / "_config.yml"
    config.write_text(config.read_text().replace("limits:\n", "limits:\n  disk_mb: 8\n", 1))
    write_lab(course, LAB, FILLS_THE_FOLDER)
    before = site_digest(course / "_build/html")
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "BOOK_SANDBOX")}
    env.update(BOOK_FLAGS="", BOOK_SANDBOX=mode, BOOK_KERNELS=kernels)
    started = time.monotonic()
    result = run_book(course, "build", env=env, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"sandbox: {mode} (" in result.stdout
    assert f"error: {LAB}:16: code cell 1 filled the lab's folder: the lab's files take" in (
        result.stderr
    )
    assert "over the 8 MB it may write; the lab was stopped" in result.stderr
    assert "the lab's folder is full" in result.stderr
    assert "raise 'limits: disk_mb' in _config.yml" in result.stderr
    assert "memory" not in result.stderr.replace("not its memory", "")
    assert "the second cell ran" not in result.stdout + result.stderr
    assert site_digest(course / "_build/html") == before
    assert time.monotonic() - started < 300  # stopped, not left to the cell timeout
