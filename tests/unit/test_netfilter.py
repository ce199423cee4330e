"""The seccomp socket filter (``book/execution/netfilter.py``) on its own, in a child process: the
rule for kernels whose Landlock cannot restrict TCP (ABI < 4), where it refuses TCP as well."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from book.execution import netfilter

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64", "riscv64"),
    reason="the filter is written for Linux on x86-64, arm64 and RISC-V",
)

CODE = """
import ctypes, socket, sys
from errno import errorcode
sys.path.insert(0, {folder!r})
import netfilter
ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS, as landlock.confine sets it
netfilter.deny_network_sockets(tcp_allowed={tcp!r})
for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_STREAM),
                     (socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_UNIX, socket.SOCK_DGRAM)):
    try:
        socket.socket(family, kind).close(); print("OK")
    except OSError as e:
        print(errorcode[e.errno])
"""


@pytest.mark.parametrize("tcp", [True, False])
def test_only_unix_sockets_and_tcp_when_landlock_rules_it(tcp: bool) -> None:
    folder = str(Path(netfilter.__file__).parent)
    code = textwrap.dedent(CODE.format(folder=folder, tcp=tcp))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    tcp_seen = "OK" if tcp else "EACCES"
    assert run.stdout.split() == [tcp_seen, tcp_seen, "EACCES", "OK"]
