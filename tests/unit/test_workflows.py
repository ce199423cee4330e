"""The publishing workflow (``.github/workflows/``) is checked by two workflow linters: the
GitHub workflow schema (check-jsonschema's vendored copy) and zizmor's offline audits (actions
pinned to commits, no credentials left behind, least permissions). Each must also reject a
broken workflow, so the check cannot pass by not looking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


BIN = Path(sys.executable).parent


WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


SCHEMA = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]


ZIZMOR = [str(BIN / "zizmor"), "--offline", "--no-progress"]


def lint(command: list[str], path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=120)


def test_there_is_a_pages_workflow():
    assert [p.name for p in WORKFLOWS] == ["pages.yml"]
    text = WORKFLOWS[0].read_text()
    assert "make html STALE=error" in text and "actions/deploy-pages@" in text
    assert "schedule:" in text and "cron:" in text  # releases go out without a commit
    # the executed labs and the build's fingerprint are kept between runs, keyed on the sources
    cache = text[text.index("uses: actions/cache@") :]
    assert "path: _build" in cache and "labs/**" in cache and "restore-keys:" in cache


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_pass_both_linters(path):
    for command in (SCHEMA, ZIZMOR):
        result = lint(command, path)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "change, command, expected",
    [
        (("runs-on: ubuntu-24.04", "run-on: ubuntu-24.04"), SCHEMA, "run-on"),
        (("@3d3c42e5aac5ba805825da76410c181273ba90b1  # v7.0.1", "@v7"), ZIZMOR, "unpinned-uses"),
    ],
)
def test_the_linters_reject_a_broken_workflow(tmp_path, change, command, expected):
    text = (REPO / ".github" / "workflows" / "pages.yml").read_text()
    assert change[0] in text
    bad = tmp_path / "pages.yml"
    bad.write_text(text.replace(change[0], change[1], 1))
    result = lint(command, bad)
    assert result.returncode != 0 and expected in result.stdout + result.stderr
