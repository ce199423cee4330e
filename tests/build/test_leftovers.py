"""What a build leaves behind (issue 22): no kernel connection file (with its key) in $TMPDIR, and
SIGTERM ends a build as Ctrl-C does: its labs stopped, its lock released, the site unchanged."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conftest import run_build, site_digest, write_lab

LAB = "labs/week09/session01-slow.md"


def env_with(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    return {**env, "BOOK_FLAGS": "", **extra}


def test_a_build_leaves_nothing_in_tmpdir(course):
    tmp = Path(tempfile.mkdtemp(prefix="tmpdir-"))  # short: a kernel's socket path is limited
    try:
        _build_in(course, tmp)
    finally:
        shutil.rmtree(tmp)


def _build_in(course: Path, tmp: Path) -> None:
    write_lab(course, LAB, "```{code-cell} ipython3\nprint('ran')\n```\n")
    result = subprocess.run(
        [sys.executable, "-m", "book", "build"],
        cwd=course,
        env=env_with(TMPDIR=str(tmp)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "1 executed" in result.stdout
    assert sorted(p.name for p in tmp.iterdir()) == []  # no tmpXXXX.json with a kernel's key


def test_sigterm_stops_a_build_like_ctrl_c(course):
    write_lab(course, LAB, "```{code-cell} ipython3\nimport time\ntime.sleep(300)\n```\n")
    before = site_digest(course / "_build/html")
    build = subprocess.Popen(
        [sys.executable, "-m", "book", "build"],
        cwd=course,
        env=env_with(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while not list((course / "_build").glob(".html-staging")) and time.time() < deadline:
        time.sleep(0.5)  # the staging folder is made just before the labs run
    time.sleep(5)
    build.send_signal(signal.SIGTERM)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 143, out + err
    assert err.strip().endswith(
        "terminated (SIGTERM): the published site and the execution cache are as they were"
    ), err
    assert "Traceback" not in err
    assert site_digest(course / "_build/html") == before
    write_lab(course, LAB, "```{code-cell} ipython3\nprint('quick')\n```\n", toc=False)
    again = run_build(course, timeout=300)  # the lock is free, no lab of the last build runs
    assert again.returncode == 0, again.stdout + again.stderr
