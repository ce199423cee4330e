"""Real machines: killed builds, a site that cannot be replaced, the table of contents pointing
outside the course, `make serve` beside a log file or another build, flags from the environment.

Each test runs real builds of a copy of the course (issue 10, cases 1, 2, 6, 8, 9, 10)."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_book, run_build, site_digest, write_lab
from helpers import free_port, serve_logged

LAB = "labs/week09/session01-slow.md"


def processes_in(folder: Path) -> list[int]:
    """Processes whose working folder is ``folder`` (the build and its lab workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd") == str(folder):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def build_process(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "book", "build"],
        cwd=root,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def sleepers(seconds: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and (entry / "cmdline").read_bytes() == b"sleep\0" + seconds.encode() + b"\0"
            ):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@pytest.mark.parametrize("sandbox", ["on", "off"])
def test_killed_build_leaves_nothing_that_blocks_the_next(course, sandbox):
    marker = "61.5" if sandbox == "on" else "62.5"  # a process the lab starts, found by its args
    write_lab(
        course,
        LAB,
        "```{code-cell} ipython3\nimport subprocess\n"
        f"subprocess.run(['sleep', '{marker}'])\n```\n",
    )
    before = site_digest(course / "_build/html")
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "BOOK_SANDBOX")}
    if sandbox == "off":
        env["BOOK_SANDBOX"] = "off"
    build = subprocess.Popen(
        [sys.executable, "-m", "book", "build"],
        cwd=course,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while not sleepers(marker):  # the lab is running its cell
        assert time.monotonic() < deadline, "the lab never started"
        time.sleep(0.2)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=10)
    deadline = time.monotonic() + 10
    while (processes_in(course) or sleepers(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_in(course) == [], "lab workers outlived the killed build"
    assert sleepers(marker) == [], "what the lab started outlived the killed build"
    assert site_digest(course / "_build/html") == before
    (course / LAB).write_text((course / LAB).read_text().replace(f"'sleep', '{marker}'", "'true'"))
    again = run_build(course, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "did not finish and is gone; taking over" in again.stdout
    assert "another build" not in again.stderr


def test_second_build_names_the_running_one(course):
    write_lab(course, LAB, "```{code-cell} ipython3\nimport time\ntime.sleep(8)\n```\n")
    first = build_process(course)
    time.sleep(3)
    second = run_build(course)
    assert second.returncode == 75  # `make serve` retries on this code
    assert f"another build of this course is running (pid {first.pid}" in second.stderr
    assert first.wait(timeout=120) == 0


def read_only_build(root: Path, folder: str) -> subprocess.CompletedProcess:
    """A build in a private mount namespace where ``folder`` is a read-only mount point."""
    env = {k: v for k, v in os.environ.items() if k != "BOOK_FLAGS"}
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && '
        f'exec "{sys.executable}" -m book build --force'
    )
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_busy_published_folder_keeps_the_old_site_and_next_build_works(course):
    site = course / "_build/html"
    before = site_digest(site)
    result = read_only_build(course, str(site))
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "_build/html: the new site could not be published: Device or resource busy" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert site_digest(site) == before
    again = run_build(course, "--force")
    assert again.returncode == 0, again.stderr


def test_old_site_that_cannot_be_deleted_is_set_aside_and_removed_next_time(course):
    site = course / "_build/html"
    (course / "intro.md").write_text((course / "intro.md").read_text() + "\nA new line.\n")
    result = read_only_build(course, str(site / "_static"))
    assert result.returncode == 0, result.stderr
    assert "A new line." in (site / "intro.html").read_text(), "the new site is published whole"
    assert "could not remove all of the previous site" in result.stdout
    assert "Traceback" not in result.stderr
    left = list((course / "_build").glob(".stale-*")) + list((course / "_build").glob(".html-st*"))
    assert left
    again = run_build(course, "--force")
    assert again.returncode == 0, again.stderr
    assert not list((course / "_build").glob(".stale-*"))


def test_stale_staging_folder_is_cleared_by_the_next_build(course):
    (course / "_build/.html-staging/junk").mkdir(parents=True)
    result = run_build(course, "--force")
    assert result.returncode == 0, result.stderr
    assert not (course / "_build/html/junk").exists()


def test_toc_entry_outside_the_course_fails_the_checks_before_any_code_runs(course, tmp_path):
    other = tmp_path / "other"
    marker = tmp_path / "ran"
    other.mkdir()
    write_lab(
        other, "lab.md", f"```{{code-cell}} ipython3\nopen({str(marker)!r}, 'w')\n```\n", toc=False
    )
    with open(course / "_toc.yml", "a") as toc:
        toc.write("  - caption: Week 9\n    chapters:\n      - file: ../other/lab\n")
    line = len((course / "_toc.yml").read_text().splitlines())
    before = site_digest(course / "_build/html")
    result = run_build(course)
    assert result.returncode == 1
    assert (
        f"error: _toc.yml:{line}: lists '../other/lab', which is outside the course folder"
        in result.stderr
    )
    assert not marker.exists() and "executed" not in result.stdout
    assert site_digest(course / "_build/html") == before


@pytest.mark.parametrize("what", ["lab", "page"])
def test_symlink_to_a_file_outside_the_course_is_refused(course, tmp_path, what):
    (tmp_path / "elsewhere").mkdir()
    outside = write_lab(
        tmp_path / "elsewhere", "x.md", "```{code-cell} ipython3\nx = 1\n```\n", toc=False
    )
    if what == "lab":
        link = course / LAB
        link.parent.mkdir(parents=True)
        entry = LAB.removesuffix(".md")
        with open(course / "_toc.yml", "a") as toc:
            toc.write(f"  - caption: Week 9\n    chapters:\n      - file: {entry}\n")
    else:
        link, entry = course / "setup.md", "setup"
        link.unlink()
    link.symlink_to(outside)
    result = run_build(course)
    assert result.returncode == 1
    assert (
        f"lists {entry!r}, a symbolic link to {outside}, which is outside the course"
        in result.stderr
    )
    assert "_toc.yml:" in result.stderr


def test_empty_toc_says_so(course):
    (course / "_toc.yml").write_text("")
    result = run_book(course, "check", timeout=60)
    assert result.returncode == 1
    assert "error: _toc.yml:1: lists no pages" in result.stderr
    assert "not listed" not in result.stderr


def wait_for_text(path: Path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"{text!r} not in:\n{path.read_text()}"
        time.sleep(0.3)


def test_serve_with_its_log_in_the_course_folder_rebuilds_only_on_source_changes(course):
    log = course / "serve.log"
    with open(log, "w") as out:
        server = serve_logged(course, free_port(), out)
        try:
            wait_for_text(log, "Serving the course site", 60)
            time.sleep(5)  # the log grew (and keeps growing): no rebuild
            assert "change detected" not in log.read_text()
            intro = course / "intro.md"
            intro.write_text(intro.read_text() + "\nEdited.\n")
            wait_for_text(log, "rebuilt; open pages reload", 120)
            time.sleep(4)
            assert log.read_text().count("change detected") == 1, log.read_text()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    assert "Traceback" not in log.read_text()


def test_serve_waits_for_a_build_holding_the_lock_then_catches_up(course):
    log = course.parent / "serve.log"
    with open(log, "w") as out:
        server = serve_logged(course, free_port(), out)
        try:
            wait_for_text(log, "Serving the course site", 60)
            fd = os.open(course / "_build/.lock", os.O_RDWR)  # a manual build holds the lock
            fcntl.lockf(fd, fcntl.LOCK_EX)
            intro = course / "intro.md"
            intro.write_text(intro.read_text() + "\nWhile locked.\n")
            wait_for_text(log, "rebuilding when it is done", 60)
            os.close(fd)  # the manual build ends
            wait_for_text(log, "rebuilt; open pages reload", 120)
            assert "While locked." in (course / "_build/html/intro.html").read_text()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def test_second_serve_on_the_same_port_says_so_plainly(course):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "book", "serve", "--port", str(port)],
            cwd=course,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"make serve PORT={port + 1}" in result.stderr
    assert "Traceback" not in result.stderr


def test_template_linked_from_outside_the_course_is_refused(course, tmp_path):
    outside = tmp_path / "shared-templates" / "scratch.yml"
    outside.parent.mkdir()
    write_lab(course, LAB, "```{code-cell} ipython3\nx = 1\n```\n")
    (course / "templates/scratch.yml").rename(outside)
    (course / "templates/scratch.yml").symlink_to(outside)
    result = run_book(course, "check", timeout=60)
    assert result.returncode == 1
    assert (
        f"error: templates/scratch.yml:1: is a symbolic link to {outside}, outside the course "
        "folder"
    ) in result.stderr


def test_book_flags_from_the_environment_reach_a_real_make_html(course):
    (course / ".venv").symlink_to(REPO / ".venv")  # the installed environment; -o: no reinstall
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "TORCH", "FLAGS")}
    result = subprocess.run(
        ["make", "-o", ".venv/.stamp-build", "-o", ".venv/.stamp-torch", "html"],
        cwd=course,
        env={**env, "BOOK_FLAGS": "torch"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "flags: torch (declared: torch)" in result.stdout
    info = (course / "_build/html/build-info.json").read_text()
    assert '"torch": true' in info
