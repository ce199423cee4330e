"""Nothing early (issue 23), end to end: what the release withholds is absent from every
published file (Pagefind's compressed index and ``objects.inv`` decoded), whatever way the lab
writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import copy_built, leaked, run_build, write_lab

BIG_WORD = "pangolinbytes"
RELEASE = "2099-01-10T09:00"


def big_notebook(root: Path, rel: str) -> None:
    """A notebook lab over 8 kB whose ``release`` sits in its metadata past byte 8000."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": f"## Part {i}\n\n" + "words " * 40}
        for i in range(40)
    ]
    cells.insert(1, {"cell_type": "markdown", "metadata": {}, "source": f"The {BIG_WORD} page."})
    cells.append(
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": f"print('{BIG_WORD}' + 'ran')",
        }
    )
    lab = {
        "template": "scratch",
        "course": "Course 4",
        "week": 9,
        "session": 1,
        "title": "Big notebook",
        "authors": ["Test"],
        "release": RELEASE,
    }
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": kernel, "lab": lab},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(nb, indent=1)
    assert text.index('"release"') > 8000
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def early(built_course, tmp_path_factory) -> tuple[Path, str]:
    root = copy_built(built_course, tmp_path_factory.mktemp("early") / "course")
    write_lab(root, "labs/week09/session01-big.md", "x", toc=True)  # the toc entry and template
    (root / "labs/week09/session01-big.md").unlink()
    big_notebook(root, "labs/week09/session01-big.ipynb")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


def test_a_big_notebooks_release_past_byte_8000_withholds_it(early):
    root, log = early
    site = root / "_build" / "html"
    assert not (site / "labs/week09/session01-big.html").exists()
    assert leaked(site, BIG_WORD, "session01-big") == []
    assert "1 session(s) not yet released are left out" in log
    cache = root / "_build" / ".jupyter_cache"
    assert not any(
        BIG_WORD.encode() + b"ran" in p.read_bytes() for p in cache.rglob("*") if p.is_file()
    )
