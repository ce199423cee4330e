"""`python -m book new-session` / `make new-session`: a lab from a template, listed in order."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from book.checks.course import check_course
from book.course.scaffold import new_session
from book.course.templates import load_templates
from book.course.toc import parse_toc
from book.errors import BookError
from conftest import REPO, copy_course, run_build
from helpers import scaffold

SECTIONS = load_templates(REPO)["workflow"].headings


def toc_files(root) -> list[str]:
    return [e.docname for e in parse_toc((root / "_toc.yml").read_text())]


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


def test_scaffolded_sessions_pass_the_checks_and_build_unchanged(course):
    result = scaffold(
        course, "--week", "3", "--session", "1", "--title", "Cross-validation done right"
    )
    assert result.returncode == 0, result.stderr
    lab = course / "labs/week03/session01-cross-validation-done-right.md"
    assert "created labs/week03/session01-cross-validation-done-right.md" in result.stdout
    text = lab.read_text()
    assert (
        "lab:\n  template: workflow\n  course: Course 4\n  week: 3\n  session: 1\n"
        "  title: Cross-validation done right\n  authors: [R. Heller]\n  draft: true\n---\n" in text
    )
    assert re.findall(r"^## (.+)$", text, re.M) == SECTIONS
    assert text.count("```{code-cell} ipython3") == 6  # setup and one per step
    assert "```{session-info}\n```" in text
    # a session earlier in an existing week goes before the later one
    assert scaffold(course, "--week", "2", "--session", "1", "--title", "Trees").returncode == 0
    assert toc_files(course) == [
        "intro",
        "schedule",
        "setup",
        "labs/week01/session02-regularisation",
        "labs/week02/session01-trees",
        "labs/week02/session03-tabular-nn-torch",
        "labs/week03/session01-cross-validation-done-right",
        "authoring",
    ]
    toc = (course / "_toc.yml").read_text()
    assert toc.startswith("# Table of contents:")  # comments and layout kept
    assert "  - caption: Week 3\n    chapters:\n      - file: labs/week03/session01-" in toc
    assert check_course(course) == []

    # new sessions are drafts: left out, and counted, until their author removes the line
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "release: 2 draft(s) left out (remove 'draft: true' to publish)" in result.stdout
    site = course / "_build/html"
    assert not (site / "labs/week03/session01-cross-validation-done-right.html").exists()
    assert "Cross-validation done right" not in (site / "schedule.html").read_text()
    for new in (lab, course / "labs/week02/session01-trees.md"):
        new.write_text(new.read_text().replace("  draft: true\n", ""))
    result = run_build(course)
    assert result.returncode == 0, result.stdout + result.stderr
    soup = BeautifulSoup(
        (site / "labs/week03/session01-cross-validation-done-right.html").read_text(), "html.parser"
    )
    article = soup.select_one("article.bd-article")
    assert article.find("h1").get_text(strip=True).rstrip("#") == (
        "Week 3, Session 1 — Cross-validation done right"
    )
    assert [h.get_text(strip=True).rstrip("#") for h in article.find_all("h2")] == SECTIONS
    assert "check passed" in article.get_text()
    home = BeautifulSoup((site / "intro.html").read_text(), "html.parser")
    nav = home.select_one("nav.bd-docs-nav")
    captions = [c.get_text(strip=True) for c in nav.select("p.caption")]
    assert captions == ["Using this site", "Week 1", "Week 2", "Week 3", "For instructors"]
    link = nav.find("a", href=re.compile("session01-cross-validation-done-right"))
    assert link.get_text(strip=True) == "Session 1 — Cross-validation done right"


def test_make_new_session(course):
    venv = REPO / ".venv"
    if not (venv / ".stamp-build").exists():
        pytest.skip("needs the checkout's .venv (make venv)")
    result = subprocess.run(
        ["make", "new-session", f"VENV={venv}", "WEEK=4", "SESSION=2", "TITLE=Survival: Cox"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (course / "labs/week04/session02-survival-cox.md").is_file()
    assert toc_files(course)[-2:] == ["labs/week04/session02-survival-cox", "authoring"]


@pytest.mark.parametrize(
    "week, session, title, message",
    [
        ("three", "1", "Trees", "--week must be a whole number from 1 to 99, got 'three'"),
        ("0", "1", "Trees", "--week must be a whole number from 1 to 99, got '0'"),
        ("3", "1.5", "Trees", "--session must be a whole number from 1 to 99, got '1.5'"),
        ("3", "1", "", "--title must not be empty"),
        ("3", "1", "   ", "--title must not be empty"),
        ("3", "1", "?!", "--title '?!' has no letters or digits for a file name"),
    ],
)
def test_bad_input_is_rejected_and_nothing_is_written(course, week, session, title, message):
    before = (course / "_toc.yml").read_text()
    result = scaffold(course, "--week", week, "--session", session, "--title", title)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"error: new-session: {message}"
    assert (course / "_toc.yml").read_text() == before
    assert not (course / "labs/week03").exists()


def test_unknown_template(course):
    result = scaffold(course, "--week", "3", "--session", "1", "--title", "X", "--template", "wf")
    assert result.returncode == 1
    assert "unknown template 'wf'" in result.stderr
    assert "known templates: freeform, workflow" in result.stderr
    assert "templates/wf.yml" in result.stderr


def test_never_overwrites_or_reuses_a_number(course):
    reg = course / "labs/week01/session02-regularisation.md"
    before = reg.read_text(), (course / "_toc.yml").read_text()
    with pytest.raises(BookError, match="already exists; new-session never overwrites"):
        new_session(course, 1, 2, "Regularisation", log=lambda *a: None)
    with pytest.raises(BookError) as err:
        new_session(course, 1, 2, "Something else", log=lambda *a: None)
    assert err.value.format().startswith(
        "labs/week01/session02-regularisation.md:14: Week 1, Session 2 is taken by this lab"
    )
    assert (reg.read_text(), (course / "_toc.yml").read_text()) == before
    assert sorted(p.name for p in reg.parent.iterdir()) == [reg.name]


def test_course_templates_are_used(course):
    templates = course / "templates"
    templates.mkdir()
    shutil.copy(REPO / "book/course/templates/workflow.yml", templates / "short.yml")
    text = (templates / "short.yml").read_text().replace("name: workflow", "name: short")
    cut = text.index("  - heading: Common pitfalls")
    (templates / "short.yml").write_text(
        text[:cut] + "  - heading: Session info\n    prose: |\n      ```{session-info}\n      ```\n"
    )
    assert (
        scaffold(
            course, "--week", "5", "--session", "1", "--title", "Short", "--template", "short"
        ).returncode
        == 0
    )
    text = (course / "labs/week05/session01-short.md").read_text()
    assert "template: short" in text and "## Common pitfalls" not in text
    assert check_course(course) == []
