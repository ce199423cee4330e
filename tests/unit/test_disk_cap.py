"""``limits: disk_mb``: the kernel's process (and what it starts) cannot write a file bigger than
the cap, in any sandbox (an rlimit set before the kernel starts, ``book.execution.reaper``), nor
fill its folder past it with many smaller ones (``book.execution.disk``)."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time

from book.execution import reaper

WRITE = (
    "import sys\n"
    "try:\n"
    "    open(sys.argv[1], 'wb').write(bytes(int(sys.argv[2])))\n"
    "except OSError as exc:\n"
    "    print(exc.strerror)\n"
    "else:\n"
    "    print('written')\n"
)


def write(tmp_path, size: int, disk_mb: int) -> str:
    run = subprocess.run(
        [sys.executable, "-c", WRITE, str(tmp_path / "big.bin"), str(size)],
        preexec_fn=functools.partial(reaper.cap_kernel, 0, disk_mb),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run.stdout.strip()


def test_a_file_over_the_cap_fails_and_one_under_it_is_written(tmp_path):
    assert write(tmp_path, 2 << 20, disk_mb=1) == "File too large"
    assert (tmp_path / "big.bin").stat().st_size == 1 << 20  # stopped at the cap
    assert write(tmp_path, 512 << 10, disk_mb=1) == "written"


def test_the_folder_counts_what_its_files_take_on_disk_each_once(tmp_path):
    from book.execution.disk import folder_bytes

    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "a.bin").write_bytes(bytes(1 << 20))
    os.link(tmp_path / "work" / "a.bin", tmp_path / "hard.bin")  # the same file: once
    (tmp_path / "link").symlink_to("/usr")  # a link is not followed
    with open(tmp_path / "sparse.bin", "wb") as f:  # holds nothing: takes (almost) nothing
        f.truncate(1 << 30)
    size = folder_bytes(str(tmp_path))
    assert 1 << 20 <= size < (1 << 20) + (64 << 10)


WRITER = (
    "import itertools, sys, time\n"
    "for i in itertools.count():\n"
    "    open(f'{sys.argv[1]}/part{i}.bin', 'wb').write(bytes(256 << 10))\n"
    "    time.sleep(0.005)\n"
)


def test_the_watchdog_stops_a_writer_as_soon_as_the_folder_is_past_the_cap(tmp_path):
    """A kernel writing file after file (each under the per-file cap) is killed with its process
    group; what it wrote stays within one look's worth of the cap."""
    from types import SimpleNamespace

    from book.execution.disk import MB, FolderWatch, stop_kernel

    (tmp_path / "before.bin").write_bytes(bytes(3 << 20))  # there before: not the lab's
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        start_new_session=True,
        preexec_fn=functools.partial(reaper.cap_kernel, 0, 1),
    )
    km = SimpleNamespace(provisioner=SimpleNamespace(process=writer, pgid=writer.pid))
    watch = FolderWatch(str(tmp_path), 2 * MB, lambda: stop_kernel(km))
    with watch:
        assert writer.wait(timeout=30) == -signal.SIGKILL
    assert 2 * MB < watch.full < 8 * MB  # a few files past the cap at most
    assert watch.check()  # and the check after a cell agrees


def test_a_folder_under_the_cap_is_left_alone(tmp_path):
    from book.execution.disk import MB, FolderWatch

    stopped = []
    with FolderWatch(str(tmp_path), MB, lambda: stopped.append(True)) as watch:
        (tmp_path / "small.bin").write_bytes(bytes(512 << 10))
        time.sleep(0.3)
        assert not watch.check()
    assert stopped == [] and watch.full == 0


def test_the_message_says_the_folder_is_full_and_which_setting_to_raise():
    from book.execution.disk import MB, full_message

    error, hint = full_message(3, 9 * MB, 8)
    assert error == (
        "code cell 3 filled the lab's folder: the lab's files take 9 MB, over the 8 MB it may "
        "write; the lab was stopped"
    )
    assert "the lab's folder is full" in hint and "'limits: disk_mb' in _config.yml" in hint
    assert "memory limit" not in error + hint
