"""One door for lab code (issue 22): on every road a lab takes, it runs through the course's
executor, confined, or not at all; myst-nb never executes it. Each test runs the probe lab
(``tests/lab_probe.py``) on one road and reads what it could reach: ``make html`` in
``test_sandbox.py``, here ``make serve`` (its warm-up, its first build and an edit), ``make
freeze`` and a plain ``jupyter-book build .``; a Dask worker in ``tests/cluster``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from book.execution.sandbox import detect, mode_from
from conftest import copy_course, run_book, run_build, write_lab
from lab_probe import (
    CONFINED,
    LAB,
    PAGE,
    TOKEN,
    TOKEN_NAME,
    HomeFile,
    Service,
    results,
    write_probe,
)

# the strongest sandbox this machine offers, or the one BOOK_SANDBOX forces (run these tests
# with BOOK_SANDBOX=landlock to take every road under Landlock)
KIND = detect(mode_from("auto", False, None)[0]).kind


def small_course(tmp_path: Path) -> Path:
    """The course without its labs (the probe is added by each test)."""
    root = copy_course(tmp_path / "course")
    for lab in (root / "labs").rglob("*.md"):
        lab.unlink()
    toc = (root / "_toc.yml").read_text()
    (root / "_toc.yml").write_text(toc.split("  - caption: Week 1")[0])
    return root


@pytest.fixture
def probed(tmp_path):
    """A small course with the probe lab; the service and home file it looks for; the file
    outside its folder it tries to write."""
    service, home = Service(), HomeFile()
    root = small_course(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    yield root, service, home, outside / "escape.txt"
    service.close()
    home.close()


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    return {**env, TOKEN_NAME: TOKEN}


def wait_for(log: Path, text: str, count: int = 1, seconds: float = 240) -> str:
    deadline = time.monotonic() + seconds
    while True:
        seen = log.read_text()
        if seen.count(text) >= count:
            return seen
        assert "build failed" not in seen and "Traceback" not in seen, seen
        assert time.monotonic() < deadline, seen
        time.sleep(0.2)


def test_make_serve_warm_up_runs_no_lab_and_its_builds_run_labs_confined(probed, tmp_path):
    root, service, home, escape = probed
    lab = write_probe(root, service, home, escape)
    assert run_build(root).returncode == 0
    # a code edit while no server runs: the server's warm-up reads this lab, not yet executed
    lab.write_text(lab.read_text().replace("def fetch():", "def fetch():  # edited"))
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "book", "serve", "--port", "0"],
            cwd=root,
            env=environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            first = wait_for(log, "rebuilt; open pages reload")
            assert not escape.exists(), "the warm-up ran the lab unconfined"
            assert first.count(f"{LAB}: executed") == 1  # by the executor, once
            assert first.count(f"sandbox: {KIND} (") == 1
            assert results((root / PAGE).read_text()) == CONFINED[KIND]
            lab.write_text(lab.read_text().replace("# edited", "# edited again"))
            edited = wait_for(log, "rebuilt; open pages reload", 2)
            assert edited.count(f"{LAB}: executed") == 2
            page = (root / PAGE).read_text()
            assert "edited again" in page and results(page) == CONFINED[KIND]
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    assert escape.exists() == (KIND == "none")


def test_make_freeze_records_what_the_lab_saw_confined(probed):
    root, service, home, escape = probed
    cfg = root / "_config.yml"
    cfg.write_text(cfg.read_text().replace("flags:\n", "flags:\n  probe:\n    help: probe\n", 1))
    write_probe(root, service, home, escape, first="#| eval: probe\n")
    result = run_book(root, "freeze", "--flag", "probe", env=environment())
    assert result.returncode == 0, result.stdout + result.stderr
    recording = root / "_freeze" / LAB.replace(".md", ".json")
    assert results(json.dumps(json.loads(recording.read_text()))) == CONFINED[KIND]
    assert escape.exists() == (KIND == "none")


def test_a_plain_jupyter_book_build_runs_no_lab_code_and_says_so_once(probed):
    root, service, home, escape = probed
    write_probe(root, service, home, escape)
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", "."],
        cwd=root,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("course: plain jupyter-book build: no lab code runs here") == 1
    assert not escape.exists() and not (root / "_build/.jupyter_cache/executed").exists()
    page = (root / PAGE).read_text()
    assert "Probe" in page and results(page) == {}  # the code, no outputs


def test_a_lab_cannot_ask_myst_nb_to_execute_it(probed):
    root, service, home, escape = probed
    write_lab(root, LAB, "## Probe\n\n```{code-cell} ipython3\nprint('ran')\n```\n")
    lab = root / LAB
    lab.write_text(lab.read_text().replace("---\n", "---\nmystnb:\n  execution_mode: force\n", 1))
    result = run_build(root)
    assert result.returncode == 1
    assert (
        f"{LAB}:3: mystnb.execution_mode 'force' is not honoured: myst-nb executes nothing here"
    ) in result.stderr
