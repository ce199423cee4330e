"""``python -m book new-course DIR`` never writes over an instructor's files."""

from __future__ import annotations

import subprocess
import sys


def test_new_course_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    made = subprocess.run(
        [sys.executable, "-m", "book", "new-course", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 1
    assert "the folder is not empty" in made.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
