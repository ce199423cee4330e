"""Confine the current process with Linux Landlock (pure ctypes), then exec.

The lab sandbox where bubblewrap is missing (``book.execution.sandbox``): no binary, no user
namespace, only a kernel with Landlock (Linux 5.13+; TCP rules from ABI 4, signal and abstract
socket scopes from ABI 6). The kernel command is wrapped as
``python .../landlock.py --defaults --rw LAB_DIR -- python -m ipykernel_launcher -f FILE``; run by
path, it imports nothing of ``book`` (a lab's interpreter need not see the course).

Landlock's network rules cover TCP only: without ``--network``, ``confine`` also installs a seccomp
filter (``netfilter.py``, beside this file) that refuses every other network socket (UDP, raw,
packet). Limits, measured: ``/dev/shm`` and ``/proc`` are left out (so
``multiprocessing`` locks fail and no process's folder or environment is readable); root keeps
``/proc/<pid>`` access across Landlock's ptrace scope unless its capability bounding set is emptied,
which ``confine`` does.

CLI:  python landlock.py [--defaults] --ro PATH... --rw PATH... [--network]
                         [--bind-port N]... [--connection-file F] [--parent PID] -- CMD ARGS...
(``--parent PID``: die with that process, and do nothing if it has already ended.)
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import stat
import sys
import warnings
from collections.abc import Iterable

__all__ = ["LandlockUnavailable", "abi_version", "confine", "default_read_only"]
__all__ += ["default_read_write", "main"]

# Syscall numbers are identical on x86_64, aarch64 and riscv64 (generic table).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP = 1, 38, 24

# Filesystem access rights (include/uapi/linux/landlock.h).
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REMOVE_DIR, FS_REMOVE_FILE, FS_MAKE_CHAR, FS_MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
FS_MAKE_REG, FS_MAKE_SOCK, FS_MAKE_FIFO, FS_MAKE_BLOCK = 1 << 8, 1 << 9, 1 << 10, 1 << 11
FS_MAKE_SYM, FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 12, 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

_FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
# Rights that may appear in a rule whose target is not a directory.
_FS_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
_RO_RIGHTS = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR


class LandlockUnavailable(OSError):
    """Landlock is not supported by, or disabled in, the running kernel."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _NetPortAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64))


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(*args: object) -> int:
    res = int(_libc.syscall(*args))
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


def abi_version() -> int:
    """Return the Landlock ABI version of the running kernel (0 if unusable)."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64", "riscv64"):
        return 0
    try:
        return _syscall(
            _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
        )
    except OSError:  # ENOSYS (not built) or EOPNOTSUPP (disabled at boot)
        return 0


def _fs_mask(abi: int) -> int:
    mask = _FS_ABI1
    if abi >= 2:
        mask |= FS_REFER
    if abi >= 3:
        mask |= FS_TRUNCATE
    if abi >= 5:
        mask |= FS_IOCTL_DEV
    return mask


def _add_path_rule(ruleset_fd: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return  # skip paths that do not exist
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FS_FILE_RIGHTS
        attr = _PathBeneathAttr(access, fd)
        try:
            _syscall(_SYS_ADD_RULE, ruleset_fd, _RULE_PATH_BENEATH, ctypes.byref(attr), 0)
        except OSError as exc:
            raise OSError(exc.errno, f"landlock_add_rule({path!r}): {exc.strerror}") from None
    finally:
        os.close(fd)


def _netfilter():
    """``netfilter.py`` beside this file, loaded by path (this file imports nothing of ``book``)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netfilter.py")
    spec = importlib.util.spec_from_file_location("book_netfilter", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def confine(
    *,
    read_only: Iterable[str],
    read_write: Iterable[str],
    network: bool = False,
    bind_ports: Iterable[int] = (),
    drop_caps: bool = True,
) -> int:
    """Irrevocably confine the current process (and future children).

    ``read_only`` paths get read/execute rights, ``read_write`` paths get every
    right; everything else on the filesystem is denied. Unless ``network`` is
    true, TCP bind/connect is denied (ABI >= 4) except binding ``bind_ports``, and every
    other network socket is refused (``netfilter.py``: UDP, raw, packet; TCP too below ABI 4).
    Abstract unix sockets and signals to processes outside the sandbox are
    denied (ABI >= 6). If root, ``drop_caps`` empties the capability bounding
    set so the next exec runs without capabilities. Returns the ABI version used.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockUnavailable(errno.EOPNOTSUPP, "Landlock is not available in this kernel")
    fs_mask = _fs_mask(abi)
    attr = _RulesetAttr(fs_mask, 0, 0)
    size = 8
    if abi >= 4 and not network:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    elif abi < 4 and not network:
        warnings.warn(f"Landlock ABI {abi} cannot restrict TCP", RuntimeWarning, stacklevel=2)
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset_fd = _syscall(
        _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    try:
        for path in read_only:
            _add_path_rule(ruleset_fd, path, _RO_RIGHTS)
        for path in read_write:
            _add_path_rule(ruleset_fd, path, fs_mask)
        if attr.handled_access_net:
            for port in bind_ports:
                net = _NetPortAttr(NET_BIND_TCP, port)
                _syscall(_SYS_ADD_RULE, ruleset_fd, _RULE_NET_PORT, ctypes.byref(net), 0)
        if drop_caps and os.geteuid() == 0:
            # Root keeps e.g. /proc/<pid>/environ access across the Landlock ptrace
            # scope; an empty bounding set means the exec'd program gets no caps.
            for cap in range(64):
                _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past last cap
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(err)}")
        if not network:  # UDP, raw and packet sockets: Landlock does not see them
            _netfilter().deny_network_sockets(tcp_allowed=bool(attr.handled_access_net))
        _syscall(_SYS_RESTRICT_SELF, ruleset_fd, ctypes.c_uint32(0))
    finally:
        os.close(ruleset_fd)
    return abi


def default_read_only(*, network: bool = False) -> list[str]:
    """Minimal read-only paths for running this Python (and a Jupyter kernel)."""
    paths = [
        "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",  # programs, libs
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",  # dynamic loader
        "/etc/localtime", "/etc/timezone",  # else time.localtime() silently says UTC
        # CA bundle + OpenSSL config, but NOT /etc/ssl/private
        "/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/etc/ca-certificates.conf",
        "/etc/mime.types",  # mimetypes.init() stat()s it (allowed) then open() fails
        "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",  # getpass.getuser(), pwd
        "/etc/fonts",  # fontconfig (matplotlib's font_manager runs fc-list)
        "/dev/urandom", "/dev/random",
        "/sys/devices/system/cpu",  # CPU topology (OpenBLAS, joblib, nproc)
    ]  # fmt: skip
    if network:
        paths += ["/etc/hosts", "/etc/resolv.conf", "/etc/host.conf", "/etc/gai.conf"]
    # The interpreter itself; for a pyenv/venv these may live under $HOME.
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        if p not in paths:
            paths.append(p)
    return paths


def default_read_write() -> list[str]:
    """Devices that are harmless to open for writing."""
    return ["/dev/null", "/dev/zero", "/dev/full"]


def _usage(msg: str) -> int:
    print(f"landlock.py: {msg}\n{__doc__}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--" not in args:
        return _usage("missing '--' before the command")
    split = args.index("--")
    opts, cmd = args[:split], args[split + 1 :]
    if not cmd:
        return _usage("missing command")
    ro: list[str] = []
    rw: list[str] = []
    ports: list[int] = []
    network = defaults = False
    parent = 0
    target: list[str] | None = None
    pending: str | None = None  # option that takes exactly one value
    for opt in opts:
        if pending in ("--bind-port", "--parent"):
            if not opt.isdigit():
                return _usage(f"bad number {opt!r}")
            if pending == "--parent":
                parent = int(opt)
            else:
                ports.append(int(opt))
        elif pending == "--connection-file":
            with open(opt, encoding="utf-8") as fh:  # ZMQ ports the kernel binds
                info = json.load(fh)
            ports += [int(v) for k, v in info.items() if k.endswith("_port")]
            ro.append(opt)
        elif opt in ("--ro", "--rw"):
            target = ro if opt == "--ro" else rw
        elif opt in ("--network", "--defaults", "--bind-port", "--connection-file", "--parent"):
            network |= opt == "--network"
            defaults |= opt == "--defaults"
            target = None
        elif opt.startswith("--"):
            return _usage(f"unknown option {opt}")
        elif target is None:
            return _usage(f"stray argument {opt}")
        else:
            target.append(opt)
        takes = ("--bind-port", "--connection-file", "--parent")
        pending = opt if opt in takes and pending is None else None
    if pending:
        return _usage(f"{pending} needs a value")
    if parent:  # SIGKILL when the parent ends (kept across exec)
        _libc.prctl(_PR_SET_PDEATHSIG, 9, 0, 0, 0)
        if os.getppid() != parent:
            return 1
    if defaults:
        ro = default_read_only(network=network) + ro
        rw = default_read_write() + rw
    try:
        confine(read_only=ro, read_write=rw, network=network, bind_ports=ports)
    except OSError as exc:
        print(f"landlock.py: cannot confine: {exc}", file=sys.stderr)
        return 126
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        print(f"landlock.py: cannot execute {cmd[0]}: {exc}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
