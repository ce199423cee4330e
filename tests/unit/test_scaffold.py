"""`python -m book new-session` / `make new-session`: a lab from a template, listed in order."""

from __future__ import annotations

import pytest

from book.course.scaffold import insert_into_toc
from book.course.toc import parse_toc
from conftest import copy_course


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


TOC = """\
# comment kept
format: jb-book
root: intro
parts:
  - caption: Using this site
    chapters:
      - file: setup
  - caption: Week 2
    chapters:
      - file: labs/week02/session01-a
      - file: labs/week02/session04-b

  - caption: Week 5
    chapters:
      - file: labs/week05/session01-c
  - caption: For instructors
    chapters:
      - file: authoring
"""


@pytest.mark.parametrize(
    "week, session, order",
    [
        (2, 2, ["a", "x", "b", "c"]),
        (2, 9, ["a", "b", "x", "c"]),
        (1, 1, ["x", "a", "b", "c"]),
        (3, 1, ["a", "b", "x", "c"]),
        (7, 1, ["a", "b", "c", "x"]),
    ],
)
def test_toc_insertion_keeps_week_and_session_order(week, session, order):
    new = insert_into_toc(TOC, week, session, f"labs/week{week:02d}/session{session:02d}-x")
    names = [d.rsplit("-", 1)[1] for d in (e.docname for e in parse_toc(new)) if "/" in d]
    assert names == order
    assert new.startswith("# comment kept\n")
    entries = {e.docname: e for e in parse_toc(new)}
    assert entries[f"labs/week{week:02d}/session{session:02d}-x"].caption == f"Week {week}"
    assert entries["authoring"].caption == "For instructors"
    # every other line is kept as it was
    added = [line for line in new.splitlines() if line not in TOC.splitlines()]
    assert all("-x" in line or "Week" in line or "chapters:" in line for line in added), added
