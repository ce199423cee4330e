"""`python -m book check`: every lab against its template and _toc.yml, all problems in one run."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from book.checks.course import check_course
from book.course.templates import load_templates
from book.errors import BookErrors
from conftest import REPO, WORKFLOW_SECTIONS, copy_course, write_lab

TORCH = "labs/week02/session03-tabular-nn-torch.md"


REG = "labs/week01/session02-regularisation.md"


def run_check(root) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "book", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def line_of(path, needle: str, which: int = 0) -> int:
    """The line number of the first (or ``which``-th) line starting with ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, start=1) if line.startswith(needle)][which]


def messages(root) -> list[str]:
    return [p.format().splitlines()[0] for p in check_course(root)]


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


def test_the_course_passes_quickly():
    started = time.perf_counter()
    assert check_course(REPO) == []
    assert time.perf_counter() - started < 2.0
    result = run_check(REPO)
    assert result.returncode == 0, result.stderr
    assert "checks passed: 2 lab(s)" in result.stdout


def test_workflow_template_names_fields_and_sections():
    workflow = load_templates(REPO)["workflow"]
    assert workflow.front_matter == {
        "template": "str",
        "course": "str",
        "week": "int",
        "session": "int",
        "title": "str",
        "authors": "list[str]",
    }
    assert workflow.headings == WORKFLOW_SECTIONS


def test_every_problem_is_reported_in_one_run(course):
    torch = course / TORCH
    torch.write_text(torch.read_text().replace("## Background\n", "### Background\n"))
    setup_line = line_of(torch, "## Setup")
    reg = course / REG
    reg.write_text(reg.read_text().replace("  authors: [R. Heller]\n", "  authors: R. Heller\n"))
    authors_line = line_of(reg, "  authors: R. Heller")
    toc = course / "_toc.yml"
    toc.write_text(
        toc.read_text().replace(
            "      - file: labs/week02/session03-tabular-nn-torch\n",
            "      - file: labs/week02/session03-tabular-nn-torch\n"
            "      - file: labs/week02/session09-ghost\n",
        )
    )
    ghost_line = line_of(toc, "      - file: labs/week02/session09-ghost")
    write_lab(course, "labs/week03/session01-orphan.md", "## Plain\n", week=3, toc=False)
    copy = write_lab(course, "labs/week02/session03-copy.md", "## Plain\n", week=2, session=3)
    copy_session = line_of(copy, "  session: 3")
    torch_session = line_of(torch, "  session: 3")

    result = run_check(course)
    assert result.returncode == 1
    expected = [
        f"{TORCH}:{setup_line}: missing section '## Background' (template 'workflow': "
        "it goes before '## Setup')",
        f"{REG}:{authors_line}: lab: 'authors' must be a list of names, got 'R. Heller'",
        f"_toc.yml:{ghost_line}: lists 'labs/week02/session09-ghost', but no such file exists",
        "labs/week03/session01-orphan.md:1: not listed in _toc.yml",
        f"labs/week02/session03-copy.md:{copy_session}: Week 2, Session 3 is also {TORCH}",
        f"{TORCH}:{torch_session}: Week 2, Session 3 is also labs/week02/session03-copy.md",
    ]
    for message in expected:
        assert f"error: {message}" in result.stderr, (message, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(expected), result.stderr
    assert f"{len(expected)} problem(s) found" in result.stderr


def _lab(course, body: str, front: str = "", name="labs/week09/session01-probe.md", **kw):
    path = write_lab(course, name, body, template="workflow", **kw)
    if front:
        path.write_text(path.read_text().replace("  authors: [Test]\n", front))
    return path


SECTIONS = load_templates(REPO)["workflow"].headings


def full_body(headings=SECTIONS) -> str:
    return "".join(f"## {h}\n\nText.\n\n" for h in headings)


def test_a_complete_lab_passes(course):
    _lab(course, full_body())
    assert messages(course) == []


@pytest.mark.parametrize(
    "body, front, line, message",
    [
        (
            full_body(SECTIONS[:4] + [SECTIONS[5], SECTIONS[4]] + SECTIONS[6:]),
            "",
            "## 1. Goal",
            "section '## 1. Goal' is out of order: the template puts it before '## 2. Approach'",
        ),
        (
            full_body(SECTIONS[:3] + ["Extra"] + SECTIONS[3:]),
            "",
            "## Extra",
            "unexpected section '## Extra'",
        ),
        (
            full_body(SECTIONS[:-1]),
            "",
            None,
            "missing section '## Session info' (template 'workflow': it goes at the end)",
        ),
        (full_body(SECTIONS + ["Setup"]), "", ("## Setup", -1), "section '## Setup' appears twice"),
        (
            full_body(),
            "  authors: Test\n",
            "  authors:",
            "lab: 'authors' must be a list of names, got 'Test'",
        ),
        (full_body(), "  authors: [Test]\n  level: 2\n", "  level:", "lab: unknown field 'level'"),
        (full_body(), "", "lab:", "lab: missing field 'authors'"),
        (
            full_body(),
            "  authors: [Test]\n  oops: [unclosed\n",
            "  oops:",
            "invalid YAML front matter",
        ),
        (
            full_body().replace("Text.", "{prereq}`week07/session01`", 1),
            "",
            "{prereq}",
            "{prereq}`week07/session01`: no lab is Week 7, Session 1",
        ),
        (
            full_body().replace("Text.", "{prereq}`regularisation`", 1),
            "",
            "{prereq}",
            "{prereq}`regularisation`: name a session as weekWW/sessionSS",
        ),
        (
            full_body().replace(
                "## Prerequisites\n\nText.", "## Prerequisites\n\nWeek 4, Session 1"
            ),
            "",
            "Week 4, Session 1",
            "prerequisite 'Week 4, Session 1': no such session in this course",
        ),
        (
            full_body().replace(
                "## Setup\n\nText.",
                "## Setup\n\n```{code-cell} ipython3\n#| eval: tourch\nx = 1\n```",
            ),
            "",
            "#| eval: tourch",
            "unknown flag 'tourch' in 'eval: tourch'",
        ),
    ],
)
def test_lab_problems_name_file_and_line(course, body, front, line, message):
    path = _lab(course, body, front)
    if front == "" and "missing field" in message:
        path.write_text(path.read_text().replace("  authors: [Test]\n", ""))
    found = messages(course)
    assert len(found) == 1, found
    where = "labs/week09/session01-probe.md:"
    if line is not None:
        where += f"{line_of(path, *line) if isinstance(line, tuple) else line_of(path, line)}:"
    assert found[0].startswith(where), (found, where)
    assert message in found[0]


def test_a_valid_prerequisite_link_passes(course):
    _lab(course, full_body().replace("Text.", "{prereq}`week01/session02`", 1))
    assert messages(course) == []


def test_file_name_unknown_template_and_week_caption(course):
    _lab(course, full_body(), name="labs/week09/session04-probe.md")  # front matter: session 1
    _lab(course, full_body(), name="labs/week09/Session 2.md", session=2)
    path = _lab(course, full_body(), name="labs/week09/session03-probe.md", session=3)
    path.write_text(path.read_text().replace("template: workflow", "template: workflw"))
    toc = course / "_toc.yml"
    toc.write_text(
        toc.read_text().replace(
            "      - file: labs/week01/session02-regularisation\n",
            "      - file: labs/week01/session02-regularisation\n"
            "      - file: labs/week09/session04-probe\n",
            1,
        )
    )
    found = messages(course)
    assert any(
        m.startswith("labs/week09/session04-probe.md:")
        and "lab: session is 1, but the file name says 4" in m
        for m in found
    ), found
    assert (
        "labs/week09/Session 2.md:1: a lab's file is named labs/weekWW/sessionSS-slug.md"
        " (lower-case slug, words joined by '-')" in found
    )
    assert any(
        m.startswith("labs/week09/session03-probe.md:") and "unknown template 'workflw'" in m
        for m in found
    ), found
    assert any(
        m.startswith("_toc.yml:")
        and "'labs/week09/session04-probe' is Week 9 but listed under 'Week 1'" in m
        for m in found
    ), found


def test_non_utf8_file(course):
    path = _lab(course, full_body())
    path.write_bytes(path.read_bytes().replace(b"Text.", b"Caf\xe9.", 1))
    found = messages(course)
    line = path.read_bytes().split(b"\n").index(b"Caf\xe9.") + 1
    assert found == [f"labs/week09/session01-probe.md:{line}: not valid UTF-8 (byte 0xe9)"]


def test_check_errors_are_book_errors(course):
    (course / REG).write_text((course / REG).read_text().replace("  title: Regularisation\n", ""))
    from book.checks.course import run_checks

    with pytest.raises(BookErrors) as err:
        run_checks(course)
    assert [e.path for e in err.value.errors] == [REG]
