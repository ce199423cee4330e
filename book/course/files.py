"""The course's sources: which files make the site, and whether a lab changed any of them.

One list, three users: ``make serve`` rebuilds when one of them changes (and not when a log file
in the course folder grows), the build fingerprint hashes them, and the build compares a snapshot
taken before the labs run with one taken after: a lab that changed, created or deleted a file in
the course folder fails the build, naming the lab and the file, before anything is published.

The sources: ``_config.yml``, ``_toc.yml``, every file the table of contents lists, everything
under ``labs/``, ``templates/``, ``requirements/`` and ``_freeze/`` (recorded outputs), the
generator (``book/``), the schedule's events file (``schedule.yml``, ``book.release.schedule``) and
the
static files ``_config.yml`` names (``html.favicon``, ``sphinx.config.html_static_path``, logos).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import yaml

from book.config import yaml_fast
from book.course.toc import read_toc, source_of

SOURCE_DIRS = ("labs", "templates", "requirements", "book", "_freeze")
SKIP_DIRS = {
    "_build",
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".ipynb_checkpoints",
    "node_modules",
    ".venv",
    "venv",
    "artifacts",
}
EDITOR_TEMP = ("~", ".swp", ".swx", ".tmp")


def _files_under(folder: Path):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS
            and not d.startswith(".")
            and not (Path(dirpath, d) / "pyvenv.cfg").exists()
        )
        for name in sorted(filenames):
            if not name.startswith(".") and not name.endswith(EDITOR_TEMP) and name != "4913":
                yield Path(dirpath, name)


def _named_in_config(root: Path) -> list[str]:
    try:
        raw = yaml_fast.load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    html = raw["html"] if isinstance(raw.get("html"), dict) else {}
    sphinx = (raw.get("sphinx") or {}).get("config") if isinstance(raw.get("sphinx"), dict) else {}
    sphinx = sphinx if isinstance(sphinx, dict) else {}
    schedule = raw["schedule"] if isinstance(raw.get("schedule"), dict) else {}
    named = [
        schedule.get("events", "schedule.yml"),  # the schedule page's other dates
        html.get("favicon"),
        raw.get("logo"),
        sphinx.get("html_logo"),
        sphinx.get("html_favicon"),
        *(sphinx.get("html_static_path") or []),
    ]
    return [n for n in named if isinstance(n, str) and n and "://" not in n]


def course_sources(root: Path) -> list[str]:
    """The course's source files, relative to ``root``, sorted."""
    root = Path(root)
    found = {"_config.yml", "_toc.yml"}
    try:
        entries = read_toc(root)
    except Exception:  # a broken toc is the checks' to report; watch the toc itself
        entries = []
    for entry in entries:
        source = source_of(root, entry.docname)
        if source:
            found.add(source)
    for name in [*SOURCE_DIRS, *_named_in_config(root)]:
        path = root / name
        if path.is_dir():
            found.update(p.relative_to(root).as_posix() for p in _files_under(path))
        elif path.is_file():
            found.add(name)
    return sorted(f for f in found if (root / f).is_file())


def authored_text(root: Path) -> str:
    """The text of the pages and configuration: what the author wrote is not a leak."""
    parts = []
    for rel in course_sources(root):
        if rel.startswith("_freeze/"):  # recorded outputs are outputs: checked like any other
            continue
        if rel.endswith((".md", ".ipynb", ".rst", ".yml", ".yaml", ".txt")):
            parts.append((Path(root) / rel).read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def snapshot(root: Path) -> dict[str, str]:
    """Every source's content hash, and every other file of the course folder by name."""
    root = Path(root)
    sources = set(course_sources(root))
    state = {}
    for path in _files_under(root):
        rel = path.relative_to(root).as_posix()
        if rel in sources:
            try:
                state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                state[rel] = "unreadable"
        else:
            state[rel] = "present"  # a log file may grow; only its appearing or going counts
    for rel in sources - set(state):  # sources in hidden or skipped places
        state[rel] = hashlib.sha256((root / rel).read_bytes()).hexdigest()
    return state


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str]]:
    """(file, how) for each file changed, created or deleted between two snapshots."""
    changes = []
    for rel in sorted(set(before) | set(after)):
        if rel not in after:
            changes.append((rel, "deleted"))
        elif rel not in before:
            changes.append((rel, "created"))
        elif before[rel] != after[rel]:
            changes.append((rel, "changed"))
    return changes


def suspects(root: Path, rel: str, windows: dict[str, tuple[float, float]]) -> list[str]:
    """The labs that were running when ``rel`` was last written (all of them if unknown)."""
    try:
        mtime = (Path(root) / rel).stat().st_mtime
    except OSError:
        return sorted(windows)
    during = [lab for lab, (start, end) in windows.items() if start - 1 <= mtime <= end + 1]
    return sorted(during or windows)


def lab_changes(root: Path, before: dict[str, str], windows: dict[str, tuple[float, float]]):
    """``BookError``s for each course file the labs changed while they ran (none: all good).

    ``windows``: each executed lab's start and end; none executed, nothing to compare."""
    from book.errors import BookError

    if not windows:
        return []
    problems = []
    for rel, how in changed_files(before, snapshot(root)):
        labs = suspects(root, rel, windows)
        who = labs[0] if len(labs) == 1 else ", ".join(labs)
        message = (
            f"{rel} was {how} in the course folder while this lab ran"
            if len(labs) == 1
            else f"{rel} was {how} in the course folder while these labs ran: {who}"
        )
        problems.append(
            BookError(
                labs[0] if len(labs) == 1 else rel,
                None,
                message,
                f"a lab must not write into the course: write to its working folder instead; "
                f"restore {rel} (e.g. git checkout -- {rel}, or delete it if it is new); if you "
                "saved it yourself while the build ran, build again",
            )
        )
    return problems


def outside_links(root: Path) -> list:
    """A ``file:1`` problem for each source that is a link to a place outside the course (the
    ``_toc.yml`` entries are checked, with their lines, by the course checks)."""
    from book.errors import BookError

    root = Path(root).resolve()
    try:
        listed = {source_of(root, e.docname) for e in read_toc(root)}
    except Exception:
        listed = set()
    problems = []
    for rel in course_sources(root):
        real = (root / rel).resolve()
        if rel not in listed and root not in real.parents:
            problems.append(
                BookError(
                    rel,
                    1,
                    f"is a symbolic link to {real}, outside the course folder",
                    "copy the file into the course instead of linking "
                    "it; a build reads nothing outside the course",
                )
            )
    return problems
