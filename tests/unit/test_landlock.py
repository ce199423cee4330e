"""Landlock (``book/execution/landlock.py``): every check runs a child process through the
wrapper, as a lab's kernel is run where bubblewrap is missing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from book.execution import landlock

WRAPPER = str(Path(landlock.__file__).resolve())
VENV_PY = Path(sys.executable)

pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock unavailable")


def confined(
    code: str,
    rw: Path,
    *extra: str,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    cmd = [python, WRAPPER, "--defaults", "--rw", str(rw), *extra, "--", python, "-c"]
    return subprocess.run(
        [*cmd, textwrap.dedent(code)],
        cwd=rw,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


def outcome(path_expr: str, action: str) -> str:
    """Python snippet printing OK or the exception class for one action."""
    return textwrap.dedent(f"""
        import os
        try:
            {action.format(p=path_expr)}
            print("OK")
        except OSError as e:
            print(type(e).__name__, e.errno)
    """)


@pytest.fixture
def rw(tmp_path: Path) -> Path:
    d = tmp_path / "rw"
    d.mkdir()
    return d


def test_abi_version() -> None:
    assert landlock.abi_version() >= 1
    assert isinstance(landlock.abi_version(), int)


def test_default_read_only_excludes_home() -> None:
    home = os.path.realpath(os.path.expanduser("~"))
    paths = landlock.default_read_only()
    allowed_under_home = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for p in paths:
        assert p != home and p not in ("/", "/proc", "/tmp", "/etc", "/dev", "/dev/shm")
        if p.startswith(home + "/"):
            assert p in allowed_under_home
    assert "/etc/ssl" not in paths  # /etc/ssl/private holds keys


def test_confine_raises_when_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    with pytest.raises(landlock.LandlockUnavailable):
        landlock.confine(read_only=[], read_write=[])
    assert issubclass(landlock.LandlockUnavailable, OSError)


def test_children_inherit_confinement(rw: Path) -> None:
    outside = rw.parent / "ll-esc"  # beside the writable folder, not in it
    command = f"echo x > {outside}"
    code = f"import subprocess; print(subprocess.run(['sh', '-c', {command!r}]).returncode)"
    r = confined(code, rw)
    assert r.stdout.strip() not in ("", "0"), r.stderr
    assert not outside.exists()


def test_write_inside_rw_works(rw: Path) -> None:
    r = confined("open('sub.txt', 'w').write('hi'); import os; os.mkdir('d'); print('OK')", rw)
    assert r.stdout.strip() == "OK", r.stderr
    assert (rw / "sub.txt").read_text() == "hi"


@pytest.mark.parametrize("target", ["/tmp/landlock-escape.txt", "HOME", "/etc/landlock-escape"])
def test_write_outside_fails(rw: Path, target: str) -> None:
    if target == "HOME":
        target = os.path.join(os.path.expanduser("~"), "landlock-escape.txt")
    r = confined(outcome(repr(target), "open({p}, 'w')"), rw)
    assert r.stdout.strip() == "PermissionError 13", r.stderr
    assert not os.path.exists(target)


def test_read_secret_in_fake_home_fails(tmp_path: Path, rw: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".secret").write_text("s3cret")
    env = {**os.environ, "HOME": str(home)}
    code = outcome("os.path.expanduser('~/.secret')", "print(open({p}).read())")
    r = confined(code, rw, env=env)
    assert r.stdout.strip() == "PermissionError 13", r.stderr
    # and the listing of the real home is denied too
    r = confined(outcome(repr(os.path.expanduser("~")), "os.listdir({p})"), rw)
    assert r.stdout.strip() == "PermissionError 13", r.stderr


@pytest.mark.parametrize("with_proc", [False, True])
@pytest.mark.parametrize("what", ["cwd", "environ"])
def test_parent_proc_entries_denied(rw: Path, with_proc: bool, what: str) -> None:
    # with_proc=True: /proc is readable by path rules, so denial comes from the
    # Landlock ptrace scoping (parent is outside the child's domain).
    action = "os.readlink({p})" if what == "cwd" else "open({p}, 'rb').read()"
    code = outcome(f"f'/proc/{{os.getppid()}}/{what}'", action)
    code += "print('self', os.readlink('/proc/self/cwd') == os.getcwd())" if with_proc else ""
    r = confined(code, rw, *(["--ro", "/proc"] if with_proc else []))
    lines = r.stdout.split()
    assert lines[:2] == ["PermissionError", "13"], r.stderr
    if with_proc:  # own entries stay readable: the denial really is the ptrace scope
        assert lines[2:] == ["self", "True"], r.stderr


class _Listener:
    def __init__(self, kind: int) -> None:
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got: list[bytes] = []
        if kind == socket.SOCK_STREAM:
            self.sock.listen()
        self.sock.settimeout(10)
        threading.Thread(target=self._serve, args=(kind,), daemon=True).start()

    def _serve(self, kind: int) -> None:
        try:
            if kind == socket.SOCK_STREAM:
                conn, _ = self.sock.accept()
                self.got.append(conn.recv(100))
            else:
                self.got.append(self.sock.recv(100))
        except OSError:
            pass


@pytest.mark.parametrize("network", [False, True])
def test_tcp_connect(rw: Path, network: bool) -> None:
    lst = _Listener(socket.SOCK_STREAM)
    code = outcome(
        str(lst.port),
        "import socket; s = socket.create_connection(('127.0.0.1', {p}), 5); s.sendall(b'x')",
    )
    r = confined(code, rw, *(["--network"] if network else []))
    assert r.stdout.strip() == ("OK" if network else "PermissionError 13"), r.stderr


def test_tcp_bind_only_allowed_ports(rw: Path) -> None:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    code = f"""
        import socket
        for p in ({port}, {port} + 1 if {port} < 65535 else {port} - 1):
            try:
                socket.socket().bind(('127.0.0.1', p)); print('OK')
            except OSError as e:
                print(type(e).__name__, e.errno)
    """
    r = confined(code, rw, "--bind-port", str(port))
    assert r.stdout.split("\n")[:2] == ["OK", "PermissionError 13"], r.stderr


SOCKETS = {  # what a lab without the network may still open (book/execution/netfilter.py)
    "udp": ("socket.AF_INET, socket.SOCK_DGRAM", False),
    "udp6": ("socket.AF_INET6, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK", False),
    "sctp": ("socket.AF_INET, socket.SOCK_STREAM, 132", False),
    "icmp": ("socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP", False),
    "raw": ("socket.AF_INET, socket.SOCK_RAW, 1", False),
    "packet": ("17, socket.SOCK_RAW, 0", False),  # AF_PACKET
    "vsock": ("40, socket.SOCK_STREAM", False),  # AF_VSOCK: a virtual machine's host
    "tcp": ("socket.AF_INET, socket.SOCK_STREAM", True),  # Landlock's rules decide on it
    "tcp6": ("socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP", True),
    "unix": ("socket.AF_UNIX, socket.SOCK_STREAM", True),  # the kernel's ZeroMQ channels
    "netlink": ("16, socket.SOCK_RAW, 0", True),  # interface listings
}


@pytest.mark.parametrize("network", [False, True])
def test_udp_and_other_network_sockets_only_with_the_network(rw: Path, network: bool) -> None:
    """Landlock governs TCP only; the seccomp filter refuses the rest (EACCES, as Landlock)."""
    lst = _Listener(socket.SOCK_DGRAM)
    code = "import socket\nfrom errno import errorcode\n"
    for name, (args, _) in SOCKETS.items():
        code += f"try:\n    socket.socket({args}).close(); print({name!r}, 'OK')\n"
        code += f"except OSError as e:\n    print({name!r}, errorcode[e.errno])\n"
    code += "try:\n    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    code += f"    s.sendto(b'u', ('127.0.0.1', {lst.port})); print('sent')\n"
    code += "except OSError as e:\n    print('send', errorcode[e.errno])\n"
    r = confined(code, rw, *(["--network"] if network else []))
    assert r.returncode == 0, r.stderr
    seen = dict(line.split(" ", 1) for line in r.stdout.split("\n")[:-2])
    for name, (_, allowed) in SOCKETS.items():
        if name in ("icmp", "raw", "packet", "vsock", "sctp") and network:
            continue  # with the network the machine decides (capabilities, modules)
        assert seen[name] == ("OK" if allowed or network else "EACCES"), (name, r.stdout)
    threading.Event().wait(0.5)
    assert r.stdout.split("\n")[-2] == ("sent" if network else "send EACCES")
    assert lst.got == ([b"u"] if network else [])


def test_dev_shm_not_readable_or_writable(rw: Path) -> None:
    code = outcome("'/dev/shm'", "os.listdir({p})")
    code += outcome("'/dev/shm/landlock-x'", "open({p}, 'w')")
    code += outcome("None", "import multiprocessing; multiprocessing.Lock()")
    r = confined(code, rw)
    assert r.stdout.split("\n")[:3] == ["PermissionError 13"] * 3, r.stderr


def test_signal_and_abstract_unix_scoped(rw: Path) -> None:
    if landlock.abi_version() < 6:
        pytest.skip("scopes need ABI 6")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(f"\0landlock-test-{os.getpid()}")
    srv.listen()
    code = outcome("os.getppid()", "os.kill({p}, 0)")
    code += outcome(
        repr(f"\0landlock-test-{os.getpid()}"),
        "import socket; socket.socket(socket.AF_UNIX).connect({p})",
    )
    r = confined(code, rw)
    srv.close()
    assert r.stdout.split("\n")[:2] == ["PermissionError 1"] * 2, r.stderr


def test_stdlib_imports_work(rw: Path) -> None:
    code = """
        import json, ssl, sqlite3, mimetypes, getpass, time, zoneinfo, subprocess
        ssl.create_default_context()
        mimetypes.init()
        sqlite3.connect('db.sqlite').execute('create table t(x)')
        print(getpass.getuser(), time.localtime().tm_zone, subprocess.check_output(['true']))
        print('OK')
    """
    r = confined(code, rw)
    assert r.stdout.strip().endswith("OK"), r.stderr


def test_cli_errors(rw: Path) -> None:
    r = subprocess.run(
        [sys.executable, WRAPPER, "--ro", "/usr"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 2
    r = subprocess.run(
        [sys.executable, WRAPPER, "--defaults", "--", "/nonexistent/cmd"],
        capture_output=True,
        check=False,
        text=True,
    )
    assert r.returncode == 127 and "cannot execute" in r.stderr


def test_parent_option_ends_with_the_parent(rw: Path) -> None:
    code = "import os; print(os.getppid())"
    r = confined(code, rw, "--parent", str(os.getpid()))  # the parent is this test: it runs
    assert r.returncode == 0, r.stderr
    r = confined(code, rw, "--parent", "1")  # not its parent: it has "ended"; nothing runs
    assert (r.returncode, r.stdout) == (1, "")


def test_nonexistent_and_file_rules(rw: Path) -> None:
    f = rw.parent / "single.txt"
    f.write_text("one")
    code = f"print(open({str(f)!r}).read()); open({str(f)!r}, 'a').write('x'); print('OK')"
    r = confined(code, rw, "--ro", "/does/not/exist", "--rw", str(f))
    assert r.stdout.split() == ["one", "OK"], r.stderr


def _venv_ok() -> bool:
    try:
        probe = "import numpy, matplotlib, ipykernel, jupyter_client"
        return (
            subprocess.run([str(VENV_PY), "-c", probe], check=False, capture_output=True).returncode
            == 0
        )
    except OSError:
        return False


needs_venv = pytest.mark.skipif(not _venv_ok(), reason="no venv with numpy/matplotlib/ipykernel")


@needs_venv
def test_numpy_matplotlib(rw: Path) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(rw / ".mpl")}
    code = """
        import numpy, matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        plt.plot([1, 2]); plt.savefig('x.png'); print(numpy.arange(3).sum())
    """
    r = confined(code, rw, python=str(VENV_PY), env=env)
    assert r.returncode == 0 and r.stdout.strip() == "3", r.stderr
    assert (rw / "x.png").stat().st_size > 1000


@needs_venv
def test_jupyter_kernel(tmp_path: Path, rw: Path) -> None:
    """A real ipykernel started by jupyter_client through a sandboxing kernelspec."""
    spec = tmp_path / "jupyter" / "kernels" / "sandboxed"
    spec.mkdir(parents=True)
    argv = [str(VENV_PY), WRAPPER, "--defaults", "--rw", str(rw), "--connection-file"]
    argv += ["{connection_file}", "--", str(VENV_PY), "-m", "ipykernel_launcher", "-f"]
    argv += ["{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    env = {
        **os.environ,
        "JUPYTER_PATH": str(tmp_path / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(rw / ".ipython"),
        "MPLCONFIGDIR": str(rw / ".mpl"),
    }
    driver = textwrap.dedent(f"""
        from jupyter_client.manager import start_new_kernel
        km, kc = start_new_kernel(kernel_name="sandboxed", cwd={str(rw)!r})
        out = []
        code = '''
        import numpy, matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
        plt.plot([1, 2]); plt.savefig("k.png")
        try:
            open("/etc/passwd-landlock", "w")
        except PermissionError:
            print("DENIED")
        '''
        kc.execute_interactive(code, output_hook=lambda m: out.append(m), timeout=60)
        km.shutdown_kernel(now=True)
        print("".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream"))
    """)
    r = subprocess.run(
        [str(VENV_PY), "-c", driver],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "DENIED" in r.stdout, r.stdout + r.stderr
    assert (rw / "k.png").exists()
