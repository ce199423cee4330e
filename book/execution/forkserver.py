"""Kernels that start once: a parent that has imported what labs import forks a kernel per lab.

Starting a kernel (Python, ipykernel, its debugger) and ``import numpy, matplotlib`` cost about
1.2 s per lab on 2 cores, the same for every lab. The fork server pays it once per worker: a
process started with a kernel's environment imports ``PRELOAD`` and then, per lab, forks a child
that becomes that lab's kernel (``run_kernel``), confined in the child before ipykernel starts:
its environment, working folder, memory cap and, under Landlock, the same walls as
``landlock.py``'s command line; under bubblewrap, the walls of a ``bwrap`` started for the lab
with a waiting stub, entered by the child (``book.execution.namespaces``), which forks the
kernel inside them (``book.execution.kernel`` decides when).

A clean state per lab: the parent only imports modules (never an IPKernelApp, a zmq context or a
thread); each child gets the lab's environment, re-seeds ``random`` and numpy, rebuilds
matplotlib's rcParams from the lab's config folder, re-imports the inline backend (which only
registers its hooks inside IPython) and drops every capability when run as root (as exec does
after ``landlock.py`` empties the bounding set). What is the server's: the interpreter's hash
seed (``PYTHONHASHSEED``) and the modules already imported.

Run by path with the interpreter's own modules only (``python -c BOOT forkserver.py FD``), like
``landlock.py``: a lab's interpreter need not see the course.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from typing import Any

PRELOAD = (  # what labs import, and what IPKernelApp.initialize() imports (debugpy: ~0.7 s)
    "numpy", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
    "ipykernel.control", "ipykernel.heartbeat", "tornado.platform.asyncio",
    "IPython.core.pylabtools", "IPython.core.debugger", "IPython.core.history",
    "IPython.core.completerlib", "IPython.extensions.storemagic", "sqlite3", "psutil",
)  # fmt: skip
# imported to warm what it imports, then forgotten: importing it registers the inline backend's
# hooks only inside a running IPython, so each kernel imports it again
REIMPORT = ("matplotlib_inline.backend_inline",)
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
_HERE = os.path.dirname(os.path.abspath(__file__))
BOOT = (
    "import sys; del sys.path[0]; import importlib.util as u; "
    "s = u.spec_from_file_location('book_forkserver', sys.argv[1]); m = u.module_from_spec(s); "
    "sys.modules['book_forkserver'] = m; s.loader.exec_module(m); m.run_kernel(m.serve(sys.argv))"
)


def _prctl(option: int, arg: int) -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl failed")


class ForkServer:
    """The build's handle on one fork server (its child: it dies with this process). One request
    at a time over a SEQPACKET socket pair; ``spawn`` returns the kernel's pid."""

    def __init__(self, env: dict[str, str], preload: tuple[str, ...] = PRELOAD) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [os.path.abspath(__file__), str(theirs.fileno()), json.dumps(list(preload))]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", BOOT, *argv],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        theirs.close()
        self.sock, self.lock, self.pid = ours, threading.Lock(), self.proc.pid
        self.folder = ""  # its home and temporary folders, the build's to remove

    def request(self, req: dict[str, Any], fds: tuple[int, ...] = ()) -> dict[str, Any]:
        with self.lock:  # the first answer comes once its imports are done
            reply = self._send(req, fds)
        if "error" in reply:
            raise RuntimeError(f"fork server: {reply['error']}")
        return reply

    def _send(self, req: dict[str, Any], fds: tuple[int, ...] = ()) -> dict[str, Any]:
        socket.send_fds(self.sock, [json.dumps(req).encode()], list(fds))
        data = self.sock.recv(1 << 20)
        return json.loads(data) if data else {"error": "it has ended"}

    def spawn(self, request: dict[str, Any], stdio: tuple[int, int, int]) -> int:
        """Fork a kernel (``_child_setup`` says what ``request`` holds); its stdio passed."""
        return int(self.request({"op": "spawn", **request}, stdio)["pid"])

    def poll(self, pid: int) -> int | None:
        """A kernel's exit code (the server reaps it), or None while it runs."""
        code = self.request({"op": "poll", "pid": pid})["code"]
        return None if code is None else int(code)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        self.sock.close()  # the server exits on EOF; its kernels die with it (PDEATHSIG)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)


def serve(argv: list[str]) -> dict[str, Any]:
    """The server's loop (in its own process). Only a forked child returns, with its request."""
    sock, server_pid = socket.socket(fileno=int(argv[2])), os.getpid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the worker that started it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    env0 = dict(os.environ)
    for name in json.loads(argv[3]):
        importlib.import_module(name)
    landlock, namespaces = _load("landlock"), _load("namespaces")
    # variables set by imports (ipykernel.debugger: PYDEVD_USE_FRAME_EVAL): a fresh kernel has them
    env_added = {k: v for k, v in os.environ.items() if env0.get(k) != v}
    for name in REIMPORT:
        sys.modules.pop(name, None)
        package, _, attr = name.rpartition(".")
        if package in sys.modules:
            sys.modules[package].__dict__.pop(attr, None)
    gc.collect()
    gc.freeze()  # the preloaded heap out of GC passes: fewer copy-on-write faults in kernels
    if unsafe := _unsafe_to_fork():  # an import started one: no kernel may be forked from here
        sys.exit(f"fork server: {unsafe} after its imports; kernels start fresh")
    codes: dict[int, int] = {}
    while True:
        msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
        if not msg:
            sys.exit(0)
        req = json.loads(msg)
        reply: dict[str, Any] = {"ok": True}
        try:
            if req["op"] == "spawn":
                if unsafe := _unsafe_to_fork():
                    raise RuntimeError(unsafe)
                sys.stdout.flush(), sys.stderr.flush()
                entered = os.pipe() if req.get("enter") else None  # its child says how it went
                pid = os.fork()
                if pid == 0:
                    try:
                        _child_setup(req, fds, sock, server_pid, env_added, landlock, entered)
                        if entered:  # bubblewrap: the kernel, forked inside the pid namespace
                            namespaces.inside()
                    except BaseException:
                        __import__("traceback").print_exc()
                        os._exit(127)
                    return req
                reply["pid"] = pid
                if entered:
                    namespaces.entered(pid, *entered)
            elif req["op"] == "poll" and (pid := req["pid"]) not in codes:
                done = os.waitpid(pid, os.WNOHANG)
                if done[0]:
                    codes[pid] = os.waitstatus_to_exitcode(done[1])
            reply["code"] = codes.get(req.get("pid", 0))
        except Exception as exc:  # told to the build
            reply = {"error": str(exc) if isinstance(exc, RuntimeError) else repr(exc)}
        finally:
            for fd in fds:  # a child that entered a lab's walls has closed them already
                with contextlib.suppress(OSError):
                    os.close(fd)
        sock.send(json.dumps(reply).encode())


def _unsafe_to_fork() -> str:
    """What would make a forked child inherit a lock held by another thread ("" when nothing)."""
    if threading.active_count() != 1:
        return f"{threading.active_count() - 1} thread(s) running"
    zmq: Any = sys.modules.get("zmq")
    if zmq is not None and zmq.Context._instance is not None:
        return "a zmq context made"
    return ""


def _load(name: str) -> Any:
    if f"book_{name}" in sys.modules:
        return sys.modules[f"book_{name}"]
    spec = importlib.util.spec_from_file_location(f"book_{name}", f"{_HERE}/{name}.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _child_setup(req, fds, sock, server_pid, env_added, landlock: Any, entered=None) -> None:
    """In the forked child: become the lab's kernel process, confined. ``req``: ``env``,
    ``cwd``, ``memory_mb`` and ``disk_mb`` (0: no cap), ``landlock`` (None, or ``ro``, ``rw``,
    ``network``), ``enter`` (bubblewrap: the stub whose walls it enters, ``entered`` the pipe
    to say how it went; ``namespaces.inside`` then forks the kernel)."""
    import resource

    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server_pid:  # the server ended between fork and prctl
        os._exit(1)
    sock.close()
    os.setsid()  # its own process group, as jupyter_client starts kernels: interrupts reach it
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
    if entered:
        os.close(entered[0])
        _load("namespaces").enter(req["enter"], req["cwd"], entered[1])
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
    env = {**req["env"], **env_added}
    env.setdefault("JPY_PARENT_PID", str(server_pid))
    os.environ.clear()
    os.environ.update(env)
    os.chdir(req["cwd"])
    import locale
    import random
    import tempfile

    time.tzset()
    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_CTYPE, "")
    tempfile.tempdir = None  # TMPDIR read again: the lab's
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    options = [o for o in env.get("PYTHONWARNINGS", "").split(",") if o]  # read at start-up
    sys.warnoptions[:] = options  # the server is started without any
    warnings._processoptions(options)  # type: ignore[attr-defined]
    random.seed()  # from os.urandom: else every kernel replays the server's sequence
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    _reset_matplotlib()
    if req.get("memory_mb", 0) > 0:
        limit = req["memory_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if req.get("disk_mb", 0) > 0:  # limits.disk_mb, as book.execution.reaper.cap_kernel sets it
        size = req["disk_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    walls = req.get("landlock")
    if walls is not None:  # the walls of `landlock.py --defaults --ro ... --rw LAB_DIR`
        ro = landlock.default_read_only(network=walls["network"]) + walls["ro"]
        rw = landlock.default_read_write() + walls["rw"]
        landlock.confine(read_only=ro, read_write=rw, network=walls["network"])
        if os.geteuid() == 0:  # exec after an emptied bounding set leaves root no capability
            _drop_capabilities()


def _drop_capabilities() -> None:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (x2): none
    if ctypes.CDLL(None, use_errno=True).capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def _reset_matplotlib() -> None:
    """Redo what ``import matplotlib`` does with the lab's environment and folder."""
    mpl: Any = sys.modules.get("matplotlib")
    if mpl is None:
        return
    mpl.get_configdir = mpl._logged_cached("CONFIGDIR=%s")(mpl.get_configdir.__wrapped__)
    mpl.get_cachedir = mpl._logged_cached("CACHEDIR=%s")(mpl.get_cachedir.__wrapped__)
    rc = mpl.rcParams  # in place: pyplot and others hold it
    dict.clear(rc)
    rc._update_raw(mpl.rcParamsDefault)
    rc._update_raw(mpl._rc_params_in_file(mpl.matplotlib_fname()))
    mpl.rcParamsOrig = rc.copy()
    if os.environ.get("MPLBACKEND"):
        rc["backend"] = os.environ["MPLBACKEND"]
    if (style := sys.modules.get("matplotlib.style")) is not None:
        style.USER_LIBRARY_PATHS[:] = [os.path.join(mpl.get_configdir(), "stylelib")]
        style.reload_library()


def run_kernel(req: dict[str, Any]) -> None:
    """In the child: start ipykernel as ``python -m ipykernel_launcher -f FILE`` would."""
    import ipykernel_launcher

    argv = ["-f", req["connection_file"], *req.get("argv", [])]
    sys.argv = [ipykernel_launcher.__file__, *argv]
    from ipykernel.kernelapp import IPKernelApp

    # trait defaults read os.environ when the class was made (in the server): given here
    app = IPKernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    set_backend = app.init_gui_pylab  # sets MPLBACKEND; a fresh kernel imports matplotlib after

    def init_gui_pylab() -> None:
        set_backend()
        mpl: Any = sys.modules.get("matplotlib")
        if mpl and os.environ.get("MPLBACKEND") and mpl.get_backend(auto_select=False) is None:
            mpl.rcParams["backend"] = os.environ["MPLBACKEND"]

    app.init_gui_pylab = init_gui_pylab  # type: ignore[method-assign]
    app.initialize(argv)
    app.start()
