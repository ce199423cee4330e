"""The lab index (book.course.lab_index): a lab's front matter is parsed once and kept by the
file's stat, in the process and in _build/.lab-index; a changed, fresh or broken lab is parsed
again, and what is read is always what a parse of the file gives."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from book.config import filestat
from book.course import lab_index, labs

LAB = """---
lab:
  template: workflow
  course: Course 4
  week: 2
  session: {session}
  title: {title}
  release: 2026-01-12
---

# Body

Text.
"""


def write(root: Path, rel: str, text: str, age: float = 0.0) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if age:
        past = time.time() - age
        os.utime(path, (past, past))
    return path


@pytest.fixture
def course(tmp_path, monkeypatch):
    (tmp_path / "_build").mkdir()
    monkeypatch.setattr(filestat, "RACY", 0.0)  # the tests' files are all fresh
    monkeypatch.setattr(lab_index, "_INDEXES", {})
    parsed: list[str] = []
    real = labs._parse

    def spy(lab):
        parsed.append(lab.path)
        return real(lab)

    monkeypatch.setattr(labs, "_parse", spy)
    return tmp_path, parsed


def test_an_unchanged_lab_is_parsed_once_across_builds(course, monkeypatch):
    root, parsed = course
    write(root, "labs/week02/session03-a.md", LAB.format(session=3, title="Trees"))
    write(root, "labs/week02/session04-b.md", LAB.format(session=4, title="Forests"))
    first = labs.read_labs(root)
    assert sorted(parsed) == ["labs/week02/session03-a.md", "labs/week02/session04-b.md"]
    assert (root / "_build" / ".lab-index").is_file()

    monkeypatch.setattr(lab_index, "_INDEXES", {})  # the next build: a new process
    parsed.clear()
    again = labs.read_labs(root)
    assert parsed == []
    assert [(x.path, x.lab, x.lines, x.lab_line, x.body_line, x.text) for x in again] == [
        (x.path, x.lab, x.lines, x.lab_line, x.body_line, x.text) for x in first
    ]
    again[0].lab["title"] = "changed by a caller"  # its own copy: the index keeps its own
    assert labs.read_labs(root)[0].lab["title"] == "Trees"


def test_an_edited_lab_is_parsed_again(course):
    root, parsed = course
    path = write(root, "labs/week02/session03-a.md", LAB.format(session=3, title="Trees"))
    labs.read_labs(root)
    stat = path.stat()
    path.write_text(LAB.format(session=3, title="Roots"))  # same size, another title
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime
    parsed.clear()
    (lab,) = labs.read_labs(root)
    assert parsed == ["labs/week02/session03-a.md"] and lab.lab["title"] == "Roots"


def test_a_lab_with_a_problem_is_never_kept(course):
    root, parsed = course
    write(root, "labs/week02/session03-a.md", "---\nlab: [not a mapping\n---\n")
    for _ in range(2):
        (lab,) = labs.read_labs(root)
        assert lab.errors and "invalid YAML" in lab.errors[0].message
    assert parsed == ["labs/week02/session03-a.md"] * 2


def test_a_file_changed_within_the_clock_resolution_is_not_trusted(tmp_path):
    path = write(tmp_path, "x.md", "text")
    assert filestat.stat_key(path) is None  # modified just now: parsed every time
    os.utime(path, (time.time() - 10, time.time() - 10))
    assert filestat.stat_key(path) is None  # its change time is still now (utime)


def test_a_removed_lab_leaves_the_index(course, monkeypatch):
    root, _ = course
    a = write(root, "labs/week02/session03-a.md", LAB.format(session=3, title="Trees"))
    write(root, "labs/week02/session04-b.md", LAB.format(session=4, title="Forests"))
    labs.read_labs(root)
    a.unlink()
    labs.read_labs(root)
    monkeypatch.setattr(lab_index, "_INDEXES", {})
    assert list(lab_index.index_for(root).entries) == ["labs/week02/session04-b.md"]
