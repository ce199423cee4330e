"""Bad input: each case fails with a message naming the place, and the published site survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from bs4 import BeautifulSoup

from conftest import run_build, site_digest, write_lab

BAD = "labs/week09/session01-bad.md"


def fails(root, **kwargs):
    before = site_digest(root / "_build/html")
    result = run_build(root, **kwargs)
    assert result.returncode != 0, result.stdout
    assert site_digest(root / "_build/html") == before, "the last good site must be kept"
    first = [row for row in result.stderr.splitlines() if row.startswith("error:")]
    assert first, result.stderr
    return result.stderr


def test_cell_that_raises_names_lab_cell_line_and_exception(course):
    write_lab(
        course,
        BAD,
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\ndef f():\n    return {}['missing']\n\nf()\n```\n",
    )
    err = fails(course)
    assert f"error: {BAD}:20: code cell 2 raised KeyError: 'missing'" in err
    assert "return {}['missing']" in err  # the traceback's last frames
    assert "#| error: true" in err
    assert "Traceback (most recent call last)" not in err.split("error:")[0]


def test_error_true_shows_traceback_without_machine_paths(course):
    write_lab(
        course,
        BAD,
        "```{code-cell} ipython3\n#| error: true\nimport numpy\nnumpy.zeros(3).reshape(2)\n```\n",
    )
    result = run_build(course)
    assert result.returncode == 0, result.stderr
    page = (course / "_build/html/labs/week09/session01-bad.html").read_text()
    text = BeautifulSoup(page, "html.parser").select_one(".cell_output").get_text()
    assert "ValueError" in text and "cannot reshape" in text
    assert str(course) not in page and sys.prefix not in page and "/tmp/" not in page


def test_timeout_names_cell_limit_and_how_to_raise_it(course):
    lab = write_lab(course, BAD, "```{code-cell} ipython3\nimport time\ntime.sleep(30)\n```\n")
    lab.write_text(lab.read_text().replace("---\n\n", "execution:\n  timeout: 2\n---\n\n", 1))
    err = fails(course)
    assert f"{BAD}:18: code cell 1 ran past the timeout of 2 s" in err
    assert "execution: {timeout: N}" in err


def test_kernel_death_names_lab_and_cell(course):
    write_lab(course, BAD, "```{code-cell} ipython3\nimport os\nos._exit(1)\n```\n")
    err = fails(course)
    assert f"{BAD}:16: the kernel died while running code cell 1" in err


def test_memory_hog_fails_alone_under_the_limit(course):
    cfg = course / "_config.yml"
    cfg.write_text(cfg.read_text().replace("memory_mb: 4096", "memory_mb: 1500"))
    write_lab(
        course,
        BAD,
        "```{code-cell} ipython3\nimport numpy as np\n"
        "big = np.ones((4, 1024, 1024, 1024 // 8))\n```\n",
    )
    err = fails(course)
    assert f"{BAD}:16: code cell 1" in err and "memory" in err.lower()
    assert "1500 MB" in err


def test_megabytes_of_output_are_truncated_with_a_notice(course):
    write_lab(course, BAD, "```{code-cell} ipython3\nprint('x' * 3_000_000)\n```\n")
    result = run_build(course)
    assert result.returncode == 0, result.stderr
    page = course / "_build/html/labs/week09/session01-bad.html"
    assert page.stat().st_size < 1_000_000
    assert "output truncated: 3.0 MB printed, the first 100 kB shown" in page.read_text()


def test_invalid_front_matter_yaml(course):
    lab = write_lab(course, BAD, "```{code-cell} ipython3\nx = 1\n```\n")
    lab.write_text(lab.read_text().replace("  title: Scratch lab", "  title: [unclosed"))
    err = fails(course)
    assert f"error: {BAD}:11: invalid YAML front matter" in err


def test_non_utf8_lab(course):
    lab = write_lab(course, BAD, "```{code-cell} ipython3\nx = 1\n```\n\ncaf\u00e9\n")
    lab.write_bytes(lab.read_bytes().replace("caf\u00e9".encode(), "caf\u00e9".encode("latin-1")))
    err = fails(course)
    assert f"{BAD}:19: not valid UTF-8" in err


def test_broken_reference_fails_the_build_naming_the_lab(course):
    write_lab(course, BAD, "See {doc}`no-such-page` and {ref}`no-such-label`.\n")
    err = fails(course)  # a missing page: the course checks, before any code runs
    assert f"{BAD}:15: {{doc}}`no-such-page`: no such page" in err
    write_lab(course, BAD, "See {ref}`no-such-label`.\n", toc=False)
    err = fails(course)  # a missing label: Sphinx, its warning with what to do
    assert f"{BAD}:15: WARNING: undefined label: 'no-such-label'" in err
    assert "— no '(no-such-label)=' label in the course" in err
    assert "the published site is unchanged" in err


def test_toc_entry_without_a_file(course):
    with open(course / "_toc.yml", "a") as toc:
        toc.write("  - caption: Week 9\n    chapters:\n      - file: labs/week09/missing\n")
    err = fails(course)
    assert "_toc.yml:" in err and "labs/week09/missing" in err


def test_interrupted_build_keeps_site_and_cache(course):
    write_lab(course, BAD, "```{code-cell} ipython3\nimport time\ntime.sleep(120)\n```\n")
    before = site_digest(course / "_build/html")
    proc = subprocess.Popen(
        [sys.executable, "-m", "book", "build"],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(6)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the build and its lab workers
    _, stderr = proc.communicate(timeout=30)  # the running lab is stopped, not waited for
    assert proc.returncode == 130
    assert stderr.strip() == (
        "interrupted: the published site and the execution cache are as they were"
    ), stderr  # one line, no traceback
    assert site_digest(course / "_build/html") == before
    (course / BAD).write_text((course / BAD).read_text().replace("time.sleep(120)", "x = 1"))
    result = run_build(course)
    assert result.returncode == 0, result.stderr
    assert "labs/week02/session03-tabular-nn-torch.md: cached" in result.stdout


def test_second_build_at_once_exits_with_a_clear_message(course):
    write_lab(course, BAD, "```{code-cell} ipython3\nimport time\ntime.sleep(8)\n```\n")
    first = subprocess.Popen(
        [sys.executable, "-m", "book", "build"],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    second = run_build(course)
    assert second.returncode != 0
    assert "another build of this course is running" in second.stderr
    first.wait(timeout=120)
    assert first.returncode == 0
