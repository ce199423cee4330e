"""``python -m book new-course DIR``: an empty course that uses the installed generator, whose own
Makefile builds and checks it at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VENV = Path(sys.executable).parent.parent  # the venv with the generator installed


def make(course: Path, target: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", target, f"VENV={VENV}"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_new_course_builds_with_its_own_makefile(tmp_path):
    course = tmp_path / "stats101"
    made = subprocess.run(
        [sys.executable, "-m", "book", "new-course", str(course), "--title", "Statistics 101"],
        cwd=tmp_path,  # outside any course: the installed generator, not a checkout's folder
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    lab = course / "labs/week01/session01-first-session.md"
    assert lab.is_file() and "first-session" in (course / "_toc.yml").read_text()
    assert not (course / "book").exists(), "the course uses the installed generator"
    generator = (course / "requirements/generator.txt").read_text()
    assert "course-site" in generator
    for name in ("Makefile", "_config.yml", ".github/workflows/pages.yml", "intro.md"):
        assert (course / name).is_file(), name

    checked = make(course, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "checks passed: 1 lab(s)" in checked.stdout
    built = make(course, "html")
    assert built.returncode == 0, built.stdout + built.stderr
    site = course / "_build/html"
    home = (site / "intro.html").read_text()
    assert "Statistics 101" in home and (site / "pagefind/pagefind.js").is_file()
    # the first lab is a draft, as every new session: not published until its author says so
    assert "release: 1 draft(s) left out" in built.stdout
    assert not (site / "labs").exists()
    assert "No session is published yet" in home  # its list of sessions says why it is empty
    preview = subprocess.run(
        ["make", "-s", "html", f"VENV={VENV}", "AUDIENCE=instructor"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert preview.returncode == 0, preview.stdout + preview.stderr
    page = (course / "_build/instructor/html/labs/week01/session01-first-session.html").read_text()
    assert "Week 1, Session 1" in page and "cell_output" in page  # its code ran
    assert "Draft (not published)" in page
