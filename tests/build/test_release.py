"""Sessions and solutions released on their dates, built (docs/releases.md).

The built course gains a session and a solution released later (``release_course``). The
instructor build shows both under banners, in its own folder; bad dates, a solution before its
session and a link to a later session name their line. What readers can find is tested in
Chromium (tests/browser/test_release.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_course, run_book, run_build, site_digest, write_lab
from release_course import (
    RELEASE,
    SESSION_SENTENCE,
    SOLUTION_WORD,
    add_dates,
    build_timed,
)


def line_of(path: Path, start: str) -> int:
    return next(n for n, row in enumerate(path.read_text().splitlines(), 1) if start in row)


@pytest.fixture(scope="module")
def timed(built_course, tmp_path_factory) -> tuple[Path, str]:
    """The built course with a future session and a future solution, built today."""
    return build_timed(built_course, tmp_path_factory.mktemp("release") / "course")


def test_the_instructor_build_shows_everything_under_banners_in_its_own_folder(timed):
    root, _ = timed
    published = site_digest(root / "_build" / "html")
    result = run_build(root, "--audience", "instructor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built _build/instructor/html" in result.stdout
    site = root / "_build" / "instructor" / "html"
    later = (site / "labs" / "week09" / "session01-later.html").read_text()
    assert SESSION_SENTENCE in later and "Not yet released (2027-01-10 09:00)" in later
    practice = (site / "labs" / "week10" / "session01-practice.html").read_text()
    assert SOLUTION_WORD in practice and "Solution not yet released (2027-01-20 09:00)" in practice
    torch_lab = (site / "labs" / "week02" / "session03-tabular-nn-torch.html").read_text()
    assert "Building the site: <code>make html TORCH=1</code> runs them" in torch_lab
    assert site_digest(root / "_build" / "html") == published  # not the published folder


@pytest.mark.parametrize(
    "dates, key, message",
    [
        ({"release": "next week"}, "release", "lab: 'release' is not a date: 'next week'"),
        (
            {"release": "2027-01-10", "solutions": "2027-01-01"},
            "solutions",
            "lab: the solutions are released (2027-01-01 00:00) before the session is released "
            "(2027-01-10 00:00)",
        ),
        (
            {"date": "2027-01-12", "solutions": "2027-01-11T17:00"},
            "solutions",
            "lab: the solutions are released (2027-01-11 17:00) before the session is held "
            "(2027-01-12 00:00)",
        ),
    ],
)
def test_bad_dates_name_their_line(tmp_path, dates, key, message):
    root = copy_course(tmp_path / "course")
    lab = write_lab(root, "labs/week09/session01-x.md", "## X\n\nText.\n")
    add_dates(lab, **dates)
    result = run_book(root, "check")
    assert result.returncode == 1
    assert f"error: labs/week09/session01-x.md:{line_of(lab, f'  {key}:')}: {message}" in (
        result.stderr
    )


def test_a_link_to_a_session_released_later_names_its_line(tmp_path):
    root = copy_course(tmp_path / "course")
    later = write_lab(root, "labs/week09/session01-later.md", "## L\n\nText.\n")
    add_dates(later, release=RELEASE)
    now = write_lab(
        root,
        "labs/week09/session02-now.md",
        "## N\n\nSee {prereq}`week09/session01`.\n",
        session=2,
        toc=False,
    )
    toc = root / "_toc.yml"
    toc.write_text(toc.read_text() + "      - file: labs/week09/session02-now\n")
    result = run_book(root, "check")
    assert result.returncode == 1
    assert (
        f"labs/week09/session02-now.md:{line_of(now, '{prereq}')}: {{prereq}}`week09/session01` "
        "links a session released only on 2027-01-10 09:00, but this session is released "
        "already"
    ) in result.stderr


def test_bad_input_on_the_command_line_and_in_the_events_file(tmp_path):
    root = copy_course(tmp_path / "course")
    result = run_build(root, "--now", "tomorrow")
    assert result.returncode == 1
    assert "error: NOW: not a date: 'tomorrow'" in result.stderr
    events = root / "schedule.yml"
    events.write_text(events.read_text() + "- date: someday\n  title: Exam\n")
    result = run_book(root, "check")
    assert result.returncode == 1
    assert f"error: schedule.yml:{line_of(events, 'someday')}: 'Exam': 'someday' is not a date" in (
        result.stderr
    )
