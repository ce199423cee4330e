"""Kernels that start once (``book.execution.forkserver``): a forked kernel gets what a fresh one
gets (sandbox, environment, limits, figures) and nothing of the lab before it. Runs the real
runner (``execute_one``), as a pool worker does, one lab after another in this process, in each
sandbox that works here (bubblewrap: the child enters the walls of a stub's ``bwrap``); the walls
themselves are probed through a whole build in ``test_sandbox.py``.
"""

from __future__ import annotations

import json
import os
import resource
import time

import nbformat
import pytest

from book.execution import forked
from book.execution.kernel import private_limits
from book.execution.limits import KernelLimits
from book.execution.runner import execute_one
from book.execution.sandbox import detect

DIRTY = """\
import json, os, random, numpy as np, matplotlib as mpl
json.marker = 1
mpl.rcParams["lines.linewidth"] = 7
np.random.seed(0); random.seed(0)
os.environ["LAB_A"] = "1"
os.chdir("/")
"""
REPORT = """\
import json, os, random, resource, socket, sys, numpy as np, matplotlib as mpl
env = dict(os.environ)
forked = "book_forkserver" in sys.modules  # only the fork server imports it
def shadow():
    try:
        return open("/etc/shadow").read(1) is not None
    except OSError:
        return False
def caps():
    try:
        kept = ("Cap", "NoNewPrivs", "Seccomp", "Uid", "Gid", "Groups")
        return [line for line in open("/proc/self/status") if line.startswith(kept)]
    except OSError:
        return "unseen"
def processes():  # the programs this kernel sees running (its pid namespace, under bubblewrap)
    seen = []
    try:
        pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    except OSError:  # Landlock: /proc is not listed
        return "unseen"
    for pid in pids:
        try:
            argv0 = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")[0]
        except OSError:
            continue
        seen.append("kernel" if pid == os.getpid() else os.path.basename(argv0.decode()))
    return seen
def descriptors():  # its open files but stdio (a folder outside the walls: a way out of them)
    lab, seen = os.path.dirname(os.getcwd()), set()
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return "unseen"
    for fd in fds:
        try:
            if int(fd) > 2:
                seen.add(os.readlink(f"/proc/self/fd/{fd}").split(":")[0].replace(lab, "LAB"))
        except OSError:  # the listing's own
            pass
    return sorted(seen)
def namespaces():
    return {n: os.readlink(f"/proc/self/ns/{n}") for n in ("ipc", "mnt", "net", "pid", "uts")}
print(json.dumps({
    "marker": hasattr(json, "marker"), "lw": mpl.rcParams["lines.linewidth"],
    "np": np.random.random(), "py": random.random(), "cwd": os.getcwd(),
    "ppid": os.getppid(), "as": resource.getrlimit(resource.RLIMIT_AS)[0],
    "env": {k: v for k, v in env.items() if k not in ("JPY_PARENT_PID",)},
    "warnings": sys.warnoptions, "backend": mpl.get_backend(), "path": sys.path,
    "shadow": shadow(), "caps": caps(), "forked": forked, "host": socket.gethostname(),
    "processes": processes(), "ns": namespaces(), "pid": os.getpid(), "fds": descriptors(),
    "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0],
}))
"""
FIGURE = """\
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([1, 3, 2])
ax.set_title("Rainfall"); ax.set_xlabel("month")
"""
MODES = [m for m in ("bubblewrap", "landlock", "none") if detect(m).kind == m]


def run(limits: KernelLimits, *cells: str, front: dict | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata.update(front or {})
    out, _, error, _ = execute_one(nbformat.writes(nb), limits)
    assert error is None, error
    return nbformat.reads(out, as_version=4)


def report(nb: nbformat.NotebookNode, cell: int = -1) -> dict:
    return json.loads(nb.cells[cell].outputs[0]["text"])


def same_but_paths(env: dict, work: str) -> dict:
    lab_dir = os.path.dirname(work)
    return {k: v.replace(lab_dir, "LAB") for k, v in env.items()}


@pytest.fixture(params=MODES)
def limits(request, monkeypatch):
    monkeypatch.delenv(forked.KERNELS_ENV, raising=False)
    made = private_limits(
        KernelLimits(60, 2048, 10**6, {}, sandbox=request.param, sandbox_required=False)
    )
    yield made
    forked._BROKEN = False
    if forked._SERVER is not None:
        forked._SERVER.close()
        forked._SERVER = None


def test_a_forked_kernel_starts_clean_and_confined_like_a_fresh_one(limits, monkeypatch):
    first = run(limits, DIRTY, REPORT)
    server = forked._SERVER
    assert server is not None and report(first)["forked"]  # forked, not started
    second = report(run(limits, REPORT))
    assert second["marker"] is False and "LAB_A" not in second["env"]
    assert second["lw"] == 1.5  # rcParams rebuilt, not the last lab's
    assert second["np"] != 0.5488135039273248 and second["py"] != 0.8444218515250481
    assert second["np"] != report(first)["np"]  # each kernel seeds anew
    assert second["cwd"].endswith("/work") and second["cwd"] != report(first)["cwd"]
    assert second["as"] == 2048 * 1024 * 1024  # the lab's memory cap
    assert second["backend"] == "module://matplotlib_inline.backend_inline"
    assert second["shadow"] is (os.geteuid() == 0 and limits.sandbox == "none")

    monkeypatch.setenv(forked.KERNELS_ENV, forked.FRESH)  # the same lab in a fresh kernel
    fresh = report(run(limits, REPORT))
    assert not fresh["forked"]
    assert same_but_paths(second["env"], second["cwd"]) == same_but_paths(
        fresh["env"], fresh["cwd"]
    )
    assert second["warnings"] == fresh["warnings"] and second["as"] == fresh["as"]
    assert second["path"] == fresh["path"]  # the same modules importable from the same places
    assert second["shadow"] == fresh["shadow"] and second["caps"] == fresh["caps"]
    assert second["host"] == fresh["host"] and second["fsize"] == fresh["fsize"]
    assert second["fds"] == fresh["fds"]  # nothing of the server's open
    ours = {n: os.readlink(f"/proc/self/ns/{n}") for n in second["ns"]}
    own = {n for n, ns in second["ns"].items() if ns != ours[n]}
    assert own == {n for n, ns in fresh["ns"].items() if ns != ours[n]}  # the same unshared
    if limits.sandbox == "bubblewrap":  # only the lab's pid namespace, and the stub in it
        assert own == {"ipc", "mnt", "net", "pid", "uts"} and second["host"] == "course-build"
        assert fresh["processes"] == ["bwrap", "kernel"] and fresh["ppid"] == 1
        assert second["processes"] == ["bwrap", "cat", "kernel"] and second["ppid"] == 0
        assert second["pid"] < 10 and "CapEff:\t0000000000000000\n" in second["caps"]
    else:
        assert own == set() and report(first)["ppid"] == server.pid


def test_figures_come_out_as_svg_with_alt_text(limits):
    run(limits, "import matplotlib.pyplot as plt")  # the server is warm
    nb = run(limits, FIGURE)
    figure = next(o for o in nb.cells[0].outputs if "image/svg+xml" in o.get("data", {}))
    assert figure["metadata"]["alt"] == "Rainfall; x axis: month"
    assert "fill: none" in figure["data"]["image/svg+xml"]  # the profile's transparent figure


def test_a_lab_that_says_kernel_fresh_gets_a_new_process(limits):
    run(limits, "pass")
    server = forked._SERVER
    assert server is not None
    nb = run(limits, REPORT, front={"kernel": "fresh"})
    assert not report(nb)["forked"]


def test_the_fork_server_is_not_a_stray_of_the_lab(limits):
    run(limits, "import subprocess; subprocess.Popen(['sleep', '60'], start_new_session=True)")
    server = forked._SERVER
    assert server is not None and server.alive()  # end_strays killed the sleep, not the server
    assert report(run(limits, REPORT))["forked"]


def test_a_lab_cannot_grow_past_its_cap_in_a_forked_kernel(limits):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("b = bytearray(3 * 1024**3)")])
    _, _, error, _ = execute_one(nbformat.writes(nb), limits)
    assert error is not None and "MemoryError" in error[1]
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != 2048 * 1024 * 1024  # set in the kernel


def test_a_server_that_cannot_start_leaves_kernels_fresh(limits, monkeypatch):
    """An import the server cannot do (here a missing module; in life, one past the memory
    cap): the worker's labs run in fresh kernels, as without it."""
    from book.execution import forkserver

    monkeypatch.setattr(forkserver, "PRELOAD", ("numpy", "no_such_module_for_the_test"))
    monkeypatch.setattr(forked, "_BROKEN", False)
    nb = run(limits, REPORT)
    assert forked._SERVER is None and forked._BROKEN is True
    assert report(nb)["lw"] == 1.5


def test_a_cell_past_the_timeout_is_stopped_and_the_next_lab_forks_as_before(limits):
    from dataclasses import replace

    run(limits, "pass")
    server = forked._SERVER
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(60)")])
    started = time.monotonic()
    _, _, error, _ = execute_one(nbformat.writes(nb), replace(limits, timeout=3))
    assert error is not None and "ran past the timeout of 3 s" in error[1]
    assert time.monotonic() - started < 30
    assert forked._SERVER is server and report(run(limits, REPORT))["forked"]


def test_a_server_whose_imports_started_a_thread_forks_nothing():
    """A preloaded module that starts a thread (a forked child would inherit its locks held):
    the server says so and ends, and the worker's kernels start fresh (test above)."""
    import threading

    from book.execution import forkserver

    assert forkserver._unsafe_to_fork() == "" or threading.active_count() > 1
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert "thread(s) running" in forkserver._unsafe_to_fork()
    finally:
        stop.set()
        thread.join()


def test_a_child_that_cannot_enter_a_labs_walls_leaves_kernels_fresh(limits, monkeypatch, capfd):
    """Under bubblewrap: where the server's child cannot enter the stub's namespaces (here a
    "stub" in the build's own), the build says why once and the lab runs in a fresh kernel."""
    if limits.sandbox != "bubblewrap":
        pytest.skip("bubblewrap's walls only")

    class NotAStub:  # this process: in no namespace of its own
        def __init__(self, command: list[str], preexec=None) -> None:
            self.pid = os.getpid()

        def close(self) -> None:
            pass

    monkeypatch.setattr(forked.namespaces, "Stub", NotAStub)
    seen = report(run(limits, REPORT))
    assert not seen["forked"] and forked._BROKEN and seen["processes"] == ["bwrap", "kernel"]
    said = capfd.readouterr().err
    assert said.count("kernels start fresh: cannot enter the lab's namespaces") == 1, said
    assert not report(run(limits, REPORT))["forked"]  # this worker's next lab too
