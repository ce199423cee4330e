"""Checks on the built site before it is published: nothing of the build machine, no stray reprs.

The built HTML, notebook downloads and build-info.json must carry no absolute paths of this
machine, no user or host name, no environment values; and pages must not show Python object reprs
such as ``<matplotlib.lines.Line2D at 0x7f...>`` (a plotting call whose return value was printed).
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import sys
from pathlib import Path

from .errors import BookError

TEXT_SUFFIXES = {".html", ".ipynb", ".json", ".js", ".txt", ".md", ".css", ".xml", ".svg"}
REPR = re.compile(rb"&lt;[A-Za-z_][\w.]* (?:object )?at 0x[0-9a-fA-F]+&gt;|<[A-Za-z_][\w.]* (?:object )?at 0x[0-9a-fA-F]+>")
MIN_SECRET = 4  # shorter values match too much ordinary text


def machine_strings(root: Path) -> dict[str, str]:
    """The strings that identify this machine and user, with a description of each."""
    found: dict[str, str] = {}

    def add(value: str | None, what: str) -> None:
        if value and len(value) >= MIN_SECRET and value not in ("/usr", "/tmp", "/bin", "/opt"):
            found.setdefault(value, what)

    add(str(Path(root).resolve()), "the course folder's absolute path")
    add(str(Path.home()), "the home folder")
    add(sys.prefix, "the Python environment's path")
    add(sys.base_prefix, "the Python installation's path")
    add(os.environ.get("VIRTUAL_ENV"), "VIRTUAL_ENV")
    add(os.environ.get("TMPDIR"), "TMPDIR")
    try:
        add(socket.gethostname(), "the host name")
    except OSError:
        pass
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = None
    if user and user != "root":  # "root" alone is an ordinary word; /root is covered by home
        add(f"/home/{user}", "the user's home")
        add(user, "the user name")
    return found


def scan_site(site: Path, root: Path) -> list[BookError]:
    """Every leak and stray repr in the built site, as ``file:line: message`` errors."""
    secrets = machine_strings(root)
    problems: list[BookError] = []
    patterns = [(re.compile(re.escape(v.encode()) + rb"(?![\w.-])"), v, what) for v, what in secrets.items()]
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        data = path.read_bytes()
        rel = path.relative_to(site).as_posix()
        for pattern, value, what in patterns:
            m = pattern.search(data)
            if m:
                line = data.count(b"\n", 0, m.start()) + 1
                problems.append(
                    BookError(f"_build/html/{rel}", line, f"contains {what}",
                              "the build must not publish anything of the build machine")
                )
        if path.suffix == ".html":
            m = REPR.search(data)
            if m:
                line = data.count(b"\n", 0, m.start()) + 1
                shown = m.group(0).decode(errors="replace")
                problems.append(
                    BookError(f"_build/html/{rel}", line, f"shows a Python object repr {shown}",
                              "end the plotting cell with plt.show() or a semicolon")
                )
    return problems
