"""The leak check: it finds what identifies the build machine, names the lab, cell and staged page,
masks what it shows, and never refuses a build over a word (issue 10, cases 3, 4 and 10)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from book.checks.leaks import machine_needles, mask
from book.checks.site import leak_errors
from conftest import run_book

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q79f"  # the shape of a GitHub token


def build(root: Path, env: dict) -> subprocess.CompletedProcess:
    return run_book(root, "build", env=env, timeout=600)


def test_specific_host_names_paths_and_tokens_are_found(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text(
        "<p>ip-10-0-3-17</p>\n<p>/home/ubuntu/.ssh</p>\n<p>/home/ubuntu2</p>\n"
        f"<p>{TOKEN}</p>\n<p>s3cr3t-Value-42</p>\n<p>ubuntu ridge regression</p>\n"
    )
    needles = machine_needles(
        tmp_path / "course",
        environ={"API_KEY": "s3cr3t-Value-42", "MODE": "production"},
        home="/home/ubuntu",
        host="ip-10-0-3-17",
    )
    found = {e.message for e in leak_errors(site, tmp_path, needles=needles)}
    assert "contains the host name (ip-10-0-3-17)" in found
    assert "contains the home folder (/home/ubuntu)" in found  # not /home/ubuntu2
    assert "contains a GitHub Token (ghp_…9f)" in found
    assert "contains the value of $API_KEY (s3cr…42)" in found
    assert len(found) == 4, found
    assert mask(TOKEN) == "ghp_…9f"
