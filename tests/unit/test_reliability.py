"""Real machines: killed builds, a site that cannot be replaced, the table of contents pointing
outside the course, `make serve` beside a log file or another build, flags from the environment.

Each test runs real builds of a copy of the course (issue 10, cases 1, 2, 6, 8, 9, 10)."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from book.errors import BookError
from book.publishing import publish as publish_mod
from conftest import REPO


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EBUSY])
def test_swap_failure_leaves_both_folders_as_they_were(tmp_path, monkeypatch, code):
    staged, target = tmp_path / "staged", tmp_path / "html"
    for folder, text in ((staged, "new"), (target, "old")):
        folder.mkdir()
        (folder / "index.html").write_text(text)

    def fail(a, b):
        raise OSError(code, os.strerror(code), str(b))

    monkeypatch.setattr(publish_mod, "_exchange", fail)
    with pytest.raises(BookError, match="could not be published") as info:
        publish_mod.publish(staged, target, log=lambda *a, **k: None)
    assert os.strerror(code) in str(info.value)
    assert (target / "index.html").read_text() == "old"
    assert (staged / "index.html").read_text() == "new"


def test_swap_without_renameat2_rolls_back_when_the_second_rename_fails(tmp_path, monkeypatch):
    staged, target = tmp_path / "staged", tmp_path / "html"
    for folder, text in ((staged, "new"), (target, "old")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    monkeypatch.setattr(publish_mod, "_exchange", lambda a, b: False)
    real_rename = Path.rename

    def rename(self, dest):
        if self == staged:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(BookError, match="No space left on device"):
        publish_mod.publish(staged, target, log=lambda *a, **k: None)
    assert (target / "index.html").read_text() == "old"


@pytest.mark.parametrize(
    "env, make_args, expected",
    [
        ({"BOOK_FLAGS": "torch"}, [], 'BOOK_FLAGS="torch"'),
        ({"BOOK_FLAGS": "-torch"}, [], 'BOOK_FLAGS="-torch"'),
        ({}, ["TORCH=1"], 'BOOK_FLAGS="torch"'),
        ({}, ["FLAGS=torch"], 'BOOK_FLAGS="torch"'),
        ({}, [], 'BOOK_FLAGS=""'),
    ],
)
def test_make_passes_flags_from_the_environment(env, make_args, expected):
    clean = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    out = subprocess.run(
        ["make", "-n", "html", *make_args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    line = next(row for row in out.splitlines() if "-m book build" in row)
    assert line.startswith(expected + " "), line
    if "torch" in expected and "-torch" not in expected:
        assert (
            "stamp-torch" in out
            or "requirements/torch.txt" in out
            or (REPO / ".venv/.stamp-torch").exists()
        )
