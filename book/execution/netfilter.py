"""A seccomp filter (pure ctypes, classic BPF) that leaves a confined lab no network socket but TCP.

Landlock's network rules cover TCP only (bind and connect, ABI 4+): under Landlock alone a lab
could still send UDP (DNS, or a datagram to a service on 127.0.0.1), open a raw or packet socket
where it has the capability, or use SCTP. ``landlock.confine`` installs this filter with its own
rules whenever a lab has no ``network:``, in the wrapper (``landlock.py``, fresh kernels) and in
the forked child (``forkserver.py``) alike, so every Landlock kernel gets it. ``socket()`` then
fails with ``EACCES`` (Python: ``PermissionError``), as Landlock's own refusals do, for:

- ``AF_INET`` and ``AF_INET6`` of any type but a stream with protocol 0 or TCP (UDP, raw,
  SCTP, MPTCP, ICMP "ping" sockets), and of any type at all where Landlock cannot restrict TCP
  (ABI < 4);
- every other family but ``AF_UNIX`` (the kernel's own channels are ZeroMQ over IPC sockets in
  the lab's folder) and ``AF_NETLINK`` (interface listings, read only): ``AF_PACKET``,
  ``AF_VSOCK`` (a virtual machine's host), Bluetooth, CAN, ...

``io_uring_setup`` fails with ``ENOSYS`` (its ``IORING_OP_SOCKET`` would make a socket without
``socket()``; libraries fall back to plain calls), as do system calls of another architecture
(x86-64's x32 and i386 ABIs, whose ``socketcall`` hides its arguments). Run by path from
``landlock.py``: it imports nothing of ``book``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket

__all__ = ["deny_network_sockets"]

# (AUDIT_ARCH_*, socket, io_uring_setup) per architecture
_ARCH = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
    "riscv64": (0xC00000F3, 198, 425),
}
_X32_BIT = 0x40000000
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_LD_W_ABS, _JEQ, _JGE, _AND, _RET = 0x20, 0x15, 0x35, 0x54, 0x06
# offsets in struct seccomp_data: nr, arch, args[0..2] (low 32 bits, little-endian)
_NR, _ARCH_AT, _ARG0, _ARG1, _ARG2 = 0, 4, 16, 24, 32
_SOCK_TYPE_MASK = 0xF
_ALLOWED_FAMILIES = (int(socket.AF_UNIX), 16)  # AF_NETLINK


class _Instruction(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    )


class _Program(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction)))


def _program(arch: str, tcp_allowed: bool) -> list[tuple[object, object, object, int]]:
    """The filter as ``(code, jump if true, jump if false, k)``, jumps named by label."""
    audit, nr_socket, nr_uring = _ARCH[arch]
    deny, nosys = _RET_ERRNO | errno.EACCES, _RET_ERRNO | errno.ENOSYS
    code: list[tuple[object, object, object, int]] = [
        (_LD_W_ABS, 0, 0, _ARCH_AT),
        (_JEQ, 0, "nosys", audit),
        (_LD_W_ABS, 0, 0, _NR),
    ]
    if arch == "x86_64":
        code.append((_JGE, "nosys", 0, _X32_BIT))
    code += [
        (_JEQ, "nosys", 0, nr_uring),
        (_JEQ, 0, "allow", nr_socket),
        (_LD_W_ABS, 0, 0, _ARG0),
    ]
    code += [(_JEQ, "allow", 0, family) for family in _ALLOWED_FAMILIES]
    code += [(_JEQ, "inet", 0, int(socket.AF_INET)), (_JEQ, "inet", "deny", int(socket.AF_INET6))]
    code.append(("label", "inet", None, 0))
    if tcp_allowed:
        code += [
            (_LD_W_ABS, 0, 0, _ARG1),
            (_AND, 0, 0, _SOCK_TYPE_MASK),
            (_JEQ, 0, "deny", int(socket.SOCK_STREAM)),
            (_LD_W_ABS, 0, 0, _ARG2),
            (_JEQ, "allow", 0, 0),
            (_JEQ, "allow", "deny", int(socket.IPPROTO_TCP)),
        ]
    else:
        code.append((_RET, 0, 0, deny))
    code += [  # classic BPF jumps forward only: the returns come last
        ("label", "deny", None, 0),
        (_RET, 0, 0, deny),
        ("label", "nosys", None, 0),
        (_RET, 0, 0, nosys),
        ("label", "allow", None, 0),
        (_RET, 0, 0, _RET_ALLOW),
    ]
    return code


def _assemble(code: list[tuple[object, object, object, int]]) -> list[tuple[object, int, int, int]]:
    """Labels resolved to BPF's relative jumps (instructions to skip)."""
    labels: dict[object, int] = {}
    out: list[tuple[object, object, object, int]] = []
    for entry in code:
        if entry[0] == "label":
            labels[entry[1]] = len(out)
        else:
            out.append(entry)

    def offset(target: object, at: int) -> int:
        return int(target) if isinstance(target, int) else labels[target] - at - 1

    return [(c, offset(t, i), offset(f, i), k) for i, (c, t, f, k) in enumerate(out)]


def deny_network_sockets(*, tcp_allowed: bool) -> None:
    """Install the filter on the calling thread (and what it runs next). ``no_new_privs`` must be
    set already. ``tcp_allowed``: leave TCP streams to Landlock's own rules."""
    arch = platform.machine()
    if arch not in _ARCH:
        raise OSError(errno.ENOSYS, f"no socket filter for {arch}")
    program = _assemble(_program(arch, tcp_allowed))
    instructions = (_Instruction * len(program))(*(_Instruction(*i) for i in program))
    prog = _Program(len(program), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_SECCOMP): {os.strerror(err)}")
