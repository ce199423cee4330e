"""``make lint`` (ruff check, ruff format --check, mypy, the import-linter layer contracts, as
pyproject.toml configures them):
clean on the repository, and failing, with the file and line, on a copy with a planted error of
each kind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


BIN = Path(sys.executable).parent


CHECKS = {
    "ruff": [str(BIN / "ruff"), "check", "book"],
    "format": [str(BIN / "ruff"), "format", "--check", "book"],
    "mypy": [str(BIN / "mypy")],
    "layers": [str(BIN / "lint-imports")],
}


def run(name: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}  # the copy's `book`, not the installed one
    return subprocess.run(
        CHECKS[name], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_make_lint_is_clean_on_the_repository():
    result = subprocess.run(
        ["make", "-s", "lint"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "name, planted, expected",
    [
        ("ruff", "import os\n", "--> book/planted.py:3:8"),
        ("format", "x = {  'a':1 }\n", "book/planted.py"),
        ("mypy", "def f() -> int:\n    return 'text'\n", "book/planted.py:4: error: Incompatible"),
        # a lower room importing a higher one: the course model reaching into Sphinx's parts
        (
            "layers",
            "from book.sphinx import figures\n",
            "book.course.planted -> book.sphinx.figures",
        ),
    ],
)
def test_a_planted_error_fails_lint(tmp_path, name, planted, expected):
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copytree(REPO / "book", copy / "book", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    room = copy / "book" / ("course" if name == "layers" else "")  # layers: inside a room
    (room / "planted.py").write_text(f'"""Planted."""\n\n{planted}')
    result = run(name, copy)
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def test_lint_installs_neither_torch_nor_dask():
    """`make lint` (and the pre-commit hook that runs it) sets up only what it runs: from
    nothing (`-B`: every target out of date), it installs no torch and no Dask."""
    plan = subprocess.run(
        ["make", "-n", "-B", "lint"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert plan.returncode == 0, plan.stderr
    assert "requirements/lint.txt" in plan.stdout and "lint-imports" in plan.stdout
    assert "torch.txt" not in plan.stdout and "cluster.txt" not in plan.stdout
