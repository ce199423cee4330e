"""``limits: disk_mb``: the kernel's process (and what it starts) cannot write a file bigger than
the cap, in any sandbox (an rlimit set before the kernel starts, ``book.execution.reaper``)."""

from __future__ import annotations

import functools
import subprocess
import sys

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
