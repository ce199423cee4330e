"""The no-op answered from file stats (book.build.quick): it holds only while every file, the
settings, the published site and the release moment are as the full road last found them."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pytest

from book.build import quick
from book.build.provenance import tree_record
from book.config import filestat


def args(**given) -> argparse.Namespace:
    base = {"flag": [], "force": False, "now": "", "audience": "public", "pdf": False}
    return argparse.Namespace(**{**base, **given})


def old(path: Path) -> None:
    past = time.time() - 60
    os.utime(path, (past, past))


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setattr(filestat, "RACY", 0.0)  # the files here are all new
    monkeypatch.setattr(quick, "GENERATOR", tmp_path / "generator")
    (tmp_path / "generator").mkdir()
    (tmp_path / "generator" / "cli.py").write_text("# the generator\n")
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "lab.md").write_text("# a lab\n")
    (tmp_path / "_config.yml").write_text("title: x\n")
    site = tmp_path / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (tmp_path / "_build" / ".fingerprint").write_text(f"abc\n{tree_record(site)}\n")
    return tmp_path


def remembered(root: Path, until: float | None = None) -> str:
    key = quick.course_key(root, quick.settings_of(args()))
    quick.remember(root, key, "abc", until)
    return key


def test_the_same_course_is_the_same_no_op(course):
    key = remembered(course)
    assert quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))
    assert key is not None


def test_an_edited_added_or_removed_file_is_not(course):
    remembered(course)
    lab = course / "labs" / "lab.md"
    stat = lab.stat()
    lab.write_text("# a bat\n")  # same size, same modification time: its change time moved
    os.utime(lab, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))
    remembered(course)
    (course / "labs" / "new.md").write_text("x")
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))
    remembered(course)
    (course / "generator" / "cli.py").unlink()
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))


def test_settings_flags_and_book_variables_are_part_of_it(course, monkeypatch):
    remembered(course)
    for other in (args(flag=["torch"]), args(pdf=True)):
        assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(other)))
    monkeypatch.setenv("BOOK_FLAGS", "torch")
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))
    for never in (args(force=True), args(now="2027-01-01"), args(audience="instructor")):
        assert quick.settings_of(never) is None  # those take the full road


def test_a_release_moment_passing_ends_it(course):
    remembered(course, until=time.time() - 1)
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))
    remembered(course, until=time.time() + 3600)
    assert quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))


def test_another_writer_in_the_site_or_another_published_build_ends_it(course):
    remembered(course)
    (course / "_build" / "html" / "stray.html").write_text("from another tool")
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))
    (course / "_build" / "html" / "stray.html").unlink()
    remembered(course)
    (course / "_build" / ".fingerprint").write_text("another\n")
    assert not quick.up_to_date(course, quick.course_key(course, quick.settings_of(args())))


def test_a_file_changed_within_the_clock_resolution_gives_no_key(course, monkeypatch):
    monkeypatch.setattr(filestat, "RACY", 2.0)
    for path in course.rglob("*"):
        if path.is_file():
            old(path)
    lab = course / "labs" / "lab.md"
    assert quick.course_key(course, "s") is None  # utime moved every change time to now
    lab.write_text("# changed now\n")
    assert quick.course_key(course, "s") is None


def test_a_record_for_another_fingerprint_is_dropped(course):
    key = quick.course_key(course, quick.settings_of(args()))
    quick.remember(course, key, "not the published one", None)
    assert not (course / "_build" / quick.RECORD).exists()
    quick.remember(course, key, "abc", None)
    assert json.loads((course / "_build" / quick.RECORD).read_text())["fingerprint"] == "abc"


def test_a_linked_folder_gives_no_key(course, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("data")
    (course / "labs" / "data").symlink_to(elsewhere, target_is_directory=True)
    assert quick.course_key(course, "s") is None
