"""A lab that reports what it could reach, in one run: the real home folder (found through
``pwd``, as a hostile lab would, not ``$HOME``), another course file, ``_build``, a folder outside
its own, its own folder, a TCP service and a UDP listener on 127.0.0.1, and a token in the build's
environment.

Shared by the sandbox tests (one per sandbox) and the road tests (one per road a lab can run on).
It prints words only (``read``, ``EACCES``, ...), never a path: a printed path would (rightly)
fail the site's leak check.
"""

from __future__ import annotations

import os
import pwd
import re
import socket
import threading
import uuid
from pathlib import Path

from conftest import write_lab

LAB = "labs/week09/session01-probe.md"
PAGE = "_build/html/labs/week09/session01-probe.html"
TOKEN_NAME, TOKEN = "BOOK_PROBE_TOKEN", "probe-token-value"
PROBES = (
    "home file",
    "course file",
    "_build",
    "write outside",
    "write own folder",
    "tcp 127.0.0.1",
    "udp 127.0.0.1",
    "env token",
    "declared folder",
)

CODE = """\
import errno, os, pwd, socket

def attempt(action):
    try:
        return action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))

def fetch():
    with socket.create_connection(("127.0.0.1", {port}), timeout=5) as s:
        return "connected" if s.recv(100) else "empty"

def send():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"probe datagram", ("127.0.0.1", {udp_port}))
        return "sent"

home = pwd.getpwuid(os.getuid()).pw_dir
seen = {{
    "home file": attempt(lambda: open(os.path.join(home, {home_name!r})).read() and "read"),
    "course file": attempt(lambda: open({course!r} + "/_config.yml").read(10) and "read"),
    "_build": attempt(lambda: os.listdir({course!r} + "/_build") and "listed"),
    "write outside": attempt(lambda: open({outside!r}, "w").write("x") and "written"),
    "write own folder": attempt(lambda: open("own.txt", "w").write("x") and "written"),
    "tcp 127.0.0.1": attempt(fetch),
    "udp 127.0.0.1": attempt(send),
    "env token": "seen" if {token!r} in os.environ else "absent",
}}
if {declared!r}:
    seen["declared folder"] = attempt(lambda: open({declared!r}).read() and "read")
for name, result in seen.items():
    print(f"{{name}}: {{result}}")
"""


class Service:
    """A TCP service on 127.0.0.1 that answers every connection with a line, and a UDP listener
    there that keeps the datagrams it gets (``received``)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp_port = self.udp.getsockname()[1]
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                self.received.append(self.udp.recv(1000))
            except OSError:
                return

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"hello from the build machine\n")

    def close(self) -> None:
        self.sock.close()
        self.udp.close()


class HomeFile:
    """A file in the build user's real home folder (as ``pwd`` has it), removed afterwards."""

    def __init__(self) -> None:
        self.path = Path(pwd.getpwuid(os.getuid()).pw_dir) / f".book-probe-{uuid.uuid4().hex[:8]}"
        self.path.write_text("a private file\n")

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def write_probe(
    root: Path,
    service: Service,
    home: HomeFile,
    outside: Path,
    front: str = "",
    first: str = "",
    declared: Path | None = None,
    **kw,
) -> Path:
    """The probe lab in the course at ``root``; ``front``: lines added to its front matter;
    ``first``: the cell's first lines (a cell option such as ``#| eval: FLAG``); ``declared``:
    a file in a folder the course lets labs read (``sandbox: read``)."""
    code = first + CODE.format(
        port=service.port,
        udp_port=service.udp_port,
        home_name=home.path.name,
        course=str(root),
        outside=str(outside),
        token=TOKEN_NAME,
        declared=str(declared or ""),
    )
    path = write_lab(root, LAB, f"## Probe\n\n```{{code-cell}} ipython3\n{code}```\n", **kw)
    if front:
        path.write_text(path.read_text().replace("---\n", f"---\n{front}", 1))
    return path


def results(text: str) -> dict[str, str]:
    """What the probe printed, from a page (HTML) or any text holding its lines."""
    found = {}
    for name in PROBES:
        match = re.search(rf"{re.escape(name)}: (\w+)", text)
        if match:
            found[name] = match.group(1)
    return found


# What a lab reaches in each sandbox; bubblewrap's lab sees paths it was not given as missing
CONFINED = {
    "bubblewrap": {
        "home file": "ENOENT",
        "course file": "ENOENT",
        "_build": "ENOENT",
        "write outside": "ENOENT",
        "tcp 127.0.0.1": "ECONNREFUSED",
    },
    "landlock": {
        "home file": "EACCES",
        "course file": "EACCES",
        "_build": "EACCES",
        "write outside": "EACCES",
        "tcp 127.0.0.1": "EACCES",
    },
    "none": {
        "home file": "read",
        "course file": "read",
        "_build": "listed",
        "write outside": "written",
        "tcp 127.0.0.1": "connected",
    },
}
# UDP: bubblewrap's lab has a network of its own (its datagram goes to its own loopback, never
# the machine's); Landlock's seccomp filter refuses the socket (book/execution/netfilter.py)
CONFINED["bubblewrap"]["udp 127.0.0.1"] = "sent"
CONFINED["landlock"]["udp 127.0.0.1"] = "EACCES"
CONFINED["none"]["udp 127.0.0.1"] = "sent"
for seen in CONFINED.values():
    seen.update({"write own folder": "written", "env token": "absent"})
