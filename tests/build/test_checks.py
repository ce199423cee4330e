"""`python -m book check`: every lab against its template and _toc.yml, all problems in one run."""

from __future__ import annotations

import pytest

from book.course.templates import load_templates
from conftest import REPO, copy_course, run_build, write_lab

REG = "labs/week01/session02-regularisation.md"


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


def _lab(course, body: str, front: str = "", name="labs/week09/session01-probe.md", **kw):
    path = write_lab(course, name, body, template="workflow", **kw)
    if front:
        path.write_text(path.read_text().replace("  authors: [Test]\n", front))
    return path


SECTIONS = load_templates(REPO)["workflow"].headings


def test_failing_checks_stop_the_build_before_anything_runs(course):
    reg = course / REG
    reg.write_text(reg.read_text().replace("## Background\n", ""))
    result = run_build(course)
    assert result.returncode == 1
    assert f"error: {REG}:" in result.stderr and "missing section '## Background'" in result.stderr
    assert "executed" not in result.stdout
    assert not (course / "_build" / ".jupyter_cache").exists()
    assert not (course / "_build" / "html").exists()
