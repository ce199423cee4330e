"""Hostile labs: what a lab can reach in each sandbox (bubblewrap, Landlock, none: issue 22), and
that it cannot change the course, leave processes behind, or take memory past the limit, with the
sandbox and (where it is unavailable) without it (issue 10, cases 5 and 7)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from book.execution.sandbox import detect
from conftest import copy_course, run_book, site_digest, write_lab
from lab_probe import CONFINED, PAGE, TOKEN, TOKEN_NAME, HomeFile, Service, results, write_probe

LAB = "labs/week09/session01-hostile.md"


HAVE_BWRAP = detect("bubblewrap").kind == "bubblewrap"


def build(root: Path, sandbox: bool | str, **extra: str) -> subprocess.CompletedProcess:
    """``sandbox``: True (the strongest here), False (none) or a mode (BOOK_SANDBOX)."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "BOOK_SANDBOX")}
    env["BOOK_FLAGS"] = ""
    if sandbox is not True:
        env["BOOK_SANDBOX"] = sandbox or "off"
    return run_book(root, "build", env={**env, **extra}, timeout=600)


@pytest.fixture
def probe(course, tmp_path):
    """The course with the probe lab (``tests/lab_probe.py``), a 127.0.0.1 service and a file in
    the real home folder for it to find; and the folder outside its own it tries to write in."""
    service, home = Service(), HomeFile()
    outside = tmp_path / "outside"
    outside.mkdir()
    yield course, service, home, outside
    service.close()
    home.close()


@pytest.mark.parametrize("mode", ["bubblewrap", "landlock", "none"])
def test_what_a_lab_reaches_in_each_sandbox(probe, mode):
    if detect(mode).kind != mode:
        pytest.skip(f"{mode} cannot run here: {detect(mode).why_not}")
    course, service, home, outside = probe
    cfg = course / "_config.yml"
    cfg.write_text(cfg.read_text().replace("  env: []", "  env: []\n  read: [data]"))
    (course / "data").mkdir()
    (course / "data" / "table.csv").write_text("a,b\n1,2\n")
    write_probe(course, service, home, outside / "escape.txt", declared=course / "data/table.csv")
    # every kernel forked (bubblewrap: behind a stub's walls): the probe runs in one
    result = build(course, mode, **{TOKEN_NAME: TOKEN, "BOOK_KERNELS": "forked"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(f"sandbox: {mode} (") == 1
    assert "kernels forked" in result.stdout and "kernels start fresh" not in result.stderr
    assert "network: on" not in result.stdout
    seen = results((course / PAGE).read_text())
    assert seen == {**CONFINED[mode], "declared folder": "read"}
    assert (outside / "escape.txt").exists() == (mode == "none")
    # the machine's UDP listener got the probe's datagram only without a sandbox
    assert (b"probe datagram" in service.received) == (mode == "none")


@pytest.mark.parametrize("mode", ["bubblewrap", "landlock"])
def test_a_lab_that_declares_the_network_gets_it_and_the_log_says_so(probe, mode):
    if detect(mode).kind != mode:
        pytest.skip(f"{mode} cannot run here: {detect(mode).why_not}")
    course, service, home, outside = probe
    write_probe(course, service, home, outside / "escape.txt", front="network: asks a service\n")
    result = build(course, mode, BOOK_KERNELS="forked")  # forked, in either sandbox
    assert result.returncode == 0, result.stdout + result.stderr
    assert "network: on for labs/week09/session01-probe.md (asks a service)" in result.stdout
    seen = results((course / PAGE).read_text())
    assert seen["tcp 127.0.0.1"] == "connected"
    assert seen["udp 127.0.0.1"] == "sent" and b"probe datagram" in service.received
    assert seen["home file"] == CONFINED[mode]["home file"]  # the other walls stay


def test_a_required_sandbox_refuses_to_run_labs_unconfined_or_reuse_what_they_printed(course):
    write_lab(course, LAB, cell("print('ran')"))
    assert f"{LAB}: executed" in build(course, "off").stdout  # cached, unconfined
    cfg = course / "_config.yml"
    cfg.write_text(cfg.read_text().replace("  env: []", "  env: []\n  required: true"))
    line = cfg.read_text().splitlines().index("  required: true") + 1
    before = site_digest(course / "_build/html")
    result = build(course, "off")
    assert result.returncode == 1, result.stdout
    assert (
        f"error: BOOK_SANDBOX=none (_config.yml:{line}: required): a sandbox is required, but "
        "labs would run unconfined here (asked for)"
    ) in result.stderr
    assert f"{LAB}: executed" not in result.stdout
    assert site_digest(course / "_build/html") == before
    again = build(course, True)  # in a sandbox: what ran unconfined is not reused
    assert again.returncode == 0, again.stderr
    assert f"{LAB}: executed" in again.stdout and f"{LAB}: cached" not in again.stdout


def cell(code: str) -> str:
    return f"```{{code-cell}} ipython3\n{code}\n```\n"


def writes_into(course: Path) -> str:
    """A lab that knows where the course is and tries to change it three ways."""
    return cell(
        "import errno\n"
        f"course = {str(course)!r}\n"
        "results = []\n"
        "for target, mode in [(course + '/setup.md', 'a'), (course + '/pwned.txt', 'w'),\n"
        "                     ('../../_config.yml', 'a')]:\n"
        "    try:\n"
        "        with open(target, mode) as f:\n"
        "            f.write('changed by a lab\\n')\n"
        "        results.append('written')\n"
        "    except OSError as exc:\n"
        "        results.append(errno.errorcode[exc.errno])\n"
        "print(results)"
    )


@pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap cannot run here")
def test_sandboxed_lab_cannot_write_into_the_course(course):
    setup = (course / "setup.md").read_bytes()
    write_lab(course, LAB, writes_into(course))
    result = build(course, sandbox="bubblewrap")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("sandbox: bubblewrap (labs see only their own folder") == 1
    page = (course / "_build/html/labs/week09/session01-hostile.html").read_text()
    assert "['ENOENT', 'ENOENT', 'EROFS']" in page  # the course is not there to write in
    assert (course / "setup.md").read_bytes() == setup
    assert not (course / "pwned.txt").exists()


def test_without_the_sandbox_a_lab_that_changes_the_course_fails_the_build(course):
    write_lab(course, LAB, writes_into(course))
    before = site_digest(course / "_build/html")
    result = build(course, sandbox=False)
    assert result.returncode == 1, result.stdout
    assert result.stdout.count("sandbox: none (asked for)") == 1
    assert (
        f"error: {LAB}: setup.md was changed in the course folder while this lab ran"
        in result.stderr
    )
    assert f"error: {LAB}: pwned.txt was created in the course folder" in result.stderr
    assert "git checkout -- setup.md" in result.stderr
    assert site_digest(course / "_build/html") == before, "nothing is published"


def test_the_build_passes_with_the_sandbox_off_and_says_so_once(course):
    write_lab(course, LAB, cell("import socket, os\nprint(len(socket.gethostname()) > 0)"))
    result = build(course, sandbox=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("sandbox: none") == 1
    assert "memory: 4096 MB of address space per kernel" in result.stdout


@pytest.mark.parametrize(
    "sandbox",
    [pytest.param(True, marks=pytest.mark.skipif(not HAVE_BWRAP, reason="no bubblewrap")), False],
)
def test_processes_a_lab_leaves_behind_end_with_its_kernel(course, tmp_path, sandbox):
    late = tmp_path / f"late-{sandbox}.txt"
    child = f"import time; time.sleep(6); open({str(late)!r}, 'w').write('late')"
    write_lab(
        course,
        LAB,
        cell(
            "import subprocess, sys\n"
            f"subprocess.Popen([sys.executable, '-c', {child!r}], start_new_session=True,\n"
            "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "print('started a detached child')"
        ),
    )
    result = build(course, sandbox=sandbox)
    assert result.returncode == 0, result.stderr

    def leftovers():
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and str(late).encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                pass
        return found

    assert leftovers() == [], "the detached child outlived the build"
    time.sleep(8)
    assert not late.exists()


MEMORY = {
    "shared mapping": "import mmap\nm = mmap.mmap(-1, 3 << 30, flags=mmap.MAP_SHARED)\n"
    "for i in range(0, len(m), 1 << 20):\n    m[i] = 1",
    "/dev/shm": "with open('/dev/shm/fill', 'wb') as f:\n    for _ in range(1536):\n"
    "        f.write(bytes(1 << 20))",
}


@pytest.mark.parametrize("how", sorted(MEMORY))
def test_memory_limit_counts_shared_memory(course, how):
    if how == "/dev/shm" and not HAVE_BWRAP:
        pytest.skip("without bubblewrap /dev/shm is the machine's (see README)")
    cfg = course / "_config.yml"
    cfg.write_text(cfg.read_text().replace("memory_mb: 4096", "memory_mb: 1024"))
    write_lab(course, LAB, cell(MEMORY[how]))
    before = site_digest(course / "_build/html")
    result = build(course, sandbox=True)
    assert result.returncode == 1, result.stdout
    assert f"error: {LAB}:16: code cell 1 raised OSError" in result.stderr
    assert "the lab hit the memory limit of 1024 MB per kernel" in result.stderr
    assert site_digest(course / "_build/html") == before


def test_sandbox_section_of_the_config_is_checked(course):
    cfg = course / "_config.yml"
    cfg.write_text(cfg.read_text().replace("  env: []", "  env: HF_TOKEN"))
    line = cfg.read_text().splitlines().index("  env: HF_TOKEN") + 1
    write_lab(course, LAB, cell("x = 1"))
    result = build(course, sandbox=True)
    assert result.returncode == 1
    assert (
        f"error: _config.yml:{line}: sandbox.env must be a list of environment variable "
        "names, e.g. [HF_HUB_OFFLINE], not 'HF_TOKEN'"
    ) in result.stderr


def test_course_snapshot_counts_sources_and_new_files_not_a_growing_log(tmp_path):
    from book.course.files import changed_files, snapshot

    root = copy_course(tmp_path / "course")
    (root / "serve.log").write_text("serving\n")
    before = snapshot(root)
    (root / "serve.log").write_text("serving\nrebuilt\n")  # grows: not a source
    (root / "labs/.session.md.swp").write_text("editor")  # an editor's file: ignored
    assert changed_files(before, snapshot(root)) == []
    (root / "setup.md").write_text("rewritten")
    (root / "pwned.txt").write_text("x")
    assert changed_files(before, snapshot(root)) == [
        ("pwned.txt", "created"),
        ("setup.md", "changed"),
    ]


@pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap cannot run here")
def test_inside_the_sandbox_the_host_name_and_home_are_not_the_machines(course):
    write_lab(
        course,
        LAB,
        cell(
            "import socket, pathlib\nprint(socket.gethostname())\n"
            f"print(pathlib.Path.home() != pathlib.Path({str(Path.home())!r}))"
        ),
    )
    result = build(course, sandbox="bubblewrap")
    assert result.returncode == 0, result.stderr
    page = (course / "_build/html/labs/week09/session01-hostile.html").read_text()
    assert "course-build\nTrue" in re.sub(r"<[^>]+>", "", page)  # output lines are marked up


@pytest.mark.skipif(detect("landlock").kind != "landlock", reason="Landlock cannot run here")
def test_under_landlock_the_host_name_is_the_machines_and_the_leak_scan_refuses_it(course):
    """Landlock has no UTS namespace: a lab sees the real host name (bubblewrap's sees
    ``course-build``). A specific one printed by a lab fails the build, naming lab and cell."""
    write_lab(course, LAB, cell("import socket\nprint('host', socket.gethostname())"))
    env = {k: v for k, v in os.environ.items() if k not in ("BOOK_FLAGS", "BOOK_SANDBOX")}
    env.update(BOOK_FLAGS="", BOOK_SANDBOX="landlock")
    host = "build7.ci-runner.example.org"
    script = f'hostname {host} && exec "{sys.executable}" -m book build'
    result = subprocess.run(
        ["unshare", "-u", "sh", "-c", script],  # a host name of its own (as root: the test's)
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "unshare failed" in result.stderr or "Operation not permitted" in result.stderr:
        pytest.skip("cannot give the build a host name of its own here (unshare -u)")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count("sandbox: landlock (") == 1
    assert f"error: {LAB}:16: code cell 1 output the host name ({host})" in result.stderr
