"""Confinement of lab kernels: what a lab can see, write, keep running and allocate.

Prevention first, so the site checks have little to find:

- **environment**: a kernel gets an allow-list of variables (locale, thread counts, the build's
  flags, and the names under ``sandbox: env`` in ``_config.yml``), never the build's own
  environment, so no token or path in it reaches a lab;
- **home and working folder**: a fresh folder per lab (``HOME``, ``TMPDIR``, the working folder,
  matplotlib's config) inside the build's temporary folder, removed afterwards;
- **the course is read-only**: with bubblewrap (``bwrap``) the kernel runs with the whole file
  system mounted read-only except its own lab folder, in its own pid namespace (what a lab leaves
  running ends with the kernel), with its own host name and a private ``/dev/shm`` of bounded size;
- **memory**: ``RLIMIT_AS`` counts every mapping the kernel makes, shared ones included.

Where bwrap is missing or cannot create namespaces (or ``BOOK_SANDBOX=off``), the kernel runs
unconfined in the file system, still with the small environment, the throw-away folders and the
memory limit; the build then relies on ``book.course.files`` noticing a changed course file. Workers
and kernels die with the build (``PR_SET_PDEATHSIG``), and a worker ends whatever its kernel left.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

EXEC_PREFIX = "book-exec-"  # the build's temporary folder for lab folders: <tmp>/book-exec-XXXX
SANDBOX_ENV = "BOOK_SANDBOX"  # "off": run kernels without bwrap (for machines that lack it)
HOSTNAME = "course-build"  # what socket.gethostname() says inside the sandbox
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
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# the kernel under the fallback: die with the worker, then become the kernel
TRAMPOLINE = (
    "import ctypes,os,signal,sys;ctypes.CDLL(None).prctl(1,signal.SIGKILL);"
    "os.getppid()!=int(sys.argv[1]) and os._exit(1);os.execv(sys.argv[2],sys.argv[2:])"
)


@dataclass(frozen=True)
class Confinement:
    bwrap: str | None  # the bwrap binary when the sandbox works here
    why_not: str = ""  # why it is off

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
        if self.bwrap:
            shm = f"/dev/shm {memory_mb} MB" if memory_mb > 0 else "private /dev/shm"
            return (
                f"sandbox: bubblewrap (course read-only, own pid namespace and host name, "
                f"{shm}); {env}; {memory}"
            )
        return (
            f"sandbox: off ({self.why_not}): the course is checked for changed files after "
            f"the labs ran instead; {env}; {memory}"
        )

    def command(self, cmd: list[str], lab_dir: Path, memory_mb: int) -> list[str]:
        if not self.bwrap:
            return [sys.executable, "-c", TRAMPOLINE, str(os.getpid()), *cmd]
        shm = ["--size", str(memory_mb * 1024 * 1024)] if memory_mb > 0 else []
        return [
            self.bwrap,
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            *shm,
            "--tmpfs",
            "/dev/shm",
            "--bind",
            str(lab_dir),
            str(lab_dir),
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--hostname",
            HOSTNAME,
            "--die-with-parent",
            "--chdir",
            str(lab_dir / "work"),
            # the kernel's parent inside is bwrap (pid 1): ipykernel then stops polling for
            # its parent, which --die-with-parent already ends it with
            "--setenv",
            "JPY_PARENT_PID",
            "1",
            "--",
            *cmd,
        ]


@functools.lru_cache(maxsize=1)
def detect() -> Confinement:
    """Whether bwrap can confine a kernel on this machine (tried once, with a real sandbox)."""
    if os.environ.get(SANDBOX_ENV, "").lower() in ("off", "0", "no", "false"):
        return Confinement(None, f"{SANDBOX_ENV}=off")
    found = shutil.which("bwrap") or next(
        (p for p in ("/usr/bin/bwrap", "/usr/local/bin/bwrap") if os.access(p, os.X_OK)), None
    )
    if not found:
        return Confinement(None, "bwrap not found; install bubblewrap to confine labs")
    probe = Confinement(found).command(["/bin/true"], Path("/tmp"), 1)
    probe[probe.index("--chdir") + 1] = "/"
    try:
        run = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Confinement(None, f"bwrap does not run: {exc}")
    if run.returncode != 0:
        reason = (run.stderr.strip().splitlines() or ["no message"])[-1]
        return Confinement(None, f"bwrap cannot create a sandbox here: {reason}")
    return Confinement(found)


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


def confine_worker(memory_mb: int) -> None:
    """In each lab worker: die with the build, adopt what kernels leave, cap memory.

    Ctrl-C is the build's to handle: it stops the workers itself, with one line of output."""
    libc = ctypes.CDLL(None, use_errno=True)
    signal.signal(signal.SIGTERM, _end_with_strays)  # also what a broken pool sends
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the build died (kill -9, out of memory)
    if os.getppid() == 1:  # the build died before the line above
        os._exit(1)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb > 0:  # inherited by the kernel (and bwrap); counts shared mappings too
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def cap_memory(memory_mb: int) -> None:
    """In a kernel's process before it starts: its own address-space cap (a lab's ``limits:``
    may differ from the course's; the worker's cap is the largest of them)."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _end_with_strays(signum, frame) -> None:
    """A worker told to stop ends its kernel and everything the lab started, then itself."""
    end_strays()
    os._exit(1)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def end_strays(rounds: int = 50) -> int:
    """Kill every process this worker adopted or started (a kernel's leftovers); count them."""
    ended = 0
    for _ in range(rounds):
        children = _children(os.getpid())
        if not children:
            return ended
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                ended += 1
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        time.sleep(0.02)  # their children are re-parented to this worker next
    return ended
