"""What would identify the build machine in the staged site: found, named, masked.

The site checks (``book.checks.site``) look for what really identifies this machine, not for
bare words:

- absolute paths: the course folder, the home folder, the Python environment, ``TMPDIR``, and
  the build's temporary lab folders (``<tmp>/book-exec-…``, ``<tmp>/tmpXXXXXXXX``); a path
  matches only as a whole path component (``/root`` is not found in ``/rootfs``);
- the values of the build's environment variables that are long and specific enough to be
  secrets (at least 10 characters, not a plain word or phrase, not the locale or shell);
- secrets in every known format (AWS, GitHub, Slack, ``hf_``, ``pypi-``, passwords in URLs and
  ``.netrc`` lines, private key blocks, ...), found by detect-secrets (``book.checks.secrets``);
- the host name only when it is specific (``ip-10-0-3-17``, ``build7.example.org``): a host or
  user named after a word (``ridge``, ``ubuntu``) is never searched for on its own.

What the author wrote in the course's sources, exactly, is the author's text, not a leak: a
secret only when the sources hold that very secret, a path only when they hold the whole path
(prose that mentions ``~/.ssh`` exempts that text and not ``~/.ssh/id_ed25519``).
Each finding names the staged page, the lab and the code cell whose output holds it, and the
matched text, masked (``ghp_…9f``) when it is a secret.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from book.checks import secrets
from book.execution.sandbox import EXEC_PREFIX

GENERIC_PATHS = {
    "/",
    "/usr",
    "/usr/local",
    "/opt",
    "/tmp",
    "/var",
    "/var/tmp",
    "/home",
    "/srv",
    "/mnt",
    "/bin",
    "/usr/bin",
    "/usr/lib",
    "/lib",
    "/etc",
    "/dev",
    "/proc",
    "/run",
}
MIN_ENV_VALUE = 10
NOT_SECRET_ENV = {
    "PATH",
    "PWD",
    "OLDPWD",
    "HOME",
    "SHELL",
    "TERM",
    "USER",
    "LOGNAME",
    "SHLVL",
    "_",
    "HOSTNAME",
    "DISPLAY",
    "COLORTERM",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "MAIL",
    "LANG",
    "LANGUAGE",
    "TZ",
    "MFLAGS",
    "MAKEFLAGS",
    "MAKELEVEL",
    "MAKE_TERMOUT",
    "MAKE_TERMERR",
    "TMPDIR",
    "VIRTUAL_ENV",
    "LS_COLORS",
    "LESSOPEN",
    "LESSCLOSE",
}
NOT_SECRET_PREFIXES = ("LC_", "BOOK_", "PYTHON", "MPL", "JUPYTER_", "PYDEVD_", "XDG_", "TERM_")


@dataclass(frozen=True)
class Needle:
    pattern: re.Pattern  # starts with its literal text where it can: re then scans fast
    what: str
    secret: bool  # masked when shown
    not_after: str = ""  # a match preceded by one of these characters is part of something else
    path: bool = False  # a folder: what follows it (/.ssh/id_rsa) is part of what was printed

    def matches(self, text: str):
        for m in self.pattern.finditer(text):
            if not (self.not_after and m.start() and text[m.start() - 1] in self.not_after):
                yield m


WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def mask(text: str) -> str:
    """``ghp_1234…9f``-style: enough to recognise, not enough to use."""
    return text[:4] + "…" + text[-2:] if len(text) > 8 else text[:2] + "…"


def _path(path: str | None, what: str) -> Needle | None:
    if not path:
        return None
    path = os.path.normpath(path)
    if path in GENERIC_PATHS or len(path) < 4 or not path.startswith("/"):
        return None
    return Needle(re.compile(re.escape(path) + r"(?![\w.-])"), what, False, WORD + ".~/-", True)


def specific_host(name: str) -> bool:
    """A host name that identifies a machine, unlike a word such as ``ridge``."""
    return (len(name) >= 6 and any(c.isdigit() or c == "." for c in name)) or len(name) >= 16


def _env_value(name: str, value: str) -> Needle | None:
    value = value.strip()
    if name in NOT_SECRET_ENV or name.startswith(NOT_SECRET_PREFIXES) or len(value) < MIN_ENV_VALUE:
        return None
    if value.startswith(("/", "~")) or ":" in value and value.split(":")[0].startswith("/"):
        return None  # a path: its specific parts are the home, course and environment paths
    if re.fullmatch(r"[A-Za-z][A-Za-z ,.'-]*", value):
        return None  # a word or phrase (a setting, a name): ordinary text
    return Needle(
        re.compile(re.escape(value) + r"(?![A-Za-z0-9])"), f"the value of ${name}", True, WORD
    )


def machine_needles(
    root: Path, environ=None, home: str | None = None, host: str | None = None
) -> list[Needle]:
    """Everything that identifies this machine, as patterns (``environ``, ``home`` and ``host``
    default to this process's own)."""
    environ = os.environ if environ is None else environ
    home = str(Path.home()) if home is None else home
    if host is None:
        try:
            host = socket.gethostname()
        except OSError:
            host = ""
    found: list[Needle | None] = [
        _path(str(root), "the course folder's absolute path"),
        _path(os.path.realpath(root), "the course folder's absolute path"),
        _path(home, "the home folder"),
        _path(sys.prefix, "the Python environment's path"),
        _path(os.path.realpath(sys.prefix), "the Python environment's path"),
        _path(sys.base_prefix, "the Python installation's path"),
        _path(environ.get("VIRTUAL_ENV"), "the Python environment's path"),
        _path(environ.get("TMPDIR"), "the temporary folder ($TMPDIR)"),
    ]
    for tmp in {tempfile.gettempdir(), os.path.realpath(tempfile.gettempdir())}:
        found.append(
            Needle(
                re.compile(
                    re.escape(tmp.rstrip("/")) + "/(?:" + EXEC_PREFIX + r"|tmp)[A-Za-z0-9_]{8}"
                ),
                "a temporary folder of the build (a lab's working folder)",
                False,
            )
        )
    if host and specific_host(host):
        found.append(
            Needle(re.compile(re.escape(host) + r"(?![\w-])"), "the host name", False, WORD + ".-")
        )
    found += [_env_value(name, value) for name, value in sorted(environ.items())]
    unique: dict[str, Needle] = {}
    for needle in found:
        if needle is not None:
            unique.setdefault(needle.pattern.pattern, needle)
    return list(unique.values())


@dataclass
class Finding:
    file: str  # relative to the staged site
    line: int
    matched: str  # as the file holds it (to find the cell that printed it)
    what: str  # "the home folder", "a GitHub Token"
    secret: bool  # masked when shown

    @property
    def shown(self) -> str:
        return mask(self.matched) if self.secret else self.matched


VERBATIM = ("_static/", "pagefind/")  # the theme's and Pagefind's own files, copied as they are


PATH_TAIL = re.compile(r"(?:/[^\s\"'<>`|,;:()\[\]{}\\*?]*)*")


def written(authored: str, text: str) -> bool:
    """Whether the author wrote ``text`` in the sources, whole: not as part of a longer path,
    word or token."""
    bounded = r"(?<![\w.~/-])" + re.escape(text) + r"(?![\w/-])(?!\.[\w/-])"
    return re.search(bounded, authored) is not None


def texts(site: Path, suffixes, skip: frozenset[str] = frozenset()):
    """(path relative to the site, text) of each text file the scan reads.

    Files the build copies verbatim from installed packages (the theme's scripts and styles,
    Pagefind's) are not read: the build machine cannot be in them, and a word in a font list
    is no leak. Pagefind's index holds the pages' text, which is searched in the pages."""
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if (
            not path.is_file()
            or path.suffix not in suffixes
            or (rel.startswith(VERBATIM) and path.suffix != ".json")
            or rel in skip  # scanned as it is when the published site was (site_checks)
        ):
            continue
        yield rel, path.read_bytes().decode("utf-8", errors="replace")


def find(
    site: Path, needles: list[Needle], authored: str, suffixes, skip: frozenset[str] = frozenset()
) -> list[Finding]:
    """Each needle's first match in each text file of the site that the author did not write,
    and every secret (``book.checks.secrets``) but those the author wrote."""
    exempt = secrets.authored_secrets(authored)
    findings = []
    for rel, text in texts(site, suffixes, skip):
        for needle in needles:
            for m in needle.matches(text):
                tail = PATH_TAIL.match(text, m.end()) if needle.path else None
                whole = m.group(0) + (tail.group(0).rstrip(".") if tail else "")
                if written(authored, whole):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                findings.append(Finding(rel, line, m.group(0), needle.what, needle.secret))
                break
        suffix = "." + rel.rsplit(".", 1)[-1]
        for s in secrets.scan_text(text, suffix, exempt):
            findings.append(Finding(rel, s.line, s.text, s.what, True))
    return findings


def locate(site: Path, finding: Finding, notebooks: dict) -> tuple[str, int | None, int] | None:
    """The lab, line and code cell number whose output holds the finding, if a lab's."""
    doc = finding.file.removeprefix("_sources/").rsplit(".", 1)[0]
    reader_nb = notebooks.get(doc)
    staged = site / "_sources" / f"{doc}.ipynb"
    if reader_nb is None or not staged.is_file():
        return None
    cells = json.loads(staged.read_text(encoding="utf-8")).get("cells", [])
    number = 0
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        number += 1
        if finding.matched in json.dumps(cell.get("outputs", []), ensure_ascii=False):
            source_map = reader_nb.metadata.get("source_map") or []
            line = source_map[index] + 1 if index < len(source_map) else None
            return f"{doc}.md", line, number
    return None
