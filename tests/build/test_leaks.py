"""The leak check: it finds what identifies the build machine, names the lab, cell and staged page,
masks what it shows, and never refuses a build over a word (issue 10, cases 3, 4 and 10)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book.checks.leaks import machine_needles
from book.checks.site import leak_errors
from conftest import run_book, site_digest, write_lab

LAB = "labs/week09/session01-leak.md"


TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q79f"  # the shape of a GitHub token


def build_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS",)}
    return {**env, "BOOK_FLAGS": "", **extra}


def build(root: Path, env: dict) -> subprocess.CompletedProcess:
    return run_book(root, "build", env=env, timeout=600)


def failing(root: Path, env: dict) -> str:
    before = site_digest(root / "_build/html")
    result = build(root, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert site_digest(root / "_build/html") == before, "nothing is published"
    return result.stderr


def test_user_and_host_named_after_words_are_not_leaks(site, built_course):
    needles = machine_needles(
        built_course,
        environ={"USER": "ubuntu", "LOGNAME": "ubuntu"},
        home="/home/ubuntu",
        host="ridge",
    )
    assert leak_errors(site, built_course, needles=needles) == []
    # the words are there (the theme's font lists, the lab's prose): what the old check refused
    assert "ubuntu" in (site / "_static/styles/pydata-sphinx-theme.css").read_text().lower()
    assert re.search(r"\bridge\b", (site / "labs/week01/session02-regularisation.html").read_text())


def test_bundled_course_builds_on_a_host_named_ridge(course):
    env = build_env()
    script = f'hostname ridge && exec "{sys.executable}" -m book build --force'
    result = subprocess.run(
        ["unshare", "-u", "sh", "-c", script],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_printed_environment_value_is_refused_naming_lab_cell_and_staged_page(course):
    cfg = course / "_config.yml"
    cfg.write_text(cfg.read_text().replace("  env: []", "  env: [COURSE_TOKEN]"))
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\nimport os\nprint('token', os.environ['COURSE_TOKEN'])\n```\n",
    )
    err = failing(course, build_env(COURSE_TOKEN=TOKEN))
    assert (
        f"error: {LAB}:20: code cell 2 output the value of $COURSE_TOKEN (ghp_…9f); it is in "
        "the staged page _build/.html-staging/labs/week09/session01-leak.html:"
    ) in err
    assert TOKEN not in err
    assert err.count("error: ") == 2, (
        err
    )  # one problem (the page and its .ipynb download), the summary
    assert "_build/html/" not in err


HF = "hf_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ0bC2eF4h"  # the shape of a Hugging Face token


def test_a_printed_secret_is_refused_naming_lab_cell_and_staged_page(course):
    """A token glued to a word and a password in a database URL, printed by a lab's second
    cell (the lab's source never holds them whole: it is no author's example)."""
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\n"
        f"print('mytoken' + {HF[:3]!r} + {HF[3:]!r})\n"
        "print('postgres://user:' + 's3cr3t' + 'Pass' + '@db:5432/x')\n```\n",
    )
    err = failing(course, build_env())
    staged = "it is in the staged page _build/.html-staging/labs/week09/session01-leak.html:"
    assert f"error: {LAB}:20: code cell 2 output a Hugging Face Token (hf_a…4h); {staged}" in err
    assert f"error: {LAB}:20: code cell 2 output a password in a URL (s3cr…ss); " in err
    assert HF not in err and "s3cr3tPass" not in err
    assert err.count("error: ") == 3, err  # two secrets (page and .ipynb as one), the summary


def test_secrets_in_the_build_environment_never_reach_a_lab(course):
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nimport os\n"
        "print(sorted(k for k in os.environ if 'TOKEN' in k or 'SECRET' in k))\n"
        "print(os.environ['HOME'].endswith('/home'), os.getcwd().endswith('/work'))\n```\n",
    )
    result = build(course, build_env(COURSE_TOKEN=TOKEN, AWS_SECRET_ACCESS_KEY="x" * 40))
    assert result.returncode == 0, result.stderr
    page = (course / "_build/html/labs/week09/session01-leak.html").read_text()
    text = BeautifulSoup(page, "html.parser").select_one(".cell_output").get_text()
    assert "[]" in text and "True True" in text


@pytest.mark.parametrize(
    "code, what",
    [
        ("import sys\nprint(sys.executable)", "the Python environment's path"),
        (
            "from IPython.display import HTML\nimport os\nHTML(f'<p>{os.getcwd()}</p>')",
            "a temporary folder of the build",
        ),
        ("import pathlib\nprint(pathlib.Path.home())", "a temporary folder of the build"),
    ],
)
def test_machine_paths_in_outputs_are_refused_not_rewritten(course, code, what):
    write_lab(course, LAB, f"```{{code-cell}} ipython3\n{code}\n```\n")
    err = failing(course, build_env())
    assert f"error: {LAB}:16: code cell 1 output {what}" in err
    assert "…" not in err.split(what)[1].split(")")[0], "paths are shown whole, not masked"


def test_error_true_traceback_shows_library_frames_without_machine_paths(course):
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\n#| error: true\nimport numpy\n"
        "numpy.linalg.inv(numpy.zeros((2, 3)))\n```\n",
    )
    result = build(course, build_env())
    assert result.returncode == 0, result.stderr
    page = (course / "_build/html/labs/week09/session01-leak.html").read_text()
    text = BeautifulSoup(page, "html.parser").select_one(".cell_output").get_text()
    assert "LinAlgError" in text and "site-packages/numpy/linalg" in text
    assert sys.prefix not in page and str(course) not in page
