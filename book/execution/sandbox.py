"""Confinement of lab kernels: what a lab can see, write, reach and keep running.

Prevention first, so the site checks have little to find. Every kernel (every road: ``make html``,
``make serve``, ``make freeze``, a Dask worker) is started by ``book.execution.kernel`` with the
command ``Confinement.command`` makes, inside the walls ``Walls`` lists:

- **environment**: an allow-list of variables (locale, thread counts, the build's flags, and the
  names under ``sandbox: env``), never the build's own environment;
- **folders**: a fresh folder per lab (``HOME``, ``TMPDIR``, the working folder, matplotlib's
  config, the kernel's connection file), removed afterwards; the only place a lab can write;
- **what it reads**: the system's programs and libraries, the interpreter, a few files of
  ``/etc`` (``landlock.default_read_only``) and the course folders under ``sandbox: read``; no
  home folder, no course, no ``_build``, in both sandboxes;
- **network**: none, unless the lab's front matter or a flag it runs under says ``network: true``;
- **which sandbox**: bubblewrap (own mount, pid, IPC, UTS and network namespaces; the lab sees
  only the paths bound), else Landlock (``book.execution.landlock``: no binary, no namespace; TCP
  denied by Landlock, UDP and every other network socket by a seccomp filter), else none: the
  build says so on one line, and ``sandbox: required`` (or ``BOOK_SANDBOX=required``) makes that
  an error. ``sandbox: mode`` or ``BOOK_SANDBOX`` picks one.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from book.config.course import CONFIG_FILE
from book.errors import BookError
from book.execution import landlock

EXEC_PREFIX = "book-exec-"  # the build's temporary folder for lab folders: <tmp>/book-exec-XXXX
SANDBOX_ENV = "BOOK_SANDBOX"  # a mode (below), "off" (none) or "required" (auto, required)
MODES = ("auto", "bubblewrap", "landlock", "none")
HOSTNAME = "course-build"  # what socket.gethostname() says inside bubblewrap
LANDLOCK = Path(landlock.__file__).resolve()  # run by path: imports nothing of the course
ALLOWED_ENV = (  # passed to kernels as they are; `sandbox: env` in _config.yml adds names
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_NUMERIC",
    "LC_TIME",
    "LC_COLLATE",
    "LC_MONETARY",
    "LC_MESSAGES",
    "TZ",
    "SOURCE_DATE_EPOCH",
    "PYTHONHASHSEED",
    "PYTHONWARNINGS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BOOK_FLAGS",
    "MPLBACKEND",
    "PYDEVD_DISABLE_FILE_VALIDATION",
    "JUPYTER_PLATFORM_DIRS",
)
# the kernel without a sandbox: die with the worker, then become the kernel (Landlock's wrapper
# does the same: landlock.py --parent)
TRAMPOLINE = (
    "import ctypes,os,signal,sys;ctypes.CDLL(None).prctl(1,signal.SIGKILL);"
    "os.getppid()!=int(sys.argv[1]) and os._exit(1);os.execv(sys.argv[2],sys.argv[2:])"
)


@dataclass(frozen=True)
class Walls:
    """What one lab's kernel may reach besides its own folder: the same in both sandboxes."""

    read: tuple[str, ...] = ()  # folders the course declares readable (``sandbox: read``)
    network: bool = False

    def readable(self) -> list[str]:
        return [*landlock.default_read_only(network=self.network), *self.read]


@dataclass(frozen=True)
class Confinement:
    kind: str  # bubblewrap | landlock | none
    binary: str = ""  # bwrap's path
    why_not: str = ""  # why a stronger sandbox is not in force

    def describe(self, memory_mb: int, env_names: list[str]) -> str:
        """The one log line that says which protections are active."""
        names = sorted(set(ALLOWED_ENV) | set(env_names))
        env = (
            f"environment: {sum(n in os.environ for n in names)} of {len(names)} allowed "
            "variables set, home and working folder thrown away after each lab"
        )
        memory = (
            f"memory: {memory_mb} MB of address space per kernel"
            if memory_mb > 0
            else "memory: no limit"
        )
        if self.kind == "bubblewrap":
            shm = f"/dev/shm {memory_mb} MB" if memory_mb > 0 else "private /dev/shm"
            walls = f"own pid namespace and host name, no network, {shm}"
        elif self.kind == "landlock":
            abi = landlock.abi_version()
            net = "no network (TCP: Landlock; UDP, raw: seccomp)"
            walls = f"Landlock ABI {abi}, {net}, no /dev/shm"
            walls = f"{walls}; bubblewrap: {self.why_not}" if self.why_not else walls
        else:
            return (
                f"sandbox: none ({self.why_not}): labs can read this machine's files; the "
                f"course is checked for changed files after the labs ran; {env}; {memory}"
            )
        return (
            f"sandbox: {self.kind} (labs see only their own folder, the system and Python; "
            f"{walls}); {env}; {memory}"
        )

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """The kernel's environment in this sandbox. Under Landlock ipykernel cannot listen on
        a random TCP port for what forked Python children print (that output is lost); its
        warning, and Landlock's own below ABI 4 (said once in ``describe``), would fill the
        build's log once per lab."""
        if self.kind != "landlock":
            return dict(env)
        quiet = "ignore:Couldn't bind IOPub Pipe:UserWarning,ignore:Landlock ABI:RuntimeWarning"
        return {**env, "PYTHONWARNINGS": ",".join(filter(None, [env.get("PYTHONWARNINGS"), quiet]))}

    def command(self, cmd: list[str], lab_dir: Path, memory_mb: int, walls: Walls) -> list[str]:
        """The kernel command ``cmd``, run inside this sandbox's walls."""
        if self.kind == "bubblewrap":
            return self._bwrap(cmd, lab_dir, memory_mb, walls)
        if self.kind == "landlock":  # without site (-S): 0.1 s less, so the paths are given
            ro = [arg for path in walls.readable() for arg in ("--ro", path)]
            net = ["--network"] if walls.network else []
            wrap = [sys.executable, "-S", str(LANDLOCK), "--parent", str(os.getpid())]
            return [*wrap, "--defaults", *net, *ro, "--rw", str(lab_dir), "--", *cmd]
        return [sys.executable, "-S", "-c", TRAMPOLINE, str(os.getpid()), *cmd]

    def _bwrap(self, cmd: list[str], lab_dir: Path, memory_mb: int, walls: Walls) -> list[str]:
        shm = ["--size", str(memory_mb * 1024 * 1024)] if memory_mb > 0 else []
        return [
            self.binary,
            *("--dev", "/dev", "--proc", "/proc", *shm, "--tmpfs", "/dev/shm"),
            *_binds([p for p in walls.readable() if not p.startswith("/dev/")]),
            *("--bind", str(lab_dir), str(lab_dir), "--remount-ro", "/"),
            # as root, bwrap keeps every capability unless told: the lab gets none
            *("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL"),
            *(() if walls.network else ("--unshare-net",)),
            *("--hostname", HOSTNAME, "--die-with-parent", "--chdir", str(lab_dir / "work")),
            # the kernel's parent inside is bwrap (pid 1): ipykernel then stops polling for
            # its parent, which --die-with-parent already ends it with
            *("--setenv", "JPY_PARENT_PID", "1", "--", *cmd),
        ]


def network_reason(nb, network_flags: tuple[str, ...]) -> str:
    """Why a lab's kernel may use the network ("" when it may not): its front matter's
    ``network:`` (true, or the reason in words), or a flag it runs cells under that says so."""
    said = nb.metadata.get("network")
    if said is True:
        return "its front matter says network: true"
    if isinstance(said, str) and said.strip():
        return said.strip()
    flags = {
        str(meta.get("eval"))
        for cell in nb.cells
        if (meta := cell.get("metadata", {}).get("book") or {}).get("ran")
        and meta.get("eval") in network_flags
    }
    return f"flag {', '.join(sorted(flags))} says network: true" if flags else ""


def _binds(paths: list[str]) -> list[str]:
    """bubblewrap's arguments that show ``paths`` read-only (a link as a link), once each."""
    args: list[str] = []
    done: list[str] = []

    def shown(path: str) -> bool:
        return any(path == d or path.startswith(d + "/") for d in done)

    for path in paths:
        if not os.path.lexists(path) or shown(path):
            continue
        if os.path.islink(path):  # to its final target: a link to a link would dangle
            args += ["--symlink", os.path.realpath(path), path]
            path = os.path.realpath(path)
            if not os.path.exists(path) or shown(path):
                continue
        args += ["--ro-bind", path, path]
        done.append(path)
    return args


def mode_from(setting: str, required: bool, line: int | None) -> tuple[str, bool, str]:
    """The sandbox mode, whether one is required, and where that was said: ``BOOK_SANDBOX``
    over ``_config.yml``'s ``sandbox:`` section (``required`` from either holds)."""
    value = os.environ.get(SANDBOX_ENV, "").strip().lower()
    where = CONFIG_FILE + (f":{line}" if line else "")
    if not value:
        return setting, required, where
    if value == "required":
        return setting, True, f"{SANDBOX_ENV}=required"
    value = {"off": "none", "0": "none", "no": "none", "false": "none"}.get(value, value)
    if value not in MODES:
        raise BookError(
            SANDBOX_ENV,
            None,
            f"{value!r} is not a sandbox mode",
            f"use one of {', '.join(MODES)}, off (= none) or required",
        )
    return value, required, f"{SANDBOX_ENV}={value}" + (f" ({where}: required)" * required)


@functools.lru_cache(maxsize=8)
def detect(mode: str = "auto") -> Confinement:
    """The sandbox ``mode`` asks for, tried once per process with a real one: for ``auto``,
    bubblewrap where it works, else Landlock, else none (``why_not`` says why)."""
    if mode == "none":
        return Confinement("none", why_not="asked for")
    bwrap_why = ""
    if mode in ("auto", "bubblewrap"):
        found = shutil.which("bwrap") or next(
            (p for p in ("/usr/bin/bwrap", "/usr/local/bin/bwrap") if os.access(p, os.X_OK)), ""
        )
        bwrap_why = _probe(Confinement("bubblewrap", found)) if found else "bwrap not found"
        if not bwrap_why:
            return Confinement("bubblewrap", found)
    if mode == "bubblewrap":
        return Confinement("none", why_not=f"bubblewrap: {bwrap_why}")
    landlock_why = _probe(Confinement("landlock"))
    if not landlock_why:
        return Confinement("landlock", why_not=bwrap_why)
    if mode == "landlock":
        return Confinement("none", why_not=f"Landlock: {landlock_why}")
    return Confinement("none", why_not=f"bubblewrap: {bwrap_why}; Landlock: {landlock_why}")


def _probe(confinement: Confinement) -> str:
    """Why ``confinement`` cannot run /bin/true here ("" when it can)."""
    if confinement.kind == "landlock" and landlock.abi_version() < 1:
        return "not offered by this Linux kernel"
    probe = confinement.command(["/bin/true"], Path("/tmp"), 64, Walls())
    if confinement.kind == "bubblewrap":
        probe[probe.index("--chdir") + 1] = "/"
    try:
        run = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"does not run: {exc}"
    if run.returncode != 0:
        return "cannot confine here: " + (run.stderr.strip().splitlines() or ["no message"])[-1]
    return ""


def choose(mode: str, required: bool, where: str) -> Confinement:
    """The sandbox for a build's labs, or a ``BookError`` naming ``where`` it was asked for."""
    confinement = detect(mode)
    if confinement.kind == "none" and mode not in ("none", "auto"):
        raise BookError(
            where,
            None,
            f"the {mode} sandbox was asked for, but {confinement.why_not}",
            "sandbox: {mode: auto} takes the strongest one that works here",
        )
    if confinement.kind == "none" and required:
        raise BookError(
            where,
            None,
            f"a sandbox is required, but labs would run unconfined here ({confinement.why_not})",
            "install bubblewrap (apt-get install bubblewrap), or build on a Linux with Landlock "
            "(5.13 or later, not disabled at boot)",
        )
    return confinement


def prepare_lab_dir(lab_dir: Path, extra: list[str]) -> dict[str, str]:
    """Make a lab's throw-away folders; return the kernel's whole environment."""
    for name in ("work", "home", "tmp", "mpl"):
        (lab_dir / name).mkdir(parents=True, exist_ok=True)
    # matplotlib's font cache, built once by the build: a kernel that builds it prints to stderr
    cache = Path(
        os.environ.get("MPLCONFIGDIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    )
    for fontlist in cache.glob("fontlist-*.json"):
        shutil.copy2(fontlist, lab_dir / "mpl" / fontlist.name)
    return kernel_env(lab_dir, extra)


def kernel_env(lab_dir: Path, extra: list[str]) -> dict[str, str]:
    env = {k: os.environ[k] for k in (*ALLOWED_ENV, *extra) if k and k in os.environ}
    env.update(
        {
            "PATH": os.pathsep.join(
                [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
            ),
            "HOME": str(lab_dir / "home"),
            "TMPDIR": str(lab_dir / "tmp"),
            "MPLCONFIGDIR": str(lab_dir / "mpl"),
            "PYTHONNOUSERSITE": "1",
        }
    )
    env.setdefault("LANG", "C.UTF-8")
    return env
