"""Checks on the staged site before it is published: nothing of the build machine, no stray reprs.

The pages, notebook downloads, build-info.json and every other text file of the staged site must
carry nothing that identifies the build machine (``book.checks.leaks`` says what that is), and pages
must not show Python object reprs such as ``<matplotlib.lines.Line2D at 0x7f...>`` (a plotting
call whose return value was printed). Each problem names the lab and code cell that produced it
when a lab did, and the staged page; the published site is not touched.

A file the staging folder shares with the published site (a hard link, ``book.publishing.staging``)
was
scanned when that site was published; when the scan would look for the same things (``scan_key``:
the same machine), it is not read again, so a one-lab edit scans the
pages it rewrote, not the whole site.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from book.checks import secrets
from book.checks.leaks import Finding, find, locate, machine_needles
from book.course.files import authored_text
from book.errors import BookError

TEXT_SUFFIXES = {".html", ".ipynb", ".json", ".js", ".txt", ".md", ".css", ".xml", ".svg"}
REPR = re.compile(
    rb"&lt;[A-Za-z_][\w.]* (?:object )?at 0x[0-9a-fA-F]+&gt;"
    rb"|<[A-Za-z_][\w.]* (?:object )?at 0x[0-9a-fA-F]+>"
)
LEAK_HINT = (
    "print something that does not identify the build machine (a path relative to the "
    "course, a name instead of a value); the site was not published"
)


def _staged(site: Path, root: Path, rel: str) -> str:
    return f"{os.path.relpath(site, root)}/{rel}"


def scan_key(needles) -> str:
    """What a scan looks for (this machine's needles): a published file scanned with the same key
    needs no new scan; nor with the same secret scanner (``book.checks.secrets.scanner_key``).
    The authored text is not part of it: it changes with every edit, and a
    file that is still the published one holds only text of sources that did not change (a
    changed title rewrites every page)."""
    digest = hashlib.sha256(secrets.scanner_key().encode())
    for needle in needles:
        digest.update(f"{needle.what}\0{needle.pattern.pattern}\0{needle.not_after}".encode())
    return digest.hexdigest()


def leak_errors(
    site: Path,
    root: Path,
    notebooks: dict | None = None,
    needles=None,
    skip: frozenset[str] = frozenset(),
) -> list[BookError]:
    """One error per leak: at the lab's cell when a lab printed it, else at the staged file."""
    needles = machine_needles(root) if needles is None else needles
    findings = find(site, needles, authored_text(root), TEXT_SUFFIXES, skip)
    groups: dict[tuple, list[Finding]] = {}
    where_of = {}
    for finding in findings:  # one problem per text and place, however many files show it
        where = locate(site, finding, notebooks or {})
        key = (where or finding.file, finding.matched)
        groups.setdefault(key, []).append(finding)
        where_of[key] = where
    problems = []
    for key, group in groups.items():
        page = next((f for f in group if f.file.endswith(".html")), group[0])
        problems.append(_leak_error(site, root, group[0], page, where_of[key]))
    return problems


def _leak_error(site: Path, root: Path, finding: Finding, page: Finding, where) -> BookError:
    staged = f"{_staged(site, root, page.file)}:{page.line}"
    what = f"{finding.what} ({finding.shown})"
    if where is None:
        return BookError(staged, None, f"contains {what}", LEAK_HINT)
    lab, line, number = where
    return BookError(
        lab, line, f"code cell {number} output {what}; it is in the staged page {staged}", LEAK_HINT
    )


def scan_site(
    site: Path,
    root: Path,
    notebooks: dict | None = None,
    skip: frozenset[str] = frozenset(),
    needles=None,
    memory: Path | None = None,
) -> list[BookError]:
    """Every leak and stray repr in the staged site, as ``file:line: message`` errors.

    ``notebooks``: docname -> the lab reader's notebook (with its source map), to name cells.
    ``skip``: files (relative to ``site``) already scanned with the same ``scan_key``.
    ``memory``: where the secret scanner keeps the lines it found clean between builds
    (``book.checks.secrets.LineVerdicts``)."""
    if memory is not None:
        secrets.remember(memory)
    problems = leak_errors(site, root, notebooks, needles, skip)
    if memory is not None:
        secrets.keep(memory)
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).as_posix() in skip:
            continue
        data = path.read_bytes()
        m = REPR.search(data)
        if m:
            line = data.count(b"\n", 0, m.start()) + 1
            shown = m.group(0).decode(errors="replace")
            problems.append(
                BookError(
                    f"{_staged(site, root, path.relative_to(site).as_posix())}",
                    line,
                    f"shows a Python object repr {shown}",
                    "end the plotting cell with plt.show() or a semicolon",
                )
            )
    return problems
