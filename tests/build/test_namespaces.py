"""Entering a lab's bubblewrap walls (``book.execution.namespaces``), without a kernel: a process
that enters a stub's walls and forks inside them sees what a process that ``bwrap`` starts with
the same arguments sees (capabilities, identity, namespaces, root, host name, processes, limits),
as the build's user (root here) and as an unprivileged one (where bwrap makes a user namespace
and the child must enter it first). Run with the system's ``python3``, which an unprivileged
user can read (the build's may live in root's home folder)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from book.execution import namespaces
from book.execution.sandbox import Walls, detect

BWRAP = detect("bubblewrap")
PYTHON = "/usr/bin/python3"
pytestmark = pytest.mark.skipif(
    BWRAP.kind != "bubblewrap" or not os.access(PYTHON, os.X_OK), reason="no bubblewrap here"
)
REPORT = """
import json, os, resource, socket
status = dict(l.rstrip("\\n").split(":\\t", 1) for l in open("/proc/self/status") if ":\\t" in l)
def readable(path):
    try:
        return bool(os.listdir(path)) if os.path.isdir(path) else bool(open(path).read(1))
    except OSError as exc:
        return exc.__class__.__name__
print(json.dumps({
    "status": {k: status[k] for k in ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff",
                                       "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")},
    "ns": {n: os.readlink("/proc/self/ns/" + n) for n in ("ipc", "mnt", "net", "pid", "uts")},
    "root": sorted(os.listdir("/")), "cwd": os.getcwd(), "host": socket.gethostname(),
    "processes": len([p for p in os.listdir("/proc") if p.isdigit()]), "pid": os.getpid(),
    "limits": [resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_NOFILE)],
    "fds": sorted(os.listdir("/proc/self/fd")),
    "home": readable("/root"), "work": readable("/work"),
}))
"""
# as the given user: a fresh bwrap process's report, then one from a child that entered a stub
ENTER = """
import importlib.util, json, os, subprocess, sys
spec = importlib.util.spec_from_file_location("ns", sys.argv[1])
ns = importlib.util.module_from_spec(spec); spec.loader.exec_module(ns)
command, report, cwd = json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
fresh = subprocess.run([*command, "/usr/bin/python3", "-c", report], capture_output=True, text=True)
print(fresh.stdout or fresh.stderr, end="", flush=True)  # its line, then the entered one's
stub = ns.Stub([*command, *ns.STUB])
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    ns.enter(stub.pid, cwd, write)
    ns.inside()
    os.execv("/usr/bin/python3", ["python3", "-c", report])
os.close(write)
said = os.read(read, 4096)
os.waitpid(pid, 0)
stub.close()
assert said == b"ok", said
"""


def bwrap_for(lab: Path, user: int) -> list[str]:
    """The build's bwrap command for a lab (its walls), less the folders ``user`` cannot read
    (the build's own interpreter, when it lives in root's home folder), before its command."""
    full = BWRAP.command([], lab, 1024, Walls())
    kept, i = [], 0
    while i < len(full):
        arg = full[i]
        if arg in ("--ro-bind", "--symlink") and user and not _readable_by_all(full[i + 1]):
            i += 3
            continue
        kept.append(arg)
        i += 1
    return kept[: kept.index("--") + 1]


def _readable_by_all(path: str) -> bool:
    parts = Path(path).resolve().parents
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in [*parts][:-1] if p.exists())


@pytest.mark.parametrize("user", [0, 65534], ids=["root", "unprivileged"])
def test_a_child_that_enters_the_stub_sees_what_a_fresh_bwrap_process_sees(user):
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("run as root with setpriv: to start the probe as either user")
    lab = Path(tempfile.mkdtemp(prefix="book-ns-"))
    try:
        (lab / "work").mkdir()
        for folder in (lab, lab / "work"):
            os.chown(folder, user, user)
        as_user = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
        args = [PYTHON, "-c", ENTER, namespaces.__file__, json.dumps(bwrap_for(lab, user))]
        run = subprocess.run(
            [*(as_user if user else []), *args, REPORT, str(lab / "work")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        fresh, entered = (json.loads(line) for line in run.stdout.splitlines())
    finally:
        shutil.rmtree(lab, ignore_errors=True)
    assert entered["status"] == fresh["status"]  # capabilities, identity, no new privileges
    assert fresh["status"]["CapEff"] == "0000000000000000" == entered["status"]["CapPrm"]
    if user:  # bwrap made a user namespace: nothing left in the bounding set either
        assert entered["status"]["CapBnd"] == "0000000000000000"
    assert entered["root"] == fresh["root"] and entered["cwd"] == fresh["cwd"]
    assert entered["host"] == fresh["host"] == "course-build"
    assert entered["home"] == fresh["home"]  # (/root: the interpreter's folder, where bound)
    assert entered["work"] == fresh["work"] and entered["limits"] == fresh["limits"]
    assert entered["fds"] == fresh["fds"] == ["0", "1", "2", "3"]  # 3: the listing's own
    mine = {n: os.readlink(f"/proc/self/ns/{n}") for n in fresh["ns"]}
    assert all(entered["ns"][n] != mine[n] for n in mine)  # a pid namespace of the lab's own
    # the lab's view: bwrap's init and the process (2); entered, the stub as well (3)
    assert (fresh["processes"], fresh["pid"]) == (2, 2)
    assert (entered["processes"], entered["pid"]) == (3, 3)
