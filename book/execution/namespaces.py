"""Forked kernels under bubblewrap: a stub holds a lab's namespaces, a forked child enters them.

A lab's walls under bubblewrap are the namespaces and mounts ``bwrap`` makes for the process it
starts. To fork a lab's kernel from the worker's fork server (``book.execution.forkserver``)
behind the same walls, the build starts ``bwrap`` per lab exactly as for a fresh kernel (the
same arguments: ``sandbox.Confinement.command``), running a stub that only waits (``Stub``:
``sh`` becomes ``cat`` reading a pipe the worker holds). The server's child then, before it
becomes the kernel (``enter``):

- closes every file descriptor but its standard ones (a descriptor of a folder outside the
  walls would be a way out of them);
- enters the stub's namespaces (``setns``): where bwrap made user namespaces (not as root),
  the outer one first (a process whose uid owns it gets every capability in it), then IPC, UTS,
  network, pid and mount (owned by the outer one), then the nested user namespace that
  unprivileged bwrap makes for ``--dev`` (``_users_around``); then its root (``chroot`` to
  ``/proc/STUB/root``, opened before: the mount view is bwrap's) and working folder;
- takes the stub's identity and limits: its groups, resource limits, no-new-privileges, bounding
  set and capabilities (what ``bwrap --cap-drop ALL`` leaves a kernel: none), as read from
  ``/proc/STUB/status`` before entering;
- forks once more (``inside``): a pid namespace holds only the children of who enters it. The
  kernel is that child (pid 3 in the lab's view: 1 is bwrap's init, 2 the stub; its parent pid
  reads 0, a parent outside the namespace); the process that entered waits for it and exits with
  its status, as ``bwrap``'s own process does for a fresh kernel.

Ending the stub (its pipe closed, or the worker's end of a lab) ends bwrap's init, and with it
every process in the lab's pid namespace. Run by the server by path, like ``landlock.py``: it
imports nothing but the standard library.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import re
import resource
import select
import signal
import subprocess
from pathlib import Path

STUB = ["/bin/sh", "-c", "echo ready; exec cat"]  # says it runs, then waits for its stdin's end
# the order of entering (user namespaces: ``_users_around``), mount last: chroot comes next
NAMESPACES = ("user", "cgroup", "ipc", "uts", "net", "pid", "mnt", "time")
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
NS_GET_PARENT = 0xB702  # _IO(0xb7, 0x2): a user namespace's parent, as a descriptor
RLIMITS = [getattr(resource, n) for n in dir(resource) if n.startswith("RLIMIT_")]


class Stub:
    """``bwrap``'s walls for one lab, held by a waiting process (the build's side). ``command``:
    the sandbox's command line for ``STUB``; ``preexec``: the kernel's limits, as for a fresh
    kernel. ``pid``: the stub's (the process whose namespaces a forked kernel enters)."""

    def __init__(self, command: list[str], preexec=None, timeout: float = 20) -> None:
        info_r, info_w = os.pipe()
        self.proc = subprocess.Popen(
            [command[0], "--info-fd", str(info_w), *command[1:]],
            pass_fds=[info_w],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=preexec,
            start_new_session=True,
        )
        os.close(info_w)
        try:
            assert self.proc.stdout is not None and self.proc.stderr is not None
            ready = select.select([self.proc.stdout], [], [], timeout)[0]
            if not ready or self.proc.stdout.readline() != b"ready\n":
                self.close()
                problem = self.proc.stderr.read().decode(errors="replace").strip()
                raise OSError(f"bubblewrap's stub did not start: {problem or 'no message'}")
            found = re.search(rb'"child-pid":\s*(\d+)', os.read(info_r, 1 << 16))
        finally:
            os.close(info_r)
        for pipe in (self.proc.stdout, self.proc.stderr):  # nothing more to read from it
            pipe.close()
        self.pid = _stub_of(int(found.group(1))) if found else 0
        if not self.pid:
            self.close()
            raise OSError("bubblewrap's stub: its process was not found")

    def close(self) -> None:
        """End the lab's namespaces: bwrap's init, and every process in them, ends with it."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(10)
        except (subprocess.TimeoutExpired, ChildProcessError):
            pass


def _stub_of(init: int) -> int:
    """The process bwrap's init (``init``, pid 1 in the lab's view) started: the stub."""
    try:
        children = Path(f"/proc/{init}/task/{init}/children").read_text().split()
    except OSError:
        return 0
    return int(children[0]) if children else 0


def _status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def _libc(name: str, *args: object) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}{args}: {os.strerror(errno)}")


def entered(pid: int, read: int, write: int) -> None:
    """In the server: wait for its child to enter (``enter``); raise its error."""
    os.close(write)
    with os.fdopen(read, "rb") as said:
        told = said.read()
    if told != b"ok":
        os.waitpid(pid, 0)
        raise RuntimeError(f"cannot enter the lab's namespaces: {told.decode() or 'it ended'}")


def enter(pid: int, cwd: str, report: int) -> None:
    """In the server's child: behind the walls of stub ``pid``, as described above (the child
    must run no other thread). Writes ``ok`` to ``report``, or the error and ends: the server
    tells the build."""
    try:
        _enter(pid, cwd, report)
    except BaseException as exc:
        os.write(report, (str(exc) or type(exc).__name__).encode()[:4000])
        os._exit(127)
    os.write(report, b"ok")
    os.close(report)


def _enter(pid: int, cwd: str, report: int) -> None:
    os.closerange(3, report)  # nothing of the server's: a folder's descriptor opens the walls
    os.closerange(report + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    status = _status(pid)  # read through the build's /proc, before entering
    if status["Uid"].split()[0] != str(os.getuid()):
        raise PermissionError(f"the stub runs as uid {status['Uid'].split()[0]}, not ours")
    limits = {r: resource.prlimit(pid, r) for r in RLIMITS}
    groups = sorted(int(g) for g in status.get("Groups", "").split())
    regroup = groups != sorted(os.getgroups())  # compared as the build sees both
    entered = []
    for name in NAMESPACES:
        theirs = f"/proc/{pid}/ns/{name}"
        if os.path.exists(theirs) and os.readlink(theirs) != os.readlink(f"/proc/self/ns/{name}"):
            entered.append((name, os.open(theirs, os.O_RDONLY | os.O_CLOEXEC)))
    if not {"mnt", "pid"} <= {name for name, _ in entered}:
        raise RuntimeError(f"process {pid} is not in namespaces of its own")
    entered = _users_around(entered)
    root = os.open(f"/proc/{pid}/root", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name, fd in entered:
            try:
                _libc("setns", fd, 0)
            except OSError as exc:
                raise OSError(exc.errno, f"entering the stub's {name} namespace: {exc}") from exc
        os.fchdir(root)
        os.chroot(".")
        os.chdir(cwd)
    finally:
        for fd in (root, *(fd for _, fd in entered)):
            os.close(fd)
    if regroup:
        os.setgroups(groups)
    for which, (soft, hard) in limits.items():
        ours = resource.getrlimit(which)
        hard = min(hard, ours[1], key=lambda v: float("inf") if v < 0 else v)
        soft = min(soft, hard, key=lambda v: float("inf") if v < 0 else v)
        resource.setrlimit(which, (soft, hard))
    _take_capabilities(status)


def _users_around(entered: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The order to enter: bwrap (unprivileged, with ``--dev``) nests two user namespaces, the
    other namespaces owned by the outer one. So: the outer user namespace (its owner, we get
    every capability in it), then the others, then the nested ones, outermost first."""
    users = [fd for name, fd in entered if name == "user"]
    if not users:
        return entered
    ours = os.stat("/proc/self/ns/user")
    for _ in range(32):  # up to the build's own (ioctl NS_GET_PARENT)
        parent = fcntl.ioctl(users[0], NS_GET_PARENT)
        found = os.fstat(parent)
        if (found.st_dev, found.st_ino) == (ours.st_dev, ours.st_ino):
            os.close(parent)
            break
        users.insert(0, parent)
    others = [(name, fd) for name, fd in entered if name != "user"]
    return [("user", users[0]), *others, *(("user", fd) for fd in users[1:])]


def _take_capabilities(status: dict[str, str]) -> None:
    """The stub's: its bounding set, no-new-privileges, and its (usually no) capabilities."""
    bounding = int(status["CapBnd"], 16)
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        if not bounding >> cap & 1:
            _libc("prctl", PR_CAPBSET_DROP, cap, 0, 0, 0)
    if status.get("NoNewPrivs", "0").strip() == "1":
        _libc("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if int(status["CapAmb"], 16) == 0:
        _libc("prctl", PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    sets = [int(status[k], 16) for k in ("CapEff", "CapPrm", "CapInh")]
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)(*[s >> shift & 0xFFFFFFFF for shift in (0, 32) for s in sets])
    _libc("capset", header, data)


def inside() -> None:
    """After ``enter``: fork the kernel inside the pid namespace; only it returns. This process
    waits for it and exits with its status (killed, the kernel dies with it)."""
    pid = os.fork()
    if pid == 0:
        _libc("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != 0:  # its parent ended first: adopted by the namespace's init
            os._exit(1)
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel's process group: interrupts
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    os._exit(code if code >= 0 else 128 - code)
